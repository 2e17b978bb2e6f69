"""What a periodic report says, gathered from the snapshots and the approved data as of a date.

``report_content_collect`` reads the database once per report and returns plain data (``ReportContent``);
the document builders in ``documents.py`` turn that data into .docx / .xlsx bytes without touching the ORM.
The same period and as-of date give the same content: every read is bounded by the as-of date, and rows are
ordered explicitly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from adjustments.describe import adjustment_sentence, decision_name
from adjustments.selectors import adjustments_after, adjustments_between
from agencies.models import Agency
from core.formatting import format_vn_number, period_phrase, value_text, vn_date
from core.workflow import SubmissionStatus
from indicators import periods, readings
from indicators.models import (
    AgencyAssessment,
    Indicator,
    Metric,
    ParsedTarget,
    Period,
    Plan,
    QualitativeAssessment,
    Target,
    TargetStatus,
)
from indicators.selectors import (
    assessment_disagreements,
    figures_completeness,
    figures_in_force,
    period_last_due,
)
from indicators.statuses import latest_claim, status_label, target_statuses_at, target_statuses_compute
from indicators.templatetags.plan_text import plan_text
from oversight.selectors import recommendations_summary
from tasks import occurrences as occ
from tasks.models import Task, TaskOccurrence, TaskUpdate
from tasks.occurrences import status_on
from tasks.selectors import with_task_terms

#: the order in which statuses are counted and drawn, best first
STATUS_ORDER = [value for value, _ in TargetStatus.Status.choices]
with translation.override(settings.LANGUAGE_CODE):  # the official report is in Vietnamese
    STATUS_LABELS = {value: str(label) for value, label in TargetStatus.Status.choices}
    FRESHNESS_LABELS = {value: str(label) for value, label in TargetStatus.Freshness.choices}

DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
OVERDUE = "overdue"
IN_PROGRESS = "in_progress"
NOT_DUE = "not_due"
#: due dates ("lượt") by status: "đang thực hiện" (a deadline ahead, work reported under way) is not "chưa đến
#: hạn" (a deadline ahead, nothing reported yet)
TASK_COLUMNS = [DONE_ON_TIME, DONE_LATE, OVERDUE, IN_PROGRESS, NOT_DUE]
TASK_LABELS = {
    DONE_ON_TIME: "Hoàn thành đúng hạn",
    DONE_LATE: "Hoàn thành quá hạn",
    OVERDUE: "Quá hạn, chưa hoàn thành",
    IN_PROGRESS: "Đang thực hiện",
    NOT_DUE: "Chưa đến hạn",
}


@dataclass
class TargetRow:
    """One parsed target; ``target`` is its whole cell as printed (a cell with several targets is never cut
    into fragments), ``latest`` the value with its period ("66,17% — Quý II/2026")."""

    indicator: str
    year: int
    target: str
    metric: str
    latest: str  # the value with its unit and period, "12,77 người/vạn dân (Năm 2025)"
    status: str
    status_label: str  # with the freshness mark when the data is late: "Đúng lộ trình (số liệu chậm)"
    cell: int = 0  # the Target (cell) id: rows of one cell are printed as one
    value: float | None = None  # the latest value as a number (for the .xlsx)
    unit: str = ""
    period: str = ""  # the period of the latest value, "Quý II/2026" (provisional: "…, tạm tính đến ngày …")
    freshness: str = "missing"
    latest_value: float | None = None
    latest_period: str = ""  # the period's label alone, as the API and explain_target give it
    provisional: bool = False
    #: a cell without a measurable target: listed with its assessment, never counted among the quantitative ones
    qualitative: bool = False
    #: the latest value's coverage: how many agencies' figures it sums, of how many expected ("20/26 cơ quan")
    reporters: int | None = None
    expected: int | None = None
    coverage_low: bool = False

    @property
    def coverage(self) -> str:
        """ "20/26 cơ quan" for a value aggregated from several agencies, else ""."""
        if self.reporters is None or not self.expected or self.expected <= 1:
            return ""
        return f"{self.reporters}/{self.expected} cơ quan"


@dataclass
class GroupBlock:
    code: str
    title: str
    rows: list[TargetRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """The group's quantitative targets by status, and its qualitative cells apart (whatever their
        assessment): the overview counts the same way."""
        counted = Counter(TargetStatus.Status.QUALITATIVE if row.qualitative else row.status for row in self.rows)
        return {status: counted.get(status, 0) for status in STATUS_ORDER}


@dataclass
class AgencyTaskRow:
    agency: str
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    in_progress: int = 0
    not_due: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.overdue + self.in_progress + self.not_due


@dataclass
class OverdueRow:
    task: int
    title: str
    agency: str
    due_on: date
    days_late: int


@dataclass
class IssueRow:
    """A difficulty or proposal an agency wrote in an approved task update."""

    agency: str
    task: int
    text: str


@dataclass
class FigureRow:
    metric: str
    period: str
    value: str
    unit: str
    number: float | None = None


@dataclass
class GroupComparison:
    """How many of a group's targets were achieved or on track now, at the end of the previous period and of
    the same period last year (``None``: no computation existed by then)."""

    code: str
    title: str
    total: int
    now: int
    previous: int | None
    last_year: int | None


@dataclass
class NextTaskRow:
    task: int
    title: str
    agencies: str
    due_on: date


@dataclass
class DisagreementRow:
    agency: str
    metric: str
    confidence: str
    computed: str


@dataclass
class RecommendationTally:
    """The recommendations of inspections still open when the period began, by where they stand on the as-of
    date (``oversight.standing``: the one rule for work with a deadline)."""

    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    open: int = 0

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def total(self) -> int:
        return self.done + self.overdue + self.open


@dataclass
class RecommendationRow:
    """An overdue recommendation of an inspection."""

    number: int
    text: str
    agency: str
    inspection: str
    due_on: date
    days_late: int


@dataclass
class ReportContent:
    plan_code: str
    plan_title: str
    plan_issued_on: date
    period_label: str
    period_kind: str
    starts_on: date
    ends_on: date
    as_of: date
    agency: str | None
    agency_kind: str | None
    milestone: int
    groups: list[GroupBlock]
    tasks_by_agency: list[AgencyTaskRow]
    overdue: list[OverdueRow]
    difficulties: list[IssueRow]
    proposals: list[IssueRow]
    figures: list[FigureRow]
    previous_label: str = ""
    last_year_label: str = ""
    next_label: str = ""
    comparison: list[GroupComparison] = field(default_factory=list)
    tasks_by_kind: list[AgencyTaskRow] = field(default_factory=list)
    tasks_localities: list[AgencyTaskRow] = field(default_factory=list)
    next_tasks: list[NextTaskRow] = field(default_factory=list)
    not_reporting: list[str] = field(default_factory=list)
    not_reporting_label: str = ""
    #: the deadline of that period's figures
    not_reporting_due: date | None = None
    disagreements: list[DisagreementRow] = field(default_factory=list)
    recommendations: RecommendationTally = field(default_factory=RecommendationTally)
    recommendations_overdue: list[RecommendationRow] = field(default_factory=list)
    #: "Trong kỳ, Ban Thường vụ Tỉnh ủy điều chỉnh …": the adjustments taking effect in the period
    adjustments: list[str] = field(default_factory=list)
    #: the footnote of a report about a time before a later adjustment: its targets are those then in force
    targets_note: str = ""
    #: which figures a past date counts (``indicators.readings``), said on every document
    reading: str = readings.AS_KNOWN
    #: the tasks counted as tasks (``tasks.occurrences.tally``): by standing, of how many
    tasks_total: int = 0
    task_standings: dict[str, int] = field(default_factory=dict)

    def rows_with(self, *statuses: str) -> list[TargetRow]:
        """The quantitative targets at these statuses."""
        return [row for group in self.groups for row in group.rows if row.status in statuses and not row.qualitative]

    @property
    def reading_sentence(self) -> str:
        """Which reading of the as-of date the document uses, in its own words."""
        return readings.SENTENCES_VI[self.reading].format(day=self.as_of.strftime("%d/%m/%Y"))

    @property
    def status_totals(self) -> dict[str, int]:
        totals = Counter()
        for group in self.groups:
            totals.update(group.counts)
        return {status: totals.get(status, 0) for status in STATUS_ORDER}

    @property
    def task_totals(self) -> AgencyTaskRow:
        total = AgencyTaskRow(agency="Tổng cộng")
        for row in [*self.tasks_by_agency, *self.tasks_localities]:
            for column in TASK_COLUMNS:
                setattr(total, column, getattr(total, column) + getattr(row, column))
        return total

    def as_json(self) -> dict:
        """The content as JSON-safe data (stored beside the files, compared by the reproducibility test)."""

        def clean(value):
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list):
                return [clean(v) for v in value]
            return value

        return clean(asdict(self))


def _latest_statuses(plan: Plan, parsed: list[ParsedTarget], as_of: date, reading: str) -> dict[int, TargetStatus]:
    """For each parsed target, its status as of the as-of date in the report's reading (``target_statuses_at``:
    the one truth); a target no longer in force that day (the report is about a period before an adjustment) is
    judged by the same engine against its own aim."""
    wanted = {p.pk for p in parsed}
    found = {
        row.parsed_target_id: row
        for row in target_statuses_at(as_of=as_of, plan=plan, reading=reading)
        if row.parsed_target_id in wanted
    }
    others = [p for p in parsed if p.pk not in found]
    if others:
        found.update(
            (row.parsed_target_id, row)
            for row in target_statuses_compute(as_of=as_of, parsed_targets=others, reading=reading)
        )
    return found


def targets_day(period: Period, as_of: date) -> date:
    """The day whose targets a report shows: those in force at the end of its period (or on its as-of date, if
    earlier), so that a report about a time before an adjustment reads the targets of that time."""
    return min(as_of, period.ends_on)


def _adjustment_notes(plan: Plan, period: Period, as_of: date) -> tuple[list[str], str]:
    """The adjustments taking effect in the period, one sentence each, and the footnote naming those taking
    effect after the day whose targets the report shows."""
    day = targets_day(period, as_of)
    during = [
        adjustment_sentence(a)
        for a in adjustments_between(plan=plan, start=period.starts_on, end=min(period.ends_on, as_of))
    ]
    # the decisions known when the report is generated: a report generated after a decision, about a time before
    # it, shows the targets of that time and says that they have been adjusted since
    later = adjustments_after(plan=plan, day=day)
    note = ""
    if later:
        decisions = "; ".join(f"{decision_name(a)} điều chỉnh từ ngày {vn_date(a.effective_on)}" for a in later)
        note = (
            f"Mục tiêu nêu trong báo cáo là mục tiêu có hiệu lực đến ngày {vn_date(day)}; "
            f"kế hoạch đã được điều chỉnh sau đó: {decisions}."
        )
    return during, note


def _target_groups(
    plan: Plan, period: Period, as_of: date, milestone: int, agency: Agency | None, reading: str
) -> list:
    targets = (
        Target.objects.in_force(targets_day(period, as_of))
        .filter(indicator__plan=plan, year=milestone)
        .select_related("indicator__group")
        .order_by("indicator__group__order", "indicator__number")
    )
    parsed = (
        ParsedTarget.objects.filter(target__in=targets)
        .select_related("metric__plan", "target__indicator__group")
        .order_by("position")
    )
    if agency is not None:
        # an agency reports on the indicators it leads and the province-wide figures it alone supplies;
        # its share of the figures every agency reports is listed in its figures table instead
        mine = Metric.objects.filter(reporters=agency, collection=Metric.Collection.PROVINCE).values("pk")
        led = Indicator.objects.filter(lead_agencies=agency).values("pk")
        targets = targets.filter(Q(indicator__in=led) | Q(parsed_targets__metric__in=mine)).distinct()
    parsed_by_target: dict[int, list[ParsedTarget]] = defaultdict(list)
    for item in parsed:
        parsed_by_target[item.target_id].append(item)
    statuses = _latest_statuses(plan, [p for items in parsed_by_target.values() for p in items], as_of, reading)
    assessments = {
        a.target_id: a
        for a in QualitativeAssessment.objects.filter(target__in=targets, period=period, assessed_at__date__lte=as_of)
    }
    groups: dict[str, GroupBlock] = {}
    for target in targets:
        group = target.indicator.group
        block = groups.setdefault(group.code, GroupBlock(code=group.code, title=group.title))
        text = plan_text(target.text)
        items = parsed_by_target.get(target.pk, [])
        if not items:
            if target.is_empty:
                continue
            assessment = assessments.get(target.pk)
            status = assessment.status if assessment else TargetStatus.Status.QUALITATIVE
            block.rows.append(
                TargetRow(
                    target.indicator.code,
                    target.year,
                    text,
                    "",
                    "",
                    status,
                    STATUS_LABELS[status],
                    cell=target.pk,
                    qualitative=True,
                )
            )
            continue
        for item in items:
            snapshot = statuses.get(item.pk)
            status = snapshot.status if snapshot else TargetStatus.Status.NO_DATA
            claim = latest_claim(snapshot) if snapshot else None
            value = snapshot.latest_value if snapshot else None
            period_label = ""
            if claim and claim["period"]:
                period_label = period_phrase(claim["period"], claim["provisional"], snapshot.latest_date)
            elif value is not None and snapshot.latest_date:
                period_label = periods.period_containing(item.metric.period_kind, snapshot.latest_date).label
            latest = value_text(value, item.metric.unit)
            fresh = snapshot.freshness if snapshot else TargetStatus.Freshness.MISSING
            covered = (claim or {}).get("coverage") or {}
            label = status_label(snapshot)
            marks = [FRESHNESS_LABELS[fresh].lower()] if fresh == TargetStatus.Freshness.LATE else []
            if covered.get("low"):
                marks.append("chưa đủ cơ quan báo cáo")
            if marks:
                label = f"{label} ({'; '.join(marks)})"
            block.rows.append(
                TargetRow(
                    target.indicator.code,
                    target.year,
                    text,
                    item.metric.name,
                    f"{latest} — {period_label}" if latest and period_label else latest,
                    status,
                    label,
                    cell=target.pk,
                    value=float(value) if value is not None else None,
                    unit=item.metric.unit,
                    period=period_label,
                    freshness=fresh,
                    latest_value=claim["value"] if claim else None,
                    latest_period=(claim["period"] or "") if claim else "",
                    provisional=bool(claim and claim["provisional"]),
                    reporters=covered.get("reporters"),
                    expected=covered.get("expected"),
                    coverage_low=bool(covered.get("low")),
                )
            )
    return [block for block in groups.values() if block.rows]


PER_YEAR = {periods.MONTH: 12, periods.QUARTER: 4, periods.HALF_YEAR: 2, periods.YEAR: 1}


def _shift(period: Period | periods.PeriodBounds, delta: int) -> periods.PeriodBounds:
    """The period ``delta`` periods of the same kind away (-1: the previous one, +1: the next)."""
    per_year = PER_YEAR[period.kind]
    index = period.year * per_year + (period.number - 1) + delta
    return periods.period_bounds(period.kind, index // per_year, index % per_year + 1)


def occurrence_status_as_of(*, due_on: date | None, completed_on: date | None, stored: str, as_of: date) -> str:
    """Where a task occurrence stood on ``as_of``, by the engine's rule (``tasks.occurrences.status_on``) from its
    deadline and completion date, so a report for an earlier date reads the same however the snapshot moved on.
    Work not yet due is "đang thực hiện" where its agency reported it under way (the snapshot's ``stored``
    status says so), else "chưa đến hạn"."""
    if due_on is None:
        return IN_PROGRESS if stored == occ.IN_PROGRESS else NOT_DUE
    status, _days = status_on(due_on=due_on, done_on=completed_on, as_of=as_of)
    if status == occ.NOT_DUE and stored == occ.IN_PROGRESS:
        return IN_PROGRESS
    return status


def _task_scope(plan: Plan, period: Period, as_of: date, agency: Agency | None):
    """The occurrences of the period: every one still open when the period began (work finished before it
    belongs to earlier reports, not to a total since the plan's start)."""
    occurrences = (
        TaskOccurrence.objects.filter(task__plan=plan)
        .exclude(status=TaskOccurrence.Status.AWAITING_TRIGGER)
        .exclude(completed_on__lt=period.starts_on)
        .select_related("agency")
        .order_by("due_on", "task__number", "agency__name", "pk")
    )
    occurrences = with_task_terms(occurrences, targets_day(period, as_of))
    return occurrences.filter(agency=agency) if agency is not None else occurrences


def _tasks(
    plan: Plan, period: Period, as_of: date, agency: Agency | None
) -> tuple[list[AgencyTaskRow], list[AgencyTaskRow], list[AgencyTaskRow], list[OverdueRow], occ.Tally]:
    """Due dates ("lượt") of the period per agency (communes apart, for the appendix), per kind of agency, the
    overdue ones, and the tasks counted as tasks (``tasks.occurrences.tally``, the overview's rule)."""
    kind_labels = {value: str(label) for value, label in Agency.Kind.choices}
    rows: dict[str, AgencyTaskRow] = {}
    kinds: dict[str, AgencyTaskRow] = {}
    localities: set[str] = set()
    overdue: list[OverdueRow] = []
    ahead_seen: set[tuple[int, int]] = set()
    counted: list[tuple[int, str, int]] = []
    for occurrence in _task_scope(plan, period, as_of, agency):
        status = occurrence_status_as_of(
            due_on=occurrence.due_on, completed_on=occurrence.completed_on, stored=occurrence.status, as_of=as_of
        )
        if status in (NOT_DUE, IN_PROGRESS):
            # the engine looks one deadline ahead of its day: of the due dates still ahead on the as-of date, a
            # task's agency has one (the next), however far the snapshot has moved on since
            key = (occurrence.task_id, occurrence.agency_id)
            if key in ahead_seen:
                continue
            ahead_seen.add(key)
        counted.append((occurrence.task_id, status, 1))
        name = occurrence.agency.display_name
        row = rows.setdefault(name, AgencyTaskRow(agency=name))
        kind = kinds.setdefault(
            occurrence.agency.kind, AgencyTaskRow(agency=kind_labels.get(occurrence.agency.kind, ""))
        )
        if occurrence.agency.kind == Agency.Kind.LOCALITY:
            localities.add(name)
        setattr(row, status, getattr(row, status) + 1)
        setattr(kind, status, getattr(kind, status) + 1)
        if status == OVERDUE:
            overdue.append(
                OverdueRow(
                    task=occurrence.task.number,
                    title=occurrence.task.title,
                    agency=name,
                    due_on=occurrence.due_on,
                    days_late=(as_of - occurrence.due_on).days,
                )
            )
    overdue.sort(key=lambda r: (-r.days_late, r.task, r.agency))
    ordered = sorted(rows.values(), key=lambda r: r.agency)
    order = [value for value, _ in Agency.Kind.choices]
    by_kind = [kinds[k] for k in sorted(kinds, key=order.index)]
    tasks = Task.objects.filter(plan=plan)
    if agency is not None:
        tasks = tasks.filter(assignments__agency=agency, assignments__role="lead")
    # work waiting for a request has no due date in the tables, but its task counts as waiting, as on the overview
    waiting = TaskOccurrence.objects.filter(task__in=tasks, status=TaskOccurrence.Status.AWAITING_TRIGGER)
    if agency is not None:
        waiting = waiting.filter(agency=agency)
    counted += [(task_id, occ.AWAITING_TRIGGER, 1) for task_id in waiting.values_list("task_id", flat=True)]
    tally = occ.tally(counted, task_ids=tasks.values_list("pk", flat=True))
    return (
        [r for r in ordered if r.agency not in localities],
        [r for r in ordered if r.agency in localities],
        by_kind,
        overdue,
        tally,
    )


#: how many agency names a line lists before "và N cơ quan, đơn vị khác"
NAMES_SHOWN = 6


def names_text(names: list[str], shown: int = NAMES_SHOWN) -> str:
    text = ", ".join(names[:shown])
    if len(names) > shown:
        text += f" và {format_vn_number(len(names) - shown)} cơ quan, đơn vị khác"
    return text


def _next_tasks(plan: Plan, period: Period, as_of: date, agency: Agency | None) -> list[NextTaskRow]:
    """Work falling due in the next period and not done yet: one row per task and deadline. Only deadlines still
    ahead on the as-of date (a past one is overdue work, listed as such) up to the next period's report due date
    (the quarterly progress report of the next quarter is due after its window closes)."""
    upcoming = _shift(period, +1)
    due_by = upcoming.ends_on + timedelta(days=settings.REPORT_DUE_DAYS[upcoming.kind])
    occurrences = (
        TaskOccurrence.objects.filter(
            task__plan=plan, due_on__gte=max(upcoming.starts_on, as_of + timedelta(days=1)), due_on__lte=due_by
        )
        .exclude(completed_on__lte=as_of)
        .select_related("agency")
        .order_by("due_on", "task__number", "agency__name")
    )
    occurrences = with_task_terms(occurrences, as_of)
    if agency is not None:
        occurrences = occurrences.filter(agency=agency)
    grouped: dict[tuple[int, date], list] = {}
    for occurrence in occurrences:
        grouped.setdefault((occurrence.task.number, occurrence.due_on), []).append(occurrence)
    return [
        NextTaskRow(task, items[0].task.title, _agencies_text([o.agency.display_name for o in items]), due_on)
        for (task, due_on), items in grouped.items()
    ]


def _agencies_text(names: list[str]) -> str:
    """A few agencies by name; many as a count ("118 cơ quan, đơn vị")."""
    return ", ".join(names) if len(names) <= 3 else f"{format_vn_number(len(names))} cơ quan, đơn vị"


GOOD = (TargetStatus.Status.ACHIEVED, TargetStatus.Status.ON_TRACK)


def _comparison(
    plan: Plan, period: Period, milestone: int, groups: list[GroupBlock], reading: str
) -> list[GroupComparison]:
    """Per group, targets achieved or on track now, at the end of the previous period and a year before."""
    cells = {row.cell for group in groups for row in group.rows}
    parsed_groups = dict(
        ParsedTarget.objects.filter(target__in=cells, target__year=milestone).values_list(
            "pk", "target__indicator__group__code"
        )
    )

    def good_by_group(day: date) -> dict[str, int] | None:
        # the statuses as of that day, as every other surface would give them (indicators/statuses.py)
        rows = [
            r for r in target_statuses_at(as_of=day, plan=plan, reading=reading) if r.parsed_target_id in parsed_groups
        ]
        counted: Counter = Counter()
        seen = False
        for parsed_id, status in ((r.parsed_target_id, r.status) for r in rows):
            seen = True
            if status in GOOD:
                counted[parsed_groups[parsed_id]] += 1
        return counted if seen else None

    previous = good_by_group(_shift(period, -1).ends_on)
    last_year = good_by_group(_shift(period, -PER_YEAR[period.kind]).ends_on)
    return [
        GroupComparison(
            code=group.code,
            title=group.title,
            total=len([r for r in group.rows if not r.qualitative]),
            now=len([r for r in group.rows if r.status in GOOD and not r.qualitative]),
            previous=previous.get(group.code, 0) if previous is not None else None,
            last_year=last_year.get(group.code, 0) if last_year is not None else None,
        )
        for group in groups
    ]


def _not_reporting(plan: Plan, period: Period, as_of: date) -> tuple[Period | None, list[str]]:
    """The last period of this kind due by ``as_of`` and the agencies whose figures for it are missing or
    partial: the one completeness rule the overview and the completeness page count with."""
    due = period_last_due(plan=plan, kind=period.kind, as_of=as_of, ends_by=period.ends_on)
    if due is None:
        return None, []
    return due, [row.agency.display_name for row in figures_completeness(period=due, as_of=as_of).not_reported]


def _disagreements(period: Period, as_of: date, agency: Agency | None) -> list[DisagreementRow]:
    rows = []
    for item in assessment_disagreements(period=period, as_of=as_of):
        assessment = item["assessment"]
        if agency is not None and assessment.agency_id != agency.pk:
            continue
        rows.append(
            DisagreementRow(
                agency=assessment.agency.display_name,
                metric=assessment.metric.name,
                confidence=str(AgencyAssessment.Confidence(assessment.confidence).label),
                computed=", ".join(STATUS_LABELS[s].lower() for s in item["computed"]),
            )
        )
    return sorted(rows, key=lambda r: (r.agency, r.metric))


def _issues(plan: Plan, period: Period, as_of: date, agency: Agency | None) -> tuple[list, list]:
    """Difficulties and proposals from the approved task updates of the periods inside the report's window."""
    # The updates of the periods ending inside the window, and those the agencies sent during it: a report on
    # the current quarter carries what they wrote about the last one (its window alone would find nothing).
    inside = Q(period__ends_on__gte=period.starts_on, period__ends_on__lte=min(period.ends_on, as_of))
    sent_during = Q(submitted_at__date__gte=period.starts_on, submitted_at__date__lte=as_of)
    updates = (
        TaskUpdate.objects.filter(task__plan=plan, status=SubmissionStatus.APPROVED)
        .filter(inside | sent_during)
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__date__lte=as_of))
        .select_related("task", "agency")
        .order_by("agency__name", "task__number", "period__ends_on")
    )
    if agency is not None:
        updates = updates.filter(agency=agency)
    difficulties: list[IssueRow] = []
    proposals: list[IssueRow] = []
    seen: set[tuple[str, str, str]] = set()
    for update in updates:
        for kind, text, bucket in (("d", update.difficulties, difficulties), ("p", update.proposals, proposals)):
            text = " ".join((text or "").split())
            key = (kind, update.agency.display_name, text)
            if text and key not in seen:
                seen.add(key)
                bucket.append(IssueRow(agency=update.agency.display_name, task=update.task.number, text=text))
    return difficulties, proposals


def _figures(plan: Plan, period: Period, as_of: date, agency: Agency, reading: str) -> list[FigureRow]:
    """The agency's approved figures for the periods inside the report's window, in the report's reading."""
    observations = (
        figures_in_force(as_of=as_of, reading=reading)
        .filter(
            metric__plan=plan,
            agency=agency,
            period__ends_on__gte=period.starts_on,
            period__ends_on__lte=min(period.ends_on, as_of),
        )
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__date__lte=as_of))
        .select_related("metric", "period")
        .order_by("metric__code", "period__ends_on")
    )
    return [
        FigureRow(
            metric=o.metric.name,
            period=o.period.label,
            value=format_vn_number(o.value) if o.value is not None else "",
            unit=o.metric.unit,
            number=float(o.value) if o.value is not None else None,
        )
        for o in observations
    ]


def _recommendations(
    plan: Plan, period: Period, as_of: date, agency: Agency | None
) -> tuple[RecommendationTally, list[RecommendationRow]]:
    """Where the recommendations of inspections stand on ``as_of`` (those done before the period left out), and
    the overdue ones, most late first."""
    summary = recommendations_summary(plan=plan, as_of=as_of, agency=agency, since=period.starts_on)
    counted = summary.tally
    overdue = [
        RecommendationRow(
            number=row.recommendation.number,
            text=row.recommendation.text,
            agency=row.recommendation.agency.display_name,
            inspection=row.recommendation.inspection.title,
            due_on=row.recommendation.due_on,
            days_late=row.standing.days_late,
        )
        for row in summary.overdue
    ]
    tally = RecommendationTally(counted.done_on_time, counted.done_late, counted.overdue, counted.open)
    return tally, overdue


def report_content_collect(
    *, plan: Plan, period: Period, as_of: date, agency: Agency | None = None, reading: str = readings.DEFAULT
) -> ReportContent:
    """Everything a periodic report shows, for the province (``agency=None``) or one agency, in the ``reading``
    of its as-of date (``indicators.readings``: by default what was approved by then)."""
    milestone = plan.milestone_for(as_of)
    tasks_by_agency, tasks_localities, tasks_by_kind, overdue, tally = _tasks(plan, period, as_of, agency)
    difficulties, proposals = _issues(plan, period, as_of, agency)
    groups = _target_groups(plan, period, as_of, milestone, agency, reading)
    per_year = PER_YEAR[period.kind]
    not_reporting_period, not_reporting = (None, []) if agency is not None else _not_reporting(plan, period, as_of)
    recommendations, recommendations_late = _recommendations(plan, period, as_of, agency)
    adjustments, targets_note = _adjustment_notes(plan, period, as_of)
    return ReportContent(
        plan_code=plan.code,
        plan_title=plan.title,
        plan_issued_on=plan.issued_on,
        period_label=period.label,
        period_kind=period.kind,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        as_of=as_of,
        agency=agency.name if agency else None,
        agency_kind=agency.kind if agency else None,
        milestone=milestone,
        groups=groups,
        tasks_by_agency=tasks_by_agency,
        overdue=overdue,
        difficulties=difficulties,
        proposals=proposals,
        figures=_figures(plan, period, as_of, agency, reading) if agency else [],
        previous_label=_shift(period, -1).label,
        last_year_label=_shift(period, -per_year).label,
        next_label=_shift(period, +1).label,
        comparison=_comparison(plan, period, milestone, groups, reading),
        tasks_by_kind=tasks_by_kind,
        tasks_localities=tasks_localities,
        next_tasks=_next_tasks(plan, period, as_of, agency),
        not_reporting=not_reporting,
        not_reporting_label=not_reporting_period.label if not_reporting_period else "",
        not_reporting_due=not_reporting_period.due_on if not_reporting_period else None,
        disagreements=_disagreements(period, as_of, agency),
        recommendations=recommendations,
        recommendations_overdue=recommendations_late,
        adjustments=adjustments,
        targets_note=targets_note,
        reading=reading,
        tasks_total=tally.total,
        task_standings=dict(tally.tasks),
    )

"""Reads for the dashboards. Every page reads the progress snapshots (TargetStatus, ProvinceValue,
TaskOccurrence, ReportTimeliness) and counts in the database, so the number of queries per page is fixed and
the rows read do not grow with the number of figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, RowNumber
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency
from agencies.permissions import can_read_unapproved, submissions_on_pages, submissions_visible_to
from core.snapshots import FIGURES, PLAN, TASKS, cached_block
from core.versions import in_force_q
from core.workflow import SubmissionStatus
from indicators.freshness import coverage_low
from indicators.models import (
    Indicator,
    IndicatorGroup,
    Metric,
    Observation,
    ParsedTarget,
    Period,
    Plan,
    ProvinceValue,
    QualitativeAssessment,
    ReportTimeliness,
    Target,
    TargetStatus,
)
from indicators.periods import QUARTER
from indicators.progress import method_description
from indicators.selectors import (
    PeriodCompleteness,
    figures_completeness,
    observations_approved,
    period_last_due,
    plan_day,
    plan_groups_with_indicators,
)
from indicators.statuses import target_statuses_at
from tasks import occurrences as occ
from tasks.models import Task, TaskAssignment, TaskGroup, TaskOccurrence, TaskUpdate
from tasks.selectors import occurrences_overdue, with_task_terms

from . import explorer
from .charts import Point, figure_value, yearly_totals

Status = TargetStatus.Status
OccurrenceStatus = TaskOccurrence.Status

#: the order statuses are shown in, best first
TARGET_STATUSES = [
    Status.ACHIEVED,
    Status.ON_TRACK,
    Status.ACCELERATE,
    Status.LIMITED,
    Status.REGRESSING,
    Status.NO_DATA,
    Status.QUALITATIVE,
]
BEHIND = (Status.ACCELERATE, Status.LIMITED, Status.REGRESSING)
OCCURRENCE_STATUSES = [
    OccurrenceStatus.DONE_ON_TIME,
    OccurrenceStatus.DONE_LATE,
    OccurrenceStatus.OVERDUE,
    OccurrenceStatus.IN_PROGRESS,
    OccurrenceStatus.NOT_DUE,
    OccurrenceStatus.AWAITING_TRIGGER,
]
# A task's status on the board is the most pressing of its occurrences' statuses.
_TASK_URGENCY = [
    OccurrenceStatus.OVERDUE,
    OccurrenceStatus.IN_PROGRESS,
    OccurrenceStatus.DONE_LATE,
    OccurrenceStatus.NOT_DUE,
    OccurrenceStatus.AWAITING_TRIGGER,
    OccurrenceStatus.DONE_ON_TIME,
]
TIMELINESS_STATUSES = [
    ReportTimeliness.Status.ON_TIME,
    ReportTimeliness.Status.LATE,
    ReportTimeliness.Status.PARTIAL,
    ReportTimeliness.Status.MISSING,
]


def latest_statuses(plan: Plan) -> list[TargetStatus]:
    """Every target's status as the whole dashboard shows it: the latest complete snapshot (or, without one,
    computed on demand) from the one place every page, report and API reads (``target_statuses_at``).

    Kept in the cache until a status or the plan changes (``figures``: every move of a metric's statuses moves it
    too), read by the overview, the plan, indicator, agency and public pages: reading the 158 rows with their
    targets, metrics and periods was a third of each page's build. A page showing some of them declares which
    (its metrics); one showing all of them depends on ``figures`` itself."""
    return cached_block(
        "latest-statuses",
        plan.pk,
        timezone.localdate(),
        depends=[PLAN, FIGURES],
        inherit=False,
        build=lambda: target_statuses_at(plan=plan),
    )


def statuses_day(plan: Plan, latest: list[TargetStatus]) -> date:
    """The day the statuses ``latest`` (``latest_statuses``) are of, the plan's day without any: the targets a page
    lists with them are those in force that day (an adjusted target: the aim of that day)."""
    return latest[0].as_of if latest else plan_day(plan)


def plan_structure(plan: Plan, *, on: date | None = None) -> list[IndicatorGroup]:
    """The plan's groups, their indicators, cells and parsed targets in force on ``on`` (default today: the plan's
    day), as ``indicators.selectors.plan_groups_with_indicators`` reads them, kept in the cache until the plan
    changes: the plan page and the public page, rebuilt after every approval, read them back rather than prefetch
    again some five hundred rows (a quarter of either page's build)."""
    day = plan_day(plan, on)
    return cached_block(
        "plan-structure", plan.pk, day, depends=[PLAN], build=lambda: plan_groups_with_indicators(plan, on=day)
    )


@dataclass
class TargetRow:
    """One parsed target of a milestone and its latest status (no snapshot yet: "no data")."""

    parsed: ParsedTarget
    status: TargetStatus | None

    @property
    def code(self) -> str:
        return self.status.status if self.status else Status.NO_DATA

    @property
    def label(self) -> str:
        return Status(self.code).label


@dataclass
class GroupRow:
    group: IndicatorGroup
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.group.code}. {self.group.title}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count_list(self) -> list[int]:
        return [self.counts.get(code, 0) for code in TARGET_STATUSES]


def milestone_targets(*, plan: Plan, milestone: int) -> tuple[list[GroupRow], list[TargetRow], date | None]:
    """Every target of a milestone with its status, counted per indicator group (two queries and the statuses)."""
    groups = {g.pk: GroupRow(g) for g in plan.indicator_groups.order_by("order")}
    latest = latest_statuses(plan)
    # the targets in force on the day the statuses are of (an adjusted target: the aim of that day): those the
    # statuses are of, a complete set for that day (``target_statuses_at``)
    day = statuses_day(plan, latest)
    if latest:
        parsed = sorted(
            (s.parsed_target for s in latest if s.parsed_target.target.year == milestone),
            key=lambda p: (p.target.indicator.group.order, p.target.indicator.number, p.position),
        )
    else:
        parsed = list(
            ParsedTarget.objects.in_force(day)
            .filter(target__indicator__plan=plan, target__year=milestone)
            .select_related("metric", "target__indicator")
            .order_by("target__indicator__group__order", "target__indicator__number", "position")
        )
    statuses = {s.parsed_target_id: s for s in latest if s.parsed_target.target.year == milestone}
    rows = [TargetRow(p, statuses.get(p.pk)) for p in parsed]
    for row in rows:
        counts = groups[row.parsed.target.indicator.group_id].counts
        counts[row.code] = counts.get(row.code, 0) + 1
    qualitative = (
        Target.objects.in_force(day)
        .filter(indicator__plan=plan, year=milestone, qualitative=True)
        .values("indicator__group")
        .annotate(n=Count("id"))
    )
    for item in qualitative:
        groups[item["indicator__group"]].counts[Status.QUALITATIVE] = item["n"]
    as_of = next((s.as_of for s in statuses.values()), None)
    return list(groups.values()), rows, as_of


@dataclass(frozen=True)
class OccurrenceCounts:
    """The plan's occurrence and timeliness snapshots counted once (one grouped query each), for the overview, the
    scorecards and the task tallies: per task and per agency by status, the overdue ones by task and by agency."""

    #: task id → (number, title in force on the day counted), every task of the plan
    tasks: dict[int, tuple[int, str]]
    #: task id → status → due dates ("lượt")
    by_task: dict[int, dict[str, int]]
    #: agency id → status → due dates
    by_agency: dict[int, dict[str, int]]
    #: task id → (overdue due dates, agencies they are of, the longest days late)
    overdue_by_task: dict[int, tuple[int, int, int]]
    #: agency id → (overdue due dates, tasks they are of, the longest days late)
    overdue_by_agency: dict[int, tuple[int, int, int]]
    #: agency id → (code, name, short name), of the agencies with overdue work, in the database's order of names
    agencies: dict[int, tuple[str, str, str]]
    #: agency id → report timeliness status → periods
    timeliness: dict[int, dict[str, int]]


def occurrence_counts(plan: Plan) -> OccurrenceCounts:
    """The plan's occurrences and report timeliness counted (``OccurrenceCounts``), kept in the cache until they or
    the plan change (``tasks``, ``plan``): an approval of a figure moves neither, so the overview it rebuilds does
    not count again the tens of thousands of occurrences of a plan some years in."""
    return cached_block(
        "occurrence-counts",
        plan.pk,
        timezone.localdate(),
        depends=[PLAN, TASKS],
        build=lambda: _occurrence_counts(plan),
    )


def _occurrence_counts(plan: Plan) -> OccurrenceCounts:
    """Four queries: the tasks with their titles in force today, the occurrences grouped by task, agency and
    status, the names of the agencies late, the timeliness grouped by agency and status."""
    terms = FilteredRelation("terms_versions", condition=in_force_q(plan_day(plan), "terms_versions__"))
    tasks = {
        pk: (number, title or "")
        for pk, number, title in Task.objects.filter(plan=plan)
        .annotate(terms_today=terms)
        .values_list("pk", "number", "terms_today__title")
    }
    by_task: dict[int, dict[str, int]] = defaultdict(dict)
    by_agency: dict[int, dict[str, int]] = defaultdict(dict)
    late_task: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    late_agency: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = (
        TaskOccurrence.objects.filter(task__plan=plan)
        .values_list("task_id", "agency_id", "status")
        .annotate(n=Count("id"), longest=Max("days_late"))
        .order_by()
    )
    for task_id, agency_id, status, n, longest in rows:
        by_task[task_id][status] = by_task[task_id].get(status, 0) + n
        by_agency[agency_id][status] = by_agency[agency_id].get(status, 0) + n
        if status == OccurrenceStatus.OVERDUE:
            # one row per (task, agency): each adds an agency to its task and a task to its agency
            for late, key in ((late_task, task_id), (late_agency, agency_id)):
                late[key][0] += n
                late[key][1] += 1
                late[key][2] = max(late[key][2], longest or 0)
    agencies = {
        pk: (code, name, short_name or "")
        for pk, code, name, short_name in Agency.objects.filter(pk__in=list(late_agency))
        .order_by("name")
        .values_list("pk", "code", "name", "short_name")
    }
    timeliness: dict[int, dict[str, int]] = defaultdict(dict)
    for agency_id, status, n in ReportTimeliness.objects.values_list("agency_id", "status").annotate(n=Count("id")):
        timeliness[agency_id][status] = n
    return OccurrenceCounts(
        tasks,
        dict(by_task),
        dict(by_agency),
        {pk: tuple(v) for pk, v in late_task.items()},
        {pk: tuple(v) for pk, v in late_agency.items()},
        agencies,
        dict(timeliness),
    )


def task_tally(*, plan: Plan, agency: Agency | None = None, counts: OccurrenceCounts | None = None) -> occ.Tally:
    """The plan's tasks (or those ``agency`` leads) counted as tasks by standing, and their due dates as "lượt"
    by status, from the occurrence snapshot (``tasks.occurrences.tally``: the rule the report counts with). The
    plan's: from its counts (``occurrence_counts``, or ``counts`` read already); an agency's: two queries."""
    if agency is None:
        counts = counts or occurrence_counts(plan)
        rows = [(task_id, status, n) for task_id, statuses in counts.by_task.items() for status, n in statuses.items()]
        return occ.tally(rows, task_ids=counts.tasks)
    occurrences = TaskOccurrence.objects.filter(task__plan=plan, agency=agency)
    rows = list(occurrences.values_list("task_id", "status").annotate(n=Count("id")).order_by())
    # the tasks it leads, and any other it has a due date of
    leads = Task.objects.filter(
        plan=plan, assignments__agency=agency, assignments__role=TaskAssignment.Role.LEAD
    ).values_list("pk", flat=True)
    return occ.tally(rows, task_ids={*leads, *(task_id for task_id, *_ in rows)})


def overdue_occurrences(*, plan: Plan, agency: Agency | None = None, limit: int | None = 50) -> list[TaskOccurrence]:
    occurrences = occurrences_overdue().filter(task__plan=plan)
    if agency is not None:
        occurrences = occurrences.filter(agency=agency)
    return list(occurrences[:limit] if limit else occurrences)


#: the order the overview's "needs attention" list reads in: furthest behind first, then targets without data
ATTENTION_ORDER = [Status.REGRESSING, Status.LIMITED, Status.ACCELERATE, Status.NO_DATA]


def is_data_late(row: TargetRow) -> bool:
    """Whether a target's data is missing or late: no figure yet, or the snapshot marks it late (the period
    due last has no approved figure: ``TargetStatus.is_late``)."""
    if row.code == Status.NO_DATA:
        return True
    return bool(row.status is not None and row.status.is_late)


def targets_needing_attention(targets: list[TargetRow]) -> list[TargetRow]:
    """Off-track targets and those whose data is missing or late, the furthest behind first."""
    rank = {code: index for index, code in enumerate(ATTENTION_ORDER)}
    chosen = [row for row in targets if row.code in BEHIND or is_data_late(row)]
    return sorted(chosen, key=lambda row: (rank.get(row.code, len(rank)), row.parsed.target.indicator.number))


@dataclass(frozen=True)
class OverdueGroup:
    """Overdue occurrences of one task, or of one agency: how many, how many agencies or tasks, the longest."""

    key: str
    label: str
    count: int
    spread: int
    longest: int


def overdue_grouped(
    *, plan: Plan, limit: int = 6, counts: OccurrenceCounts | None = None
) -> tuple[list[OverdueGroup], list[OverdueGroup]]:
    """Overdue work counted by task and by agency, most first (from ``occurrence_counts``, or ``counts`` read
    already): a task due in every commune reads as one line, not one per commune."""
    counts = counts or occurrence_counts(plan)
    by_task = sorted(
        (
            OverdueGroup(str(counts.tasks[pk][0]), counts.tasks[pk][1], n, spread, longest)
            for pk, (n, spread, longest) in counts.overdue_by_task.items()
        ),
        key=lambda group: (-group.count, -group.longest, int(group.key)),
    )
    by_agency = []
    for rank, (pk, (code, name, short_name)) in enumerate(counts.agencies.items()):  # ties: by name
        n, spread, longest = counts.overdue_by_agency[pk]
        by_agency.append((rank, OverdueGroup(code, short_name or name, n, spread, longest)))
    by_agency.sort(key=lambda item: (-item[1].count, -item[1].longest, item[0]))
    return by_task[:limit], [group for _rank, group in by_agency[:limit]]


def laggards(rows: list[ScorecardRow], *, limit: int = 5) -> list[ScorecardRow]:
    """The agencies furthest behind: most overdue tasks and missing reports."""
    behind = [r for r in rows if r.tasks_overdue or r.reports_missing]
    return sorted(behind, key=lambda r: (-(r.tasks_overdue + r.reports_missing), r.agency.name))[:limit]


#: the rhythm of the Steering Committee's periodic report, whose figures the overview counts as (not) sent
REPORTING_KIND = QUARTER


def reporting_last_due(*, plan: Plan, as_of: date) -> PeriodCompleteness | None:
    """Who has sent the figures of the last quarter due by ``as_of``, by the one completeness rule the periodic
    report and the completeness page count with (three queries); None before the first quarter was due."""
    period = period_last_due(plan=plan, kind=REPORTING_KIND, as_of=as_of)
    return figures_completeness(period=period, as_of=as_of) if period is not None else None


@dataclass
class ScorecardRow:
    agency: Agency
    tasks_on_time: int = 0
    tasks_late: int = 0
    tasks_overdue: int = 0
    reports_on_time: int = 0
    reports_late: int = 0
    reports_missing: int = 0
    #: None where the reader may not see the agency's unapproved figures (agency staff, another agency)
    figures_waiting: int | None = 0


SCORECARD_SORTS = {
    "ten": lambda row: row.agency.name,
    "dung-han": lambda row: -row.tasks_on_time,
    "hoan-thanh-muon": lambda row: -row.tasks_late,
    "qua-han": lambda row: -row.tasks_overdue,
    "bao-cao-dung-han": lambda row: -row.reports_on_time,
    "bao-cao-thieu": lambda row: -row.reports_missing,
    "bao-cao-muon": lambda row: -row.reports_late,
    "cho-duyet": lambda row: -(row.figures_waiting or 0),
}


def figures_waiting(*, plan: Plan, user, agencies=None) -> dict[int, int]:
    """Per agency, its figures waiting for review, of the agencies whose unapproved work ``user`` may read (the read
    rule of ``agencies.permissions``); agencies with none are left out (one query)."""
    submitted = Observation.objects.filter(metric__plan=plan, status=SubmissionStatus.SUBMITTED)
    if agencies is not None:
        submitted = submitted.filter(agency__in=agencies)
    counts = submissions_visible_to(user, submitted).values("agency").annotate(n=Count("id")).order_by()
    return {item["agency"]: item["n"] for item in counts}


def agency_scorecard(
    *,
    plan: Plan,
    kind: str | None,
    user,
    sort: str = "qua-han",
    waiting: bool = True,
    counts: OccurrenceCounts | None = None,
) -> list[ScorecardRow]:
    """Each agency's tasks on time and overdue, reports on time/late/missing (``occurrence_counts``, or ``counts``
    read already), figures waiting (two queries: the agencies, the figures waiting).

    Figures waiting for review are unapproved: counted only for the agencies whose unapproved work ``user``
    may read (the read rule of ``agencies.permissions``), None for the others. Without ``waiting`` they are not
    counted (0 where they may be read: a page fills them in apart, ``figures_waiting``)."""
    agencies = Agency.objects.filter(is_active=True).order_by("name")
    if kind:
        agencies = agencies.filter(kind=kind)
    rows = {a.pk: ScorecardRow(a) for a in agencies}
    counts = counts or occurrence_counts(plan)
    task_fields = {
        OccurrenceStatus.DONE_ON_TIME: "tasks_on_time",
        OccurrenceStatus.DONE_LATE: "tasks_late",
        OccurrenceStatus.OVERDUE: "tasks_overdue",
    }
    # "chưa nộp đủ": nothing sent, or not all of it (the completeness rule's missing and partial)
    report_fields = {
        "on_time": "reports_on_time",
        "late": "reports_late",
        "missing": "reports_missing",
        "partial": "reports_missing",
    }
    for pk, row in rows.items():
        for status, n in counts.by_agency.get(pk, {}).items():
            if status in task_fields:
                setattr(row, task_fields[status], n)
        for status, n in counts.timeliness.get(pk, {}).items():
            if status in report_fields:
                name = report_fields[status]
                setattr(row, name, getattr(row, name) + n)
        if not can_read_unapproved(user, pk):
            row.figures_waiting = None
    if waiting:
        for agency_id, n in figures_waiting(plan=plan, user=user, agencies=agencies).items():
            rows[agency_id].figures_waiting = n
    key = SCORECARD_SORTS.get(sort, SCORECARD_SORTS["qua-han"])
    return sorted(rows.values(), key=lambda row: (key(row), row.agency.name))


# --- Indicator page ---------------------------------------------------------------------------------------


@dataclass
class MetricSeries:
    metric: Metric
    points: list[Point]
    reporters_last: int = 0
    last_day: date | None = None
    breakdown: list[tuple[Agency, float]] = field(default_factory=list)
    #: the first day shown, when older periods exist that the page leaves to the download
    shown_from: date | None = None
    #: per period shown (not for yearly flows, shown as yearly totals): its coverage and provisional mark
    periods: list[PeriodRow] = field(default_factory=list)


@dataclass(frozen=True)
class PeriodRow:
    """A province value of one period as the tables show it: with its coverage ("20/26 cơ quan", marked when
    too few agencies reported) and its provisional mark."""

    day: date
    value: float
    reporters: int
    expected: int
    provisional: bool

    @property
    def coverage_low(self) -> bool:
        return coverage_low(self.reporters, self.expected, threshold=settings.PROVINCE_COVERAGE_MIN_PERCENT)


#: how many calendar years of a metric's series an indicator page shows, by the metric's frequency (whole years:
#: a yearly flow is summed per year); older periods are in the page's downloadable table. At most 36 months,
#: 20 quarters, 10 half-years or 10 years, whatever the length of the history.
SHOWN_YEARS = {
    Metric.Frequency.MONTHLY: 3,
    Metric.Frequency.QUARTERLY: 5,
    Metric.Frequency.HALF_YEARLY: 5,
    Metric.Frequency.YEARLY: 10,
}
PERIODS_PER_YEAR = {
    Metric.Frequency.MONTHLY: 12,
    Metric.Frequency.QUARTERLY: 4,
    Metric.Frequency.HALF_YEARLY: 2,
    Metric.Frequency.YEARLY: 1,
}


def _shown_years(metric: Metric) -> int:
    return SHOWN_YEARS.get(metric.frequency, SHOWN_YEARS[Metric.Frequency.YEARLY])


def indicator_detail(*, plan: Plan, code: str, on: date | None = None) -> Indicator:
    """The indicator with its group, lead agencies, cells in force on ``on`` (default today) and their parsed
    targets with their metrics (a retired indicator has none: its page says by which decision)."""
    parsed = ParsedTarget.objects.select_related("metric", "metric__reporting_agency").order_by("position")
    targets = (
        Target.objects.in_force(plan_day(plan, on))
        .order_by("year")
        .prefetch_related(Prefetch("parsed_targets", queryset=parsed))
    )
    indicator = (
        Indicator.objects.filter(plan=plan, code=code)
        .select_related("group")
        .prefetch_related(Prefetch("targets", queryset=targets), "lead_agencies")
        .first()
    )
    if indicator is None:
        raise Http404("Không có chỉ tiêu này.")
    return indicator


@dataclass(frozen=True)
class MetricFacts:
    """What an indicator page says of a metric besides its figures: what it measures (``metric.definition``),
    its unit and source, who reports it and how often, and how its targets get their colour."""

    metric: Metric
    reporters: int
    method: str


def metric_facts(metrics: list[Metric]) -> dict[int, MetricFacts]:
    """Each metric's facts (one query: how many agencies report each)."""
    counts = dict(
        Metric.reporters.through.objects.filter(metric__in=metrics)
        .values("metric")
        .annotate(n=Count("agency"))
        .values_list("metric", "n")
        .order_by()
    )
    return {
        m.pk: MetricFacts(
            m, counts.get(m.pk, 0), method_description(kind=m.kind, method=m.progress_method, thresholds=m.thresholds)
        )
        for m in metrics
    }


def indicator_statuses(indicator: Indicator) -> dict[int, TargetStatus]:
    """The latest status of each of the indicator's parsed targets, by parsed target id."""
    statuses = latest_statuses(indicator.plan)
    return {s.parsed_target_id: s for s in statuses if s.parsed_target.target.indicator_id == indicator.pk}


def indicator_assessments(indicator: Indicator) -> list[QualitativeAssessment]:
    """The latest qualitative assessment of each cell (newest first, so the template takes the first per cell)."""
    return list(
        QualitativeAssessment.objects.filter(target__indicator=indicator)
        .select_related("target", "period")
        .order_by("target__year", "-period__ends_on")
    )


def metric_series(metrics: list[Metric]) -> list[MetricSeries]:
    """Per metric, the province value of its recent periods (``SHOWN_YEARS``) from the progress engine's
    snapshot (ProvinceValue), and, for metrics collected per agency, each agency's figure of the latest period.

    Two queries for any number of metrics and any length of history: the first reads at most a few dozen rows
    per metric (the newest, numbered per metric by a window function), the second at most one figure per agency.
    """
    if not metrics:
        return []
    by_metric = {m.pk: MetricSeries(m, []) for m in metrics}
    # one row more than a metric's window can hold: a row before the window tells that older periods exist
    newest = max(_shown_years(m) * PERIODS_PER_YEAR.get(m.frequency, 1) for m in metrics) + 1
    last_period: dict[int, int] = {}
    rows = (
        ProvinceValue.objects.filter(metric__in=list(by_metric))
        .annotate(newest=Window(RowNumber(), partition_by=[F("metric_id")], order_by=F("period__ends_on").desc()))
        .filter(newest__lte=newest)
    )
    for metric_id, period_id, ends_on, value, reporters, expected, provisional in _province_rows(rows):
        series = by_metric[metric_id]
        series.points.append(Point(ends_on, float(value)))
        series.periods.append(PeriodRow(ends_on, float(value), reporters, max(expected, reporters), provisional))
        series.reporters_last = reporters
        series.last_day = ends_on
        last_period[metric_id] = period_id
    for series in by_metric.values():
        if series.points:
            start = date(series.last_day.year - _shown_years(series.metric) + 1, 1, 1)
            if series.points[0].day < start:
                series.points = [p for p in series.points if p.day >= start]
                series.periods = [p for p in series.periods if p.day >= start]
                series.shown_from = start
    latest = Q(pk__in=[])
    for metric_id, period_id in last_period.items():
        if by_metric[metric_id].metric.collection == Metric.Collection.PER_AGENCY:
            # equality on (metric, status, period): the obs_metric_status_period index
            latest |= Q(metric_id=metric_id, period_id=period_id)
    for figure in observations_approved().filter(latest).select_related("agency"):
        series = by_metric[figure.metric_id]
        value = figure_value(
            series.metric.kind,
            value=figure.value,
            numerator=figure.numerator,
            denominator=figure.denominator,
            scale=series.metric.ratio_scale,
        )
        if value is not None:
            series.breakdown.append((figure.agency, value))
    for series in by_metric.values():
        if series.metric.kind == Metric.Kind.FLOW:
            series.points = yearly_totals(series.points)
            series.periods = []
    return list(by_metric.values())


def metric_history(metrics: list[Metric]) -> dict[Metric, list[PeriodRow]]:
    """Per metric, the province value of every period with its coverage and provisional mark (yearly flows
    summed per year, without them): the indicator page's download, which holds what the page leaves out. One
    query; grows with the history, as a download may."""
    by_pk = {m.pk: m for m in metrics}
    history: dict[Metric, list[PeriodRow]] = {m: [] for m in metrics}
    for metric_id, _period_id, ends_on, value, reporters, expected, provisional in _province_rows(
        ProvinceValue.objects.filter(metric__in=list(by_pk))
    ):
        history[by_pk[metric_id]].append(
            PeriodRow(ends_on, float(value), reporters, max(expected, reporters), provisional)
        )
    return {
        metric: [PeriodRow(p.day, p.value, 0, 0, False) for p in yearly_totals([Point(r.day, r.value) for r in rows])]
        if metric.kind == Metric.Kind.FLOW
        else rows
        for metric, rows in history.items()
    }


def _province_rows(values):
    return values.order_by("metric_id", "period__ends_on").values_list(
        "metric_id", "period_id", "period__ends_on", "value", "reporters", "expected_reporters", "provisional"
    )


def _metric_newest(metric: Metric) -> RawSQL:
    """``(metric_id, id) < (M + 1, 0)``: true of every figure of metric M. It says nothing ``metric_id = M`` does
    not, but with it PostgreSQL walks the (metric, id) index backwards from the newest, filtering the status as it
    goes; asked ``metric_id = M AND status = 'approved' ORDER BY id DESC``, it walked the primary key backwards
    through every other metric's figures (30–180 ms on 1,1 M figures, against 0,1 ms)."""
    table = connection.ops.quote_name(Observation._meta.db_table)
    return RawSQL(  # noqa: S611 - identifiers from the model, the value as a parameter
        f"({table}.{connection.ops.quote_name('metric_id')}, {table}.{connection.ops.quote_name('id')}) < (%s, 0)",
        [metric.pk + 1],
        output_field=BooleanField(),
    )


def recent_figures(metrics: list[Metric], *, viewer, limit: int = 30) -> list[Observation]:
    """The latest figures entered for these metrics that the pages show ``viewer`` (approved ones; agency staff:
    their own agency's in any state of the review too).

    Two queries for any number of metrics: the ids, at most ``limit`` per metric each read backwards along the
    (metric, id) index (one SELECT per metric, joined by UNION ALL), then those figures with their agencies and
    periods. The ids are a query of their own, not a subquery: inside one, the table is renamed and the index
    condition (``_metric_newest``) would name the outer query's rows, which made PostgreSQL run it once for each
    of them (minutes on 1,1 M figures).
    """
    if not metrics:
        return []
    newest = [
        submissions_on_pages(viewer, Observation.objects.filter(metric=metric).filter(_metric_newest(metric)))
        .order_by("-metric_id", "-pk")
        .values_list("pk", flat=True)[:limit]
        for metric in metrics
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        ids = list(newest[0].union(*newest[1:], all=True)) if len(newest) > 1 else list(newest[0])
    else:  # SQLite (the embedded default): no LIMIT inside a UNION, one query per metric
        ids = [pk for query in newest for pk in query]
    ids = sorted(ids, reverse=True)[:limit]
    by_pk = {m.pk: m for m in metrics}
    figures = list(Observation.objects.filter(pk__in=ids).select_related("agency", "period").order_by("-pk"))
    for figure in figures:
        figure.metric = by_pk[figure.metric_id]
    return figures


# --- Agency page ------------------------------------------------------------------------------------------


def agency_get(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Http404("Không có cơ quan này.")
    return agency


def agency_assignments(*, plan: Plan, agency: Agency) -> list[TaskAssignment]:
    """The agency's tasks in force today, lead first, each with its terms of today (two queries)."""
    day = plan_day(plan)
    return list(
        with_task_terms(
            TaskAssignment.objects.in_force(day)
            .filter(task__plan=plan, agency=agency)
            .order_by("role", "task__number"),
            day,
        )
    )


def agency_metrics(*, plan: Plan, agency: Agency) -> list[Metric]:
    """The metrics the agency reports, each with ``indicator_code``: the first indicator whose targets use it
    (so the agency page links every metric to its indicator page). Two queries."""
    metrics = list(agency.reported_metrics.filter(plan=plan).order_by("name"))
    first: dict[int, str] = {}
    for metric_id, code in (
        ParsedTarget.objects.in_force(plan_day(plan))
        .filter(metric__in=metrics)
        .order_by("target__indicator__group__order", "target__indicator__number")
        .values_list("metric_id", "target__indicator__code")
    ):
        first.setdefault(metric_id, code)
    for metric in metrics:
        metric.indicator_code = first.get(metric.pk, "")
    return metrics


def agency_targets(*, plan: Plan, agency: Agency, milestone: int) -> list[TargetRow]:
    """The targets of ``milestone`` the agency answers for (the indicators it leads, the metrics it reports), each
    with its status as every page shows it (``target_statuses_at``): those in force on the day the statuses are of,
    as on the overview (``milestone_targets``; an adjusted target: the aim of that day). Three queries."""
    # the indicators it leads and the metrics it reports as subqueries: joined, they repeat a target once per match
    # and the rows must be made distinct again (twice the time)
    led = Indicator.lead_agencies.through.objects.filter(agency=agency).values("indicator_id")
    reported = Metric.reporters.through.objects.filter(agency=agency).values("metric_id")
    latest = latest_statuses(plan)
    parsed = list(
        ParsedTarget.objects.in_force(statuses_day(plan, latest))
        .filter(target__indicator__plan=plan, target__year=milestone)
        .filter(Q(target__indicator__in=led) | Q(metric__in=reported))
        .select_related("metric", "target__indicator")
        .order_by("target__indicator__group__order", "target__indicator__number", "position")
    )
    wanted = {p.pk for p in parsed}
    statuses = {s.parsed_target_id: s for s in latest if s.parsed_target_id in wanted}
    return [TargetRow(p, statuses.get(p.pk)) for p in parsed]


def agency_led_indicators(*, plan: Plan, agency: Agency) -> list[Indicator]:
    return list(agency.led_indicators.filter(plan=plan).select_related("group").order_by("group__order", "number"))


def agency_submissions(*, agency: Agency, viewer, limit: int = 30) -> list[Observation]:
    """The agency's latest figures that the pages show ``viewer``."""
    figures = submissions_on_pages(viewer, Observation.objects.filter(agency=agency))
    return list(figures.select_related("metric", "period").order_by("-pk")[:limit])


def agency_submission_counts(*, agency: Agency, viewer) -> dict[str, int]:
    # COUNT(*): answered from the (agency, status) index alone
    figures = submissions_on_pages(viewer, Observation.objects.filter(agency=agency))
    rows = figures.values("status").annotate(n=Count("*")).order_by()
    return {row["status"]: row["n"] for row in rows}


def agency_timeliness(*, agency: Agency, limit: int = 24) -> list[ReportTimeliness]:
    return list(
        ReportTimeliness.objects.filter(agency=agency).select_related("period").order_by("-period__ends_on")[:limit]
    )


def agency_timeliness_counts(*, agency: Agency) -> dict[str, int]:
    rows = ReportTimeliness.objects.filter(agency=agency).values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


# --- Task board -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilters:
    group: str = ""
    agency: str = ""
    status: str = ""
    kind: str = ""


@dataclass(frozen=True)
class AgencyRef:
    """An agency as the board names it: enough for a link, without loading the model."""

    code: str
    display_name: str


@dataclass
class TaskRow:
    task: Task
    counts: dict[str, int]
    leads: list[AgencyRef]

    @property
    def status(self) -> str:
        return next((code for code in _TASK_URGENCY if self.counts.get(code)), "")

    @property
    def status_label(self) -> str:
        return OccurrenceStatus(self.status).label if self.status else ""


def task_board(*, plan: Plan, filters: TaskFilters) -> list[TaskRow]:
    """The tasks matching the filters with their lead agencies and occurrences counted by status (three queries).

    Collective leads ("Các sở, ngành, địa phương") assign a task to over a hundred agencies, so assignments
    are read as plain tuples rather than model instances.
    """
    day = plan_day(plan)
    # the tasks in force today with their terms of today (a retired task leaves the board; its page stays)
    tasks = Task.objects.filter(plan=plan).with_terms(day).filter(terms_in_force__isnull=False)
    tasks = tasks.select_related("group").order_by("number")
    if filters.group:
        tasks = tasks.filter(group__code=filters.group)
    if filters.kind:
        tasks = tasks.filter(terms_in_force__schedule_kind=filters.kind)
    if filters.agency:
        mine = TaskAssignment.objects.in_force(day).filter(agency__code=filters.agency, task=OuterRef("pk"))
        tasks = tasks.filter(Exists(mine))
    tasks = list(tasks)
    ids = [t.pk for t in tasks]
    leads: dict[int, list[AgencyRef]] = defaultdict(list)
    assignments = (
        TaskAssignment.objects.in_force(day)
        .filter(task__in=ids, role=TaskAssignment.Role.LEAD)
        .order_by("agency__kind", "agency__name")
        .values_list("task_id", "agency__code", "agency__short_name", "agency__name")
    )
    for task_id, code, short_name, name in assignments:
        leads[task_id].append(AgencyRef(code, short_name or name))
    occurrences = TaskOccurrence.objects.filter(task__in=ids)
    if filters.agency:
        occurrences = occurrences.filter(agency__code=filters.agency)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in occurrences.values("task", "status").annotate(n=Count("id")).order_by():
        counts[row["task"]][row["status"]] = row["n"]
    rows = [TaskRow(task, counts[task.pk], leads[task.pk]) for task in tasks]
    if filters.status:
        rows = [row for row in rows if row.status == filters.status]
    return rows


def task_timeline(*, tasks: list[Task], agency_code: str = "", today: date, days: int = 400) -> list[dict]:
    """Due dates within ``days`` of today: one point per task, date and status, with how many agencies."""
    occurrences = TaskOccurrence.objects.filter(
        task__in=[t.pk for t in tasks],
        due_on__gte=today - timedelta(days=days),
        due_on__lte=today + timedelta(days=days),
    )
    if agency_code:
        occurrences = occurrences.filter(agency__code=agency_code)
    numbers = {t.pk: t.number for t in tasks}
    rows = occurrences.values("task", "due_on", "status").annotate(n=Count("id")).order_by("due_on")
    return [
        {"task": f"NV {numbers[row['task']]}", "day": row["due_on"], "status": row["status"], "count": row["n"]}
        for row in rows
    ]


def task_groups(plan: Plan) -> list[TaskGroup]:
    return list(plan.task_groups.order_by("order"))


def agencies_for_filter() -> list[Agency]:
    return list(
        Agency.objects.filter(is_active=True).only("code", "name", "short_name", "kind").order_by("kind", "name")
    )


# --- Task page --------------------------------------------------------------------------------------------


@dataclass
class AgencyStanding:
    """Where one agency stands on a task: its role, its occurrences counted by status, and the most pressing one
    (the longest overdue, else the next due, else the last done) as a single line of the task page."""

    agency: AgencyRef
    kind: str
    role: str
    counts: dict[str, int]
    due_on: date | None
    days_late: int
    completed_on: date | None

    @property
    def status(self) -> str:
        return next((code for code in _TASK_URGENCY if self.counts.get(code)), OccurrenceStatus.NOT_DUE)

    @property
    def status_label(self) -> str:
        return OccurrenceStatus(self.status).label

    @property
    def is_overdue(self) -> bool:
        return bool(self.counts.get(OccurrenceStatus.OVERDUE))

    @property
    def count_list(self) -> list[tuple[str, int]]:
        """The agency's occurrences by status, in the board's order."""
        return [(code, self.counts[code]) for code in OCCURRENCE_STATUSES if self.counts.get(code)]

    @property
    def is_due(self) -> bool:
        """Work that falls due now: overdue, or in progress with a deadline inside its window."""
        return self.is_overdue or bool(self.counts.get(OccurrenceStatus.IN_PROGRESS))


@dataclass
class TaskDetail:
    task: Task
    leads: list[Agency]
    cooperating: list[Agency]
    #: one line per agency with occurrences, most pressing first (overdue longest first), then by name
    standings: list[AgencyStanding]
    #: occurrences of every agency counted by status
    counts: dict[str, int]
    as_of: date | None
    updates: list[TaskUpdate]


def task_get(*, plan: Plan, number: int) -> Task:
    """The task with its terms in force today (a retired task, its last terms)."""
    task = Task.objects.filter(plan=plan, number=number).with_terms(plan_day(plan)).select_related("group").first()
    if task is None:
        raise Http404("Không có nhiệm vụ này.")
    return task


def _standings(task: Task) -> tuple[list[AgencyStanding], dict[str, int], date | None]:
    """Every agency's standing on ``task`` from its occurrences (one query of plain tuples: a task led by "Các sở,
    ngành, địa phương" has three occurrences in each of 118 agencies)."""
    rows = task.occurrences.order_by("agency_id", "due_on", "pk").values_list(
        "agency_id",
        "agency__code",
        "agency__name",
        "agency__short_name",
        "agency__kind",
        "role",
        "status",
        "due_on",
        "days_late",
        "completed_on",
        "as_of",
    )
    by_agency: dict[int, AgencyStanding] = {}
    pressing: dict[int, tuple] = {}
    totals: dict[str, int] = defaultdict(int)
    as_of = None
    roles = dict(TaskAssignment.Role.choices)
    for agency_id, code, name, short, kind, role, status, due_on, days_late, completed_on, day in rows:
        as_of = as_of or day
        totals[status] += 1
        standing = by_agency.get(agency_id)
        if standing is None:
            standing = by_agency[agency_id] = AgencyStanding(
                AgencyRef(code, short or name), kind, str(roles.get(role, role)), defaultdict(int), None, 0, None
            )
        standing.counts[status] += 1
        # the line shown: the longest overdue, else the first in progress or not yet due, else the last done
        rank = (_TASK_URGENCY.index(status), -(days_late or 0), due_on or date.max)
        if status in (OccurrenceStatus.DONE_ON_TIME, OccurrenceStatus.DONE_LATE):
            rank = (_TASK_URGENCY.index(status), 0, date.max - (due_on or date.min))
        if agency_id not in pressing or rank < pressing[agency_id]:
            pressing[agency_id] = rank
            standing.due_on, standing.days_late, standing.completed_on = due_on, days_late or 0, completed_on
    for standing in by_agency.values():
        standing.counts = dict(standing.counts)
    standings = sorted(
        by_agency.values(),
        key=lambda s: (_TASK_URGENCY.index(s.status), -s.days_late, s.kind, s.agency.display_name),
    )
    return standings, dict(totals), as_of


def task_detail(*, plan: Plan, number: int) -> TaskDetail:
    """One task with its agencies, where each stands (from the occurrence snapshot), the latest approved update of
    each agency that reports difficulties or proposals: a fixed number of queries however many agencies and rows
    (the readers' comments follow the cached page, ``dashboards.views.task_detail``)."""
    task = task_get(plan=plan, number=number)
    leads: list[Agency] = []
    cooperating: list[Agency] = []
    assignments = task.assignments.in_force(plan_day(plan)).select_related("agency")
    for assignment in assignments.order_by("agency__kind", "agency__name"):
        (leads if assignment.role == TaskAssignment.Role.LEAD else cooperating).append(assignment.agency)
    standings, counts, as_of = _standings(task)
    latest: dict[int, TaskUpdate] = {}
    approved = (
        task.updates.filter(status=SubmissionStatus.APPROVED)
        .select_related("agency", "period")
        .order_by("agency__kind", "agency__name", "-period__ends_on")
    )
    for update in approved:
        latest.setdefault(update.agency_id, update)
    updates = [u for u in latest.values() if u.difficulties.strip() or u.proposals.strip()]
    updates.sort(key=lambda u: u.period.ends_on, reverse=True)  # the newest first, by agency within a period
    return TaskDetail(task, leads, cooperating, standings, counts, as_of, updates)


def task_occurrences(task: Task) -> list[TaskOccurrence]:
    """Every occurrence of the task, agency by agency (the task page's download)."""
    return list(task.occurrences.select_related("agency").order_by("agency__kind", "agency__name", "due_on", "pk"))


# --- Data explorer ("Tra cứu số liệu") ---------------------------------------------------------------------


@dataclass
class ExplorerChoices:
    """What the explorer's form offers: indicators by group, metrics, agencies by kind (three queries)."""

    indicators: list[tuple[str, list[Indicator]]]
    metrics: list[Metric]
    agencies: list[tuple[str, list[Agency]]]


def explorer_choices(plan: Plan) -> ExplorerChoices:
    groups: dict[str, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(plan=plan).select_related("group").order_by("group__order", "number"):
        groups.setdefault(f"{indicator.group.code}. {indicator.group.title}", []).append(indicator)
    agencies: dict[str, list[Agency]] = {}
    for agency in (
        Agency.objects.filter(is_active=True, kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.LOCALITY])
        .only("code", "name", "short_name", "kind")
        .order_by("kind", "name")
    ):
        agencies.setdefault(agency.get_kind_display(), []).append(agency)
    return ExplorerChoices(
        list(groups.items()),
        list(Metric.objects.filter(plan=plan).only("code", "name", "unit").order_by("name")),
        list(agencies.items()),
    )


@dataclass
class ExplorerSelection:
    """The metrics and agencies a query names, read once: what the table's rows and columns are made of."""

    metrics: list[Metric]
    agencies: list[Agency]
    #: every agency of the kind (or of all kinds) with nothing picked: the province counts as a whole
    all_agencies: bool


def explorer_selection(*, plan: Plan, query: explorer.Query) -> ExplorerSelection:
    """The metrics asked (by code, or all those of the indicators asked) and the agencies (by code, or all of the
    kind asked): two queries."""
    wanted = Q(code__in=query.metrics) | Q(parsed_targets__target__indicator__code__in=query.indicators)
    metrics = list(
        Metric.objects.filter(wanted, plan=plan).select_related("reporting_agency").distinct().order_by("code")
    )
    agencies = Agency.objects.filter(is_active=True, kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.LOCALITY])
    if query.agencies:
        agencies = Agency.objects.filter(code__in=query.agencies)
    elif query.kind:
        agencies = agencies.filter(kind=query.kind)
    return ExplorerSelection(
        metrics,
        list(agencies.only("code", "name", "short_name", "kind").order_by("kind", "name")),
        all_agencies=not query.agencies and not query.kind,
    )


def _plain_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` as the database driver returns them, without Django's per-row converters:
    for the twenty thousand figures of a large table they took twice as long as the query itself."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # nothing can match (no period in the years asked): no query at all
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def explorer_figures(*, query: explorer.Query, selection: ExplorerSelection, viewer) -> list[explorer.Figure]:
    """The figures of the query, grouped by metric and period (and agency, when agencies are a dimension): one
    query on the figures, or on the province values when the whole province's approved figures are asked.

    Only what ``viewer`` may read (``agencies.permissions.submissions_visible_to``): approved figures, or with
    ``approved_only`` off every figure their role sees (agency staff: their own agency's in any state too). Each
    metric counts the periods of its own frequency; taken together, a metric collected once for the province
    counts its designated agency's figure only (the province values' rule)."""
    start, end = explorer.span_of(query.period_kind, query.first_year, query.last_year)
    periods: dict[int, date] = {}
    kinds: dict[str, list[int]] = defaultdict(list)
    for pk, ends_on, kind in Period.objects.filter(ends_on__range=(start, end)).values_list("pk", "ends_on", "kind"):
        periods[pk] = ends_on
        kinds[kind].append(pk)
    by_agency = explorer.AGENCY in (query.rows, query.columns)
    if not by_agency and selection.all_agencies and query.approved_only:
        rows = ProvinceValue.objects.filter(
            reduce(or_, (Q(metric=m, period_id__in=kinds[m.period_kind]) for m in selection.metrics), Q(pk__in=[]))
        ).values_list("metric_id", "period_id", Cast("value", FloatField()))
        return [explorer.Figure(metric, None, periods[period], v, v, None, None, 1, 0) for metric, period, v in rows]
    agency_ids = [a.pk for a in selection.agencies]
    wanted = Q(pk__in=[])
    for metric in selection.metrics:
        condition = Q(metric=metric, period_id__in=kinds[metric.period_kind])
        if not by_agency and metric.is_province_figure:
            condition &= Q(agency_id=metric.reporting_agency_id)
        wanted |= condition
    figures = submissions_visible_to(viewer, Observation.objects.filter(wanted))
    # every status named when all are wanted: PostgreSQL then reads the (metric, status, period) index by period
    # instead of every figure of the metric, 30 years of them at the benchmark's scale
    figures = figures.filter(
        status__in=[SubmissionStatus.APPROVED] if query.approved_only else list(SubmissionStatus.values)
    )
    if not selection.all_agencies:
        figures = figures.filter(agency_id__in=agency_ids)
    # numbers as float8 from PostgreSQL: tens of thousands of Decimals parsed in Python cost more than the query
    real = lambda name: Cast(name, FloatField())  # noqa: E731
    if by_agency:  # one figure per agency, metric and period: nothing to add up
        rows = figures.values_list(
            "metric_id", "agency_id", "period_id", real("value"), real("numerator"), real("denominator")
        )
        return [
            explorer.Figure(metric, agency, periods[period], value, value, num, den, 1, int(den is not None))
            for metric, agency, period, value, num, den in _plain_rows(rows.order_by())
        ]
    rows = (
        figures.values("metric_id", "period_id")
        .annotate(
            sum_value=real(Sum("value")),
            avg_value=real(Avg("value")),
            sum_numerator=real(Sum("numerator")),
            sum_denominator=real(Sum("denominator")),
            n=Count("*"),
            n_denominator=Count("denominator"),
        )
        .order_by()
    )
    return [
        explorer.Figure(
            row["metric_id"],
            None,
            periods[row["period_id"]],
            row["sum_value"],
            row["avg_value"],
            row["sum_numerator"],
            row["sum_denominator"],
            row["n"],
            row["n_denominator"],
        )
        for row in rows
    ]

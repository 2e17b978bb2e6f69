"""What a periodic report says, gathered from the snapshots and the approved data as of a date.

``report_content_collect`` reads the database once per report and returns plain data (``ReportContent``);
the document builders in ``documents.py`` turn that data into .docx / .xlsx bytes without touching the ORM.
The same period and as-of date give the same content: every read is bounded by the as-of date, and rows are
ordered explicitly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from agencies.models import Agency
from core.formatting import format_vn_number, value_text
from core.workflow import SubmissionStatus
from indicators.models import (
    Indicator,
    Metric,
    Observation,
    ParsedTarget,
    Period,
    Plan,
    QualitativeAssessment,
    Target,
    TargetStatus,
)
from indicators.selectors import target_statuses_as_of
from indicators.templatetags.plan_text import plan_text
from tasks import occurrences as occ
from tasks.models import TaskOccurrence, TaskUpdate
from tasks.occurrences import status_on

#: the order in which statuses are counted and drawn, best first
STATUS_ORDER = [value for value, _ in TargetStatus.Status.choices]
with translation.override(settings.LANGUAGE_CODE):  # the official report is in Vietnamese
    STATUS_LABELS = {value: str(label) for value, label in TargetStatus.Status.choices}

DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
OVERDUE = "overdue"
IN_PROGRESS = "in_progress"
TASK_COLUMNS = [DONE_ON_TIME, DONE_LATE, OVERDUE, IN_PROGRESS]
TASK_LABELS = {
    DONE_ON_TIME: "Hoàn thành đúng hạn",
    DONE_LATE: "Hoàn thành quá hạn",
    OVERDUE: "Quá hạn, chưa hoàn thành",
    IN_PROGRESS: "Đang thực hiện",
}


@dataclass
class TargetRow:
    indicator: str
    year: int
    target: str
    metric: str
    latest: str
    status: str
    status_label: str


@dataclass
class GroupBlock:
    code: str
    title: str
    rows: list[TargetRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.status for row in self.rows)
        return {status: counted.get(status, 0) for status in STATUS_ORDER}


@dataclass
class AgencyTaskRow:
    agency: str
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    in_progress: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.overdue + self.in_progress


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

    @property
    def status_totals(self) -> dict[str, int]:
        totals = Counter()
        for group in self.groups:
            totals.update(group.counts)
        return {status: totals.get(status, 0) for status in STATUS_ORDER}

    @property
    def task_totals(self) -> AgencyTaskRow:
        total = AgencyTaskRow(agency="Tổng cộng")
        for row in self.tasks_by_agency:
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


def occurrence_status_as_of(*, due_on: date | None, completed_on: date | None, as_of: date) -> str:
    """Where a task occurrence stood on ``as_of``, by the engine's rule (``tasks.occurrences.status_on``) from its
    deadline and completion date, so a report for an earlier date reads the same however the snapshot moved on.
    Work not yet due counts as in progress in the report's table."""
    if due_on is None:
        return IN_PROGRESS
    status, _days = status_on(due_on=due_on, done_on=completed_on, as_of=as_of)
    return IN_PROGRESS if status == occ.NOT_DUE else status


def _latest_statuses(plan: Plan, parsed_ids: list[int], as_of: date) -> dict[int, TargetStatus]:
    """For each parsed target, its row in the plan's last snapshot computed on or before the as-of date."""
    rows = target_statuses_as_of(as_of=as_of, plan=plan).filter(parsed_target_id__in=parsed_ids)
    return {row.parsed_target_id: row for row in rows}


def _target_groups(plan: Plan, period: Period, as_of: date, milestone: int, agency: Agency | None) -> list:
    targets = (
        Target.objects.filter(indicator__plan=plan, year=milestone)
        .select_related("indicator__group")
        .order_by("indicator__group__order", "indicator__number")
    )
    parsed = ParsedTarget.objects.filter(target__in=targets).select_related("metric").order_by("position")
    if agency is not None:
        # an agency reports on the indicators it leads and the province-wide figures it alone supplies;
        # its share of the figures every agency reports is listed in its figures table instead
        mine = Metric.objects.filter(reporters=agency, collection=Metric.Collection.PROVINCE).values("pk")
        led = Indicator.objects.filter(lead_agencies=agency).values("pk")
        targets = targets.filter(Q(indicator__in=led) | Q(parsed_targets__metric__in=mine)).distinct()
    parsed_by_target: dict[int, list[ParsedTarget]] = defaultdict(list)
    for item in parsed:
        parsed_by_target[item.target_id].append(item)
    statuses = _latest_statuses(plan, [p.pk for items in parsed_by_target.values() for p in items], as_of)
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
                TargetRow(target.indicator.code, target.year, text, "", "", status, STATUS_LABELS[status])
            )
            continue
        for item in items:
            snapshot = statuses.get(item.pk)
            status = snapshot.status if snapshot else TargetStatus.Status.NO_DATA
            latest = value_text(snapshot.latest_value, item.metric.unit) if snapshot else ""
            block.rows.append(
                TargetRow(
                    target.indicator.code,
                    target.year,
                    plan_text(item.fragment) if len(items) > 1 and item.fragment else text,
                    item.metric.name,
                    latest,
                    status,
                    STATUS_LABELS[status],
                )
            )
    return [block for block in groups.values() if block.rows]


def _tasks(plan: Plan, as_of: date, agency: Agency | None) -> tuple[list[AgencyTaskRow], list[OverdueRow]]:
    occurrences = (
        TaskOccurrence.objects.filter(task__plan=plan)
        .exclude(status=TaskOccurrence.Status.AWAITING_TRIGGER)
        .select_related("task", "agency")
        .order_by("due_on", "task__number", "agency__name", "pk")
    )
    if agency is not None:
        occurrences = occurrences.filter(agency=agency)
    rows: dict[str, AgencyTaskRow] = {}
    in_progress_seen: set[tuple[int, int]] = set()
    overdue: list[OverdueRow] = []
    for occurrence in occurrences:
        status = occurrence_status_as_of(due_on=occurrence.due_on, completed_on=occurrence.completed_on, as_of=as_of)
        name = occurrence.agency.display_name
        row = rows.setdefault(name, AgencyTaskRow(agency=name))
        if status == IN_PROGRESS:
            # a recurring task has many future occurrences; it is one piece of work in progress
            key = (occurrence.task_id, occurrence.agency_id)
            if key in in_progress_seen:
                continue
            in_progress_seen.add(key)
        setattr(row, status, getattr(row, status) + 1)
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
    return sorted(rows.values(), key=lambda r: r.agency), overdue


def _issues(plan: Plan, period: Period, as_of: date, agency: Agency | None) -> tuple[list, list]:
    """Difficulties and proposals from the approved task updates of the periods inside the report's window."""
    updates = (
        TaskUpdate.objects.filter(
            task__plan=plan,
            status=SubmissionStatus.APPROVED,
            period__ends_on__gte=period.starts_on,
            period__ends_on__lte=period.ends_on,
        )
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__date__lte=as_of))
        .filter(period__ends_on__lte=as_of)
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


def _figures(plan: Plan, period: Period, as_of: date, agency: Agency) -> list[FigureRow]:
    """The agency's approved figures for the periods inside the report's window."""
    observations = (
        Observation.objects.filter(
            metric__plan=plan,
            agency=agency,
            status=SubmissionStatus.APPROVED,
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
        )
        for o in observations
    ]


def report_content_collect(*, plan: Plan, period: Period, as_of: date, agency: Agency | None = None) -> ReportContent:
    """Everything a periodic report shows, for the province (``agency=None``) or one agency."""
    milestone = plan.milestone_for(as_of)
    tasks_by_agency, overdue = _tasks(plan, as_of, agency)
    difficulties, proposals = _issues(plan, period, as_of, agency)
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
        groups=_target_groups(plan, period, as_of, milestone, agency),
        tasks_by_agency=tasks_by_agency,
        overdue=overdue,
        difficulties=difficulties,
        proposals=proposals,
        figures=_figures(plan, period, as_of, agency) if agency else [],
    )

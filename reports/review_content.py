"""What a review over a span says (sơ kết, tổng kết), gathered from the approved data, the snapshots and the
inspections as of a date. Plain data out (``ReviewContent``): ``review_drafting`` writes its sections and
``review_documents`` its files without touching the ORM.

Every count is judged by the rule each surface already uses: target statuses by ``target_statuses_at``, the
province values by ``province_period_values``, task occurrences and recommendations by the one rule for work
with a deadline (``tasks.occurrences.status_on``, through ``content.occurrence_status_as_of`` and
``oversight.standing``), reports by the one on-time rule (``indicators.periods.report_timeliness``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from adjustments.describe import change_text, decision_name
from adjustments.selectors import adjustments_between
from agencies.models import Agency
from core.formatting import value_text
from indicators import periods
from indicators.models import Metric, ParsedTarget, Period, Plan, ReportTimeliness, TargetStatus
from indicators.periods import report_timeliness
from indicators.selectors import province_period_values
from indicators.statuses import target_statuses_at
from oversight.models import Inspection
from oversight.selectors import recommendation_rows, recommendations_concluded
from oversight.standing import DONE, tally
from tasks.models import TaskOccurrence
from tasks.selectors import with_task_terms

from .content import (
    DONE_LATE,
    DONE_ON_TIME,
    IN_PROGRESS,
    NOT_DUE,
    OVERDUE,
    STATUS_LABELS,
    RecommendationRow,
    RecommendationTally,
    occurrence_status_as_of,
)


@dataclass
class IndicatorChange:
    """A quantitative target of the next milestone: its metric's province value at the start and at the end of
    the span, the change, and where the target stands at the end."""

    indicator: str
    metric: str
    unit: str
    direction: str
    target: str
    start: float | None
    start_period: str
    end: float | None
    end_period: str
    status: str
    status_label: str

    @property
    def change(self) -> float | None:
        return None if self.start is None or self.end is None else self.end - self.start

    @property
    def improved(self) -> bool | None:
        """Whether the value moved the right way (None: no comparison, or no move)."""
        if not self.change:
            return None
        return (self.change > 0) == (self.direction == Metric.Direction.INCREASE)


@dataclass
class TaskOverdue:
    task: int
    title: str
    agencies: int
    longest: int


@dataclass
class TaskSpan:
    """Task occurrences due in the span (done on time, late, overdue at its end) and the work still open."""

    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    open: int = 0
    overdue_tasks: list[TaskOverdue] = field(default_factory=list)
    #: one-off tasks finished in the span: (number, title)
    finished: list[tuple[int, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late


@dataclass
class InspectionRow:
    title: str
    lead: str
    starts_on: date
    ends_on: date
    conclusion: str
    recommendations: int
    done: int
    overdue: int


@dataclass
class AdjustmentRow:
    """A change of the plan by decision (``indicators.PlanAdjustment``), as the review lists it."""

    decision: str
    decided_on: date | None
    effective_on: date | None
    summary: str


@dataclass
class EmulationRow:
    """An agency's record over the span, from which the standing office picks whom to commend (thi đua)."""

    agency: str
    code: str
    kind: str
    reports_due: int = 0
    reports_on_time: int = 0
    tasks_due: int = 0
    tasks_on_time: int = 0
    recommendations_due: int = 0
    recommendations_done: int = 0
    commended: bool = False

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return 100 * part / whole if whole else None

    @property
    def reports_rate(self) -> float | None:
        return self._rate(self.reports_on_time, self.reports_due)

    @property
    def tasks_rate(self) -> float | None:
        return self._rate(self.tasks_on_time, self.tasks_due)

    @property
    def recommendations_rate(self) -> float | None:
        return self._rate(self.recommendations_done, self.recommendations_due)

    @property
    def score(self) -> float | None:
        """The mean of the rates the agency has (reports on time, tasks on time, recommendations done), 0–100."""
        rates = [r for r in (self.reports_rate, self.tasks_rate, self.recommendations_rate) if r is not None]
        return sum(rates) / len(rates) if rates else None


@dataclass
class ReviewContent:
    plan_code: str
    plan_title: str
    plan_issued_on: date
    title: str
    kind: str
    starts_on: date
    ends_on: date
    as_of: date
    milestone: int
    indicators: list[IndicatorChange]
    tasks: TaskSpan
    inspections: list[InspectionRow]
    recommendations: RecommendationTally
    recommendations_overdue: list[RecommendationRow]
    emulation: list[EmulationRow]
    #: the plan's adjustments taking effect in the span (``adjustments_in_span``)
    adjustments: list[AdjustmentRow] = field(default_factory=list)
    commended: list[str] = field(default_factory=list)

    @property
    def status_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for row in self.indicators:
            totals[row.status] += 1
        return {status: totals.get(status, 0) for status in STATUS_LABELS}

    def as_json(self) -> dict:
        def clean(value):
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [clean(v) for v in value]
            return value

        data = clean(asdict(self))
        # what pages read beside the stored fields: each score and each change, as computed here
        for stored, row in zip(data["emulation"], self.emulation, strict=True):
            stored["score"] = row.score
        for stored, row in zip(data["indicators"], self.indicators, strict=True):
            stored["change"] = row.change
        return data


def adjustments_in_span(*, plan: Plan, start: date, end: date) -> list[AdjustmentRow]:
    """The plan's adjustments by decision taking effect in the span (approved; a revoked one says so), each with
    its summary (trích yếu) and what it changed, old → new, for the review's section on them."""
    rows = []
    for adjustment in adjustments_between(plan=plan, start=start, end=end):
        changes = [change_text(change).line for change in adjustment.changes.all()]
        parts = [adjustment.summary.strip().rstrip("."), *changes]
        if adjustment.revoked_by:
            parts.append(_("bị bãi bỏ bởi %(decision)s") % {"decision": decision_name(adjustment.revoked_by[0])})
        rows.append(
            AdjustmentRow(
                decision=adjustment.decision_number,
                decided_on=adjustment.signed_on,
                effective_on=adjustment.effective_on,
                summary="; ".join(part for part in parts if part) + ".",
            )
        )
    return rows


def _day(moment) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def _target_label(parsed: ParsedTarget) -> str:
    operator = dict(ParsedTarget.Operator.choices)
    if parsed.operator == ParsedTarget.Operator.RANGE:
        return f"{value_text(parsed.value, '')}–{value_text(parsed.value_max, parsed.metric.unit)}"
    return f"{operator[parsed.operator]} {value_text(parsed.value, parsed.metric.unit)}"


def _indicators(plan: Plan, start: date, end: date, milestone: int) -> list[IndicatorChange]:
    """Each quantitative target of ``milestone``: its metric's value at the start and end of the span, its status."""
    parsed = list(
        ParsedTarget.objects.filter(target__indicator__plan=plan, target__year=milestone)
        .select_related("metric", "target__indicator__group")
        .order_by("target__indicator__group__order", "target__indicator__number", "position")
    )
    values = province_period_values(as_of=end, metric_ids={p.metric_id for p in parsed})
    labels = {p.pk: p.label for p in Period.objects.filter(pk__in={v.period_id for vs in values.values() for v in vs})}
    statuses = {row.parsed_target_id: row for row in target_statuses_at(as_of=end, plan=plan)}
    rows = []
    for item in parsed:
        points = values.get(item.metric_id, [])
        before = [v for v in points if (v.ends_on or v.on) <= start]
        within = [v for v in points if v.on <= end]
        first, last = (before[-1] if before else None), (within[-1] if within else None)
        snapshot = statuses.get(item.pk)
        status = snapshot.status if snapshot else TargetStatus.Status.NO_DATA
        rows.append(
            IndicatorChange(
                indicator=item.target.indicator.code,
                metric=item.metric.name,
                unit=item.metric.unit,
                direction=item.metric.direction,
                target=_target_label(item),
                start=first.value if first else None,
                start_period=labels.get(first.period_id, "") if first else "",
                end=last.value if last else None,
                end_period=(labels.get(last.period_id, "") + (" (tạm tính)" if last.provisional else ""))
                if last
                else "",
                status=status,
                status_label=STATUS_LABELS[status],
            )
        )
    return rows


def _tasks(plan: Plan, start: date, end: date) -> TaskSpan:
    """Occurrences due in the span judged as of its end; the work not due yet counted once per task and agency."""
    span = TaskSpan()
    overdue: dict[int, dict] = {}
    finished: dict[int, str] = {}
    open_seen: set[tuple[int, int]] = set()
    occurrences = (
        TaskOccurrence.objects.filter(task__plan=plan, due_on__isnull=False, due_on__gte=start)
        .exclude(completed_on__lt=start)
        .order_by("due_on", "task__number", "pk")
    )
    # the task's terms of the span's end, read with the occurrences (not one query a row)
    for occurrence in with_task_terms(occurrences, end):
        status = occurrence_status_as_of(
            due_on=occurrence.due_on, completed_on=occurrence.completed_on, stored=occurrence.status, as_of=end
        )
        if status in (IN_PROGRESS, NOT_DUE):
            key = (occurrence.task_id, occurrence.agency_id)
            if key not in open_seen:
                open_seen.add(key)
                span.open += 1
            continue
        if occurrence.due_on > end:
            continue
        if status == DONE_ON_TIME:
            span.done_on_time += 1
        elif status == DONE_LATE:
            span.done_late += 1
        elif status == OVERDUE:
            span.overdue += 1
            row = overdue.setdefault(occurrence.task.number, {"title": occurrence.task.title, "agencies": set()})
            row["agencies"].add(occurrence.agency_id)
            row["longest"] = max(row.get("longest", 0), (end - occurrence.due_on).days)
        if status in (DONE_ON_TIME, DONE_LATE) and occurrence.task.schedule_kind == "one_off":
            finished.setdefault(occurrence.task.number, occurrence.task.title)
    span.overdue_tasks = sorted(
        (TaskOverdue(number, row["title"], len(row["agencies"]), row["longest"]) for number, row in overdue.items()),
        key=lambda r: (-r.agencies, -r.longest, r.task),
    )
    span.finished = sorted(finished.items())
    return span


def _inspections(plan: Plan, start: date, end: date) -> list[InspectionRow]:
    found = list(
        Inspection.objects.filter(plan=plan, starts_on__gte=start, starts_on__lte=end)
        .select_related("lead_body")
        .order_by("starts_on", "pk")
    )
    rows = recommendation_rows(recommendations_concluded(plan=plan, as_of=end).filter(inspection__in=found), as_of=end)
    by_inspection: dict[int, list] = defaultdict(list)
    for row in rows:
        by_inspection[row.recommendation.inspection_id].append(row.standing)
    result = []
    for inspection in found:
        counted = tally(by_inspection.get(inspection.pk, []))
        conclusion = inspection.conclusion_number
        if inspection.conclusion_date:
            conclusion += f" ({inspection.conclusion_date:%d/%m/%Y})"
        result.append(
            InspectionRow(
                title=inspection.title,
                lead=inspection.lead_body.display_name,
                starts_on=inspection.starts_on,
                ends_on=inspection.ends_on,
                conclusion=conclusion,
                recommendations=counted.total,
                done=counted.done,
                overdue=counted.overdue,
            )
        )
    return result


def _recommendations(plan: Plan, start: date, end: date) -> tuple[RecommendationTally, list[RecommendationRow]]:
    """The recommendations known by the end of the span and still open at its start, as they stand at its end."""
    rows = [
        row
        for row in recommendation_rows(recommendations_concluded(plan=plan, as_of=end), as_of=end)
        if not (row.standing.done_on and row.standing.done_on < start)
    ]
    counted = tally(row.standing for row in rows)
    overdue = sorted(
        (
            RecommendationRow(
                number=row.recommendation.number,
                text=row.recommendation.text,
                agency=row.recommendation.agency.display_name,
                inspection=row.recommendation.inspection.title,
                due_on=row.recommendation.due_on,
                days_late=row.standing.days_late,
            )
            for row in rows
            if row.standing.status == OVERDUE
        ),
        key=lambda r: (-r.days_late, r.agency, r.number),
    )
    return RecommendationTally(counted.done_on_time, counted.done_late, counted.overdue, counted.open), overdue


def _emulation(plan: Plan, start: date, end: date, commended: set[int]) -> list[EmulationRow]:
    """Per active agency with any duty in the span: its periodic reports due in it and sent on time, its task
    occurrences due in it and done on time, its recommendations due in it and done by its end."""
    rows: dict[int, EmulationRow] = {}

    def row_of(agency_id: int) -> EmulationRow:
        return rows.setdefault(agency_id, EmulationRow(agency="", code="", kind=""))

    timeliness = ReportTimeliness.objects.filter(
        period__due_on__gte=start, period__due_on__lte=end, agency__is_active=True
    ).values_list("agency_id", "period__due_on", "submitted_at")
    for agency_id, due_on, submitted_at in timeliness:
        status, _days = report_timeliness(due_on=due_on, submitted_on=_day(submitted_at), as_of=end)
        row = row_of(agency_id)
        row.reports_due += 1
        row.reports_on_time += status == periods.REPORT_ON_TIME
    occurrences = TaskOccurrence.objects.filter(
        task__plan=plan, due_on__gte=start, due_on__lte=end, agency__is_active=True
    ).values_list("agency_id", "due_on", "completed_on", "status")
    for agency_id, due_on, completed_on, stored in occurrences:
        status = occurrence_status_as_of(due_on=due_on, completed_on=completed_on, stored=stored, as_of=end)
        row = row_of(agency_id)
        row.tasks_due += 1
        row.tasks_on_time += status == DONE_ON_TIME
    due_in_span = recommendations_concluded(plan=plan, as_of=end).filter(due_on__gte=start, due_on__lte=end)
    for item in recommendation_rows(due_in_span, as_of=end):
        row = row_of(item.recommendation.agency_id)
        row.recommendations_due += 1
        row.recommendations_done += item.standing.status in DONE
    for agency in Agency.objects.filter(pk__in=set(rows) | commended):
        row = row_of(agency.pk)
        row.agency, row.code, row.kind = agency.name, agency.code, agency.kind
        row.commended = agency.pk in commended
    return sorted(rows.values(), key=lambda r: (-(r.score if r.score is not None else -1), r.agency))


def review_content_collect(
    *, plan: Plan, title: str, kind: str, starts_on: date, ends_on: date, as_of: date, commended: set[int] = frozenset()
) -> ReviewContent:
    """Everything a review over [starts_on, ends_on] shows, read as of ``as_of`` (the span's end when later)."""
    end = min(ends_on, as_of)
    milestone = plan.milestone_for(end)
    recommendations, overdue = _recommendations(plan, starts_on, end)
    emulation = _emulation(plan, starts_on, end, set(commended))
    return ReviewContent(
        plan_code=plan.code,
        plan_title=plan.title,
        plan_issued_on=plan.issued_on,
        title=title,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        as_of=as_of,
        milestone=milestone,
        indicators=_indicators(plan, starts_on, end, milestone),
        tasks=_tasks(plan, starts_on, end),
        inspections=_inspections(plan, starts_on, end),
        recommendations=recommendations,
        recommendations_overdue=overdue,
        emulation=emulation,
        adjustments=adjustments_in_span(plan=plan, start=starts_on, end=end),
        commended=[row.agency for row in emulation if row.commended],
    )

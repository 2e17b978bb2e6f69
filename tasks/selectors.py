"""Reads for tasks: task occurrences and report timeliness computed as of a date (not stored), and the
stored snapshots pages and reminders read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Q
from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation, Period, ReportTimeliness
from indicators.periods import QUARTER, periods_between, report_timeliness

from . import occurrences as occ
from .models import Task, TaskAssignment, TaskOccurrence, TaskTrigger, TaskUpdate


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def _periods(kind: str, start: date, end: date) -> list[Period]:
    """The periods of ``kind`` whose window ends within [start, end]: stored, or unsaved where nobody has used
    them yet (reads never write; ``periods_ensure_for_tasks`` stores them before a recompute saves rows)."""
    stored = {(p.year, p.number): p for p in Period.objects.filter(kind=kind, ends_on__gte=start, ends_on__lte=end)}
    return [
        stored.get((b.year, b.number)) or Period.build(kind, b.year, b.number)
        for b in periods_between(kind, start, end)
    ]


def task_occurrence_rows(*, as_of: date) -> list[TaskOccurrence]:
    """Every lead agency's occurrences of every task and their status as of ``as_of`` (unsaved rows).

    Cooperating agencies support the lead and report through it, so occurrences (and overdue flags) are the
    lead agencies'. A handful of queries whatever the number of tasks and agencies.
    """
    tasks = list(Task.objects.select_related("plan").order_by("number"))
    if not tasks:
        return []
    start = min(t.plan.issued_on for t in tasks)
    quarters = [
        occ.ReportingPeriod(p.pk, p.ends_on, p.due_on) for p in _periods(QUARTER, start, as_of + timedelta(days=100))
    ]
    leads: dict[int, list[int]] = defaultdict(list)
    for task_id, agency_id in TaskAssignment.objects.filter(role=TaskAssignment.Role.LEAD).values_list(
        "task_id", "agency_id"
    ):
        leads[task_id].append(agency_id)
    triggers: dict[int, list[occ.Trigger]] = defaultdict(list)
    for trigger in TaskTrigger.objects.filter(requested_on__lte=as_of):
        triggers[trigger.task_id].append(occ.Trigger(trigger.pk, trigger.requested_on, trigger.due_on))
    updates: dict[tuple[int, int], list[occ.UpdateFact]] = defaultdict(list)
    for row in TaskUpdate.objects.filter(status=SubmissionStatus.APPROVED, period__ends_on__lte=as_of).values(
        "task_id", "agency_id", "period_id", "period__ends_on", "progress", "completed_on", "submitted_at"
    ):
        updates[(row["task_id"], row["agency_id"])].append(
            occ.UpdateFact(
                period_id=row["period_id"],
                period_ends_on=row["period__ends_on"],
                progress=row["progress"],
                completed_on=row["completed_on"],
                reported_on=_local_day(row["submitted_at"]),
            )
        )
    rows = []
    for task in tasks:
        due_list = occ.task_occurrences(
            task.schedule,
            start=task.plan.issued_on,
            as_of=as_of,
            reporting_periods=quarters,
            triggers=triggers.get(task.pk, ()),
        )
        for agency_id in sorted(leads.get(task.pk, ())):
            facts = updates.get((task.pk, agency_id), [])
            for due in due_list:
                result = occ.occurrence_status(due, task.schedule_kind, facts, as_of)
                rows.append(
                    TaskOccurrence(
                        task=task,
                        agency_id=agency_id,
                        role=TaskAssignment.Role.LEAD,
                        due_on=due.due_on,
                        period_id=due.period_id,
                        trigger_id=due.trigger_id,
                        status=result.status,
                        completed_on=result.completed_on,
                        days_late=result.days_late,
                        as_of=as_of,
                    )
                )
    return rows


def report_timeliness_rows(*, as_of: date) -> list[ReportTimeliness]:
    """Whether each agency's periodic report came in on time, for every period closed by ``as_of`` (unsaved).

    An agency owes a report for a period when it reports a metric of that frequency, or (quarterly) when it
    leads a task. The report counts as submitted when its last figure or task update was submitted.
    """
    metrics = Metric.objects.prefetch_related("reporters").select_related("plan")
    owed: dict[str, set[int]] = defaultdict(set)
    start = None
    for metric in metrics:
        start = min(start or metric.plan.issued_on, metric.plan.issued_on)
        owed[metric.period_kind].update(a.pk for a in metric.reporters.all())
    for task in Task.objects.exclude(schedule_kind=Task.ScheduleKind.CONDITIONAL).select_related("plan"):
        start = min(start or task.plan.issued_on, task.plan.issued_on)
    owed[QUARTER].update(
        TaskAssignment.objects.filter(role=TaskAssignment.Role.LEAD)
        .exclude(task__schedule_kind=Task.ScheduleKind.CONDITIONAL)
        .values_list("agency_id", flat=True)
    )
    if start is None:
        return []
    active = set(Agency.objects.filter(is_active=True).values_list("pk", flat=True))
    periods = {kind: _periods(kind, start, as_of) for kind in owed}
    submitted_filter = Q(submitted_at__isnull=False, submitted_at__lte=_end_of_day(as_of))
    submitted: dict[tuple[int, int], datetime] = {}
    for model in (Observation, TaskUpdate):
        for row in (
            model.objects.filter(submitted_filter)
            .exclude(status=SubmissionStatus.DRAFT)
            .values("agency_id", "period_id")
            .annotate(last=Max("submitted_at"))
            .order_by()
        ):
            key = (row["agency_id"], row["period_id"])
            submitted[key] = max(submitted.get(key, row["last"]), row["last"])
    rows = []
    for kind, agency_ids in owed.items():
        for period in periods[kind]:
            for agency_id in sorted(agency_ids & active):
                moment = submitted.get((agency_id, period.pk))
                status, days_late = report_timeliness(
                    due_on=period.due_on, submitted_on=_local_day(moment), as_of=as_of
                )
                rows.append(
                    ReportTimeliness(
                        agency_id=agency_id,
                        period=period,
                        status=status,
                        submitted_at=moment,
                        days_late=days_late,
                        as_of=as_of,
                    )
                )
    return rows


def occurrences_overdue():
    """The stored overdue occurrences, most late first."""
    return (
        TaskOccurrence.objects.filter(status=TaskOccurrence.Status.OVERDUE)
        .select_related("task", "agency")
        .order_by("-days_late", "task__number", "agency__name")
    )


def reports_missing():
    """The stored missing periodic reports, most late first."""
    return (
        ReportTimeliness.objects.filter(status=ReportTimeliness.Status.MISSING)
        .select_related("agency", "period")
        .order_by("-days_late", "agency__name")
    )


# Reads for the task progress pages.


@dataclass
class TaskRow:
    assignment: TaskAssignment
    update: TaskUpdate | None
    #: the agency's latest report on the task, whatever its period
    last_update: TaskUpdate | None = None
    #: the earliest deadline of the task the agency has not met yet (its lead occurrences), and how late it is
    next_due: date | None = None
    days_late: int = 0

    @property
    def is_overdue(self) -> bool:
        return self.days_late > 0

    def is_due_by(self, day: date) -> bool:
        """Overdue, or a deadline not met yet falls on or before ``day`` (the reporting round's due date)."""
        return self.is_overdue or (self.next_due is not None and self.next_due <= day)


def task_rows(*, agency: Agency, period: Period) -> list[TaskRow]:
    """Every task assigned to ``agency`` (lead first) with its progress report for ``period``, its latest report
    and its next deadline, in four queries."""
    assignments = list(
        TaskAssignment.objects.filter(agency=agency).select_related("task").order_by("task__number", "role")
    )
    updates = {u.task_id: u for u in TaskUpdate.objects.filter(agency=agency, period_id=period.pk)}
    latest: dict[int, TaskUpdate] = {}
    for update in (
        TaskUpdate.objects.filter(agency=agency).select_related("period").order_by("task_id", "-period__ends_on")
    ):
        latest.setdefault(update.task_id, update)
    pending = (
        TaskOccurrence.Status.OVERDUE,
        TaskOccurrence.Status.IN_PROGRESS,
        TaskOccurrence.Status.NOT_DUE,
    )
    deadlines: dict[int, tuple[date, int]] = {}
    for task_id, due_on, days_late in (
        TaskOccurrence.objects.filter(agency=agency, status__in=pending, due_on__isnull=False)
        .order_by("task_id", "due_on")
        .values_list("task_id", "due_on", "days_late")
    ):
        deadlines.setdefault(task_id, (due_on, days_late))
    seen: set[int] = set()
    rows = []
    for assignment in assignments:
        if assignment.task_id not in seen:
            seen.add(assignment.task_id)
            due_on, days_late = deadlines.get(assignment.task_id, (None, 0))
            rows.append(
                TaskRow(
                    assignment,
                    updates.get(assignment.task_id),
                    last_update=latest.get(assignment.task_id),
                    next_due=due_on,
                    days_late=days_late,
                )
            )
    return rows


@dataclass(frozen=True)
class TaskStanding:
    """Where an agency's work on a task stands by the computed rule (the occurrence snapshot, ``status_on``)."""

    status: str
    due_on: date | None
    days_late: int

    @property
    def label(self) -> str:
        return str(TaskOccurrence.Status(self.status).label)


def task_standing(*, task: Task, agency: Agency) -> TaskStanding | None:
    """The most pressing of the agency's occurrences of ``task`` in the snapshot (overdue first, then the next
    deadline, then the last done), or None if the agency has none (one query)."""
    found = list(TaskOccurrence.objects.filter(task=task, agency=agency).values_list("status", "due_on", "days_late"))
    if not found:
        return None

    def pressing(item):
        status, due_on, _days = item
        # among the done ones the latest; among the others the earliest deadline
        day = due_on.toordinal() if due_on else 0
        return occ.URGENCY.index(status), -day if status in (occ.DONE_LATE, occ.DONE_ON_TIME) else day

    status, due_on, days_late = min(found, key=pressing)
    return TaskStanding(status, due_on, days_late)

"""Reads for tasks: task occurrences and report timeliness computed as of a date (not stored), and the
stored snapshots pages and reminders read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Min, Prefetch
from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Period, Plan, ReportTimeliness
from indicators.periods import QUARTER, periods_between
from indicators.selectors import figures_completeness_of

from . import occurrences as occ
from .models import Task, TaskAssignment, TaskOccurrence, TaskTerms, TaskTrigger, TaskUpdate


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


def task_schedules(tasks=None) -> dict[int, list[occ.ScheduleVersion]]:
    """Every version of each task's schedule, with the interval it is in force in (one query)."""
    terms = TaskTerms.objects.all() if tasks is None else TaskTerms.objects.filter(task__in=tasks)
    found: dict[int, list[occ.ScheduleVersion]] = defaultdict(list)
    for version in terms.order_by("task_id", "valid_from"):
        found[version.task_id].append(occ.ScheduleVersion(version.schedule, version.valid_from, version.valid_to))
    return found


def lead_intervals(tasks=None) -> dict[int, dict[int, list[occ.Interval]]]:
    """Per task, per lead agency, the intervals its lead assignment is in force in (one query)."""
    assignments = TaskAssignment.objects.filter(role=TaskAssignment.Role.LEAD)
    if tasks is not None:
        assignments = assignments.filter(task__in=tasks)
    found: dict[int, dict[int, list[occ.Interval]]] = defaultdict(lambda: defaultdict(list))
    for task_id, agency_id, valid_from, valid_to in assignments.values_list(
        "task_id", "agency_id", "valid_from", "valid_to"
    ):
        found[task_id][agency_id].append(occ.Interval(valid_from, valid_to))
    return found


def lead_intervals_of(agency: Agency) -> dict[int, list[occ.Interval]]:
    """Per task the agency leads (or led), the intervals it leads it in (one query)."""
    found: dict[int, list[occ.Interval]] = defaultdict(list)
    for task_id, valid_from, valid_to in TaskAssignment.objects.filter(
        agency=agency, role=TaskAssignment.Role.LEAD
    ).values_list("task_id", "valid_from", "valid_to"):
        found[task_id].append(occ.Interval(valid_from, valid_to))
    return found


def task_occurrence_rows(*, as_of: date) -> list[TaskOccurrence]:
    """Every lead agency's occurrences of every task and their status as of ``as_of`` (unsaved rows), by the terms
    and assignments in force: due dates from the schedule versions begun by then (``versioned_occurrences``), for
    the agencies leading the task when each falls due (``occurrences_for_agency``).

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
    schedules = task_schedules()
    leads = lead_intervals()
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
        due_list = occ.versioned_occurrences(
            schedules.get(task.pk, ()),
            start=task.plan.issued_on,
            as_of=as_of,
            reporting_periods=quarters,
            triggers=triggers.get(task.pk, ()),
        )
        for agency_id, intervals in sorted(leads.get(task.pk, {}).items()):
            facts = updates.get((task.pk, agency_id), [])
            for due in occ.occurrences_for_agency(due_list, intervals, as_of):
                result = occ.occurrence_status(due, "", facts, as_of)
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
    """Whether each agency sent the figures it owes for every period closed by ``as_of``, and on time (unsaved).

    The one completeness rule (``indicators.selectors.figures_completeness``): the agency page and the scorecard
    say what the completeness page, the overview and the periodic report say of the same agency and period. Task
    progress is not counted here: each of its due dates is judged by the occurrence engine (``TaskOccurrence``).
    """
    start = Plan.objects.aggregate(start=Min("issued_on"))["start"]
    if start is None:
        return []
    frequencies = Metric.objects.values_list("frequency", flat=True).distinct()
    kinds = {Metric(frequency=frequency).period_kind for frequency in frequencies}
    reporting = [period for kind in sorted(kinds) for period in _periods(kind, start, as_of)]
    rows = []
    for completeness in figures_completeness_of(reporting_periods=reporting, as_of=as_of):
        for item in completeness.rows:
            rows.append(
                ReportTimeliness(
                    agency=item.agency,
                    period=completeness.period,
                    status=item.status,
                    submitted_at=item.submitted_at,
                    days_late=item.days_late,
                    expected=item.expected,
                    sent=item.submitted,
                    as_of=as_of,
                )
            )
    return rows


def with_task_terms(queryset, day: date | None = None):
    """Rows pointing at a task (occurrences, assignments, updates) with each task's terms in force on ``day``
    (default today) read in one more query, so that ``row.task.title`` costs none per row."""
    return queryset.prefetch_related(Prefetch("task", queryset=Task.objects.with_terms(day)))


def occurrences_overdue():
    """The stored overdue occurrences, most late first, with their tasks' terms."""
    return with_task_terms(
        TaskOccurrence.objects.filter(status=TaskOccurrence.Status.OVERDUE)
        .select_related("agency")
        .order_by("-days_late", "task__number", "agency__name")
    )


def reports_missing():
    """The stored periodic reports not (wholly) sent, most late first."""
    return (
        ReportTimeliness.objects.filter(status__in=[ReportTimeliness.Status.MISSING, ReportTimeliness.Status.PARTIAL])
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
    """Every task assigned to ``agency`` during ``period`` (lead first; an agency added by an adjustment from its
    effective date, one removed until the day before) with its progress report for ``period``, its latest report
    and its next deadline, in five queries."""
    assignments = list(
        with_task_terms(
            TaskAssignment.objects.overlapping(period.starts_on, period.ends_on)
            .filter(agency=agency)
            .order_by("task__number", "role")
        )
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

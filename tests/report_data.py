"""Small builders of progress snapshots and approved submissions for the report and open-data tests.

The progress engine (TargetStatus, TaskOccurrence) is built elsewhere; these helpers write the rows it would,
so the reports can be tested against known data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Observation, ParsedTarget, Period, Plan, TargetStatus
from indicators.services import period_get_or_create
from tasks.models import Task, TaskAssignment, TaskOccurrence, TaskUpdate

STATUS_CYCLE = ["achieved", "on_track", "accelerate", "limited", "regressing", "no_data"]


def target_status_create(parsed: ParsedTarget, as_of: date, status: str, latest: str | None = None) -> TargetStatus:
    return TargetStatus.objects.create(
        parsed_target=parsed,
        as_of=as_of,
        status=status,
        latest_value=Decimal(latest) if latest is not None else None,
        latest_date=as_of if latest is not None else None,
        freshness="current" if latest is not None else "missing",
    )


def statuses_for_plan(plan: Plan, as_of: date, year: int = 2030) -> list[TargetStatus]:
    """A snapshot for every parsed target of ``year``: statuses in a fixed cycle, latest value = index × 1.5."""
    rows = []
    parsed = ParsedTarget.objects.filter(target__indicator__plan=plan, target__year=year).order_by("pk")
    for index, item in enumerate(parsed):
        status = STATUS_CYCLE[index % len(STATUS_CYCLE)]
        latest = None if status == "no_data" else str(Decimal(index) * Decimal("1.5"))
        rows.append(target_status_create(item, as_of, status, latest))
    # a snapshot set is complete (issue 11): the other milestones' targets have a row too
    for item in ParsedTarget.objects.filter(target__indicator__plan=plan).exclude(target__year=year):
        target_status_create(item, as_of, "no_data")
    return rows


def occurrence_create(
    task: Task, agency: Agency, due_on: date | None, completed_on: date | None, as_of: date, status: str = ""
) -> TaskOccurrence:
    if not status:
        if completed_on:
            status = "done_on_time" if due_on is None or completed_on <= due_on else "done_late"
        else:
            status = "overdue" if due_on and due_on < as_of else "in_progress"
    return TaskOccurrence.objects.create(
        task=task,
        agency=agency,
        role=TaskAssignment.Role.LEAD,
        due_on=due_on,
        completed_on=completed_on,
        status=status,
        days_late=max(0, (as_of - due_on).days) if due_on and not completed_on else 0,
        as_of=as_of,
    )


def task_update_create(
    task: Task, agency: Agency, period: Period, *, status=SubmissionStatus.APPROVED, difficulties="", proposals=""
) -> TaskUpdate:
    return TaskUpdate.objects.create(
        task=task,
        agency=agency,
        period=period,
        progress=TaskUpdate.Progress.IN_PROGRESS,
        percent_complete=50,
        difficulties=difficulties,
        proposals=proposals,
        status=status,
    )


def observation_create(metric, agency, period, value: str, status=SubmissionStatus.APPROVED, **extra) -> Observation:
    """A figure as it stands since its period ended (its one version in the history is dated then): a report
    "as known" on a later day counts it (``indicators.readings``)."""
    figure = Observation(metric=metric, agency=agency, period=period, value=Decimal(value), status=status, **extra)
    moment = timezone.make_aware(datetime.combine(period.ends_on, time(17)))
    figure._history_date = min(moment, timezone.now())
    figure.save()
    return figure


def report_world(plan: Plan, as_of: date) -> dict:
    """A plausible quarter: statuses for every 2030 target, task occurrences in every state, approved and
    unapproved task updates with difficulties and proposals. Returns the objects the tests check against."""
    quarter = period_get_or_create(kind="quarter", year=as_of.year, number=2)
    statuses = statuses_for_plan(plan, as_of)
    khcn = Agency.objects.get(code="so-khcn")
    police = Agency.objects.get(code="cong-an")
    tasks = list(Task.objects.filter(plan=plan).order_by("number")[:6])
    occurrences = [
        occurrence_create(tasks[0], khcn, as_of - timedelta(days=30), as_of - timedelta(days=40), as_of),  # on time
        occurrence_create(tasks[1], khcn, as_of - timedelta(days=30), as_of - timedelta(days=10), as_of),  # late
        occurrence_create(tasks[2], khcn, as_of - timedelta(days=12), None, as_of),  # overdue 12 days
        occurrence_create(tasks[3], police, as_of - timedelta(days=5), None, as_of),  # overdue 5 days
        occurrence_create(tasks[4], police, as_of + timedelta(days=60), None, as_of),  # in progress
        occurrence_create(tasks[5], police, None, None, as_of),  # continuous, in progress
    ]
    updates = [
        task_update_create(
            tasks[0],
            khcn,
            quarter,
            difficulties="Thiếu kinh phí triển khai nền tảng dữ liệu.",
            proposals="=Đề nghị bổ sung 2 biên chế chuyên trách.",
        ),
        task_update_create(tasks[3], police, quarter, difficulties="Hạ tầng mạng cấp xã chưa đồng bộ."),
        task_update_create(
            tasks[4],
            police,
            quarter,
            status=SubmissionStatus.SUBMITTED,
            difficulties="BÍ MẬT CHƯA DUYỆT – không được đưa vào báo cáo.",
        ),
    ]
    return {
        "quarter": quarter,
        "statuses": statuses,
        "occurrences": occurrences,
        "updates": updates,
        "tasks": tasks,
        "khcn": khcn,
        "police": police,
    }

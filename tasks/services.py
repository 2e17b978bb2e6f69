"""Writes for tasks: loading Appendix II and resolving each task's agencies into assignments."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import AgencyDirectory, UnknownAgencyName
from agencies.services import LoadCounts, upsert
from indicators.models import Period, Plan, SubmissionStatus
from indicators.workflow import EntryError, check_period_open, save_version

from .models import Task, TaskAssignment, TaskGroup, TaskUpdate
from .schedule import parse_deadline


def validate_task_rows(groups: list[dict], directory: AgencyDirectory) -> list[str]:
    """Every problem in the task rows (unknown agency, unreadable deadline, repeated number), in Vietnamese."""
    errors = []
    numbers: list[int] = []
    for group in groups:
        for row in group["tasks"]:
            number = int(row["number"])
            numbers.append(number)
            for name in [*(row.get("lead") or []), *(row.get("cooperating") or [])]:
                try:
                    directory.resolve(name)
                except UnknownAgencyName as exc:
                    errors.append(f"Nhiệm vụ {number}: {exc}")
            try:
                parse_deadline(row.get("deadline", ""))
            except ValueError as exc:
                errors.append(f"Nhiệm vụ {number}: {exc}")
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        errors.append(f"Số thứ tự nhiệm vụ bị trùng: {', '.join(map(str, repeated))}.")
    return errors


def tasks_load(*, plan: Plan, groups: list[dict], directory: AgencyDirectory) -> LoadCounts:
    """Create or update task groups, tasks and assignments. Call inside the plan's load transaction."""
    counts = LoadCounts()
    for order, group_row in enumerate(groups, start=1):
        group = upsert(
            TaskGroup, {"plan": plan, "code": group_row["code"]}, {"title": group_row["title"], "order": order}, counts
        )
        for row in group_row["tasks"]:
            schedule = parse_deadline(row["deadline"])
            lead_names = list(row.get("lead") or [])
            cooperating_names = list(row.get("cooperating") or [])
            task = upsert(
                Task,
                {"plan": plan, "number": int(row["number"])},
                {
                    "group": group,
                    "title": row["title"],
                    "result": row.get("result", "") or "",
                    "lead_names": lead_names,
                    "cooperating_names": cooperating_names,
                    "deadline_text": row["deadline"],
                    "schedule_kind": schedule.kind,
                    "due_on": schedule.due,
                    "rule": schedule.rule or "",
                    "starts_on": schedule.starts,
                    "ends_on": schedule.ends,
                },
                counts,
            )
            _sync_assignments(task, directory.resolve_all(lead_names), directory.resolve_all(cooperating_names))
    return counts


def _sync_assignments(task: Task, leads: list, cooperating: list) -> None:
    """One assignment row per agency and role; an agency that leads is not also listed as cooperating."""
    lead_ids = {a.pk for a in leads}
    wanted = {(pk, TaskAssignment.Role.LEAD.value) for pk in lead_ids}
    wanted |= {(a.pk, TaskAssignment.Role.COOPERATING.value) for a in cooperating if a.pk not in lead_ids}
    existing = {(a.agency_id, a.role): a.pk for a in task.assignments.all()}
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        TaskAssignment.objects.filter(pk__in=stale).delete()
    TaskAssignment.objects.bulk_create(
        [TaskAssignment(task=task, agency_id=pk, role=role) for pk, role in wanted - existing.keys()]
    )


# ---------------------------------------------------------------------------------------------------------------
# Task progress reports: draft → submitted → approved | returned, one history version per step.

TASK_UPDATE_FIELDS = (
    "progress",
    "percent_complete",
    "work_done",
    "difficulties",
    "proposals",
    "document_number",
    "document_date",
    "completed_on",
)


@transaction.atomic
def task_update_save(
    *, task: Task, agency: Agency, period: Period, user, data: dict, evidence=None, submit: bool = False
) -> TaskUpdate:
    """Record an agency's progress on a task for a period, as a draft or submitted for review."""
    check_period_open(period)
    if not TaskAssignment.objects.filter(task=task, agency=agency).exists():
        raise EntryError("Cơ quan không được giao nhiệm vụ này.")
    update = TaskUpdate.objects.select_for_update().filter(task=task, agency=agency, period=period).first() or (
        TaskUpdate(task=task, agency=agency, period=period)
    )
    if update.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED):
        raise EntryError(f"Báo cáo nhiệm vụ {task.number} kỳ {period.label} đã gửi hoặc đã duyệt.")
    for name in TASK_UPDATE_FIELDS:
        value = data.get(name)
        field = TaskUpdate._meta.get_field(name)
        setattr(update, name, field.get_default() if value is None and not field.null else value)
    if update.progress == TaskUpdate.Progress.DONE:
        update.percent_complete = 100
    else:
        update.completed_on = None
    if evidence:
        update.evidence = evidence
    update.entered_by = user
    if submit:
        update.status = SubmissionStatus.SUBMITTED
        update.submitted_at = timezone.now()
    elif update.status != SubmissionStatus.RETURNED:
        update.status = SubmissionStatus.DRAFT
    save_version(update, user=user, reason="Gửi duyệt" if submit else "Lưu nháp")
    return update


@transaction.atomic
def task_update_approve(*, task_update: TaskUpdate, user, note: str = "") -> bool:
    update = TaskUpdate.objects.select_for_update().get(pk=task_update.pk)
    if update.status != SubmissionStatus.SUBMITTED:
        return False
    update.status = SubmissionStatus.APPROVED
    update.reviewed_by, update.reviewed_at, update.review_note = user, timezone.now(), note
    save_version(update, user=user, reason="Phê duyệt")
    return True


@transaction.atomic
def task_update_return(*, task_update: TaskUpdate, user, reason: str) -> bool:
    if not reason.strip():
        raise EntryError("Hãy nêu lý do trả lại.")
    update = TaskUpdate.objects.select_for_update().get(pk=task_update.pk)
    if update.status != SubmissionStatus.SUBMITTED:
        return False
    update.status = SubmissionStatus.RETURNED
    update.reviewed_by, update.reviewed_at, update.review_note = user, timezone.now(), reason.strip()
    save_version(update, user=user, reason=f"Trả lại: {reason.strip()}")
    return True

"""Writes for tasks: loading Appendix II and resolving each task's agencies into assignments."""

from __future__ import annotations

from agencies.selectors import AgencyDirectory, UnknownAgencyName
from agencies.services import LoadCounts, upsert
from indicators.models import Plan

from .models import Task, TaskAssignment, TaskGroup
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

"""Reads for the task progress pages."""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models import Agency
from indicators.models import Period

from .models import TaskAssignment, TaskUpdate


@dataclass
class TaskRow:
    assignment: TaskAssignment
    update: TaskUpdate | None


def task_rows(*, agency: Agency, period: Period) -> list[TaskRow]:
    """Every task assigned to ``agency`` (lead first) with its progress report for ``period``, in two queries."""
    assignments = list(
        TaskAssignment.objects.filter(agency=agency).select_related("task").order_by("task__number", "role")
    )
    updates = {u.task_id: u for u in TaskUpdate.objects.filter(agency=agency, period=period)}
    seen: set[int] = set()
    rows = []
    for assignment in assignments:
        if assignment.task_id not in seen:
            seen.add(assignment.task_id)
            rows.append(TaskRow(assignment, updates.get(assignment.task_id)))
    return rows

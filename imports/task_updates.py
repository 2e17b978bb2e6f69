"""Importing task progress reports: one row per task, agency and period."""

from __future__ import annotations

from agencies.models import Agency, normalize_name
from indicators.periods import period_bounds, period_code
from indicators.selectors import plan_current
from tasks.models import Task, TaskAssignment, TaskUpdate

from .base import ERROR, NEW, UNCHANGED, UPDATED, AgencyLookup, PeriodLookup, Preview, RowResult, text
from .reading import PROGRESS_EVERY, Column, Progress, Table, parse_date
from .submissions import SubmissionWork, is_unchanged, submissions_undo, submissions_write, wanted_status

KIND = "task_updates"
COLUMNS = [
    Column("task", "Số nhiệm vụ", required=True),
    Column("task_title", "Tên nhiệm vụ", informative=True),
    Column("agency", "Mã cơ quan", aliases=("Cơ quan",)),
    Column("agency_name", "Tên cơ quan", informative=True),
    Column("period", "Kỳ báo cáo", required=True),
    Column("progress", "Tình trạng", required=True),
    Column("percent_complete", "Phần trăm hoàn thành"),
    Column("work_done", "Kết quả đã thực hiện"),
    Column("difficulties", "Khó khăn, vướng mắc"),
    Column("proposals", "Kiến nghị, đề xuất"),
    Column("document_number", "Số văn bản"),
    Column("document_date", "Ngày văn bản"),
    Column("completed_on", "Ngày hoàn thành"),
    Column("status", "Trạng thái", informative=True),
]
SHEETS = {None: COLUMNS}
_TEXT_FIELDS = ("work_done", "difficulties", "proposals", "document_number")
_PROGRESS = {normalize_name(str(label)): value for value, label in TaskUpdate.Progress.choices}
_PROGRESS.update({value: value for value in TaskUpdate.Progress.values})


def _assigned_in(spans: list[tuple], period_key: tuple | None) -> bool:
    """Whether one of the intervals of an agency's part in a task overlaps the period (any, if not read)."""
    if not spans or period_key is None:
        return bool(spans)
    bounds = period_bounds(*period_key)
    return any(start <= bounds.ends_on and (end is None or end >= bounds.starts_on) for start, end in spans)


def prepare(
    tables: dict, *, only_agency: Agency | None = None, approve: bool = False, progress: Progress | None = None
) -> Preview:
    table: Table = tables[None]
    preview = Preview(kind=KIND)
    plan = plan_current()
    if plan is None:
        preview.file_errors.append("Chưa có kế hoạch nào được nạp.")
        return preview
    tasks = {t.number: t for t in Task.objects.filter(plan=plan)}
    # when each agency has a part in each task: a report is for a period in which it had one
    assigned: dict[tuple[int, int], list[tuple]] = {}
    for task_id, agency_id, valid_from, valid_to in TaskAssignment.objects.filter(task__plan=plan).values_list(
        "task_id", "agency_id", "valid_from", "valid_to"
    ):
        assigned.setdefault((task_id, agency_id), []).append((valid_from, valid_to))
    agencies, periods = AgencyLookup(), PeriodLookup()
    status = wanted_status(approve)
    seen: dict[tuple, int] = {}
    candidates = []
    for done, row in enumerate(table.rows):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, len(table.rows))
        result = RowResult(line=row.line, outcome=ERROR, messages=list(row.errors))
        preview.rows.append(result)
        v = row.values
        agency = agencies.for_row(table, row, result, only_agency=only_agency)
        task = None
        try:
            task = tasks.get(int(text(v.get("task"))))
        except ValueError:
            pass
        if task is None:
            result.messages.append(f"{table.where(row, 'task')}: không có nhiệm vụ số “{text(v.get('task'))}”.")
        period_key = None
        try:
            period_key = periods.parse(text(v.get("period")))
        except ValueError as exc:
            result.messages.append(f"{table.where(row, 'period')}: {exc}")
        if task and agency and not _assigned_in(assigned.get((task.pk, agency.pk), []), period_key):
            result.messages.append(f"Dòng {row.line}: “{agency.name}” không được giao nhiệm vụ số {task.number}.")
        values = {name: text(v.get(name)) for name in _TEXT_FIELDS if name in table.letters}
        progress = _PROGRESS.get(normalize_name(text(v.get("progress"))))
        if progress is None:
            choices = ", ".join(str(label) for _, label in TaskUpdate.Progress.choices)
            result.messages.append(f"{table.where(row, 'progress')}: hãy ghi một trong: {choices}.")
        values["progress"] = progress
        if "percent_complete" in table.letters:
            raw = text(v.get("percent_complete")).removesuffix("%").strip() or "0"
            if not raw.isdigit() or int(raw) > 100:
                result.messages.append(
                    f"{table.where(row, 'percent_complete')}: phải là số nguyên từ 0 đến 100, có “{raw}”."
                )
            else:
                values["percent_complete"] = int(raw)
        for name in ("document_date", "completed_on"):
            if name in table.letters:
                raw = v.get(name)
                try:
                    values[name] = parse_date(raw) if text(raw) else None
                except ValueError as exc:
                    result.messages.append(f"{table.where(row, name)}: {exc}")
        if result.messages:
            continue
        result.label = f"NV {task.number} · {agency.code} · {period_code(*period_key)}"
        key = (task.pk, agency.pk, period_key)
        if key in seen:
            result.messages.append(f"Dòng {row.line}: trùng nhiệm vụ, cơ quan và kỳ với dòng {seen[key]}.")
            continue
        seen[key] = row.line
        candidates.append((result, key, values))

    period_ids = {periods.get(k[2]).pk for _, k, _ in candidates if periods.get(k[2])}
    fields = ["id", "task_id", "agency_id", "period_id", "status", *{n for _, _, vals in candidates for n in vals}]
    existing = {
        (r["task_id"], r["agency_id"], r["period_id"]): r
        for r in TaskUpdate.objects.filter(period_id__in=period_ids).values(*fields)
    }
    work = SubmissionWork()
    for result, (task_id, agency_id, period_key), values in candidates:
        period = periods.get(period_key)
        current = existing.get((task_id, agency_id, period.pk)) if period else None
        if current is not None and is_unchanged(current, values, status):
            result.outcome = UNCHANGED
        elif period is not None and period.is_locked:
            result.messages.append(f"Dòng {result.line}: kỳ {period.label} đã khóa.")
        elif current is None:
            result.outcome = NEW
            work.new.append({"task_id": task_id, "agency_id": agency_id, "period_key": period_key, **values})
            work.periods.add(period_key)
        else:
            result.outcome = UPDATED
            work.updates[current["id"]] = values
    preview.work = work
    return preview


def write(work: SubmissionWork, *, batch, when) -> dict:
    return submissions_write(TaskUpdate, work, batch=batch, when=when)


def undo(changes: dict, *, batch, when) -> None:
    submissions_undo(TaskUpdate, changes, batch=batch, when=when)


def after_commit(batch) -> None:
    """Nothing to do: task occurrences are recomputed by their own job."""

"""Importing figures (observations): one row per agency, metric and period."""

from __future__ import annotations

from agencies.models import Agency
from core.formatting import number_as_read, with_unit
from indicators.models import Metric, Observation
from indicators.periods import period_bounds, period_code
from indicators.selectors import plan_current
from indicators.services import metrics_recompute_after_commit
from indicators.validation import FigureInput, clean_figure_for

from .base import ERROR, NEW, UNCHANGED, UPDATED, AgencyLookup, PeriodLookup, Preview, RowResult, text
from .reading import Column, Table
from .submissions import SubmissionWork, is_unchanged, submissions_undo, submissions_write, wanted_status

KIND = "figures"
COLUMNS = [
    Column("agency", "Mã cơ quan", aliases=("Cơ quan", "agency_code")),
    Column("agency_name", "Tên cơ quan", informative=True),
    Column("metric", "Mã chỉ số", required=True, aliases=("metric_code",)),
    Column("metric_name", "Tên chỉ số", informative=True),
    Column("unit", "Đơn vị tính", informative=True),
    Column("period", "Kỳ báo cáo", required=True, aliases=("Kỳ",)),
    Column("previous", "Giá trị kỳ trước (đã duyệt)", informative=True),
    Column("value", "Giá trị"),
    Column("numerator", "Tử số"),
    Column("denominator", "Mẫu số"),
    Column("note", "Ghi chú"),
    Column("status", "Trạng thái", informative=True),
]
SHEETS = {None: COLUMNS}
_FIGURE_FIELDS = {"value": "Giá trị", "numerator": "Tử số", "denominator": "Mẫu số"}


def prepare(tables: dict, *, only_agency: Agency | None = None, approve: bool = False) -> Preview:
    """Validate every row against the plan's metrics, agencies, reporters and periods; write nothing."""
    table: Table = tables[None]
    preview = Preview(kind=KIND)
    plan = plan_current()
    if plan is None:
        preview.file_errors.append("Chưa có kế hoạch nào được nạp; hãy nạp kế hoạch trước khi nhập số liệu.")
        return preview
    metrics = {m.code.casefold(): m for m in Metric.objects.filter(plan=plan)}
    reporters = set(Metric.reporters.through.objects.filter(metric__plan=plan).values_list("metric_id", "agency_id"))
    agencies = AgencyLookup()
    periods = PeriodLookup()
    has_note = "note" in table.letters
    status = wanted_status(approve)
    seen: dict[tuple, int] = {}
    candidates = []  # (row result, natural key, values)
    for row in table.rows:
        result = RowResult(line=row.line, outcome=ERROR, messages=list(row.errors))
        preview.rows.append(result)
        v = row.values
        agency = agencies.for_row(table, row, result, only_agency=only_agency)
        metric = metrics.get(text(v.get("metric")).casefold())
        if metric is None:
            result.messages.append(f"{table.where(row, 'metric')}: không có chỉ số mã “{text(v.get('metric'))}”.")
        period_key = None
        try:
            period_key = periods.parse(text(v.get("period")))
        except ValueError as exc:
            result.messages.append(f"{table.where(row, 'period')}: {exc}")
        if metric and period_key and period_key[0] != metric.period_kind:
            result.messages.append(
                f"{table.where(row, 'period')}: chỉ số “{metric.code}” báo cáo "
                f"{metric.get_frequency_display().lower()}, kỳ “{text(v.get('period'))}” không phù hợp."
            )
            period_key = None
        if metric and agency and (metric.pk, agency.pk) not in reporters:
            result.messages.append(
                f"Dòng {row.line}: “{agency.name}” không phải cơ quan báo cáo chỉ số “{metric.code}”."
            )
        raw = FigureInput(**{name: text(v.get(name)) for name in _FIGURE_FIELDS})
        if not any((raw.value, raw.numerator, raw.denominator)):
            if not result.messages:
                result.outcome, result.messages = UNCHANGED, ["Chưa nhập giá trị: bỏ qua dòng này."]
            continue
        clean = None
        if metric:
            clean = clean_figure_for(metric, raw)
            for name, messages in clean.errors.items():
                result.messages += [f"{table.where(row, name)}: {m}" for m in messages]
        result.read = _as_read(agency, metric, period_key, raw, clean)
        if result.messages or not (metric and agency and period_key and clean):
            continue
        result.label = f"{agency.code} · {metric.code} · {period_code(*period_key)}"
        key = (metric.pk, agency.pk, period_key)
        if key in seen:
            result.messages.append(f"Dòng {row.line}: trùng cơ quan, chỉ số và kỳ với dòng {seen[key]}.")
            continue
        seen[key] = row.line
        values = {"value": clean.value, "numerator": clean.numerator, "denominator": clean.denominator}
        if has_note:
            values["note"] = text(v.get("note"))
        candidates.append((result, key, values))

    existing = _existing(candidates, periods, only_agency)
    work = SubmissionWork()
    for result, key, values in candidates:
        metric_id, agency_id, period_key = key
        period = periods.get(period_key)
        current = existing.get((metric_id, agency_id, period.pk)) if period else None
        if current is not None and is_unchanged(current, values, status):
            result.outcome = UNCHANGED
            continue
        if period is not None and period.is_locked:
            result.messages.append(f"Dòng {result.line}: kỳ {period.label} đã khóa, không nhận số liệu mới.")
            continue
        if current is None:
            result.outcome = NEW
            work.new.append({"metric_id": metric_id, "agency_id": agency_id, "period_key": period_key, **values})
            work.periods.add(period_key)
        else:
            result.outcome = UPDATED
            work.updates[current["id"]] = values
    preview.work = work
    return preview


def _as_read(agency, metric, period_key, raw: FigureInput, clean) -> list[tuple[str, str]]:
    """What the preview shows of a row as the app read it: names for codes, numbers as understood."""
    read = []
    if agency is not None:
        read.append(("Cơ quan", agency.display_name))
    if metric is not None:
        read.append(("Chỉ số", metric.name))
    if period_key is not None:
        read.append(("Kỳ", period_bounds(*period_key).label))
    for name, label in _FIGURE_FIELDS.items():
        written = getattr(raw, name)
        if not written:
            continue
        number = getattr(clean, name, None) if clean is not None and not clean.errors.get(name) else None
        unit = metric.unit if metric is not None and name == "value" else ""
        shown = with_unit(number_as_read(number), unit) if number is not None else "?"
        read.append((label, f"“{written}” → {shown}"))
    return read


def _existing(candidates: list, periods: PeriodLookup, only_agency: Agency | None) -> dict[tuple, dict]:
    """The stored figures the rows may match, by (metric, agency, period), from one query."""
    period_ids = {periods.get(key[2]).pk for _, key, _ in candidates if periods.get(key[2])}
    if not period_ids:
        return {}
    query = Observation.objects.filter(period_id__in=period_ids, metric_id__in={key[0] for _, key, _ in candidates})
    if only_agency:
        query = query.filter(agency=only_agency)
    fields = ("id", "metric_id", "agency_id", "period_id", "value", "numerator", "denominator", "note", "status")
    return {(r["metric_id"], r["agency_id"], r["period_id"]): r for r in query.values(*fields)}


def write(work: SubmissionWork, *, batch, when) -> dict:
    return submissions_write(Observation, work, batch=batch, when=when)


def undo(changes: dict, *, batch, when) -> None:
    submissions_undo(Observation, changes, batch=batch, when=when)


def after_commit(batch) -> None:
    """Figures imported as approved count at once: recompute the status of their metrics' targets."""
    if batch.approve:
        written = [*batch.changes.get("created", []), *batch.changes.get("updated", [])]
        metric_ids = Observation.objects.filter(pk__in=written).values_list("metric_id", flat=True).distinct()
        metrics_recompute_after_commit(list(metric_ids))

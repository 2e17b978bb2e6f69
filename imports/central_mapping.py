"""Importing the mapping of the plan's metrics to the central monitoring system's indicators (Resolution 57).

One row per central indicator: the plan's metric code, the centre's code, name and unit, and the factor that
turns the plan's value into the centre's unit (empty: 1). Keyed by the centre's code: loading a file again
updates the rows it names and creates the others; an unknown metric code is refused with its row, and then
nothing is written. See docs/oversight.md and fixtures/central_mapping_example.xlsx.
"""

from __future__ import annotations

from decimal import Decimal

from indicators.models import Metric
from indicators.parsing import parse_vn_number
from indicators.selectors import plan_current
from oversight.models import CentralIndicator
from oversight.services import central_indicators_undo, central_indicators_write

from .base import ERROR, Preview, RowResult, text
from .directory import check_duplicates, upsert_preview
from .reading import Column

COLUMNS = [
    Column("metric", "Mã chỉ số", required=True),
    Column("code", "Mã chỉ tiêu TW", required=True),
    Column("name", "Tên chỉ tiêu TW", required=True),
    Column("unit", "Đơn vị TW"),
    Column("factor", "Hệ số quy đổi"),
    Column("metric_name", "Tên chỉ số", informative=True),
    Column("metric_unit", "Đơn vị tính của chỉ số", informative=True),
]
SHEETS = {None: COLUMNS}
CODE_MAX = CentralIndicator._meta.get_field("code").max_length
NAME_MAX = CentralIndicator._meta.get_field("name").max_length
UNIT_MAX = CentralIndicator._meta.get_field("unit").max_length


def _factor(raw: str) -> Decimal:
    """The factor as written ("0,01", "1.000"); empty is 1. ValueError in Vietnamese."""
    if not raw:
        return Decimal(1)
    factor = parse_vn_number(raw)
    if factor <= 0:
        raise ValueError(f"hệ số quy đổi phải lớn hơn 0 (đang ghi “{raw}”).")
    if factor != factor.quantize(Decimal("1e-12")) or factor >= Decimal("1e12"):
        raise ValueError(f"hệ số quy đổi “{raw}” có quá nhiều chữ số (tối đa 12 chữ số sau dấu phẩy).")
    return factor


def prepare(tables, *, only_agency=None, approve=False, progress=None) -> Preview:
    table = tables[None]
    preview = Preview(kind="central_mapping")
    plan = plan_current()
    if plan is None:
        preview.file_errors.append("Chưa có kế hoạch nào được nạp; hãy nạp kế hoạch trước (load_plan).")
        return preview
    metrics = {m.code.casefold(): m for m in Metric.objects.filter(plan=plan)}
    rows = []
    for row in table.rows:
        result = RowResult(line=row.line, outcome=ERROR, messages=list(row.errors))
        preview.rows.append(result)
        v = row.values
        written = text(v.get("metric"))
        metric = metrics.get(written.casefold())
        if not written:
            result.messages.append(f"{table.where(row, 'metric')}: hãy ghi mã chỉ số của kế hoạch.")
        elif metric is None:
            result.messages.append(
                f"{table.where(row, 'metric')}: không có chỉ số mã “{written}” trong Kế hoạch {plan.code} "
                "(xem mã chỉ số trong trang Quản trị › Chỉ số đo lường, hoặc tệp xuất kế hoạch)."
            )
        code, name, unit = text(v.get("code")), text(v.get("name")), text(v.get("unit"))
        if not code:
            result.messages.append(f"{table.where(row, 'code')}: hãy ghi mã chỉ tiêu của Trung ương.")
        elif len(code) > CODE_MAX:
            result.messages.append(f"{table.where(row, 'code')}: mã dài quá {CODE_MAX} ký tự.")
        if not name:
            result.messages.append(f"{table.where(row, 'name')}: hãy ghi tên chỉ tiêu của Trung ương.")
        elif len(name) > NAME_MAX:
            result.messages.append(f"{table.where(row, 'name')}: tên dài quá {NAME_MAX} ký tự.")
        if len(unit) > UNIT_MAX:
            result.messages.append(f"{table.where(row, 'unit')}: đơn vị dài quá {UNIT_MAX} ký tự.")
        factor = Decimal(1)
        raw_factor = text(v.get("factor"))
        try:
            factor = _factor(raw_factor)
        except ValueError as exc:
            result.messages.append(f"{table.where(row, 'factor')}: {exc}")
        else:
            if raw_factor:
                result.read.append(("Hệ số quy đổi", f"“{raw_factor}” → {factor.normalize()}"))
        if not result.messages:
            result.label = f"{code} ← {metric.code}"
            values = {"name": name, "unit": unit, "metric_id": metric.pk, "factor": factor}
            rows.append((result, code, values))
    check_duplicates(table, rows, "mã chỉ tiêu TW")
    existing = {c.code: c for c in CentralIndicator.objects.filter(code__in=[key for _r, key, _v in rows])}
    work = upsert_preview(preview, rows, existing)
    preview.work = {
        "new": [{"code": key, **values} for _r, key, values in rows if key not in existing],
        "updates": [(current.pk, values) for current, values in work["updates"]],
    }
    return preview


def write(work, *, batch, when):
    return central_indicators_write(new=work["new"], updates=work["updates"], user=batch.created_by)


def undo(changes, *, batch, when):
    central_indicators_undo(changes=changes, user=batch.created_by)


def after_commit(batch):
    """Nothing to do: the next export and periodic report read the new mapping."""

"""The report to the centre: the plan's approved province values put into the codes and units of the central
monitoring system for Resolution 57, for one reporting period. Pure: the mapping rows and the province values
come in (``selectors.central_export_collect`` reads them), an export and its .xlsx come out.

For each mapped central indicator the value is the latest approved province value of its metric for a period
ending on or before the export period's end, times the mapping's factor; with it go the period it is of, how
fresh it is (``indicators.freshness``, judged the day after the export period's report fell due), who approved
the figures behind it, and the plan's own value and unit, so that a reader can check the conversion. Nothing is
dropped: central indicators with no approved value stay as items without a value and are listed in
``no_value``; the plan's metrics that feed no central indicator are listed in ``unmapped``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.formatting import vn_date
from core.spreadsheets import neutralise
from indicators.freshness import MISSING, freshness

#: the figures' own precision: a province value is read to six places before it is converted
PLAN_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Mapping:
    """A row of the mapping: the central indicator and the plan metric (with its unit and reporting rhythm)."""

    code: str
    name: str
    unit: str
    factor: Decimal
    metric: str
    metric_name: str
    metric_unit: str
    period_kind: str


@dataclass(frozen=True)
class Reading:
    """An approved province value of a metric for one reporting period."""

    period: str  # its code, "2026-Q2"
    period_label: str
    ends_on: date
    value: float
    provisional: bool = False
    approved_by: str = ""


@dataclass
class CentralItem:
    code: str
    name: str
    unit: str
    value: Decimal | None
    period: str
    freshness: str
    metric: str
    metric_name: str = ""
    plan_value: Decimal | None = None
    plan_unit: str = ""
    factor: Decimal = Decimal(1)
    approved_by: str = ""
    period_label: str = ""
    provisional: bool = False


@dataclass
class CentralExport:
    period: str
    period_label: str
    as_of: date
    items: list[CentralItem] = field(default_factory=list)
    #: the plan's metrics no central indicator is fed from: (code, name)
    unmapped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def no_value(self) -> list[str]:
        return [item.code for item in self.items if item.value is None]

    def as_json(self) -> dict:
        """The export as JSON: the contract's keys (``period``, ``items`` with ``code name unit value period
        freshness metric``, ``unmapped``, ``no_value``) and what a reader needs to check each conversion."""
        return {
            "period": self.period,
            "period_label": self.period_label,
            "as_of": self.as_of.isoformat(),
            "items": [
                {
                    "code": item.code,
                    "name": item.name,
                    "unit": item.unit,
                    "value": _number(item.value),
                    "period": item.period,
                    "freshness": item.freshness,
                    "metric": item.metric,
                    "metric_name": item.metric_name,
                    "plan_value": _number(item.plan_value),
                    "plan_unit": item.plan_unit,
                    "factor": _number(item.factor),
                    "approved_by": item.approved_by,
                    "period_label": item.period_label,
                    "provisional": item.provisional,
                }
                for item in self.items
            ],
            "unmapped": [code for code, _name in self.unmapped],
            "unmapped_names": dict(self.unmapped),
            "no_value": self.no_value,
        }


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def converted(value: float, factor: Decimal) -> tuple[Decimal, Decimal]:
    """(the plan's value as the figures give it, the central value): 66.17 × 0,01 → (66.17, 0.6617)."""
    plan_value = Decimal(repr(value)).quantize(PLAN_PLACES).normalize()
    return plan_value, (plan_value * factor).normalize()


def judged_on(*, period_due_on: date, as_of: date) -> date:
    """The day freshness is judged on: the day after the export period's report fell due (its latest value due
    by then is the one the centre expects), or the as-of date when earlier."""
    return min(as_of, period_due_on + timedelta(days=1))


def central_export_build(
    *,
    period: str,
    period_label: str,
    period_ends_on: date,
    period_due_on: date,
    as_of: date,
    mappings: list[Mapping],
    readings: dict[str, list[Reading]],
    metrics: list[tuple[str, str]],
    due_days: dict[str, int],
) -> CentralExport:
    """The export of ``period``: ``readings`` are each metric's approved province values (by metric code),
    ``metrics`` every metric of the plan (code, name), ``due_days`` the reporting deadlines per kind of period."""
    day = judged_on(period_due_on=period_due_on, as_of=as_of)
    export = CentralExport(period=period, period_label=period_label, as_of=as_of)
    for mapping in sorted(mappings, key=lambda m: m.code):
        candidates = [r for r in readings.get(mapping.metric, []) if r.ends_on <= period_ends_on]
        latest = max(candidates, key=lambda r: r.ends_on) if candidates else None
        item = CentralItem(
            code=mapping.code,
            name=mapping.name,
            unit=mapping.unit,
            value=None,
            period="",
            freshness=MISSING,
            metric=mapping.metric,
            metric_name=mapping.metric_name,
            plan_unit=mapping.metric_unit,
            factor=mapping.factor,
        )
        if latest is not None:
            item.plan_value, item.value = converted(latest.value, mapping.factor)
            item.period, item.period_label = latest.period, latest.period_label
            item.provisional, item.approved_by = latest.provisional, latest.approved_by
            item.freshness = freshness(
                kind=mapping.period_kind,
                latest_period_end=latest.ends_on,
                as_of=day,
                due_days=due_days[mapping.period_kind],
            )
        export.items.append(item)
    mapped = {m.metric for m in mappings}
    export.unmapped = sorted((code, name) for code, name in metrics if code not in mapped)
    return export


# --- .xlsx: one row per central indicator, then what could not be mapped and what has no approved value ----------

FONT = "Times New Roman"
FRESHNESS_WORDS = {"current": "Cập nhật", "late": "Chậm", "missing": "Chưa có số liệu"}
COLUMNS = [
    ("STT", 6),
    ("Mã chỉ tiêu TW", 14),
    ("Tên chỉ tiêu TW", 48),
    ("Đơn vị TW", 12),
    ("Giá trị", 14),
    ("Kỳ của số liệu", 18),
    ("Tình trạng số liệu", 16),
    ("Mã chỉ số (KH)", 22),
    ("Giá trị theo kế hoạch", 16),
    ("Đơn vị theo kế hoạch", 16),
    ("Hệ số quy đổi", 12),
    ("Cơ quan phê duyệt số liệu", 30),
]


def _header(sheet, row: int, headers: list[str]) -> None:
    thin = Side(style="thin", color="999999")
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=header)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="E7ECF3")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)


def _cells(sheet, row: int, values: list) -> None:
    thin = Side(style="thin", color="999999")
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=neutralise(value))
        cell.font = Font(name=FONT)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)


def central_xlsx(export: dict) -> bytes:
    """The export (``CentralExport.as_json()``, as stored with a periodic report) as a workbook: one row per
    central indicator with its value as a number, then a sheet of the metrics not mapped and one of the central
    indicators without an approved value."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Chỉ tiêu TW"
    title = f"Số liệu báo cáo hệ thống giám sát, đánh giá thực hiện Nghị quyết số 57-NQ/TW – {export['period_label']}"
    sheet["A1"] = title
    sheet["A1"].font = Font(name=FONT, bold=True, size=13)
    sheet["A2"] = (
        f"Kỳ báo cáo {export['period']}; số liệu đã phê duyệt tính đến ngày "
        f"{vn_date(date.fromisoformat(export['as_of']))}; giá trị TW = giá trị theo kế hoạch × hệ số quy đổi."
    )
    sheet["A2"].font = Font(name=FONT, italic=True)
    _header(sheet, 4, [name for name, _width in COLUMNS])
    for index, item in enumerate(export["items"], start=1):
        period = item["period_label"] + (" (tạm tính)" if item["provisional"] else "") if item["period"] else ""
        _cells(
            sheet,
            4 + index,
            [
                index,
                item["code"],
                item["name"],
                item["unit"],
                item["value"],
                period,
                FRESHNESS_WORDS.get(item["freshness"], item["freshness"]),
                item["metric"],
                item["plan_value"],
                item["plan_unit"],
                item["factor"],
                item["approved_by"],
            ],
        )
        for column in (5, 9):
            sheet.cell(row=4 + index, column=column).number_format = "#,##0.######"
        sheet.cell(row=4 + index, column=11).number_format = "0.############"
    for column, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A5"

    unmapped = workbook.create_sheet("Chưa quy đổi")
    unmapped["A1"] = "Chỉ số của kế hoạch chưa có chỉ tiêu tương ứng của Trung ương"
    unmapped["A1"].font = Font(name=FONT, bold=True)
    _header(unmapped, 3, ["STT", "Mã chỉ số", "Tên chỉ số"])
    names = export.get("unmapped_names", {})
    for index, code in enumerate(export["unmapped"], start=1):
        _cells(unmapped, 3 + index, [index, code, names.get(code, "")])
    for column, width in enumerate((6, 28, 70), start=1):
        unmapped.column_dimensions[get_column_letter(column)].width = width

    missing = workbook.create_sheet("Chưa có số liệu")
    missing["A1"] = "Chỉ tiêu của Trung ương chưa có số liệu đã phê duyệt đến hết kỳ báo cáo"
    missing["A1"].font = Font(name=FONT, bold=True)
    _header(missing, 3, ["STT", "Mã chỉ tiêu TW", "Tên chỉ tiêu TW", "Mã chỉ số (KH)"])
    by_code = {item["code"]: item for item in export["items"]}
    for index, code in enumerate(export["no_value"], start=1):
        _cells(missing, 3 + index, [index, code, by_code[code]["name"], by_code[code]["metric"]])
    for column, width in enumerate((6, 16, 60, 28), start=1):
        missing.column_dimensions[get_column_letter(column)].width = width
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""The figure-entry template: an xlsx for one agency and one period, pre-filled and protected.

Agencies fill it offline and upload it back through the same validation as the web form.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from agencies.models import Agency
from core.spreadsheets import HEADER_FILL, HEADER_FONT, excel_number
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation, Plan
from indicators.periods import PeriodBounds, period_code, period_containing

from .figures import COLUMNS
from .reading import INSTRUCTIONS_SHEET

TEMPLATE_COLUMNS = [c for c in COLUMNS if c.key != "status"]
INPUT_KEYS = ("value", "numerator", "denominator", "note")
INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")
_RANGES = {
    Metric.Kind.RATIO: (0, 100),
    Metric.Kind.GRDP_SHARE: (0, 100),
    Metric.Kind.INDEX: (0, 1),
}


def figures_template_rows(*, plan: Plan, agency: Agency, period: PeriodBounds) -> list[dict]:
    """One row per metric the agency reports: its period containing ``period``'s end, the last approved value."""
    metrics = list(Metric.objects.filter(plan=plan, reporters=agency).order_by("code"))
    approved = (
        Observation.objects.filter(
            agency=agency, metric__in=metrics, status=SubmissionStatus.APPROVED, period__ends_on__lt=period.ends_on
        )
        .order_by("metric_id", "period__ends_on")
        .values_list("metric_id", "value")
    )
    previous = dict(approved)  # ordered by date: the last one per metric wins
    rows = []
    for metric in metrics:
        own = period_containing(metric.period_kind, period.ends_on)
        rows.append(
            {
                "metric": metric,
                "period": period_code(own.kind, own.year, own.number),
                "previous": previous.get(metric.pk),
            }
        )
    return rows


def figures_template(*, plan: Plan, agency: Agency, period: PeriodBounds) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Số liệu"
    sheet.append([c.label for c in TEMPLATE_COLUMNS])
    for cell in sheet[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[1].height = 32
    rows = figures_template_rows(plan=plan, agency=agency, period=period)
    letters = {c.key: get_column_letter(i) for i, c in enumerate(TEMPLATE_COLUMNS, start=1)}
    validations = {}
    for line, row in enumerate(rows, start=2):
        metric = row["metric"]
        values = {
            "agency": agency.code,
            "agency_name": agency.name,
            "metric": metric.code,
            "metric_name": metric.name,
            "unit": metric.unit,
            "period": row["period"],
            "previous": excel_number(row["previous"]),
        }
        for position, column in enumerate(TEMPLATE_COLUMNS, start=1):
            cell = sheet.cell(row=line, column=position, value=values.get(column.key))
            if column.key in INPUT_KEYS and (column.key == "note" or metric.is_ratio or column.key == "value"):
                cell.protection = Protection(locked=False)
                cell.fill = INPUT_FILL
        low, high = _RANGES.get(metric.kind, (0, None))
        cells = [f"{letters['value']}{line}"]
        if metric.is_ratio:
            cells += [f"{letters['numerator']}{line}", f"{letters['denominator']}{line}"]
        kind = "decimal" if metric.kind not in (Metric.Kind.STOCK, Metric.Kind.FLOW) else "whole"
        validation = validations.get((kind, low, high))
        if validation is None:
            validation = DataValidation(
                type=kind,
                operator="between" if high is not None else "greaterThanOrEqual",
                formula1=str(low),
                formula2=str(high) if high is not None else None,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Giá trị không hợp lệ",
                error=f"Hãy nhập số {'nguyên ' if kind == 'whole' else ''}"
                + (f"từ {low} đến {high}." if high is not None else f"không nhỏ hơn {low}."),
            )
            sheet.add_data_validation(validation)
            validations[(kind, low, high)] = validation
        validation.add(cells[0])
        if metric.is_ratio:  # numerator and denominator are counts
            counts = validations.get(("whole", 0, None))
            if counts is None:
                counts = DataValidation(
                    type="decimal",
                    operator="greaterThanOrEqual",
                    formula1="0",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Giá trị không hợp lệ",
                    error="Hãy nhập số không âm.",
                )
                sheet.add_data_validation(counts)
                validations[("whole", 0, None)] = counts
            for ref in cells[1:]:
                counts.add(ref)
    widths = {
        "agency": 14,
        "agency_name": 28,
        "metric": 26,
        "metric_name": 60,
        "unit": 10,
        "period": 12,
        "previous": 16,
        "value": 14,
        "numerator": 14,
        "denominator": 14,
        "note": 40,
    }
    for key, letter in letters.items():
        sheet.column_dimensions[letter].width = widths.get(key, 14)
    for line in range(2, len(rows) + 2):
        sheet.cell(row=line, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # users may widen columns
    sheet.protection.formatRows = False
    _instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), agency=agency, period=period)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(sheet, *, agency: Agency, period: PeriodBounds) -> None:
    lines = [
        f"Mẫu nhập số liệu Kế hoạch 65-KH/TU – {agency.name} – {period.label}",
        "",
        "1. Chỉ điền vào các ô nền vàng: Giá trị, hoặc Tử số và Mẫu số (với chỉ số tỷ lệ), và Ghi chú.",
        "2. Số viết theo kiểu Việt Nam hoặc nhập thẳng số: 1.200 là một nghìn hai trăm; 0,75 là ba phần tư.",
        "3. Không dùng công thức, không gộp ô, không thêm trang tính hay cột. Dòng bỏ trống giá trị sẽ được bỏ qua.",
        "4. Kỳ báo cáo: 2026-T05 (tháng 5), 2026-Q2 (quý II), 2026-H1 (6 tháng đầu năm), 2026 (cả năm).",
        "5. Tải tệp lên tại trang Nhập dữ liệu › Mẫu nhập của cơ quan; số liệu được gửi để Văn phòng Tỉnh ủy duyệt.",
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 110
    sheet.protection.sheet = True


def period_for_template(code: str) -> PeriodBounds:
    from indicators.periods import parse_period_code, period_bounds

    return period_bounds(*parse_period_code(code))


__all__ = ["figures_template", "figures_template_rows", "period_for_template"]

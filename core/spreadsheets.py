"""Writing spreadsheets: django-import-export resources turned into xlsx/csv, safe from formula injection."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from import_export import resources
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .formatting import vn_date

#: a spreadsheet treats text starting with these as a formula (CSV/formula injection)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers and dates pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SafeExportResource(resources.ModelResource):
    """A resource whose exported text can never start a formula, whichever format it is written in."""

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))


def excel_number(value):
    if isinstance(value, Decimal):
        normal = value.normalize()
        return int(normal) if normal == normal.to_integral_value() else float(normal)
    return value


def rows_to_xlsx(headers: list[str], rows, *, title: str) -> bytes:
    """A one-sheet workbook: a styled, frozen header row and the rows (numbers as numbers, dates as dates)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([excel_number(neutralise(v)) for v in row])
    for position, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = max(12, min(45, len(header) + 4))
    sheet.freeze_panes = "A2"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_to_csv(headers: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            [
                vn_date(v)
                if isinstance(v, date)
                else str(excel_number(v)).replace(".", ",")
                if isinstance(v, Decimal | float)
                else ""
                if v is None
                else neutralise(str(v))
                for v in row
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def resource_export(resource: resources.Resource, queryset, *, fmt: str, title: str) -> bytes:
    """Export ``queryset`` through ``resource`` as xlsx or csv."""
    dataset = resource.export(queryset)
    headers = list(dataset.headers)
    if fmt == "csv":
        return rows_to_csv(headers, dataset)
    return rows_to_xlsx(headers, dataset, title=title)


class SpreadsheetExportMixin(ExportMixin):
    """Admin lists exportable as xlsx or csv through a safe resource (imports go through the import pages)."""

    formats = [base_formats.XLSX, base_formats.CSV]

    def export_action(self, request):
        """The export page, filtered as the list was; a filter the list does not know (``?format=abc``) sends the
        administrator back to the list with a message instead of a 500."""
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            messages.error(request, _("Bộ lọc trong địa chỉ không hợp lệ; hãy lọc lại danh sách rồi xuất."))
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

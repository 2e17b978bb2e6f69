"""Tables shown on the dashboards, downloadable as CSV or XLSX from the same URL (``?format=csv&bang=…``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import tablib
from django.http import HttpResponse

from core.formatting import vn_date
from core.spreadsheets import neutralise

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value):
    """The value as a spreadsheet should store it: dates as dd/mm/yyyy, text guarded against formula injection."""
    if isinstance(value, date):
        return vn_date(value)
    return neutralise(value)


@dataclass(frozen=True)
class Table:
    """A table as plain data: a file name, column headers and rows of values."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence]

    def dataset(self) -> tablib.Dataset:
        dataset = tablib.Dataset(headers=[str(h) for h in self.headers], title=self.name[:31])
        for row in self.rows:
            dataset.append([_cell(value) for value in row])
        return dataset


def table_response(table: Table, fmt: str) -> HttpResponse:
    data = table.dataset().export(fmt)
    if fmt == "csv":
        data = "\ufeff" + data  # the byte-order mark makes Excel read the file as UTF-8
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return response

"""The report to the centre, generated with the province's periodic report and stored beside it.

When a province report is built, the export of its period as of its as-of date (``oversight.selectors``) is
kept in the report's content under ``central``, so that it is frozen with the report once issued, and the
report's page offers it as .xlsx and .json, both built from that stored export (``oversight.centre``). Without a
mapping the content says so instead, and the page points to where it is loaded.
"""

from __future__ import annotations

from datetime import date

from indicators.models import Period, Plan
from oversight.centre import central_xlsx
from oversight.selectors import CentralMappingMissing, central_export_collect

#: the key of ``PeriodicReport.content`` the export is stored under
KEY = "central"


def central_export_content(*, plan: Plan, period: Period, as_of: date) -> dict:
    """The export as stored with the report: ``CentralExport.as_json()``, or ``{"missing": why}``."""
    try:
        return central_export_collect(plan=plan, period=period, as_of=as_of).as_json()
    except CentralMappingMissing as exc:
        return {"missing": str(exc)}


def stored_export(content: dict | None) -> dict | None:
    """The export stored in a report's content, or None (no mapping then, an agency's report, an older report)."""
    export = (content or {}).get(KEY)
    return export if export and "items" in export else None


def export_xlsx(export: dict) -> bytes:
    return central_xlsx(export)

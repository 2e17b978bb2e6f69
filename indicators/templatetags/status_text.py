"""Template filters that show a target's status the one way: its status in words, the marks on its data (late,
provisional, too few agencies), its latest value dated by its period and its coverage."""

from django import template
from django.utils.translation import gettext

from indicators.statuses import coverage, final_on, latest_claim, latest_text, status_label

register = template.Library()


@register.filter
def dated_latest(status) -> str:
    """ "12,77 người/vạn dân (Năm 2025)", "45% (Quý IV/2026, tạm tính đến ngày 20/11/2026)", or ""."""
    if status is None:
        return ""
    return latest_text(status, status.parsed_target.metric.unit)


@register.filter
def final_day(status):
    """When a provisional latest value becomes final (its period's end), else None."""
    return final_on(status) if status is not None else None


def coverage_text(covered: dict | None) -> str:
    """ "20/26 cơ quan": how many agencies a province value is computed from, of how many expected."""
    if not covered:
        return ""
    return gettext("%(n)s/%(total)s cơ quan") % {"n": covered["reporters"], "total": covered["expected"]}


@register.filter
def claim(status) -> dict:
    """What every page shows of a target's status (``indicators.statuses.status_claim``), ready for
    ``dashboards/_target_claim.html``: the status code and its words, the late and provisional marks, the latest
    value with its period, and, for a value aggregated from several agencies, its coverage."""
    if status is None:
        return {"code": "no_data", "label": status_label(None), "late": False, "provisional": False, "latest": ""}
    latest = latest_claim(status)
    covered = coverage(status)
    aggregated = bool(covered and covered["expected"] > 1)
    return {
        "code": status.status,
        "label": status_label(status),
        "late": status.is_late,
        "provisional": bool(latest and latest["provisional"]),
        "latest": latest_text(status, status.parsed_target.metric.unit),
        "coverage": coverage_text(covered) if aggregated else "",
        "coverage_low": bool(aggregated and covered["low"]),
        "final_on": final_on(status),
    }

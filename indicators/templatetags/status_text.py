"""Template filters that show a target's status the one way: its latest value dated by its period."""

from django import template

from indicators.statuses import final_on, latest_text

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

"""Template filters for the one Vietnamese formatter (core/formatting.py): ``{% load vn %}``."""

from django import template

from core import formatting

register = template.Library()


@register.filter
def vn_number(value, places=None):
    if value is None or value == "":
        return ""
    return formatting.format_vn_number(value, None if places in (None, "") else int(places))


@register.filter
def vn_value(value, unit=""):
    return formatting.value_text(value, unit)


@register.filter
def vn_date(value):
    return formatting.vn_date(value)


@register.filter
def with_unit(text, unit=""):
    """A written number and its unit: "1,45% GRDP", "12 bài báo"."""
    return formatting.with_unit(str(text), unit)

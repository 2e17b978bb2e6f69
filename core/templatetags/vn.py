"""Template filters for the one formatter (core/formatting.py): ``{% load vn %}``. Numbers follow the page's
language ("2.559" in Vietnamese, "2,559" in English); dates are written dd/mm/yyyy."""

import unicodedata

from django import template
from django.utils.translation import get_language_info

from core import formatting

register = template.Library()


@register.filter
def vn_number(value, places=None):
    if value is None or value == "":
        return ""
    return formatting.format_number(value, None if places in (None, "") else int(places))


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


@register.simple_tag
def language_name_local(code: str) -> str:
    """A language named in its own tongue ("English", "Tiếng Việt"), in the composed Unicode form the rest of
    the pages use (Django's own table writes Vietnamese decomposed)."""
    return unicodedata.normalize("NFC", get_language_info(code)["name_local"])

import re

from django import template

from core.formatting import format_vn_number, vn_date

register = template.Library()

_LATEX = {r"\geq": "≥", r"\ge": "≥", r"\leq": "≤", r"\le": "≤", r"\%": "%"}
_MATH = re.compile(r"\$([^$]*)\$")


def _symbols(math: str) -> str:
    for latex, symbol in sorted(_LATEX.items(), key=lambda item: -len(item[0])):
        math = math.replace(latex, symbol)
    return " ".join(math.split())


@register.filter
def plan_text(text: str) -> str:
    """Show a cell's verbatim text as the printed plan reads: `$\\geq 3\\%$` becomes "≥ 3%"."""
    return _MATH.sub(lambda match: _symbols(match.group(1)), text or "")


@register.filter
def vn(value, places=None):
    """A figure written the Vietnamese way: 1200.5 → "1.200,5" (``places`` fixes the decimals)."""
    if value is None or value == "":
        return ""
    try:
        return format_vn_number(value, int(places) if places not in (None, "") else None)
    except (ValueError, ArithmeticError):
        return value


@register.filter
def vn_or_text(value) -> str:
    """A history value as people read it: numbers the Vietnamese way, dates dd/mm/yyyy, the rest as text."""
    from datetime import date
    from decimal import Decimal

    from core.formatting import format_vn_number

    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return format_vn_number(value)
    if isinstance(value, date):
        return vn_date(value)
    return "" if value is None else str(value)

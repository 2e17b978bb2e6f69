"""The one formatter for numbers, values with units and dates: "2.559", "66,17%", "1,45% GRDP", "14/12/2026".
Pages (through the ``vn`` template filters), charts, reports, exports, messages and commands all use it, so a
number reads the same everywhere. Period labels ("Quý III/2026") come from ``indicators.periods``.

Numbers follow the active language: Vietnamese ("2.559", "66,17%") unless the reader chose English ("2,559",
"66.17%"). Vietnamese is the default, and the official documents (periodic reports: .docx, .pdf, .xlsx) are
always Vietnamese because they are built under ``translation.override("vi")``; what a person types back into a
form or a spreadsheet is read the Vietnamese way, so input fields and import previews use
``format_vn_number``, which is Vietnamese whatever the language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import get_language, gettext

VIETNAMESE = "vi"
#: how each language writes a number: (decimal mark, thousands separator)
SEPARATORS = {VIETNAMESE: (",", "."), "en": (".", ",")}


def number_language(language: str | None = None) -> str:
    """The language whose way of writing numbers applies: ``language``, else the active one; Vietnamese for any
    language without a rule of its own."""
    code = (language or get_language() or VIETNAMESE).split("-")[0].lower()
    return code if code in SEPARATORS else VIETNAMESE


def format_number(number: Decimal | int | float, places: int | None = None, *, language: str | None = None) -> str:
    """Write a number the reader's way (the active language, or ``language``): 1200.5 → "1.200,5" in Vietnamese,
    "1,200.5" in English; trailing zeros dropped unless ``places``."""
    value = Decimal(str(number))
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    text = f"{value:,f}" if places is not None else f"{value.normalize():,f}"
    if "." in text and places is None:
        text = text.rstrip("0").rstrip(".")
    decimal_mark, thousands = SEPARATORS[number_language(language)]
    return text.replace(",", "\u0000").replace(".", decimal_mark).replace("\u0000", thousands)


def format_vn_number(number: Decimal | int | float, places: int | None = None) -> str:
    """Write a number the Vietnamese way whatever the language: 1200.5 → "1.200,5" (form inputs, imports, the
    official report's own text)."""
    return format_number(number, places, language=VIETNAMESE)


def plotly_separators(language: str | None = None) -> str:
    """Plotly's ``layout.separators`` (decimal mark, then thousands separator) for the reader: ",." in
    Vietnamese, ".," in English, so chart axes, bar labels and hovers read like the page around them."""
    decimal_mark, thousands = SEPARATORS[number_language(language)]
    return decimal_mark + thousands


def with_unit(text: str, unit: str) -> str:
    """A written number with its unit: percent signs hug the number ("1,45% GRDP"), other units follow a space."""
    unit = (unit or "").strip()
    if not unit:
        return text
    if unit.startswith("%"):
        return f"{text}%{unit[1:]}" if unit[1:].startswith(" ") else f"{text}{unit}"
    return f"{text} {unit}"


def value_text(value: Decimal | float | int | None, unit: str = "", places: int = 2) -> str:
    """A value as shown to people: rounded to ``places`` for display only, the reader's separators, its unit."""
    if value is None:
        return ""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    return with_unit(format_number(rounded), unit)


def vn_date(day: date | datetime | None) -> str:
    """A day as Vietnamese offices write it: 14/12/2026 ("" for none)."""
    if day is None:
        return ""
    return day.strftime("%d/%m/%Y")


def period_phrase(period_label: str, provisional: bool = False, through: date | None = None) -> str:
    """When a value is from, as people say it: "Năm 2025"; for a period still open "Quý IV/2026, tạm tính đến
    ngày 20/11/2026"."""
    if provisional and through:
        return gettext("%(period)s, tạm tính đến ngày %(day)s") % {"period": period_label, "day": vn_date(through)}
    return period_label


def dated_value(
    value: Decimal | float | int | None,
    unit: str,
    period_label: str | None,
    *,
    provisional: bool = False,
    through: date | None = None,
) -> str:
    """A value with its unit and period: "0,48 (Năm 2023)", "45% (Quý IV/2026, tạm tính đến ngày 20/11/2026)"."""
    text = value_text(value, unit)
    if not text or not period_label:
        return text
    return f"{text} ({period_phrase(period_label, provisional, through)})"


def number_as_read(number: Decimal | int | float) -> str:
    """A number read from a file, shown so that nobody can mistake its grouping: 1250 → "1 250", 1250.5 →
    "1 250,5" (thin spaces between thousands, a decimal comma). The import preview shows it beside the text
    as written ("1.250" → 1 250)."""
    return format_vn_number(number).replace(".", "\u202f")

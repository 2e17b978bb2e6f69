"""Validation of a reported figure, shared by the entry form and the spreadsheet import.

Pure functions: they take the metric's kind and the raw text the user typed (Vietnamese habits allowed:
"1.200", "1.200,5", "0,75", "75%") and return clean numbers or errors in Vietnamese, field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core.formatting import format_vn_number as vn

from .parsing import parse_vn_number

RATIO = "ratio"
INDEX = "index"
GRDP_SHARE = "grdp_share"
STOCK = "stock"
FLOW = "flow"

HUNDRED = Decimal(100)

#: Ratio scales (``Metric.ratio_scale``): value = scale × numerator / denominator. A percentage (×100), a
#: per-mille (×1000) or a rate per 10 000 counted in persons (×10 000) measure a part of a whole, so the
#: numerator cannot exceed the denominator; ×1 is a rate per unit of the denominator ("người/vạn dân" with
#: the population entered in vạn người), where it may.
PERCENT = 100
PART_OF_WHOLE_SCALES = (100, 1000, 10000)

#: how far a value may move from the previous period's before the user must explain it (DHIS2's
#: outlier idea, kept simple): a relative change beyond this share of the previous value
JUMP_THRESHOLD = Decimal("0.5")


@dataclass
class FigureInput:
    """What the user typed; any field may be blank."""

    value: str = ""
    numerator: str = ""
    denominator: str = ""


@dataclass
class CleanFigure:
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def error(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)


#: the largest figure the database keeps (numeric(20, 6): 14 digits before the decimal comma)
VALUE_LIMIT = Decimal(10) ** 14
#: what a cell may hold before it is not worth reading as a number
NUMBER_TEXT_MAX = 40


def _number(raw: str, field_name: str, result: CleanFigure, *, percent_allowed: bool = True) -> Decimal | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) > NUMBER_TEXT_MAX:
        result.error(field_name, _("Giá trị quá dài (%(length)s ký tự) để là một số.") % {"length": len(raw)})
        return None
    if any(char.isdigit() and not char.isascii() for char in raw):
        # full-width "１２" or Arabic-Indic "١٢": Python would read them silently; ask for plain digits
        message = _("“%(text)s” có chữ số không phải 0–9 (chữ số toàn độ rộng hoặc chữ số khác); hãy gõ lại bằng 0–9.")
        result.error(field_name, message % {"text": raw})
        return None
    if not percent_allowed and "%" in raw:
        message = _("“%(text)s” là tỷ lệ phần trăm, nhưng chỉ số này là số lượng; hãy nhập số lượng, không kèm %%.")
        result.error(field_name, message % {"text": raw})
        return None
    sign = -1 if raw.startswith("-") else 1  # read "-3" as a number, so the message can say it is negative
    unsigned = raw.removeprefix("-").strip()
    try:
        number = sign * parse_vn_number(unsigned)
    except ValueError:
        message = _("Không đọc được số “%(text)s”. Hãy nhập số theo kiểu Việt Nam, ví dụ 1.200 hoặc 0,75.")
        result.error(field_name, message % {"text": unsigned})
        return None
    if abs(number) >= VALUE_LIMIT:
        message = _("Số “%(text)s” quá lớn: tối đa 14 chữ số trước dấu phẩy. Hãy kiểm tra lại đơn vị tính.")
        result.error(field_name, message % {"text": unsigned})
        return None
    return number


def _whole(number: Decimal) -> bool:
    return number == number.to_integral_value()


def value_bounds(kind: str, scale: int = PERCENT) -> tuple[float, float | None]:
    """The range a metric's values can take, as ``clean_figure`` admits them: counts and rates from 0 up; a share
    of a whole (%, ‰, per 10 000, a share of GRDP) up to its scale; an index 0–1. A forecast or an axis drawn for
    the metric stays within it."""
    scale = int(scale or PERCENT)
    if kind == GRDP_SHARE:
        return 0.0, float(HUNDRED)
    if kind == RATIO and scale in PART_OF_WHOLE_SCALES:
        return 0.0, float(scale)
    if kind == INDEX:
        return 0.0, 1.0
    return 0.0, None


def clean_figure_for(metric, raw: FigureInput, *, required: bool = True) -> CleanFigure:
    """``clean_figure`` with the metric's own kind and ratio scale (what every entry path calls)."""
    return clean_figure(metric.kind, raw, required=required, scale=metric.ratio_scale)


def clean_figure(kind: str, raw: FigureInput, *, required: bool = True, scale: int = PERCENT) -> CleanFigure:
    """Read and check one figure for a metric of ``kind``.

    Ratios are entered as numerator and denominator (the value is computed on the metric's ``scale``: ×100 for
    a percentage, ×1 for "người/vạn dân" with the denominator in vạn người …), or as the value when the agency
    only has that; counts are non-negative whole numbers; a share of a whole lies in 0–scale; an index in 0–1.
    """
    scale = int(scale or PERCENT)
    bounded = scale in PART_OF_WHOLE_SCALES
    result = CleanFigure()
    if kind == RATIO and ((raw.numerator or "").strip() or (raw.denominator or "").strip()):
        numerator = _number(raw.numerator, "numerator", result)
        denominator = _number(raw.denominator, "denominator", result)
        if numerator is None and "numerator" not in result.errors:
            result.error("numerator", _("Hãy nhập tử số."))
        if denominator is None and "denominator" not in result.errors:
            result.error("denominator", _("Hãy nhập mẫu số."))
        if numerator is not None and numerator < 0:
            result.error("numerator", _("Tử số không được âm."))
        if denominator is not None and denominator <= 0:
            result.error("denominator", _("Mẫu số phải lớn hơn 0."))
        if result.is_valid and bounded and numerator > denominator:
            result.error(
                "numerator",
                _("Tử số (%(numerator)s) không được lớn hơn mẫu số (%(denominator)s).")
                % {"numerator": vn(numerator), "denominator": vn(denominator)},
            )
        if result.is_valid:
            result.numerator, result.denominator = numerator, denominator
            result.value = (Decimal(scale) * numerator / denominator).quantize(Decimal("0.01"))
        return result

    value = _number(raw.value, "value", result, percent_allowed=kind not in (STOCK, FLOW))
    if value is None:
        if required and not result.errors:
            result.error("value", _("Hãy nhập giá trị."))
        return result
    if kind in (STOCK, FLOW):
        if value < 0:
            result.error("value", _("Số lượng không được âm."))
        elif not _whole(value):
            result.error("value", _("Số lượng phải là số nguyên (ví dụ 1.200)."))
    elif kind == GRDP_SHARE or (kind == RATIO and scale == PERCENT):
        if not Decimal(0) <= value <= HUNDRED:
            result.error("value", _("Tỷ lệ phải nằm trong khoảng 0–100%."))
    elif kind == RATIO:
        if value < 0:
            result.error("value", _("Tỷ lệ không được âm."))
        elif bounded and value > scale:
            result.error("value", _("Giá trị không được lớn hơn %(scale)s.") % {"scale": vn(Decimal(scale))})
    elif kind == INDEX:
        if not Decimal(0) <= value <= Decimal(1):
            result.error("value", _("Chỉ số phải nằm trong khoảng 0–1 (ví dụ 0,75)."))
    if result.is_valid:
        result.value = value
    return result


def jump_warning(previous: Decimal | None, value: Decimal | None) -> str | None:
    """A warning when ``value`` moves far from the previous period's approved value, else None."""
    if previous is None or value is None:
        return None
    if previous == 0:
        if value == 0:
            return None
        return _("Giá trị tăng từ 0 lên %(value)s so với kỳ trước. Hãy giải trình ngắn gọn.") % {"value": vn(value)}
    change = (value - previous) / abs(previous)
    if abs(change) <= JUMP_THRESHOLD:
        return None
    if change > 0:
        message = _("Giá trị tăng %(percent)s%% so với kỳ trước (%(previous)s → %(value)s).")
    else:
        message = _("Giá trị giảm %(percent)s%% so với kỳ trước (%(previous)s → %(value)s).")
    message += " " + _("Hãy giải trình ngắn gọn trước khi gửi.")
    return message % {"percent": f"{abs(change) * HUNDRED:.0f}", "previous": vn(previous), "value": vn(value)}

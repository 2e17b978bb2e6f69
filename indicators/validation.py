"""Validation of a reported figure, shared by the entry form and the spreadsheet import.

Pure functions: they take the metric's kind and the raw text the user typed (Vietnamese habits allowed:
"1.200", "1.200,5", "0,75", "75%") and return clean numbers or errors in Vietnamese, field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core.formatting import format_number
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

#: decimal places a figure is stored with (``Observation.value``, ``numerator``, ``denominator``): a number typed
#: with more is refused, not rounded without a word ("99,9999999" was stored as 100, "0,0000004" as 0)
DECIMAL_PLACES = 6

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
    places = -number.normalize().as_tuple().exponent
    if places > DECIMAL_PLACES:
        message = _(
            "“%(text)s” có %(places)s chữ số sau dấu phẩy; số liệu được lưu với tối đa %(max)s chữ số. "
            "Hãy làm tròn số (ví dụ %(rounded)s) rồi nhập lại."
        )
        rounded = vn(number.quantize(Decimal(1).scaleb(-DECIMAL_PLACES)).normalize())
        values = {"text": unsigned, "places": places, "max": DECIMAL_PLACES, "rounded": rounded}
        result.error(field_name, message % values)
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


@dataclass(frozen=True)
class Change:
    """How a figure moved from the previous approved one: in percentage points for a percentage ("70% → 74,19%"
    is +4,19 điểm %), otherwise in per cent of the previous value ("1.000 → 482" is −51,8%)."""

    amount: Decimal
    points: bool

    @property
    def relative(self) -> Decimal:
        return self.amount

    def text(self, *, signed: bool = True) -> str:
        """ "+4,19 điểm %", "−51,8%" (``signed``), or without the sign: "4,19 điểm %", "51,8%"."""
        amount = self.amount if signed else abs(self.amount)
        number = format_number(amount, CHANGE_PLACES[self.points])
        if signed and amount > 0:
            number = f"+{number}"
        number = number.replace("-", "−")
        return _("%(n)s điểm %%") % {"n": number} if self.points else f"{number}%"


#: decimals a change is written with: percentage points as the values themselves, per cent with one
CHANGE_PLACES = {True: 2, False: 1}


def is_percentage(unit: str) -> bool:
    """A metric measured in per cent ("%", "% GRDP"): its changes are read in percentage points."""
    return unit.strip().startswith("%")


def figure_change(previous: Decimal | None, value: Decimal | None, *, unit: str = "") -> Change | None:
    """The one way a change between two figures is measured (the entry form's warning and the review queue):
    ``None`` without a comparable previous value."""
    if value is None or previous is None:
        return None
    if is_percentage(unit):
        return Change(value - previous, points=True)
    if previous == 0:
        return None
    return Change((value - previous) / abs(previous) * HUNDRED, points=False)


def jump_warning(previous: Decimal | None, value: Decimal | None, *, unit: str = "") -> str | None:
    """A warning when ``value`` moves far (``JUMP_THRESHOLD`` of the previous value) from the previous period's
    approved value, else None; the move is written as the review queue writes it (``figure_change``)."""
    if previous is None or value is None:
        return None
    if previous == 0:
        if value == 0:
            return None
        return _("Giá trị tăng từ 0 lên %(value)s so với kỳ trước. Hãy giải trình ngắn gọn.") % {"value": vn(value)}
    if abs(value - previous) / abs(previous) <= JUMP_THRESHOLD:
        return None
    change = figure_change(previous, value, unit=unit)
    if change.amount > 0:
        message = _("Giá trị tăng %(change)s so với kỳ trước (%(previous)s → %(value)s).")
    else:
        message = _("Giá trị giảm %(change)s so với kỳ trước (%(previous)s → %(value)s).")
    message += " " + _("Hãy giải trình ngắn gọn trước khi gửi.")
    return message % {"change": change.text(signed=False), "previous": vn(previous), "value": vn(value)}

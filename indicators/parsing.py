"""Read numbers and targets written the Vietnamese way (Plan 65-KH/TU, Appendix I).

Pure functions, no Django: used by the fixture loader, the figure-entry forms and the imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["OPERATORS", "ParsedTarget", "parse_claim", "parse_target", "parse_vn_number"]

OPERATORS = (">=", ">", "=", "<=", "<", "range")

_NUMBER_HINT = "Hãy nhập số theo kiểu Việt Nam, ví dụ 1.200 hoặc 0,75."

# "1.200", "12.345.678", "1.200,5": a dot followed by exactly three digits groups thousands.  The first
# group must not start with 0, since nobody writes 750 as "0.750"; that string is read as a decimal.
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
_INTEGER = re.compile(r"\d+")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
# A single dot that does not group thousands is forgiven as an English decimal point ("0.75", "1.5").
_DECIMAL_DOT = re.compile(r"\d+\.\d+")

# A number inside free text: not glued to a letter, so "5G" or "6G" are not read as targets.
_LETTER = r"[^\W\d_]"
_NUM = rf"(?<!{_LETTER})\d+(?:[.,]\d+)*(?!{_LETTER})"
_NUM_RE = re.compile(_NUM)
_RANGE_SEPARATOR = r"\s*(?:-|–|—|đến|tới)\s*"
_RANGE_RE = re.compile(rf"(?P<low>{_NUM})\s*(?P<pct1>%)?{_RANGE_SEPARATOR}(?P<high>{_NUM})\s*(?P<pct2>%)?")

# Comparators written right before the number, closest first wins ("đạt mức trên 45%" is "> 45").
_PREFIX_OPERATORS = (
    (re.compile(r"(?:≥|>=)\s*$"), ">="),
    (re.compile(r"(?:≤|<=)\s*$"), "<="),
    (re.compile(r">\s*$"), ">"),
    (re.compile(r"<\s*$"), "<"),
    (re.compile(r"=\s*$"), "="),
    (re.compile(r"\b(?:trên|hơn|vượt)\s*(?:mức\s*)?$"), ">"),
    (re.compile(r"\bdưới\s*(?:mức\s*)?$"), "<"),
    (re.compile(r"\b(?:tối đa|không quá|không vượt quá)\s*(?:mức\s*)?$"), "<="),
    (re.compile(r"\b(?:từ|tối thiểu|ít nhất|đạt|không dưới|không thấp hơn)\s*(?:mức\s*)?$"), ">="),
    (re.compile(r"\bbằng\s*$"), "="),
)


@dataclass(frozen=True)
class ParsedTarget:
    """A target read from text: operator, value (a range's lower bound), upper bound, percent flag."""

    operator: str
    value: Decimal
    value_max: Decimal | None = None
    percent: bool = False

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise ValueError(f"Toán tử “{self.operator}” không hợp lệ.")
        if (self.operator == "range") != (self.value_max is not None):
            raise ValueError("Chỉ khoảng giá trị (range) mới có giá trị tối đa.")


def parse_vn_number(text: str) -> Decimal:
    """Read one number written the Vietnamese way ("1.200", "0,75", "75%") into a Decimal."""
    raw = text
    cleaned = text.replace("\u00a0", " ").strip()
    cleaned = cleaned.removesuffix("%").rstrip()
    try:
        if _INTEGER.fullmatch(cleaned):
            return Decimal(cleaned)
        if _THOUSANDS.fullmatch(cleaned):
            return Decimal(cleaned.replace(".", "").replace(",", "."))
        if _DECIMAL_COMMA.fullmatch(cleaned):
            return Decimal(cleaned.replace(",", "."))
        if _DECIMAL_DOT.fullmatch(cleaned):
            return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the patterns above only let digits through
        pass
    raise ValueError(f"Không đọc được số “{raw}”. {_NUMBER_HINT}")


def _normalise(text: str) -> str:
    """Turn LaTeX and ASCII comparators from the PDF extraction into plain symbols."""
    out = text.replace("\u00a0", " ").replace("$", "").replace("\\%", "%")
    # Longest commands first, so "\geq" is not read as "\ge" followed by "q".
    for latex, symbol in (
        ("\\geqslant", "≥"),
        ("\\leqslant", "≤"),
        ("\\geq", "≥"),
        ("\\leq", "≤"),
        ("\\ge", "≥"),
        ("\\le", "≤"),
        ("\\gt", ">"),
        ("\\lt", "<"),
    ):
        out = out.replace(latex, symbol)
    return " ".join(out.split())


def _prefix_operator(prefix: str) -> str | None:
    """The comparator written immediately before a number, if any."""
    lowered = prefix.lower()
    for pattern, operator in _PREFIX_OPERATORS:
        if pattern.search(lowered):
            return operator
    return None


def parse_target(text: str) -> ParsedTarget:
    """Read the first comparator and number of a target text; a bare number is a floor (">=")."""
    normalised = _normalise(text)
    first = _NUM_RE.search(normalised)
    if first is None:
        raise ValueError(f"Không tìm thấy con số nào trong chỉ tiêu “{text.strip()}”.")

    # A range wins over any comparator before it: "≥ 3-5" means between 3 and 5.
    span = _RANGE_RE.match(normalised, first.start())
    if span is not None:
        low = parse_vn_number(span.group("low"))
        high = parse_vn_number(span.group("high"))
        if high < low:
            raise ValueError(f"Khoảng giá trị “{span.group(0)}” có cận trên nhỏ hơn cận dưới.")
        percent = bool(span.group("pct1") or span.group("pct2"))
        return ParsedTarget("range", low, high, percent)

    value = parse_vn_number(first.group(0))
    rest = normalised[first.end() :]
    percent = rest.lstrip().startswith("%")
    operator = _prefix_operator(normalised[: first.start()])
    if operator is None:
        # "50% GRDP trở lên": the comparator may follow the number, before the next number.
        tail = _NUM_RE.split(rest, maxsplit=1)[0].lower()
        if "trở lên" in tail:
            operator = ">="
        elif "trở xuống" in tail:
            operator = "<="
    # The plan states floors: "90% dân số ..." means at least 90%.
    return ParsedTarget(operator or ">=", value, None, percent)


def parse_claim(text: str, fragment: str = "") -> ParsedTarget:
    """The measurable target a cell states in ``fragment`` (empty: the whole cell), which must be part of the
    cell's ``text``: how the plan loader and adjustments read a cell's claims."""
    fragment = fragment or text
    if fragment not in text:
        raise ValueError(f"đoạn “{fragment}” không có trong nội dung ô.")
    return parse_target(fragment)

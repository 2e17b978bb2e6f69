"""Reporting periods under the national reporting regime (Decree 09/2019/NĐ-CP, Art. 12).

A monthly report covers the 15th of the previous month to the 14th of the month; a quarterly, half-yearly
or yearly report likewise runs from the 15th of the month before the period's first month to the 14th of
its last month. Pure functions: no ORM, no "today".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext

MONTH = "month"
QUARTER = "quarter"
HALF_YEAR = "half_year"
YEAR = "year"

#: months per period of each kind, and how many periods a year holds
_MONTHS = {MONTH: 1, QUARTER: 3, HALF_YEAR: 6, YEAR: 12}


@dataclass(frozen=True)
class PeriodBounds:
    kind: str
    year: int
    number: int
    starts_on: date
    ends_on: date

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return gettext("Tháng %(month)s/%(year)s") % {"month": self.number, "year": self.year}
        if self.kind == QUARTER:
            return gettext("Quý %(quarter)s/%(year)s") % {"quarter": _ROMAN[self.number], "year": self.year}
        if self.kind == HALF_YEAR and self.number == 1:
            return gettext("6 tháng đầu năm %(year)s") % {"year": self.year}
        if self.kind == HALF_YEAR:
            return gettext("6 tháng cuối năm %(year)s") % {"year": self.year}
        return gettext("Năm %(year)s") % {"year": self.year}


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def period_bounds(kind: str, year: int, number: int) -> PeriodBounds:
    """The reporting window of period ``number`` (1-based) of ``kind`` in ``year``."""
    if kind not in _MONTHS:
        raise ValueError(f"Loại kỳ báo cáo không hợp lệ: {kind}")
    span = _MONTHS[kind]
    if not 1 <= number <= 12 // span:
        raise ValueError(f"Kỳ báo cáo số {number} không hợp lệ với loại {kind}")
    last_month = number * span
    first_year, first_month = _month_shift(year, last_month, -span)
    return PeriodBounds(kind, year, number, date(first_year, first_month, 15), date(year, last_month, 14))


def period_containing(kind: str, day: date) -> PeriodBounds:
    """The period of ``kind`` whose window contains ``day`` (the 15th onwards belongs to the next period)."""
    year, month = (day.year, day.month) if day.day <= 14 else _month_shift(day.year, day.month, 1)
    span = _MONTHS[kind]
    return period_bounds(kind, year, (month - 1) // span + 1)


def periods_between(kind: str, start: date, end: date) -> list[PeriodBounds]:
    """Every period of ``kind`` whose window ends within [start, end]."""
    result = []
    current = period_containing(kind, start)
    while current.ends_on <= end:
        if current.ends_on >= start:
            result.append(current)
        current = period_containing(kind, current.ends_on + timedelta(days=1))
    return result


_CODE_PREFIX = {MONTH: "T", QUARTER: "Q", HALF_YEAR: "H"}
_CODE_KIND = {"T": MONTH, "Q": QUARTER, "H": HALF_YEAR}


def period_code(kind: str, year: int, number: int) -> str:
    """The code a spreadsheet names a period by: "2026-T05", "2026-Q2", "2026-H1", "2026"."""
    if kind == YEAR:
        return str(year)
    return f"{year}-{_CODE_PREFIX[kind]}{number:02d}" if kind == MONTH else f"{year}-{_CODE_PREFIX[kind]}{number}"


_ROMAN_NUMBER = {roman: number for number, roman in _ROMAN.items()}
# the app's own labels as offices copy them into spreadsheets: "Quý IV/2026", "Tháng 12/2026", "Năm 2026",
# "6 tháng đầu năm 2026" (also "Quý 4/2026", "Tháng 5 năm 2026")
_LABELS = (
    (re.compile(r"quý\s*(iv|iii|ii|i|[1-4])\s*(?:/|năm)\s*(\d{4})"), QUARTER),
    (re.compile(r"tháng\s*(\d{1,2})\s*(?:/|năm)\s*(\d{4})"), MONTH),
    (re.compile(r"6\s*tháng\s*(đầu|cuối)\s*năm\s*(\d{4})"), HALF_YEAR),
    (re.compile(r"năm\s*(\d{4})"), YEAR),
)


def parse_period_label(text: str) -> tuple[str, int, int] | None:
    """(kind, year, number) of a period written as the app labels it, or None if the text is no such label."""
    cleaned = " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()
    for pattern, kind in _LABELS:
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        if kind == YEAR:
            return YEAR, int(match.group(1)), 1
        first, year = match.group(1), int(match.group(2))
        if kind == HALF_YEAR:
            return HALF_YEAR, year, 1 if first == "đầu" else 2
        number = _ROMAN_NUMBER.get(first.upper()) or int(first)
        if not 1 <= number <= {MONTH: 12, QUARTER: 4}[kind]:
            return None
        return kind, year, number
    return None


def parse_period_code(text: str) -> tuple[str, int, int]:
    """(kind, year, number) of a period code ("2026-Q4") or label ("Quý IV/2026"); raises ValueError with a
    Vietnamese message."""
    label = parse_period_label(text)
    if label is not None:
        return label
    cleaned = "".join(str(text).split()).upper()
    year_text, _, rest = cleaned.partition("-")
    try:
        if not year_text.isdigit() or len(year_text) != 4:
            raise ValueError
        year = int(year_text)
        if not rest:
            return YEAR, year, 1
        kind = _CODE_KIND[rest[0]]
        number = int(rest[1:])
        period_bounds(kind, year, number)
    except (ValueError, KeyError) as exc:
        message = gettext(
            "Không đọc được kỳ báo cáo “%(text)s”; hãy ghi 2026-T05 hoặc Tháng 5/2026, 2026-Q2 hoặc Quý II/2026, "
            "2026-H1 hoặc 6 tháng đầu năm 2026, 2026 hoặc Năm 2026."
        )
        raise ValueError(message % {"text": text}) from exc
    return kind, year, number


@dataclass(frozen=True)
class ReportRound:
    """A reporting round, as entry pages and templates are chosen by: a period of the finest kind reported, and
    its label with the coarser periods that contain its end ("Tháng 11/2026 · Quý IV/2026 · Năm 2026")."""

    period: PeriodBounds
    label: str


_KIND_ORDER = [MONTH, QUARTER, HALF_YEAR, YEAR]


def report_rounds(*, kinds: set[str], start: date, today: date) -> list[ReportRound]:
    """The reporting rounds from ``start`` (the plan's issue date) to the one after today's, newest first, in the
    finest of ``kinds`` (months when anything is monthly), each naming the coarser kinds' periods it falls in."""
    chosen = [kind for kind in _KIND_ORDER if kind in kinds] or [YEAR]
    finest, coarser = chosen[0], chosen[1:]
    upcoming = period_containing(finest, period_containing(finest, today).ends_on + timedelta(days=1))
    rounds = []
    for bounds in reversed(periods_between(finest, start, upcoming.ends_on)):
        label = " · ".join([bounds.label] + [period_containing(kind, bounds.ends_on).label for kind in coarser])
        rounds.append(ReportRound(bounds, label))
    return rounds


# Where a reporting period stands on a day: what the periods page says and whether entry pages offer its rows.

PERIOD_NOT_BEGUN = "not_begun"
PERIOD_OPEN = "open"
PERIOD_PAST_DUE = "past_due"
PERIOD_LOCKED = "locked"


def period_state(*, starts_on: date, due_on: date, is_locked: bool, as_of: date) -> str:
    """Not begun (its window starts after ``as_of``: nothing can be reported yet), locked (by the standing office
    or the nightly job, some days after the deadline), past due (the deadline passed, entry still open), or open."""
    if is_locked:
        return PERIOD_LOCKED
    if starts_on > as_of:
        return PERIOD_NOT_BEGUN
    return PERIOD_PAST_DUE if due_on < as_of else PERIOD_OPEN


# The one on-time rule for a periodic report (figures, task updates) of an agency for a period.

REPORT_NOT_DUE = "not_due"
REPORT_ON_TIME = "on_time"
REPORT_LATE = "late"
REPORT_MISSING = "missing"
REPORT_PARTIAL = "partial"


def report_timeliness(*, due_on: date, submitted_on: date | None, as_of: date) -> tuple[str, int]:
    """A periodic report's status and days late: on time, late, missing (past due) or not yet due."""
    if submitted_on is not None and submitted_on <= as_of:
        late = (submitted_on - due_on).days
        return (REPORT_LATE, late) if late > 0 else (REPORT_ON_TIME, 0)
    if as_of > due_on:
        return REPORT_MISSING, (as_of - due_on).days
    return REPORT_NOT_DUE, 0


def report_completeness(
    *, expected: int, sent: int, last_sent_on: date | None, due_on: date, as_of: date
) -> tuple[str, int]:
    """An agency's figures for a period: partial while some but not all it owes are sent (days past the due
    date), otherwise the on-time rule on the day the last of them was sent (or missing / not yet due)."""
    if 0 < sent < expected:
        return REPORT_PARTIAL, max(0, (as_of - due_on).days)
    return report_timeliness(due_on=due_on, submitted_on=last_sent_on if sent else None, as_of=as_of)

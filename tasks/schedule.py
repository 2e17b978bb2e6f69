"""Read the completion times of Appendix II ("Thời gian hoàn thành") into schedules.

Pure functions, no Django: the task pages, the overdue job and the imports share them. Dates are passed in,
never read from the clock.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from dateutil.rrule import rrulestr

__all__ = ["KINDS", "Schedule", "occurrences", "parse_deadline"]

KINDS = ("one_off", "recurring", "continuous", "conditional")

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_ROMAN_LABEL = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ONWARDS = r"(?:và\s+(?:những|các)\s+năm\s+tiếp\s+theo|trở\s+đi)"
_QUARTER = r"quý\s*(?P<q>iv|iii|ii|i|[1-4])"
_YEAR = r"(?P<year>\d{4})"

# Every recurring due date is the last day of its month or quarter (BYMONTHDAY=-1).
RULE_QUARTERLY = "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
RULE_MONTHLY = "FREQ=MONTHLY;BYMONTHDAY=-1"
RULE_HALF_YEARLY = "FREQ=MONTHLY;BYMONTH=6,12;BYMONTHDAY=-1"
RULE_YEARLY = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1"

# Outside events the province waits for: no date can be computed, the task stays open until they happen.
_CONDITIONAL = re.compile(r"(?:theo|khi có)\s+(?:đề nghị|hướng dẫn|yêu cầu|văn bản)\b")


@dataclass(frozen=True)
class Schedule:
    """When a task is due: once, on a recurring rule, continuously, or when an outside event happens."""

    kind: str
    due: date | None = None
    rule: str | None = None
    starts: date | None = None
    ends: date | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Loại thời hạn “{self.kind}” không hợp lệ.")
        if (self.kind == "one_off") != (self.due is not None):
            raise ValueError("Chỉ thời hạn một lần mới có ngày đến hạn.")
        if (self.kind == "recurring") != (self.rule is not None):
            raise ValueError("Chỉ thời hạn định kỳ mới có quy tắc lặp.")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _yearly_in_quarter(quarter: int) -> str:
    return f"FREQ=YEARLY;BYMONTH={quarter * 3};BYMONTHDAY=-1"


def _normalise(text: str) -> str:
    """Lower-case, single spaces, "hằng" and "hàng" read alike, no trailing period."""
    out = " ".join(text.replace("\u00a0", " ").split()).lower().rstrip(".").strip()
    return re.sub(r"\bhằng\b", "hàng", out)


def parse_deadline(text: str) -> Schedule:
    """Read one "Thời gian hoàn thành" text of Appendix II into a Schedule."""
    s = _normalise(text)

    if m := re.fullmatch(rf"(?:tháng|t)\s*(?P<month>\d{{1,2}})\s*(?:[/-]|\s+năm)\s*{_YEAR}", s):
        month, year = int(m["month"]), int(m["year"])
        if not 1 <= month <= 12:
            raise ValueError(f"Tháng {month} trong thời hạn “{text.strip()}” không hợp lệ.")
        return Schedule("one_off", label=f"Tháng {month}/{year}", due=_month_end(year, month))

    if m := re.fullmatch(rf"{_QUARTER}\s*(?:năm|/)\s*{_YEAR}\s+hàng\s+năm", s):
        # "Quý III năm 2026 hàng năm": every year in that quarter, the first one being 2026.
        quarter, year = _ROMAN[m["q"]], int(m["year"])
        return Schedule(
            "recurring",
            label=f"Quý {_ROMAN_LABEL[quarter]} hằng năm, từ năm {year}",
            rule=_yearly_in_quarter(quarter),
            starts=date(year, quarter * 3 - 2, 1),
        )

    if m := re.fullmatch(rf"{_QUARTER}\s*(?:năm|/)\s*{_YEAR}", s):
        quarter, year = _ROMAN[m["q"]], int(m["year"])
        label = f"Quý {_ROMAN_LABEL[quarter]} năm {year}"
        return Schedule("one_off", label=label, due=_month_end(year, quarter * 3))

    if m := re.fullmatch(rf"{_QUARTER}\s+hàng\s+năm", s):
        quarter = _ROMAN[m["q"]]
        label = f"Quý {_ROMAN_LABEL[quarter]} hằng năm"
        return Schedule("recurring", label=label, rule=_yearly_in_quarter(quarter))

    recurring = {
        "hàng quý": ("Hằng quý", RULE_QUARTERLY),
        "hàng tháng": ("Hằng tháng", RULE_MONTHLY),
        "hàng năm": ("Hằng năm", RULE_YEARLY),
        "6 tháng": ("6 tháng một lần", RULE_HALF_YEARLY),
        "hàng 6 tháng": ("6 tháng một lần", RULE_HALF_YEARLY),
    }
    if s in recurring:
        label, rule = recurring[s]
        return Schedule("recurring", label=label, rule=rule)

    if s == "thường xuyên":
        return Schedule("continuous", label="Thường xuyên")

    if m := re.fullmatch(rf"(?:từ\s+(?:năm\s+)?)?{_YEAR}\s+{_ONWARDS}", s):
        year = int(m["year"])
        return Schedule("continuous", label=f"Từ năm {year} trở đi", starts=date(year, 1, 1))

    if m := re.fullmatch(r"(?:giai đoạn\s+)?(?P<first>\d{4})\s*[-–—]\s*(?P<last>\d{4})", s):
        first, last = int(m["first"]), int(m["last"])
        if last < first:
            raise ValueError(f"Giai đoạn “{text.strip()}” có năm kết thúc trước năm bắt đầu.")
        return Schedule(
            "continuous", label=f"Giai đoạn {first}-{last}", starts=date(first, 1, 1), ends=date(last, 12, 31)
        )

    if _CONDITIONAL.match(s):
        label = " ".join(text.split()).rstrip(".")
        return Schedule("conditional", label=label[:1].upper() + label[1:])

    raise ValueError(
        f"Không hiểu thời gian hoàn thành “{text.strip()}”. Hãy ghi, ví dụ: “Tháng 5/2026”, "
        "“Quý II năm 2026”, “Hằng quý”, “Quý I hằng năm”, “Thường xuyên” hoặc “2025-2030”."
    )


def occurrences(schedule: Schedule, start: date, end: date) -> list[date]:
    """Due dates of a schedule within [start, end]; continuous and conditional work has none."""
    if schedule.kind == "one_off":
        return [schedule.due] if schedule.due is not None and start <= schedule.due <= end else []
    if schedule.kind != "recurring" or schedule.rule is None:
        return []
    low = max(start, schedule.starts) if schedule.starts else start
    high = min(end, schedule.ends) if schedule.ends else end
    if low > high:
        return []
    rule = rrulestr(schedule.rule, dtstart=datetime.combine(low, time.min))
    found = rule.between(datetime.combine(low, time.min), datetime.combine(high, time.min), inc=True)
    return [moment.date() for moment in found]

"""How fresh the data behind a status is, and how a value is dated: pure functions, no ORM, no "today".

A status is only as good as the figures it was judged on. ``freshness`` says whether those figures are
``current`` (the latest period that is due has an approved province value), ``late`` (it has none: the
status rests on older data) or ``missing`` (no approved value at all). A period falls due when its report
deadline (its window's end plus the configured ``REPORT_DUE_DAYS``) has passed.

A value of a period still open on the as-of date is *provisional*: approved, shown and counted, but marked
"tạm tính" until its period closes. See docs/progress-method.md ("Freshness", "Provisional values").
"""

from __future__ import annotations

from datetime import date, timedelta

from .periods import PeriodBounds, period_containing

CURRENT = "current"
LATE = "late"
MISSING = "missing"
FRESHNESS = (CURRENT, LATE, MISSING)


def previous_period(period: PeriodBounds) -> PeriodBounds:
    return period_containing(period.kind, period.starts_on - timedelta(days=1))


def latest_due_period(kind: str, as_of: date, due_days: int) -> PeriodBounds:
    """The latest period of ``kind`` whose report deadline (its end + ``due_days``) is before ``as_of``."""
    period = period_containing(kind, as_of)
    while period.ends_on + timedelta(days=due_days) >= as_of:
        period = previous_period(period)
    return period


def freshness(*, kind: str, latest_period_end: date | None, as_of: date, due_days: int) -> str:
    """``missing`` without a value; ``late`` when the latest value's period ends before the latest period due."""
    if latest_period_end is None:
        return MISSING
    due = latest_due_period(kind, as_of, due_days)
    return LATE if latest_period_end < due.ends_on else CURRENT


def is_open(period_end: date, as_of: date) -> bool:
    """A period is still open (its figures provisional) until its window has ended."""
    return period_end > as_of


def coverage_low(reporters: int | None, expected: int | None, *, threshold: float) -> bool:
    """Whether a province value aggregated from agencies rests on too few of them: figures from fewer than
    ``threshold`` per cent of the agencies expected to report (``PROVINCE_COVERAGE_MIN_PERCENT``). A value from
    one designated agency (``expected`` of one or less) is never low; no value is not low either."""
    if reporters is None or not expected or expected <= 1:
        return False
    return reporters * 100 < threshold * expected

"""Freshness of the data behind a status (issue 11, case 3) and open periods (case 2): pure rules."""

from datetime import date

from indicators.freshness import CURRENT, LATE, MISSING, freshness, is_open, latest_due_period

QUARTER_DUE_DAYS = 10  # settings.REPORT_DUE_DAYS["quarter"]


def test_the_latest_period_due_is_the_last_whose_deadline_has_passed():
    # Quý III/2026 ends 14/09 and is due 24/09: on the 24th it is not yet late, from the 25th it is
    assert latest_due_period("quarter", date(2026, 9, 24), QUARTER_DUE_DAYS).label == "Quý II/2026"
    assert latest_due_period("quarter", date(2026, 9, 25), QUARTER_DUE_DAYS).label == "Quý III/2026"
    assert latest_due_period("year", date(2026, 12, 1), 20).label == "Năm 2025"


def test_stale_data_is_late_not_current():
    # IV.5: data up to Quý II/2026 (14/06/2026), the Q3 report was due 24/09 and never came
    q2_end = date(2026, 6, 14)
    assert freshness(kind="quarter", latest_period_end=q2_end, as_of=date(2026, 9, 20), due_days=10) == CURRENT
    assert freshness(kind="quarter", latest_period_end=q2_end, as_of=date(2026, 11, 26), due_days=10) == LATE
    assert freshness(kind="quarter", latest_period_end=date(2026, 9, 14), as_of=date(2026, 11, 26), due_days=10) == (
        CURRENT
    )


def test_no_value_is_missing_and_an_open_period_is_current():
    assert freshness(kind="year", latest_period_end=None, as_of=date(2026, 11, 26), due_days=20) == MISSING
    # a provisional value of the open year 2026 (ends 14/12/2026) is the freshest there is
    assert freshness(kind="year", latest_period_end=date(2026, 12, 14), as_of=date(2026, 11, 26), due_days=20) == (
        CURRENT
    )
    assert is_open(date(2026, 12, 14), date(2026, 11, 26))
    assert not is_open(date(2026, 12, 14), date(2026, 12, 14))

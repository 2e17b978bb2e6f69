from datetime import date

import pytest

from indicators.periods import period_bounds, period_containing, periods_between


def test_monthly_window_runs_from_the_15th_to_the_14th():
    bounds = period_bounds("month", 2026, 1)
    assert (bounds.starts_on, bounds.ends_on) == (date(2025, 12, 15), date(2026, 1, 14))
    assert bounds.label == "Tháng 1/2026"


@pytest.mark.parametrize(
    ("kind", "number", "start", "end", "label"),
    [
        ("quarter", 1, date(2025, 12, 15), date(2026, 3, 14), "Quý I/2026"),
        ("quarter", 4, date(2026, 9, 15), date(2026, 12, 14), "Quý IV/2026"),
        ("half_year", 1, date(2025, 12, 15), date(2026, 6, 14), "6 tháng đầu năm 2026"),
        ("year", 1, date(2025, 12, 15), date(2026, 12, 14), "Năm 2026"),
    ],
)
def test_longer_windows(kind, number, start, end, label):
    bounds = period_bounds(kind, 2026, number)
    assert (bounds.starts_on, bounds.ends_on, bounds.label) == (start, end, label)


def test_the_15th_belongs_to_the_next_period():
    assert period_containing("month", date(2026, 11, 14)).number == 11
    assert period_containing("month", date(2026, 11, 15)).number == 12
    december = period_containing("month", date(2026, 12, 20))
    assert (december.year, december.number) == (2027, 1)


def test_periods_between_lists_windows_that_end_in_range():
    months = periods_between("month", date(2025, 1, 1), date(2025, 12, 31))
    assert [m.number for m in months] == list(range(1, 13))
    assert [q.label for q in periods_between("quarter", date(2026, 1, 1), date(2026, 6, 30))] == [
        "Quý I/2026",
        "Quý II/2026",
    ]


@pytest.mark.parametrize(("kind", "number"), [("month", 13), ("quarter", 0), ("fortnight", 1)])
def test_invalid_periods_are_rejected(kind, number):
    with pytest.raises(ValueError):
        period_bounds(kind, 2026, number)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Quý IV/2026", ("quarter", 2026, 4)),
        ("quý 3 / 2026", ("quarter", 2026, 3)),
        ("Tháng 12/2026", ("month", 2026, 12)),
        ("Tháng 5 năm 2026", ("month", 2026, 5)),
        ("Năm 2026", ("year", 2026, 1)),
        ("6 tháng đầu năm 2026", ("half_year", 2026, 1)),
        ("6 tháng cuối năm 2026", ("half_year", 2026, 2)),
        ("2026-Q4", ("quarter", 2026, 4)),
    ],
)
def test_the_apps_own_period_labels_are_read_back(text, key):
    from indicators.periods import parse_period_code

    assert parse_period_code(text) == key


@pytest.mark.parametrize("text", ["Quý V/2026", "Tháng 13/2026", "Quý IV", "quý tư 2026"])
def test_impossible_period_labels_are_refused_with_the_accepted_forms(text):
    from indicators.periods import parse_period_code

    with pytest.raises(ValueError, match="Quý II/2026"):
        parse_period_code(text)

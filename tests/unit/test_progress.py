"""The progress engine's arithmetic, on hand-computed cases (the worked examples of docs/progress-method.md).

Years are counted as days / 365.25, so "two years" from 31/12/2026 to 31/12/2028 is 731 / 365.25 = 2.0014
and "four years" to 31/12/2030 is 1461 / 365.25 = 4.0: results are compared to 3 significant digits.
"""

from datetime import date

import pytest

from indicators import progress as p

BASE = date(2026, 12, 31)
TWO_YEARS = date(2028, 12, 31)


def spec(**overrides) -> p.TargetSpec:
    values = {"operator": ">=", "value": 200.0, "year": 2030, "kind": "stock"}
    values.update(overrides)
    return p.TargetSpec(**values)


def series(*pairs) -> list[p.Point]:
    return [p.Point(day, value) for day, value in pairs]


@pytest.mark.parametrize(
    ("latest", "status", "ratio"),
    [
        # required CAGR 100 → 200 in 4 years: 2^(1/4) - 1 = 0.1892
        (150, p.ON_TRACK, 1.188),  # observed 1.5^(1/2) - 1 = 0.2247
        (130, p.ACCELERATE, 0.741),  # 1.3^(1/2) - 1 = 0.1402
        (110, p.LIMITED, 0.258),  # 1.1^(1/2) - 1 = 0.0488
        (90, p.REGRESSING, -0.271),  # 0.9^(1/2) - 1 = -0.0513
    ],
)
def test_growth_ratio_each_band(latest, status, ratio):
    result = p.assess(spec(), series((BASE, 100), (TWO_YEARS, latest)), TWO_YEARS)
    assert result.method == p.GROWTH
    assert result.status == status
    assert result.ratio == pytest.approx(ratio, abs=2e-3)
    assert result.baseline == p.Point(BASE, 100)
    assert result.latest == p.Point(TWO_YEARS, latest)


def test_expected_value_on_the_required_growth_path():
    result = p.assess(spec(), series((BASE, 100), (TWO_YEARS, 150)), TWO_YEARS)
    # 100 × 2^(2.0014/4) = 141.47: the value the path to 200 in 2030 expects now
    assert result.expected_value == pytest.approx(141.47, abs=0.05)
    assert result.explanation["required_rate"] == pytest.approx(0.1892, abs=1e-4)


def test_decreasing_is_better():
    target = spec(operator="<=", value=10.0, direction="decrease")
    # required: (10/40)^(1/4) - 1 = -0.2929; observed (20/40)^(1/2) - 1 = -0.2929 → ratio 1.0
    result = p.assess(target, series((BASE, 40), (TWO_YEARS, 20)), TWO_YEARS)
    assert result.status == p.ON_TRACK
    assert result.ratio == pytest.approx(1.0, abs=2e-3)
    assert result.expected_value == pytest.approx(20.0, abs=0.05)
    rising = p.assess(target, series((BASE, 40), (TWO_YEARS, 45)), TWO_YEARS)
    assert rising.status == p.REGRESSING
    assert p.assess(target, series((BASE, 40), (TWO_YEARS, 9)), TWO_YEARS).status == p.ACHIEVED


def test_met_then_lost_is_moving_away():
    target = spec(value=100.0)
    assert p.assess(target, series((BASE, 110)), BASE).status == p.ACHIEVED
    result = p.assess(target, series((BASE, 110), (TWO_YEARS, 95)), TWO_YEARS)
    assert result.status == p.REGRESSING
    assert result.explanation["reason"] == "met_then_lost"


def test_baseline_zero_uses_gap_closure():
    # linear: observed (4 - 0) / 2.0014 = 1.9986 a year; required (10 - 0) / 4 = 2.5 a year → 0.799
    result = p.assess(spec(value=10.0), series((BASE, 0), (TWO_YEARS, 4)), TWO_YEARS)
    assert result.method == p.LINEAR
    assert result.explanation["linear_because"] == "non_positive"
    assert result.ratio == pytest.approx(0.799, abs=2e-3)
    assert result.status == p.ACCELERATE


def test_single_data_point_has_no_trend():
    result = p.assess(spec(), series((BASE, 100)), TWO_YEARS)
    assert result.status == p.NO_DATA
    assert result.explanation["reason"] == "single_point"
    assert result.latest == p.Point(BASE, 100)


def test_no_data_and_future_points_ignored():
    assert p.assess(spec(), [], TWO_YEARS).status == p.NO_DATA
    # a value dated after the as-of date does not count
    result = p.assess(spec(), series((BASE, 100), (TWO_YEARS, 250)), date(2028, 1, 1))
    assert result.status == p.NO_DATA


def test_the_baseline_does_not_move_as_later_data_arrives():
    # one rule: the last value on or before the plan's start, else the first after it (issue 11, case 7)
    start = date(2026, 4, 22)
    values = series((date(2025, 12, 31), 80), (BASE, 100), (date(2027, 12, 31), 120), (TWO_YEARS, 150))
    baselines = {p.assess(spec(baseline_from=start), values[:n], TWO_YEARS).baseline for n in (2, 3, 4)}
    assert baselines == {p.Point(date(2025, 12, 31), 80)}
    # with nothing before the start, the first value after it, whatever comes later
    later = values[1:]
    assert {p.assess(spec(baseline_from=start), later[:n], TWO_YEARS).baseline for n in (2, 3)} == {p.Point(BASE, 100)}


def test_the_forecast_follows_the_status_method_and_inputs():
    # growth from 100 to 150 in two years (22,46 %/year): the forecast goes on at that rate from 150
    result = p.assess(spec(), series((BASE, 100), (TWO_YEARS, 150)), TWO_YEARS)
    start, end = p.forecast(result.explanation, result.method, result.latest, date(2030, 12, 31))
    assert start == p.Point(TWO_YEARS, 150)
    assert end.value == pytest.approx(150 * (1 + result.explanation["observed_rate"]) ** (730 / 365.25))
    # a slow linear trend stays below the target, as its badge says
    slow = p.assess(spec(kind="ratio", value=100.0), series((BASE, 40), (TWO_YEARS, 45)), TWO_YEARS)
    assert slow.status == p.LIMITED
    assert p.forecast(slow.explanation, slow.method, slow.latest, date(2030, 12, 31))[-1].value < 100


def test_percentages_are_judged_by_gap_closure():
    # 50% → 70% in 2 years: 9.993 points a year against (100 - 50) / 4 = 12.5 → 0.799
    target = spec(kind="ratio", value=100.0)
    result = p.assess(target, series((BASE, 50), (TWO_YEARS, 70)), TWO_YEARS)
    assert result.method == p.LINEAR
    assert result.explanation["linear_because"] == "bounded"
    assert result.ratio == pytest.approx(0.799, abs=2e-3)


def test_ranges():
    target = spec(kind="ratio", operator="range", value=80.0, value_max=90.0)
    # below the range: aim at 80; (70 - 50) / 2.0014 = 9.993 against (80 - 50) / 4 = 7.5 → 1.332
    below = p.assess(target, series((BASE, 50), (TWO_YEARS, 70)), TWO_YEARS)
    assert below.status == p.ON_TRACK
    assert below.ratio == pytest.approx(1.332, abs=2e-3)
    assert p.assess(target, series((BASE, 50), (TWO_YEARS, 85)), TWO_YEARS).status == p.ACHIEVED
    assert p.assess(target, series((BASE, 50), (TWO_YEARS, 90)), TWO_YEARS).status == p.ACHIEVED
    # above the range, coming down towards 90: (95 - 100) / 2.0014 against (90 - 100) / 4 → 0.999
    above = p.assess(target, series((BASE, 100), (TWO_YEARS, 95)), TWO_YEARS)
    assert above.status == p.ON_TRACK
    assert above.explanation["desired_sign"] == -1


def test_strict_above_and_reach():
    above = spec(operator=">", value=50.0)
    assert p.assess(above, series((BASE, 50)), BASE).status != p.ACHIEVED
    assert p.assess(above, series((BASE, 50.01)), BASE).status == p.ACHIEVED
    reach = spec(operator=">=", value=50.0)  # "đạt 50" is parsed as ≥ 50
    assert p.assess(reach, series((BASE, 50)), BASE).status == p.ACHIEVED


def test_thresholds_are_configurable():
    values = series((BASE, 100), (TWO_YEARS, 150))  # ratio 1.188
    strict = spec(thresholds=p.Thresholds(on_track=1.2, accelerate=0.8))
    assert p.assess(strict, values, TWO_YEARS).status == p.ACCELERATE
    assert p.Thresholds.from_config({"on_track": "1.2"}).on_track == 1.2
    with pytest.raises(ValueError):
        p.Thresholds.from_config({"on_track": 0.5, "accelerate": 0.8})


def test_method_can_be_forced():
    values = series((BASE, 100), (TWO_YEARS, 150))
    # linear: 50 / 2.0014 = 24.98 a year against 100 / 4 = 25 → 0.999
    result = p.assess(spec(method=p.LINEAR), values, TWO_YEARS)
    assert result.method == p.LINEAR
    assert result.ratio == pytest.approx(0.999, abs=2e-3)
    assert p.assess(spec(method=p.QUALITATIVE), values, TWO_YEARS).status == p.QUALITATIVE


@pytest.mark.parametrize(
    ("ratio", "status"),
    [
        (0.95, p.ON_TRACK),
        (0.9499, p.ACCELERATE),
        (0.60, p.ACCELERATE),
        (0.5999, p.LIMITED),
        (0.0, p.LIMITED),
        (-0.0001, p.REGRESSING),
    ],
)
def test_each_threshold(ratio, status):
    assert p.classify(ratio, p.Thresholds()) == status


def test_deadline_passed_judges_the_share_of_the_gap_closed():
    result = p.assess(spec(year=2027), series((BASE, 100), (TWO_YEARS, 150)), TWO_YEARS)
    assert result.explanation["reason"] == "deadline_passed"
    assert result.ratio == pytest.approx(0.5)
    assert result.status == p.LIMITED


# Yearly flows: "Mỗi năm có ≥ 24 …". The reporting year 2027 runs 15/12/2026–14/12/2027 (365 days).
FLOW = spec(kind="flow", value=24.0, year=2030)
YEAR_2026 = [(date(2026, 3, 14), 4), (date(2026, 6, 14), 5), (date(2026, 9, 14), 4), (date(2026, 12, 14), 5)]


def test_flow_at_the_start_of_a_year_is_judged_on_the_last_full_year():
    result = p.assess(FLOW, series(*YEAR_2026), date(2027, 1, 10))
    assert result.explanation["reason"] == "last_year"
    assert result.ratio == pytest.approx(18 / 24)
    assert result.status == p.ACCELERATE
    full = series(*YEAR_2026[:3], (date(2026, 12, 14), 11))  # 24 in 2026
    assert p.assess(FLOW, full, date(2027, 1, 10)).status == p.ACHIEVED


def test_flow_in_the_middle_of_a_year_is_prorated():
    # Q1 + Q2 2027 cover 15/12/2026–14/06/2027: 182 of 365 days; expected 24 × 182/365 = 11.967
    behind = series(*YEAR_2026, (date(2027, 3, 14), 5), (date(2027, 6, 14), 6))
    result = p.assess(FLOW, behind, date(2027, 7, 1))
    assert result.explanation["share_of_year"] == pytest.approx(182 / 365, abs=1e-4)
    assert result.expected_value == pytest.approx(11.967, abs=1e-3)
    assert result.ratio == pytest.approx(11 / 11.967, abs=1e-3)
    assert result.status == p.ACCELERATE
    ahead = series(*YEAR_2026, (date(2027, 3, 14), 6), (date(2027, 6, 14), 6))
    assert p.assess(FLOW, ahead, date(2027, 7, 1)).status == p.ON_TRACK


def test_flow_slowing_below_last_year_is_moving_away():
    slow = series(*YEAR_2026, (date(2027, 3, 14), 1), (date(2027, 6, 14), 1))
    result = p.assess(FLOW, slow, date(2027, 7, 1))  # 2 a half-year: 4 a year < 18 last year
    assert result.status == p.REGRESSING


def test_flow_at_the_end_of_a_year():
    year_2027 = [(date(2027, 3, 14), 5), (date(2027, 6, 14), 6), (date(2027, 9, 14), 6), (date(2027, 12, 14), 6)]
    result = p.assess(FLOW, series(*YEAR_2026, *year_2027), date(2027, 12, 14))
    assert result.explanation["share_of_year"] == 1.0
    assert result.ratio == pytest.approx(23 / 24)
    assert result.status == p.ON_TRACK
    # from 15 December the reporting year 2028 has begun: 2027 is the last full year
    after = p.assess(FLOW, series(*YEAR_2026, *year_2027), date(2027, 12, 31))
    assert after.explanation["reason"] == "last_year"
    met = series(*YEAR_2026, *year_2027[:3], (date(2027, 12, 14), 7))
    assert p.assess(FLOW, met, date(2027, 12, 14)).status == p.ACHIEVED


def test_flow_met_before_the_year_ends():
    early = series((date(2027, 3, 14), 20), (date(2027, 6, 14), 5))
    assert p.assess(FLOW, early, date(2027, 7, 1)).status == p.ACHIEVED


def test_province_value_aggregation():
    agg = p.PeriodAggregate(total=30.0, mean=15.0, numerator=30.0, denominator=120.0, count=2, with_denominator=2)
    assert p.province_value("stock", agg) == 30.0
    assert p.province_value("flow", agg) == 30.0
    assert p.province_value("ratio", agg) == 25.0  # 100 × 30 / 120, not the mean of the two percentages
    assert p.province_value("index", agg) == 15.0
    partial = p.PeriodAggregate(total=30.0, mean=15.0, numerator=10.0, denominator=40.0, count=2, with_denominator=1)
    assert p.province_value("ratio", partial) == 15.0


def test_next_unmet_milestone():
    assert p.next_unmet_milestone({2030: True, 2035: False, 2040: False}) == 2035
    assert p.next_unmet_milestone({2030: True}) is None

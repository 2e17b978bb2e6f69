"""The series charts read on a phone (issue 25, case 3): they open on the data and the next milestone with the
whole plan one button away, a share's forecast stops at its ceiling, targets are named in the legend rather than
written over each other, and bars carry their values. Pure functions: no database."""

from datetime import date

import pytest

from dashboards.charts import (
    MilestoneTarget,
    Point,
    breakdown_figure,
    hold_within,
    metric_series_figure,
    time_views,
)
from indicators.validation import value_bounds
from opendata.public_charts import PeriodPoint, TargetMark, public_series_figure

MILESTONES = [2030, 2035, 2040, 2045]


def test_the_chart_opens_on_the_data_and_the_next_milestone_and_offers_the_whole_plan():
    near, full = time_views(first=date(2025, 1, 14), last=date(2026, 11, 14), milestones=MILESTONES)
    assert near["key"] == "near" and near["label"] == "Đến mốc 2030"
    assert near["range"] == ["2024-11-30", "2031-04-30"]
    assert full["label"] == "Đến năm 2045" and full["range"] == ["2024-11-30", "2046-04-30"]
    # data of 2025–26 fill a third of the default span, where they filled a twentieth of the span to 2045
    days = lambda r: (date.fromisoformat(r[1]) - date.fromisoformat(r[0])).days  # noqa: E731
    assert (date(2026, 11, 14) - date(2025, 1, 14)).days / days(near["range"]) > 0.27
    # data past 2040: the next milestone is the last, one span only
    assert [v["key"] for v in time_views(first=date(2041, 1, 1), last=date(2042, 1, 1), milestones=MILESTONES)] == [
        "near"
    ]
    assert time_views(first=date(2025, 1, 1), last=date(2026, 1, 1), milestones=[]) == []


@pytest.mark.parametrize(
    ("line", "bounds", "expected"),
    [
        # 76% rising 12 points a year, to 2030: stops at 100% in July 2028, then runs along it
        (
            [Point(date(2026, 6, 14), 76.0), Point(date(2030, 12, 31), 128.0)],
            (0.0, 100.0),
            [(date(2026, 6, 14), 76.0), (date(2028, 7, 20), 100.0), (date(2030, 12, 31), 100.0)],
        ),
        # falling to below zero: stops at zero
        (
            [Point(date(2026, 1, 1), 10.0), Point(date(2030, 1, 1), -10.0)],
            (0.0, None),
            [(date(2026, 1, 1), 10.0), (date(2028, 1, 1), 0.0), (date(2030, 1, 1), 0.0)],
        ),
        # within the bounds: unchanged
        (
            [Point(date(2026, 1, 1), 10.0), Point(date(2030, 1, 1), 90.0)],
            (0.0, 100.0),
            [(date(2026, 1, 1), 10.0), (date(2030, 1, 1), 90.0)],
        ),
    ],
)
def test_a_forecast_stays_within_the_metrics_bounds(line, bounds, expected):
    assert [(p.day, p.value) for p in hold_within(line, *bounds)] == expected


def test_a_percentage_is_never_foreseen_past_100_and_its_axis_stops_there():
    points = [Point(date(2025, m, 14), 60.0 + 2 * m) for m in range(1, 13)]
    figure = metric_series_figure(
        name="Tỷ lệ hồ sơ số hóa",
        unit="%",
        points=points,
        targets=[MilestoneTarget(y, 100.0, None, "≥ 100%") for y in MILESTONES],
        baseline=points[0],
        first_milestone=MilestoneTarget(2030, 100.0, None, "≥ 100%"),
        projection=[points[-1], Point(date(2030, 12, 31), 190.0)],
        bounds=value_bounds("ratio", 100),
    )
    [trend] = [t for t in figure["data"] if t["name"] == "Dự báo theo xu hướng"]
    assert max(trend["y"]) == 100.0 and trend["x"][-1] == "2030-12-31"
    low, high = figure["layout"]["yaxis"]["range"]
    assert low == 0.0 and 100 < high <= 106
    # targets: named with their value in the legend, no text written on the plot
    targets = [t for t in figure["data"] if t["name"].startswith("Mục tiêu")]
    assert [t["name"] for t in targets] == [f"Mục tiêu {y}: ≥ 100%" for y in MILESTONES]
    assert all(t["mode"] == "markers" and "text" not in t for t in targets)
    # the default span and its y axis; the whole plan is a button away
    assert figure["layout"]["xaxis"]["range"] == figure["views"][0]["range"]
    assert [v["label"] for v in figure["views"]] == ["Đến mốc 2030", "Đến năm 2045"]


def test_the_default_span_is_not_flattened_by_a_far_targets_height():
    points = [Point(date(2025, 12, 14), 200.0), Point(date(2026, 11, 14), 240.0)]
    figure = metric_series_figure(
        name="Doanh nghiệp công nghệ số",
        unit="doanh nghiệp",
        points=points,
        targets=[MilestoneTarget(2030, 400.0, None, "≥ 400"), MilestoneTarget(2045, 5000.0, None, "≥ 5.000")],
        baseline=points[0],
        first_milestone=MilestoneTarget(2030, 400.0, None, "≥ 400"),
        projection=[],
        bounds=value_bounds("stock"),
    )
    near, full = figure["views"]
    assert near["yrange"] == [0.0, 440.0] and full["yrange"] == [0.0, 5500.0]
    assert figure["layout"]["yaxis"]["range"] == near["yrange"]


def test_bars_carry_their_values():
    bars = breakdown_figure([("Phường Phố Hiến", 12.5), ("Xã Nam Tiến", 30.0)], unit="%")
    trace = bars["data"][0]
    assert trace["texttemplate"] == "%{x:,.2~f}" and trace["textposition"] == "outside"
    assert trace["y"] == ["Xã Nam Tiến", "Phường Phố Hiến"]


def test_the_public_chart_names_its_targets_in_the_legend_and_opens_on_the_next_milestone():
    figure = public_series_figure(
        name="x",
        unit="%",
        points=[PeriodPoint(date(2025, 12, 14), 70.0, "Năm 2025", "70%")],
        targets=[TargetMark(2030, 90.0, "≥ 90%"), TargetMark(2035, 100.0, "100%")],
        labels={"value": "Giá trị", "target": "Mục tiêu", "views": "Khoảng thời gian"},
        bounds=value_bounds("ratio", 100),
    )
    names = [t["name"] for t in figure["data"]]
    assert names == ["Giá trị", "Mục tiêu 2030: ≥ 90%", "Mục tiêu 2035: 100%"]
    assert all("text" not in t for t in figure["data"][1:])
    assert figure["layout"]["xaxis"]["range"][1] == "2031-04-30"
    assert figure["layout"]["yaxis"]["range"] == [0.0, 99.0]
    assert figure["views"][1]["yrange"] == [0.0, 106.0]

"""Every word the charts write reads against what it is written on (WCAG 4.5:1). axe-core cannot judge text
inside an SVG drawing (it reports it "incomplete" whatever the colours: tests/browser/axe.py), so the charts'
colours are checked here, where they are chosen."""

from datetime import date

from core.palette import STATUS_COLOURS, contrast_ratio, text_colour_on
from dashboards import charts
from opendata.public_charts import PeriodPoint, TargetMark, public_series_figure

WHITE = "#ffffff"  # the charts' plot and page background


def _figures() -> list[dict]:
    statuses = [(code, code) for code in ("achieved", "on_track", "accelerate", "limited", "regressing", "no_data")]
    points = [charts.Point(date(2025, m, 14), float(m)) for m in range(1, 7)]
    return [
        charts.status_by_group_figure([{"label": "I", "counts": {code: 3 for code, _ in statuses}}], statuses),
        charts.counts_bar_figure([(code, code, 4) for code, _ in statuses]),
        charts.metric_series_figure(
            name="x",
            unit="%",
            points=points,
            targets=[charts.MilestoneTarget(2030, 50.0, None, "≥ 50%")],
            baseline=points[0],
            first_milestone=charts.MilestoneTarget(2030, 50.0, None, "≥ 50%"),
        ),
        charts.breakdown_figure([("A", 1.0), ("B", 2.0)], unit="%"),
        charts.timeline_figure(
            [{"task": "NV 1", "day": date(2026, 5, 31), "status": "overdue", "count": 2}],
            statuses,
            today=date(2026, 6, 1),
        ),
        public_series_figure(
            name="x",
            unit="%",
            points=[PeriodPoint(date(2025, 12, 14), 70.0, "Năm 2025", "70%")],
            targets=[TargetMark(2030, 90.0, "≥ 90%")],
            labels={"value": "v", "target": "t"},
        ),
    ]


def test_axis_legend_and_outside_labels_read_on_white():
    for figure in _figures():
        ink = figure["layout"]["font"]["color"]
        assert contrast_ratio(ink, WHITE) >= 4.5
        for trace in figure["data"]:
            if trace.get("textposition") == "outside":
                assert contrast_ratio(trace["textfont"]["color"], WHITE) >= 4.5


def test_values_written_inside_coloured_bars_read_on_their_bar():
    figure = _figures()[0]
    for trace in figure["data"]:
        bar, text = trace["marker"]["color"], trace["insidetextfont"]["color"]
        assert contrast_ratio(text, bar) >= 4.5, (trace["name"], bar, text)
    for colour in set(STATUS_COLOURS.values()):
        assert contrast_ratio(text_colour_on(colour), colour) >= 4.5, colour

"""Plotly figures for the dashboards, built as plain dicts from plain data.

Pure functions: no ORM, no "today". Figures are drawn in the browser by the vendored plotly.js
(static/js/charts.js adds the Vietnamese locale and the PNG download button).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core.formatting import plotly_separators
from core.palette import STATUS_COLOURS
from indicators.progress import PeriodAggregate, province_value

# The Okabe–Ito colours of static/css/app.css (--ok, --ontrack, --warn, --slow, --bad, --none).
INK = "#1d2430"
TARGET_COLOUR = "#1d2430"
PATH_COLOUR = "#0072b2"
PROJECTION_COLOUR = "#d55e00"


def _layout(**extra) -> dict:
    """Common layout: the reader's separators ("1.200,5" / "1,200.5"), compact margins, legend below the plot."""
    layout = {
        "separators": plotly_separators(),
        "font": {"family": "Segoe UI, Roboto, Noto Sans, Arial, sans-serif", "size": 12, "color": INK},
        "margin": {"l": 50, "r": 12, "t": 12, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#fff",
        "hoverlabel": {"namelength": -1},
    }
    layout.update(extra)
    return layout


def status_by_group_figure(rows: Sequence[dict], statuses: Sequence[tuple[str, str]]) -> dict:
    """Stacked horizontal bars: for each group (rows: {"label", "counts": {status: n}}), targets per status."""
    labels = [row["label"] for row in rows]
    traces = []
    for code, name in statuses:
        counts = [row["counts"].get(code, 0) for row in rows]
        if not any(counts):
            continue
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "y": labels,
                "x": counts,
                "marker": {"color": STATUS_COLOURS.get(code, "#999")},
                "text": [n or "" for n in counts],
                "textposition": "inside",
                "hovertemplate": f"%{{y}}<br>{name}: %{{x}}<extra></extra>",
            }
        )
    layout = _layout(
        barmode="stack",
        legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top", "traceorder": "normal"},
        height=max(220, 46 * len(rows) + 120),
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"title": {"text": _("Số mục tiêu")}, "dtick": 5, "tickformat": ",d"},
        margin={"l": 10, "r": 12, "t": 8, "b": 40},
    )
    return {"data": traces, "layout": layout}


def counts_bar_figure(items: Sequence[tuple[str, str, int]], *, title: str = "") -> dict:
    """One horizontal bar per (status code, label, count): the headline distributions (tasks, reports)."""
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [label for _code, label, _n in items],
                "x": [n for _code, _label, n in items],
                "marker": {"color": [STATUS_COLOURS.get(code, "#999") for code, _label, _n in items]},
                # ",d" groups thousands with the layout's separators: "2.559", on the bars and the axis alike
                "texttemplate": "%{x:,d}",
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x:,d}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=60 + 34 * len(items),
            xaxis={"title": {"text": title}, "rangemode": "tozero", "tickformat": ",d"},
            yaxis={"autorange": "reversed", "automargin": True},
            showlegend=False,
            margin={"l": 10, "r": 30, "t": 8, "b": 40},
        ),
    }


@dataclass(frozen=True)
class Point:
    day: date
    value: float


def figure_value(
    kind: str,
    *,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    scale: int = 100,
) -> float | None:
    """One agency's figure as the province value would count it: a ratio from its numerator and denominator
    when it has them, otherwise its value (the same rule as ``indicators.progress.province_value``)."""
    aggregate = PeriodAggregate(
        total=_float(value),
        mean=_float(value),
        numerator=_float(numerator),
        denominator=_float(denominator),
        count=1,
        with_denominator=0 if denominator is None else 1,
    )
    return province_value(kind, aggregate, scale=scale)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def yearly_totals(points: Sequence[Point]) -> list[Point]:
    """A yearly flow reported per period, summed per calendar year and placed at the year's last report."""
    years: dict[int, Point] = {}
    for point in sorted(points, key=lambda p: p.day):
        previous = years.get(point.day.year)
        years[point.day.year] = Point(point.day, point.value + (previous.value if previous else 0.0))
    return list(years.values())


def trend_projection(points: Sequence[Point], until: date, *, last: int = 8) -> list[Point]:
    """A least-squares line through the last ``last`` points, extended to ``until`` (empty under two points)."""
    recent = list(points)[-last:]
    if len(recent) < 2:
        return []
    xs = [p.day.toordinal() for p in recent]
    ys = [p.value for p in recent]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if not spread:
        return []
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    start = recent[-1].day
    return [
        Point(start, mean_y + slope * (start.toordinal() - mean_x)),
        Point(until, mean_y + slope * (until.toordinal() - mean_x)),
    ]


@dataclass(frozen=True)
class MilestoneTarget:
    year: int
    value: float
    value_max: float | None
    label: str


def metric_series_figure(
    *,
    name: str,
    unit: str,
    points: Sequence[Point],
    targets: Iterable[MilestoneTarget],
    baseline: Point | None,
    first_milestone: MilestoneTarget | None,
    projection: Sequence[Point] | None = None,
) -> dict:
    """Approved province values over time, each milestone target, the required path and the trend."""
    targets = list(targets)
    hover_unit = f" {unit}" if unit else ""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": _("Số liệu đã duyệt"),
            "x": [p.day.isoformat() for p in points],
            "y": [round(p.value, 4) for p in points],
            "line": {"color": INK, "width": 2},
            "marker": {"size": 5},
            "hovertemplate": f"%{{x|%d/%m/%Y}}: %{{y:,.2~f}}{hover_unit}<extra></extra>",
        }
    ]
    for target in targets:
        day = date(target.year, 12, 31).isoformat()
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": _("Mục tiêu %(year)s") % {"year": target.year},
                "x": [day],
                "y": [target.value_max if target.value_max is not None else target.value],
                "text": [target.label],
                "textposition": "top left",
                "marker": {"symbol": "star", "size": 13, "color": TARGET_COLOUR},
                "error_y": (
                    {"type": "data", "symmetric": False, "array": [0], "arrayminus": [target.value_max - target.value]}
                    if target.value_max is not None
                    else {"visible": False}
                ),
                "hovertemplate": f"{_('Mục tiêu')} {target.year}: {target.label}<extra></extra>",
            }
        )
    if baseline and first_milestone:
        end = date(first_milestone.year, 12, 31)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Lộ trình cần đạt"),
                "x": [baseline.day.isoformat(), end.isoformat()],
                "y": [round(baseline.value, 4), first_milestone.value],
                "line": {"color": PATH_COLOUR, "dash": "dash", "width": 2},
                "hovertemplate": f"{_('Lộ trình')}: %{{y:,.2~f}}{hover_unit}<extra></extra>",
            }
        )
    if first_milestone:
        if projection is None:
            projection = trend_projection(points, date(first_milestone.year, 12, 31))
        if projection:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": _("Dự báo theo xu hướng"),
                    "x": [p.day.isoformat() for p in projection],
                    "y": [round(p.value, 4) for p in projection],
                    "line": {"color": PROJECTION_COLOUR, "dash": "dot", "width": 2},
                    "hovertemplate": f"{_('Dự báo')}: %{{y:,.2~f}}{hover_unit}<extra></extra>",
                }
            )
    layout = _layout(
        height=340,
        xaxis={"type": "date", "tickformat": "%m/%Y", "hoverformat": "%d/%m/%Y"},
        yaxis={"title": {"text": unit or name[:40]}, "rangemode": "tozero", "tickformat": ",~r"},
        margin={"l": 56, "r": 16, "t": 12, "b": 40},
    )
    return {"data": data, "layout": layout}


def breakdown_figure(rows: Sequence[tuple[str, float]], *, unit: str) -> dict:
    """Sorted horizontal bars: one agency or commune per bar, the largest on top."""
    rows = sorted(rows, key=lambda row: row[1], reverse=True)
    hover_unit = f" {unit}" if unit else ""
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [name for name, _value in rows],
                "x": [round(value, 4) for _name, value in rows],
                "marker": {"color": PATH_COLOUR},
                "hovertemplate": f"%{{y}}: %{{x:,.2~f}}{hover_unit}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(200, 22 * len(rows) + 80),
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"title": {"text": unit}, "tickformat": ",~r"},
            showlegend=False,
            margin={"l": 10, "r": 16, "t": 8, "b": 40},
        ),
    }


def timeline_figure(points: Sequence[dict], statuses: Sequence[tuple[str, str]], *, today: date) -> dict:
    """Due dates on a time axis, one row per task, one trace per status (points: task, day, status, count)."""
    data = []
    for code, name in statuses:
        chosen = [p for p in points if p["status"] == code]
        if not chosen:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [p["day"].isoformat() for p in chosen],
                "y": [p["task"] for p in chosen],
                "customdata": [p["count"] for p in chosen],
                "marker": {
                    "color": STATUS_COLOURS.get(code, "#999"),
                    "size": 10,
                    "symbol": "diamond" if code in ("overdue", "done_late") else "circle",
                    "line": {"color": INK, "width": 0.5},
                },
                "hovertemplate": f"%{{y}} · %{{x|%d/%m/%Y}}<br>{name}: %{{customdata}}<extra></extra>",
            }
        )
    rows = sorted(
        {p["task"] for p in points}, key=lambda label: int(label.split()[-1]) if label.split()[-1].isdigit() else 0
    )
    layout = _layout(
        height=max(260, 18 * len(rows) + 120),
        xaxis={"type": "date", "tickformat": "%m/%Y", "hoverformat": "%d/%m/%Y"},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": rows,
            "autorange": "reversed",
            "automargin": True,
        },
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": today.isoformat(),
                "x1": today.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": INK, "dash": "dot", "width": 1},
            }
        ],
        annotations=[
            {
                "x": today.isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": _("Hôm nay"),
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 11},
            }
        ],
        margin={"l": 10, "r": 16, "t": 20, "b": 40},
    )
    return {"data": data, "layout": layout}

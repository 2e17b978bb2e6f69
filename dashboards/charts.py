"""Plotly figures for the dashboards, built as plain dicts from plain data.

Pure functions: no ORM, no "today". Figures are drawn in the browser by the vendored plotly.js
(static/js/charts.js adds the Vietnamese locale and the PNG download button).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from core.formatting import plotly_separators
from core.palette import STATUS_COLOURS, text_colour_on
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
                # black or white, whichever reads on the bar (ink on the orange of "Đi xuống" reached only 4:1)
                "insidetextfont": {"color": text_colour_on(STATUS_COLOURS.get(code, "#999999"))},
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
                "textfont": {"color": INK},
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


#: room around the data and the milestone's star, so neither sits on the edge of the chart
_LEAD_IN = timedelta(days=45)
_LEAD_OUT = timedelta(days=120)


def time_views(*, first: date, last: date, milestones: Iterable[int]) -> list[dict]:
    """The spans of time a series chart offers: its data and the next milestone after it, shown first (data of
    2025–26 fill the chart rather than its left twentieth), and the whole plan to its last milestone. One span
    only when the next milestone is the last. Each: a key, a label for its button, and the x-axis range."""
    years = sorted(set(milestones))
    if not years:
        return []
    start = min(first, last) - _LEAD_IN
    upcoming = next((year for year in years if date(year, 12, 31) >= last), years[-1])
    views = [
        {
            "key": "near",
            "label": _("Đến mốc %(year)s") % {"year": upcoming},
            "range": [start.isoformat(), (date(upcoming, 12, 31) + _LEAD_OUT).isoformat()],
        }
    ]
    if upcoming != years[-1]:
        views.append(
            {
                "key": "full",
                "label": _("Đến năm %(year)s") % {"year": years[-1]},
                "range": [start.isoformat(), (date(years[-1], 12, 31) + _LEAD_OUT).isoformat()],
            }
        )
    return views


def hold_within(line: Sequence[Point], lower: float | None, upper: float | None) -> list[Point]:
    """A straight line (its first and last points) kept within the metric's bounds: where it would cross one it
    runs to the bound and on along it (a percentage foreseen past 100% stops at 100%)."""
    if len(line) < 2:
        return list(line)
    start, end = line[0], line[-1]
    for bound, beyond in ((upper, lambda v, b: v > b), (lower, lambda v, b: v < b)):
        if bound is None or not beyond(end.value, bound):
            continue
        if beyond(start.value, bound):
            return [Point(start.day, bound), Point(end.day, bound)]
        share = (bound - start.value) / (end.value - start.value)
        crossing = start.day + timedelta(days=round(share * (end.day - start.day).days))
        return [start, Point(crossing, bound), Point(end.day, bound)]
    return [start, end]


def value_range(values: Sequence[float], upper: float | None) -> list[float]:
    """A y-axis range holding ``values`` from zero (or the lowest below it), with a little room above; a share near
    its ceiling ends just above the ceiling rather than at 120–130%."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if upper is not None and high > 0.9 * upper:
        return [low, round(upper * 1.06, 6)]
    return [low, round(high * 1.1, 6) if high > 0 else 1.0]


def metric_series_figure(
    *,
    name: str,
    unit: str,
    points: Sequence[Point],
    targets: Iterable[MilestoneTarget],
    baseline: Point | None,
    first_milestone: MilestoneTarget | None,
    projection: Sequence[Point] | None = None,
    bounds: tuple[float | None, float | None] = (None, None),
) -> dict:
    """Approved province values over time, each milestone target, the required path and the trend.

    The x axis shows the data and the next milestone first; the figure's ``views`` offer the whole plan (drawn
    as buttons by static/js/charts.js). Each target is named with its value in the legend rather than written
    beside its star, where labels of nearby milestones ran into each other on a phone. The trend stays within
    ``bounds`` (``indicators.validation.value_bounds``)."""
    targets = list(targets)
    lower, upper = bounds
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
    plotted = [(p.day, p.value) for p in points]  # what the y axis must hold, by day
    for target in targets:
        day = date(target.year, 12, 31).isoformat()
        top = target.value_max if target.value_max is not None else target.value
        plotted.append((date(target.year, 12, 31), top))
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Mục tiêu %(year)s: %(target)s") % {"year": target.year, "target": target.label},
                "x": [day],
                "y": [top],
                "marker": {"symbol": "star", "size": 13, "color": TARGET_COLOUR},
                "cliponaxis": False,
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
        projection = hold_within(projection, lower, upper)
        if projection:
            plotted += [(p.day, p.value) for p in projection]
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
    views = []
    if points:
        first = min(points[0].day, baseline.day) if baseline else points[0].day
        views = time_views(first=first, last=points[-1].day, milestones=[t.year for t in targets])
    for view in views:
        start, end = (date.fromisoformat(day) for day in view["range"])
        view["yrange"] = value_range([v for day, v in plotted if start <= day <= end], upper)
    xaxis = {"type": "date", "tickformat": "%m/%Y", "hoverformat": "%d/%m/%Y"}
    yaxis = {"title": {"text": unit or name[:40]}, "rangemode": "tozero", "tickformat": ",~r"}
    if views:
        # the y axis fits what the span shows: a 2045 target far above today's values does not flatten them
        xaxis["range"], yaxis["range"] = views[0]["range"], views[0]["yrange"]
    layout = _layout(height=340, xaxis=xaxis, yaxis=yaxis, margin={"l": 56, "r": 16, "t": 12, "b": 40})
    figure = {"data": data, "layout": layout}
    if len(views) > 1:
        figure["views"] = views
        figure["views_label"] = _("Khoảng thời gian của biểu đồ")
    return figure


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
                # each bar's value written at its end, in the reader's separators
                "texttemplate": "%{x:,.2~f}",
                "textposition": "outside",
                "cliponaxis": False,
                "textfont": {"color": INK},
                "hovertemplate": f"%{{y}}: %{{x:,.2~f}}{hover_unit}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(200, 22 * len(rows) + 80),
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"title": {"text": unit}, "tickformat": ",~r", "rangemode": "tozero"},
            showlegend=False,
            margin={"l": 10, "r": 48, "t": 8, "b": 40},
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


#: at most this many lines or bar groups in the explorer's chart; the table holds the rest
EXPLORER_SERIES = 12


def explorer_figure(
    *, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], over_time: bool, unit: str
) -> dict:
    """The data explorer's chart of its table: a line per series across the periods when the table runs over time,
    else bars, each with its value written on it. Series beyond ``EXPLORER_SERIES`` are left to the table."""
    palette = [PATH_COLOUR, PROJECTION_COLOUR, "#009e73", "#cc79a7", "#e69f00", "#56b4e9", INK, "#999999"]
    hover_unit = f" {unit}" if unit else ""
    data = []
    for index, (name, values) in enumerate(list(series)[:EXPLORER_SERIES]):
        colour = palette[index % len(palette)]
        points = [None if v is None else round(v, 4) for v in values]
        if over_time:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": name,
                    "x": list(categories),
                    "y": points,
                    "connectgaps": True,
                    "line": {"color": colour, "width": 2, "dash": ["solid", "dash", "dot", "dashdot"][index // 8 % 4]},
                    "hovertemplate": f"%{{x}}: %{{y:,.2~f}}{hover_unit}<extra>{name}</extra>",
                }
            )
        else:
            data.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": name,
                    "y": list(categories),
                    "x": points,
                    "marker": {"color": colour},
                    "texttemplate": "%{x:,.2~f}",
                    "textposition": "outside",
                    "cliponaxis": False,
                    "textfont": {"color": INK},
                    "hovertemplate": f"%{{y}}: %{{x:,.2~f}}{hover_unit}<extra>{name}</extra>",
                }
            )
    if over_time:
        layout = _layout(
            # the legend above the plot: below, the periods' slanted labels ran into it on a phone
            height=320 + 18 * len(data),
            legend={"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
            margin={"l": 50, "r": 12, "t": 12, "b": 12},
            xaxis={"type": "category", "automargin": True},
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "tickformat": ",~r", "automargin": True},
        )
    else:
        layout = _layout(
            height=max(220, (18 * len(data) + 8) * len(categories) + 120),
            barmode="group",
            yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
            xaxis={"title": {"text": unit}, "rangemode": "tozero", "tickformat": ",~r"},
            margin={"l": 10, "r": 48, "t": 8, "b": 40},
        )
    layout["showlegend"] = len(data) > 1
    return {"data": data, "layout": layout}

"""The public page's chart: one metric's province values over time, each labelled with its period, and the
plan's targets for each milestone. Pure: plain data in, a Plotly figure (dict) out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core.formatting import plotly_separators
from dashboards.charts import time_views, value_range

INK = "#1d2430"
VALUE_COLOUR = "#0072b2"
TARGET_COLOUR = "#d55e00"


@dataclass(frozen=True)
class PeriodPoint:
    ends_on: date
    value: float
    period: str  # "Quý II/2026"
    text: str  # the value as written, "66,17%"


@dataclass(frozen=True)
class TargetMark:
    year: int
    value: float
    label: str  # "≥ 80%"


def public_series_figure(
    *,
    name: str,
    unit: str,
    points: Sequence[PeriodPoint],
    targets: Sequence[TargetMark],
    labels: dict[str, str],
    bounds: tuple[float | None, float | None] = (None, None),
) -> dict:
    """Values as a line with the period of each in its hover text; targets as diamonds at the end of their year,
    each named with its value in the legend (labels written beside them ran into each other on a phone).

    The x axis shows the data and the next milestone first; ``views`` offer the whole plan (the dashboards'
    ``time_views``, drawn as buttons by static/js/charts.js). ``labels`` carries the translated words ("value",
    "target") so the function stays free of the request."""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": labels["value"],
            "x": [p.ends_on.isoformat() for p in points],
            "y": [round(p.value, 4) for p in points],
            "customdata": [[p.period, p.text] for p in points],
            "line": {"color": VALUE_COLOUR, "width": 2},
            "marker": {"size": 6},
            "hovertemplate": "%{customdata[0]}: <b>%{customdata[1]}</b><extra></extra>",
        }
    ]
    for t in targets:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{labels['target']} {t.year}: {t.label}",
                "x": [date(t.year, 12, 31).isoformat()],
                "y": [t.value],
                "marker": {"symbol": "diamond", "size": 11, "color": TARGET_COLOUR},
                "cliponaxis": False,
                "hovertemplate": f"{t.year}: {t.label}<extra></extra>",
            }
        )
    plotted = [(p.ends_on, p.value) for p in points] + [(date(t.year, 12, 31), t.value) for t in targets]
    views = []
    if points:
        views = time_views(first=points[0].ends_on, last=points[-1].ends_on, milestones=[t.year for t in targets])
    for view in views:
        start, end = (date.fromisoformat(day) for day in view["range"])
        view["yrange"] = value_range([v for day, v in plotted if start <= day <= end], bounds[1])
    layout = {
        "separators": plotly_separators(),
        "font": {"family": "Segoe UI, Roboto, Noto Sans, Arial, sans-serif", "size": 12, "color": INK},
        "height": 300,
        "margin": {"l": 56, "r": 16, "t": 24, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#fff",
        # each year's label spans the year, so a target at 31/12/2030 sits at the end of "2030"
        "xaxis": {"type": "date", "tickformat": "%Y", "ticklabelmode": "period"},
        "yaxis": {"title": {"text": unit or name[:40]}, "rangemode": "tozero", "tickformat": ",~r"},
    }
    if views:
        layout["xaxis"]["range"], layout["yaxis"]["range"] = views[0]["range"], views[0]["yrange"]
    figure = {"data": data, "layout": layout}
    if len(views) > 1:
        figure["views"] = views
        figure["views_label"] = labels.get("views", "")
    return figure

"""The public page's chart: one metric's province values over time, each labelled with its period, and the
plan's targets for each milestone. Pure: plain data in, a Plotly figure (dict) out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core.formatting import plotly_separators

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
    *, name: str, unit: str, points: Sequence[PeriodPoint], targets: Sequence[TargetMark], labels: dict[str, str]
) -> dict:
    """Values as a line with the period of each in its hover text; targets as diamonds at the end of their year.

    ``labels`` carries the translated words ("value", "target") so the function stays free of the request.
    """
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
    if targets:
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": labels["target"],
                "x": [date(t.year, 12, 31).isoformat() for t in targets],
                "y": [t.value for t in targets],
                "text": [f"{t.year}: {t.label}" for t in targets],
                "textposition": "middle left",
                "marker": {"symbol": "diamond", "size": 11, "color": TARGET_COLOUR},
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
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
    return {"data": data, "layout": layout}

"""The progress engine's arithmetic: where one target stands as of a date, and why.

Pure functions: they take a target, the province's series of approved values and an explicit as-of date,
and return a status with every input that explains it. No ORM, no "today". The method is documented with
worked examples in docs/progress-method.md; tests/unit/test_progress.py checks those examples.

- Stocks, ratios, indices, shares: the growth-ratio method of Open SDG (observed compound annual growth from
  the baseline to the latest value over the growth required from the baseline to the target), or the linear
  gap-closure ratio where growth rates mean nothing (baseline 0, percentages and shares, ranges).
- Yearly flows ("Mỗi năm có ≥ 25 …"): the reporting year to date against the target pro-rated by the part of
  the year the figures cover; before the year has any figure, the last full year against the target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import format_vn_number, vn_date

from .periods import YEAR, period_bounds, period_containing

# Statuses: the values of indicators.models.TargetStatus.Status.
ACHIEVED = "achieved"
ON_TRACK = "on_track"
ACCELERATE = "accelerate"
LIMITED = "limited"
REGRESSING = "regressing"
NO_DATA = "no_data"
QUALITATIVE = "qualitative"

# Methods: what Metric.progress_method may say, and what a computed status records.
AUTO = "auto"
GROWTH = "growth"
LINEAR = "linear"
FLOW_YEAR = "flow_year"
METHODS = (AUTO, GROWTH, LINEAR, QUALITATIVE)

# Kinds of metric whose values are percentages or shares: bounded, so growth rates mislead near the ceiling.
_BOUNDED_KINDS = ("ratio", "grdp_share")
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Thresholds:
    """Progress ratios at or above which a target is on track / needs acceleration; below 0 it regresses."""

    on_track: float = 0.95
    accelerate: float = 0.60

    @classmethod
    def from_config(cls, config: dict | None) -> Thresholds:
        config = config or {}
        thresholds = cls(
            on_track=float(config.get("on_track", cls.on_track)),
            accelerate=float(config.get("accelerate", cls.accelerate)),
        )
        if not 0 <= thresholds.accelerate <= thresholds.on_track:
            raise ValueError("Ngưỡng không hợp lệ: cần 0 ≤ ngưỡng “cần tăng tốc” ≤ ngưỡng “đúng lộ trình”.")
        return thresholds


@dataclass(frozen=True)
class TargetSpec:
    """One parsed target and how its metric is judged."""

    operator: str  # ">=", ">", "=", "<=", "<", "range"
    value: float
    year: int
    value_max: float | None = None
    direction: str = "increase"
    kind: str = "stock"
    method: str = AUTO
    thresholds: Thresholds = field(default_factory=Thresholds)
    baseline_from: date | None = None  # the baseline is the first value at or after this date

    @property
    def deadline(self) -> date:
        """Targets are "đến hết năm YYYY": the last day of the milestone year."""
        return date(self.year, 12, 31)


@dataclass(frozen=True)
class Point:
    on: date
    value: float


@dataclass
class Assessment:
    status: str
    method: str = ""
    ratio: float | None = None
    baseline: Point | None = None
    latest: Point | None = None
    expected_value: float | None = None
    explanation: dict = field(default_factory=dict)


def meets(value: float, spec: TargetSpec) -> bool:
    """Whether a value satisfies the target's comparator ("đạt 100%" is parsed as ≥ 100)."""
    op, target = spec.operator, spec.value
    if op == ">=":
        return value >= target
    if op == ">":
        return value > target
    if op == "<=":
        return value <= target
    if op == "<":
        return value < target
    if op == "range":
        return target <= value <= (spec.value_max if spec.value_max is not None else target)
    # "=": reaching the value in the desired direction counts
    return value >= target if spec.direction == "increase" else value <= target


def _aim(spec: TargetSpec, current: float) -> tuple[float, int]:
    """The value to move towards from ``current`` and the sign of the desired movement (+1 up, -1 down)."""
    op = spec.operator
    if op in (">=", ">"):
        return spec.value, 1
    if op in ("<=", "<"):
        return spec.value, -1
    if op == "range":
        high = spec.value_max if spec.value_max is not None else spec.value
        return (spec.value, 1) if current < spec.value else (high, -1)
    return spec.value, 1 if spec.direction == "increase" else -1


def classify(ratio: float, thresholds: Thresholds) -> str:
    """The status a progress ratio earns: ≥ on_track, ≥ accelerate, ≥ 0 (limited), < 0 (moving away)."""
    if ratio >= thresholds.on_track:
        return ON_TRACK
    if ratio >= thresholds.accelerate:
        return ACCELERATE
    if ratio >= 0:
        return LIMITED
    return REGRESSING


def _years(start: date, end: date) -> float:
    return (end - start).days / _DAYS_PER_YEAR


def _point(point: Point | None) -> dict | None:
    return {"date": point.on.isoformat(), "value": point.value} if point else None


def _explain(spec: TargetSpec, as_of: date, **extra) -> dict:
    base = {
        "as_of": as_of.isoformat(),
        "target": {
            "operator": spec.operator,
            "value": spec.value,
            "value_max": spec.value_max,
            "year": spec.year,
            "deadline": spec.deadline.isoformat(),
        },
        "direction": spec.direction,
        "kind": spec.kind,
        "thresholds": {"on_track": spec.thresholds.on_track, "accelerate": spec.thresholds.accelerate},
    }
    base.update(extra)
    return base


def assess(spec: TargetSpec, series: Iterable[Point], as_of: date) -> Assessment:
    """Where ``spec`` stands as of ``as_of`` given the province's approved values (later points are ignored)."""
    if spec.method == QUALITATIVE:
        return Assessment(QUALITATIVE, QUALITATIVE, explanation=_explain(spec, as_of, reason="assessed_by_reviewer"))
    points = sorted((p for p in series if p.on <= as_of), key=lambda p: p.on)
    if not points:
        return Assessment(NO_DATA, explanation=_explain(spec, as_of, reason="no_data"))
    if spec.kind == "flow":
        return _assess_flow(spec, points, as_of)
    return _assess_level(spec, points, as_of)


def _choose_method(spec: TargetSpec, baseline: float, latest: float, aim: float) -> tuple[str, str | None]:
    """The configured method, or for "auto" growth where it means something; with the reason for linear."""
    if spec.method == LINEAR:
        return LINEAR, "configured"
    if spec.method == AUTO:
        if spec.operator == "range":
            return LINEAR, "range"
        if spec.kind in _BOUNDED_KINDS:
            return LINEAR, "bounded"
    if baseline <= 0 or latest <= 0 or aim <= 0:
        return LINEAR, "non_positive"
    return GROWTH, None


def baseline_point(points: list[Point], start: date | None) -> Point:
    """The one baseline rule: the last value on or before the start (where things stood when the plan began),
    or, with none that early, the first value after it. Values arriving later never move it."""
    before = [p for p in points if start is not None and p.on <= start]
    return before[-1] if before else points[0]


def forecast(explanation: dict, method: str, latest: Point | None, until: date) -> list[Point]:
    """The line a status foresees: from its latest value onwards at its observed rate, by its own method
    (compound growth or linear change) and from its own baseline, to ``until``. Empty where the status measured
    no rate (no trend yet, a target met, a passed deadline, a yearly flow)."""
    rate = explanation.get("observed_rate")
    if latest is None or rate is None or explanation.get("reason") not in ("growth_ratio", "gap_closure"):
        return []
    years = _years(latest.on, until)
    if years <= 0:
        return []
    end = latest.value * (1 + rate) ** years if method == GROWTH else latest.value + rate * years
    return [latest, Point(until, end)]


def _assess_level(spec: TargetSpec, points: list[Point], as_of: date) -> Assessment:
    latest = points[-1]
    baseline = baseline_point(points, spec.baseline_from)
    aim, sign = _aim(spec, latest.value)
    common = {"baseline": _point(baseline), "latest": _point(latest), "aim": aim, "desired_sign": sign}

    if meets(latest.value, spec):
        return Assessment(
            ACHIEVED, "", None, baseline, latest, None, _explain(spec, as_of, reason="target_met", **common)
        )
    if baseline.on >= latest.on:
        # One value shows where we are, not where we are heading: no trend can be judged yet.
        return Assessment(
            NO_DATA, "", None, baseline, latest, None, _explain(spec, as_of, reason="single_point", **common)
        )
    if meets(baseline.value, spec):
        # The target was met at the baseline and has since been lost: moving away from it.
        return Assessment(
            REGRESSING, "", None, baseline, latest, None, _explain(spec, as_of, reason="met_then_lost", **common)
        )

    method, why_linear = _choose_method(spec, baseline.value, latest.value, aim)
    t_obs = _years(baseline.on, latest.on)
    t_req = _years(baseline.on, spec.deadline)
    t_now = min(_years(baseline.on, as_of), t_req)
    if t_req <= t_obs:
        # The milestone has passed without being met: judge the share of the gap closed.
        method = LINEAR
        observed = latest.value - baseline.value
        required = aim - baseline.value
        expected = aim
        reason = "deadline_passed"
    elif method == GROWTH:
        observed = (latest.value / baseline.value) ** (1 / t_obs) - 1
        required = (aim / baseline.value) ** (1 / t_req) - 1
        expected = baseline.value * (1 + required) ** t_now
        reason = "growth_ratio"
    else:
        observed = (latest.value - baseline.value) / t_obs
        required = (aim - baseline.value) / t_req
        expected = baseline.value + required * t_now
        reason = "gap_closure"
    ratio = observed / required  # required ≠ 0: the baseline does not meet the target, so aim ≠ baseline
    status = classify(ratio, spec.thresholds)
    explanation = _explain(
        spec,
        as_of,
        reason=reason,
        method=method,
        linear_because=why_linear if method == LINEAR and reason != "deadline_passed" else None,
        observed_rate=observed,
        required_rate=required,
        ratio=ratio,
        years_observed=round(t_obs, 4),
        years_required=round(t_req, 4),
        years_elapsed=round(t_now, 4),
        expected_value=expected,
        **common,
    )
    return Assessment(status, method, ratio, baseline, latest, expected, explanation)


def reporting_year_window(year: int) -> tuple[date, date]:
    """A reporting year under Decree 09: 15 December of the year before to 14 December."""
    bounds = period_bounds(YEAR, year, 1)
    return bounds.starts_on, bounds.ends_on


def year_elapsed_share(year: int, until: date) -> float:
    """The part of reporting ``year`` covered up to ``until`` (0–1)."""
    start, end = reporting_year_window(year)
    covered = (min(until, end) - start + timedelta(days=1)).days
    return max(0.0, min(1.0, covered / ((end - start).days + 1)))


def _assess_flow(spec: TargetSpec, points: list[Point], as_of: date) -> Assessment:
    """Yearly flows: this reporting year to date against the pro-rated target, else the last full year."""
    current_year = period_containing(YEAR, as_of).year
    totals: dict[int, float] = {}
    covered: dict[int, date] = {}
    for p in points:
        year = period_containing(YEAR, p.on).year
        totals[year] = totals.get(year, 0.0) + p.value
        covered[year] = max(covered.get(year, p.on), p.on)
    last_year = current_year - 1
    aim, sign = _aim(spec, totals.get(current_year, totals.get(last_year, 0.0)))
    full = Point(reporting_year_window(last_year)[1], totals[last_year]) if last_year in totals else None
    common = {"last_full_year": last_year, "last_full_year_total": full.value if full else None, "aim": aim}

    if current_year in totals:
        ytd = Point(covered[current_year], totals[current_year])
        share = year_elapsed_share(current_year, ytd.on)
        expected = aim * share
        details = {
            "current_year": current_year,
            "year_to_date": ytd.value,
            "share_of_year": round(share, 4),
            "expected_to_date": expected,
            **common,
        }
        if meets(ytd.value, spec) and (sign > 0 or share >= 1):
            return Assessment(
                ACHIEVED, FLOW_YEAR, None, full, ytd, expected, _explain(spec, as_of, reason="year_met", **details)
            )
        ratio = _flow_ratio(ytd.value, expected, sign)
        status = classify(ratio, spec.thresholds)
        if status == LIMITED and full is not None and share > 0 and _pace_worse(ytd.value / share, full.value, sign):
            status = REGRESSING
        details.update(ratio=ratio, reason="year_to_date")
        return Assessment(status, FLOW_YEAR, ratio, full, ytd, expected, _explain(spec, as_of, **details))

    if full is None:
        return Assessment(NO_DATA, FLOW_YEAR, explanation=_explain(spec, as_of, reason="no_data", **common))
    if meets(full.value, spec):
        return Assessment(
            ACHIEVED, FLOW_YEAR, None, full, full, aim, _explain(spec, as_of, reason="last_year_met", **common)
        )
    ratio = _flow_ratio(full.value, aim, sign)
    status = classify(ratio, spec.thresholds)
    return Assessment(
        status, FLOW_YEAR, ratio, full, full, aim, _explain(spec, as_of, reason="last_year", ratio=ratio, **common)
    )


def _flow_ratio(actual: float, expected: float, sign: int) -> float:
    """Actual over expected (more is better) or expected over actual (less is better)."""
    if sign > 0:
        return actual / expected if expected else 1.0
    return expected / actual if actual else 1.0


def _pace_worse(annualised: float, last_year: float, sign: int) -> bool:
    return annualised < last_year if sign > 0 else annualised > last_year


# --- Aggregating per-agency figures into one province value per period -------------------------------


@dataclass(frozen=True)
class PeriodAggregate:
    """Sums and counts over the approved figures of one metric and period (as the database returns them)."""

    total: float | None
    mean: float | None
    numerator: float | None
    denominator: float | None
    count: int
    with_denominator: int


def province_value(kind: str, agg: PeriodAggregate, scale: float = 100.0) -> float | None:
    """Sum for counts and flows; for ratios collected as numerator/denominator the ratio of sums on the metric's
    scale (Σ numerators / Σ denominators × scale: ×100 for %, ×1 per vạn dân …); the mean otherwise."""
    if kind in ("stock", "flow"):
        return agg.total
    if kind == "ratio" and agg.count and agg.with_denominator == agg.count and agg.denominator:
        return float(scale) * (agg.numerator or 0.0) / agg.denominator
    return agg.mean


def next_unmet_milestone(years_met: dict[int, bool]) -> int | None:
    """The first milestone year (2030, 2035, …) whose targets are not all met."""
    for year in sorted(years_met):
        if not years_met[year]:
            return year
    return None


# --- Why a target has its colour, in words -----------------------------------------------------------------
# The snapshot stores these sentences next to the raw inputs, so pages and the explain_target command show the
# same reasoning without re-deriving it. Strings are gettext-marked; the job computes them in Vietnamese.

_OPERATOR_SIGNS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}
_METHOD_LABELS = {
    GROWTH: gettext_lazy("Tốc độ tăng trưởng bình quân (phương pháp Open SDG)"),
    LINEAR: gettext_lazy("Thu hẹp khoảng cách theo đường thẳng"),
    FLOW_YEAR: gettext_lazy("Số lượng trong năm so với mục tiêu năm"),
    QUALITATIVE: gettext_lazy("Định tính"),
}
_LINEAR_BECAUSE = {
    "configured": gettext_lazy("chỉ số được cấu hình tính tuyến tính"),
    "range": gettext_lazy("mục tiêu là một khoảng"),
    "bounded": gettext_lazy("chỉ số là tỷ lệ, tỷ trọng: tốc độ tăng trưởng không có ý nghĩa"),
    "non_positive": gettext_lazy("giá trị gốc hoặc mục tiêu không dương"),
}


def _num(value: float | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return format_vn_number(round(value, places) + 0.0)


def _with_unit(value: float | None, unit: str, places: int = 2) -> str:
    """ "1.200 doanh nghiệp", "45,5%", "1,45% GRDP": a percent sign sticks to the number, other units do not."""
    if not unit:
        return _num(value, places)
    return f"{_num(value, places)}{'' if unit.startswith('%') else ' '}{unit}"


def _day(text_or_date) -> str:
    day = date.fromisoformat(text_or_date) if isinstance(text_or_date, str) else text_or_date
    return vn_date(day)


def target_phrase(spec: TargetSpec, unit: str = "") -> str:
    """The target as people write it: "≥ 0,75", "trong khoảng 80–90 %"."""
    if spec.operator == "range":
        high = spec.value_max if spec.value_max is not None else spec.value
        return _("trong khoảng %(low)s–%(high)s") % {"low": _num(spec.value), "high": _with_unit(high, unit)}
    return f"{_OPERATOR_SIGNS.get(spec.operator, spec.operator)} {_with_unit(spec.value, unit)}"


def verdict(status: str, ratio: float | None, thresholds: Thresholds) -> str:
    """Which band the ratio falls in, e.g. "tỷ số 1,19 ≥ 0,95: đúng lộ trình"."""
    on_track, accelerate = _num(thresholds.on_track), _num(thresholds.accelerate)
    values = {"ratio": _num(ratio), "on_track": on_track, "accelerate": accelerate}
    if status == ON_TRACK:
        return _("tỷ số %(ratio)s ≥ %(on_track)s: đúng lộ trình") % values
    if status == ACCELERATE:
        return _("tỷ số %(ratio)s, từ %(accelerate)s đến dưới %(on_track)s: cần tăng tốc") % values
    if status == LIMITED:
        return _("tỷ số %(ratio)s, dưới %(accelerate)s: tiến triển chậm") % values
    if ratio is not None and ratio >= 0:
        return _("tỷ số %(ratio)s nhưng nhịp năm nay thấp hơn năm trước: đi xuống") % values
    return _("tỷ số %(ratio)s < 0: đang đi xa mục tiêu") % values


def _rate(value: float, method: str, unit: str) -> str:
    """A yearly rate: growth in % a year, linear change in the metric's unit a year."""
    size = abs(value)
    if method == GROWTH:
        return _("%(rate)s%%/năm") % {"rate": _num(size * 100, 1)}
    if unit.startswith("%"):
        # percentages closing a gap move by percentage points, not by per cent
        return _("%(rate)s điểm %%/năm") % {"rate": _num(size)}
    return _("%(rate)s/năm") % {"rate": _with_unit(size, unit)}


def _movement(value: float, method: str, unit: str) -> str:
    """ "tăng bình quân 2,3%/năm", "giảm bình quân 0,5 %/năm", "không thay đổi"."""
    if value > 0:
        return _("tăng bình quân %(rate)s") % {"rate": _rate(value, method, unit)}
    if value < 0:
        return _("giảm bình quân %(rate)s") % {"rate": _rate(value, method, unit)}
    return _("không thay đổi")


def explain_vi(spec: TargetSpec, result: Assessment, *, unit: str = "", labels: dict[date, str] | None = None) -> dict:
    """The reasoning behind ``result`` in plain Vietnamese: ``{"summary": str, "items": [[label, value], …]}``.

    ``summary`` is one or two sentences a Steering Committee member can read aloud; ``items`` are the labelled
    inputs (baseline, latest, required and observed rates, ratio, method) for whoever wants to check the sums.
    """
    info = result.explanation
    reason = info.get("reason", "")
    target = target_phrase(spec, unit)
    if spec.kind == "flow":
        goal = _("%(target)s mỗi năm (mốc %(year)s)") % {"target": target, "year": spec.year}
    else:
        goal = _("%(target)s vào cuối năm %(year)s") % {"target": target, "year": spec.year}
    items: list[list[str]] = [[str(_("Mục tiêu")), goal]]
    base, last = result.baseline, result.latest

    def point(p: Point) -> str:
        # dated the way people speak: by its period ("Năm 2023", "Quý III/2026"), else by its day
        when = (labels or {}).get(p.on) or _day(p.on)
        return f"{_with_unit(p.value, unit)} ({when})"

    if reason == "assessed_by_reviewer":
        summary = _("Chỉ tiêu định tính: Văn phòng Thường trực đánh giá theo từng kỳ báo cáo.")
    elif reason == "no_data" and spec.kind == "flow":
        summary = _("Chưa có số liệu đã duyệt của năm nay và năm trước: chưa đánh giá được.")
    elif reason == "no_data":
        summary = _("Chưa có số liệu đã duyệt đến ngày %(day)s: chưa đánh giá được.") % {"day": _day(info["as_of"])}
    elif reason == "single_point" and (labels or {}).get(last.on):
        summary = _("Từ giá trị gốc %(value)s chưa có số liệu mới hơn: chưa đủ để tính xu hướng.") % {
            "value": point(last)
        }
    elif reason == "single_point":
        summary = _("Mới có một số liệu (%(value)s ngày %(day)s): chưa đủ để tính xu hướng.") % {
            "value": _with_unit(last.value, unit),
            "day": _day(last.on),
        }
        items.append([str(_("Giá trị mới nhất")), point(last)])
    elif reason == "target_met":
        summary = _("Giá trị mới nhất %(latest)s đã đạt mục tiêu %(goal)s.") % {"latest": point(last), "goal": goal}
        items += [[str(_("Giá trị gốc")), point(base)], [str(_("Giá trị mới nhất")), point(last)]]
    elif reason == "met_then_lost":
        summary = _(
            "Giá trị gốc %(base)s đã đạt mục tiêu %(target)s, nhưng giá trị mới nhất %(latest)s không còn đạt: "
            "đang đi xa mục tiêu."
        ) % {"base": point(base), "target": target, "latest": point(last)}
        items += [[str(_("Giá trị gốc")), point(base)], [str(_("Giá trị mới nhất")), point(last)]]
    elif reason in ("growth_ratio", "gap_closure"):
        method = info["method"]
        required, observed = info["required_rate"], info["observed_rate"]
        summary = _(
            "Giá trị gốc %(base)s, mới nhất %(latest)s. Để đạt %(goal)s cần %(need)s; thực tế %(seen)s → %(verdict)s."
        ) % {
            "base": point(base),
            "latest": point(last),
            "goal": goal,
            "need": _movement(required, method, unit),
            "seen": _movement(observed, method, unit),
            "verdict": verdict(result.status, result.ratio, spec.thresholds),
        }
        items += [
            [str(_("Giá trị gốc")), point(base)],
            [str(_("Giá trị mới nhất")), point(last)],
            [str(_("Cần đạt")), _movement(required, method, unit)],
            [str(_("Thực tế")), _movement(observed, method, unit)],
            [str(_("Giá trị cần có đến nay")), _with_unit(result.expected_value, unit)],
            [str(_("Tỷ số tiến độ")), _num(result.ratio)],
        ]
        how = str(_METHOD_LABELS[method])
        if info.get("linear_because"):
            how = f"{how} ({_LINEAR_BECAUSE.get(info['linear_because'], info['linear_because'])})"
        items.append([str(_("Cách tính")), how])
    elif reason == "deadline_passed":
        closed = result.ratio * 100 if result.ratio is not None else None
        summary = _(
            "Mốc %(deadline)s đã qua mà chưa đạt %(target)s: từ giá trị gốc %(base)s đến mới nhất %(latest)s "
            "mới thu hẹp được %(closed)s%% khoảng cách → %(verdict)s."
        ) % {
            "deadline": _day(spec.deadline),
            "target": target,
            "base": point(base),
            "latest": point(last),
            "closed": _num(closed, 0),
            "verdict": verdict(result.status, result.ratio, spec.thresholds),
        }
        items += [
            [str(_("Giá trị gốc")), point(base)],
            [str(_("Giá trị mới nhất")), point(last)],
            [str(_("Tỷ số tiến độ")), _num(result.ratio)],
        ]
    elif reason in ("year_met", "year_to_date"):
        values = {
            "year": info["current_year"],
            "day": _day(last.on),
            "share": _num(info["share_of_year"] * 100, 0),
            "ytd": _with_unit(info["year_to_date"], unit),
            "expected": _with_unit(info["expected_to_date"], unit),
            "target": target,
        }
        if reason == "year_met":
            summary = _("Năm %(year)s, tính đến %(day)s đã đạt %(ytd)s: đạt mục tiêu mỗi năm %(target)s.") % values
        else:
            values["verdict"] = verdict(result.status, result.ratio, spec.thresholds)
            summary = (
                _(
                    "Năm %(year)s, tính đến %(day)s (%(share)s%% thời gian của năm) đạt %(ytd)s; theo tỷ lệ thời gian "
                    "cần khoảng %(expected)s để đạt mục tiêu mỗi năm %(target)s → %(verdict)s."
                )
                % values
            )
        items += [
            [str(_("Lũy kế năm %(year)s") % values), f"{values['ytd']} ({values['day']})"],
            [str(_("Cần có đến nay")), values["expected"]],
        ]
        if info.get("last_full_year_total") is not None:
            items.append(
                [
                    str(_("Cả năm %(year)s") % {"year": info["last_full_year"]}),
                    _with_unit(info["last_full_year_total"], unit),
                ]
            )
        if result.ratio is not None:
            items.append([str(_("Tỷ số tiến độ")), _num(result.ratio)])
    elif reason in ("last_year_met", "last_year"):
        values = {
            "year": info["last_full_year"],
            "total": _with_unit(info["last_full_year_total"], unit),
            "target": target,
            "now": info["last_full_year"] + 1,
        }
        if reason == "last_year_met":
            summary = (
                _("Năm %(year)s đạt %(total)s, đạt mục tiêu mỗi năm %(target)s; năm %(now)s chưa có số liệu.") % values
            )
        else:
            values["verdict"] = verdict(result.status, result.ratio, spec.thresholds)
            summary = (
                _(
                    "Năm %(year)s đạt %(total)s so với mục tiêu mỗi năm %(target)s → %(verdict)s; "
                    "năm %(now)s chưa có số liệu."
                )
                % values
            )
        items.append([str(_("Cả năm %(year)s") % values), values["total"]])
        if result.ratio is not None:
            items.append([str(_("Tỷ số tiến độ")), _num(result.ratio)])
    else:
        summary = ""
    if reason not in ("growth_ratio", "gap_closure") and result.method in _METHOD_LABELS:
        items.append([str(_("Cách tính")), str(_METHOD_LABELS[result.method])])
    return {"summary": str(summary), "items": items}


CONFIDENT = "confident"


def confidence_disagrees(confidence: str, computed: set[str]) -> bool:
    """Whether an agency's confidence in a metric contradicts its targets' computed statuses: "confident" while a
    target is limited or regressing, or doubtful while every target is achieved or on track."""
    if not confidence:
        return False
    if confidence == CONFIDENT:
        return bool(computed & {LIMITED, REGRESSING})
    return bool(computed) and computed <= {ACHIEVED, ON_TRACK}


# --- How a metric's targets get their colour, in words (indicator pages and the API show it as metadata) -------


def method_description(*, kind: str, method: str, thresholds: dict | None) -> str:
    """The rule the engine applies to a metric's targets, as a reader is told it: which comparison, and the
    progress ratios that make a target on track or in need of acceleration."""
    if method == QUALITATIVE:
        return _("Định tính: cơ quan thường trực đánh giá mức đạt của từng ô mục tiêu.")
    if kind == "flow":
        rule = _(
            "Số lượng trong năm: lũy kế từ đầu năm so với phần mục tiêu năm cần đạt đến nay; năm đã qua so tổng năm "
            "với mục tiêu."
        )
    elif method == LINEAR or (method == AUTO and kind in _BOUNDED_KINDS):
        rule = _(
            "Thu hẹp khoảng cách theo đường thẳng: so phần đã tiến từ giá trị gốc về mục tiêu với phần cần tiến "
            "đến nay để đạt đúng hạn."
        )
    else:
        rule = _(
            "Tốc độ tăng trưởng bình quân (phương pháp Open SDG): so tốc độ tăng trưởng kép thực tế với tốc độ cần "
            "có để đạt mục tiêu đúng hạn (tính theo đường thẳng khi mục tiêu là một khoảng, hoặc giá trị gốc, mục "
            "tiêu không dương)."
        )
    try:
        limits = Thresholds.from_config(thresholds)
    except (TypeError, ValueError):
        limits = Thresholds()
    levels = _(
        "Đúng lộ trình khi tỷ số tiến độ từ %(on_track)s, cần tăng tốc từ %(accelerate)s, thấp hơn là tiến triển "
        "chậm, âm là đi xuống. Chỉ số liệu đã duyệt được tính."
    ) % {"on_track": _num(limits.on_track), "accelerate": _num(limits.accelerate)}
    return f"{rule} {levels}"

"""Where every target stands as of a date: the one computation behind every page, report, API and command.

``target_statuses_compute`` judges the targets as of any date from the approved figures (nothing is stored);
``target_statuses_recompute`` (services) stores its result as the snapshot of that date; ``target_statuses_at``
is what every reader calls: the stored snapshot when it is the latest and complete, otherwise the same
computation on demand — so the overview, an indicator page, a periodic report, the public page, the API and
``explain_target`` cannot disagree. docs/progress-method.md ("As-of history") explains the rule.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from core.formatting import dated_value, period_phrase

from . import freshness, progress, readings
from .models import ParsedTarget, Period, Plan, TargetStatus
from .periods import YEAR, period_bounds
from .selectors import PeriodValue, plan_current, province_period_values, target_spec


def _decimal(value: float | None) -> Decimal | None:
    if value is None or not math.isfinite(value):
        return None
    return Decimal(repr(value)).quantize(Decimal("0.000001"))


def parsed_targets_in_force(*, as_of: date, plan: Plan | None = None, metric_ids=None) -> list[ParsedTarget]:
    """The measurable targets in force on ``as_of`` (of ``plan``, or of ``metric_ids``): what the engine judges on
    that day, so that a target raised from a date is not "behind" before it (one query)."""
    parsed = ParsedTarget.objects.in_force(as_of).select_related("metric__plan", "target__indicator__group")
    if plan is not None:
        parsed = parsed.filter(metric__plan=plan)
    if metric_ids is not None:
        parsed = parsed.filter(metric_id__in=list(metric_ids))
    return list(parsed.order_by("metric_id", "target__year", "pk"))


def target_statuses_compute(
    *,
    as_of: date,
    plan: Plan | None = None,
    metric_ids=None,
    parsed_targets: list[ParsedTarget] | None = None,
    values: dict[int, list[PeriodValue]] | None = None,
    reading: str = readings.CURRENT,
) -> list[TargetStatus]:
    """The status of every parsed target in force on ``as_of`` (of ``plan``, or of ``metric_ids``) as of that day,
    as unsaved rows: each target judged by the aim in force then.
    For a past ``as_of``, ``reading`` says which figures count (``indicators.readings``).

    Reads only: one grouped query for the province values (``province_period_values``, unless ``values`` are
    given), one for the targets and one for the periods of the latest values. Each row carries the status, the
    freshness of its data and its latest value with that value's period (provisional while the period is open).
    """
    if parsed_targets is None:
        parsed_targets = parsed_targets_in_force(as_of=as_of, plan=plan, metric_ids=metric_ids)
    if values is None:
        values = province_period_values(as_of=as_of, metric_ids={p.metric_id for p in parsed_targets}, reading=reading)
    by_day = {metric_id: {v.on: v for v in items} for metric_id, items in values.items()}
    periods = Period.objects.in_bulk({v.period_id for items in values.values() for v in items})
    with translation.override(settings.LANGUAGE_CODE):
        period_labels = {pk: period.label for pk, period in periods.items()}  # once a period, not once a point
        labels = {
            metric_id: {v.on: period_phrase(period_labels[v.period_id], v.provisional, v.on) for v in items}
            for metric_id, items in values.items()
        }
    rows: list[TargetStatus] = []
    milestones: dict[int, dict[int, bool]] = {}
    for item in parsed_targets:
        metric = item.metric
        spec = target_spec(item, plan_start=metric.plan.issued_on)
        series = [progress.Point(v.on, v.value) for v in values.get(metric.pk, [])]
        result = progress.assess(spec, series, as_of)
        with translation.override(settings.LANGUAGE_CODE):
            result.explanation.update(
                progress.explain_vi(spec, result, unit=metric.unit, labels=labels.get(metric.pk, {}))
            )
        latest = by_day.get(metric.pk, {}).get(result.latest.on) if result.latest else None
        # freshness is about the data, not the judgement: the latest approved value up to the as-of date
        newest = next((v for v in reversed(values.get(metric.pk, [])) if v.on <= as_of), None)
        fresh = freshness.freshness(
            kind=metric.period_kind,
            latest_period_end=newest.ends_on if newest else None,
            as_of=as_of,
            due_days=settings.REPORT_DUE_DAYS[metric.period_kind],
        )
        met = milestones.setdefault(metric.pk, {})
        met[spec.year] = met.get(spec.year, True) and result.status == TargetStatus.Status.ACHIEVED
        row = TargetStatus(
            parsed_target=item,
            as_of=as_of,
            status=result.status,
            method=result.method,
            ratio=_decimal(result.ratio),
            baseline_value=_decimal(result.baseline.value) if result.baseline else None,
            baseline_date=result.baseline.on if result.baseline else None,
            latest_value=_decimal(result.latest.value) if result.latest else None,
            latest_date=result.latest.on if result.latest else None,
            latest_period_id=latest.period_id if latest else None,
            latest_provisional=bool(latest and latest.provisional),
            latest_reporters=latest.reporters if latest else None,
            latest_expected=latest.expected if latest else None,
            freshness=fresh,
            expected_value=_decimal(result.expected_value),
            explanation=result.explanation,
        )
        rows.append(row)
    for row in rows:
        row.explanation["next_unmet_milestone"] = progress.next_unmet_milestone(milestones[row.parsed_target.metric_id])
    for row in rows:
        if row.latest_period_id:
            row.latest_period = periods[row.latest_period_id]
    return rows


def statuses_stored() -> bool:
    """Whether a recompute has stored statuses (until then every page computes them from the approved figures)."""
    return TargetStatus.objects.exists()


def latest_snapshot_day(plan: Plan) -> date | None:
    return TargetStatus.objects.filter(parsed_target__metric__plan=plan).aggregate(day=Max("as_of"))["day"]


def target_statuses_at(
    *, as_of: date | None = None, plan: Plan | None = None, reading: str = readings.DEFAULT
) -> list[TargetStatus]:
    """Every target of ``plan`` as of ``as_of`` (default: the latest snapshot, else today): the stored snapshot
    when ``as_of`` is its day and it is complete (on that day both readings agree), otherwise computed on demand
    in the ``reading`` asked for (``indicators.readings``; nothing is written)."""
    plan = plan or plan_current()
    if plan is None:
        return []
    snapshot_day = latest_snapshot_day(plan)
    if as_of is None:
        as_of = snapshot_day or timezone.localdate()
    if snapshot_day == as_of:
        rows = list(
            TargetStatus.objects.filter(parsed_target__metric__plan=plan, as_of=as_of).select_related(
                "parsed_target__metric", "parsed_target__target__indicator__group", "latest_period"
            )
        )
        wanted = set(ParsedTarget.objects.in_force(as_of).filter(metric__plan=plan).values_list("pk", flat=True))
        if {row.parsed_target_id for row in rows} == wanted:
            for row in rows:
                row.parsed_target.metric.plan = plan  # every row's: the plan asked for
            return _shared(rows)
    return _shared(target_statuses_compute(as_of=as_of, plan=plan, reading=reading))


def _shared(rows: list[TargetStatus]) -> list[TargetStatus]:
    """The rows with one instance of each plan, metric, target, indicator, group and period between them (read
    with ``select_related``, each row has copies of its own). The dashboards keep these rows in the cache and
    every page build reads them back: the shared instances are pickled once, a third less to store and half the
    time to read."""
    seen: dict[tuple[type, int], object] = {}

    def one(instance):
        return seen.setdefault((type(instance), instance.pk), instance)

    for row in rows:
        parsed = row.parsed_target
        parsed.metric = one(parsed.metric)
        parsed.metric.plan = one(parsed.metric.plan)
        parsed.target = one(parsed.target)
        parsed.target.indicator = one(parsed.target.indicator)
        parsed.target.indicator.group = one(parsed.target.indicator.group)
        if row.latest_period_id:
            row.latest_period = one(row.latest_period)
    return rows


def _latest_period(row: TargetStatus) -> tuple[str | None, bool]:
    """The label of the latest value's period and whether it is provisional. A yearly flow's latest value is a
    year's total: "Năm 2025", or for the year under way its total so far, provisional until the year ends."""
    info = row.explanation or {}
    if row.method == progress.FLOW_YEAR and info.get("reason") in ("year_to_date", "year_met"):
        return period_bounds(YEAR, info["current_year"], 1).label, True
    if row.method == progress.FLOW_YEAR and info.get("reason") in ("last_year", "last_year_met"):
        return period_bounds(YEAR, info["last_full_year"], 1).label, False
    return (row.latest_period.label if row.latest_period_id else None), bool(row.latest_provisional)


def coverage(row: TargetStatus) -> dict | None:
    """The coverage of a status's latest value: from how many agencies' figures it is computed, of how many
    expected, and whether that is too few (``PROVINCE_COVERAGE_MIN_PERCENT``); None without a value."""
    if row.latest_value is None or row.latest_reporters is None:
        return None
    expected = max(row.latest_expected or 0, row.latest_reporters)
    return {
        "reporters": row.latest_reporters,
        "expected": expected,
        "low": freshness.coverage_low(row.latest_reporters, expected, threshold=settings.PROVINCE_COVERAGE_MIN_PERCENT),
    }


def latest_claim(row: TargetStatus) -> dict | None:
    """The latest value a status rests on, as the contract names it: value, period label, provisional, and its
    coverage."""
    if row.latest_value is None:
        return None
    period, provisional = _latest_period(row)
    return {
        "value": float(row.latest_value),
        "period": period,
        "provisional": provisional,
        "date": row.latest_date.isoformat() if row.latest_date else None,
        "coverage": coverage(row),
    }


#: a status without a judgement although it has a value: one point, no trend yet
INSUFFICIENT_LABEL = gettext_lazy("Chưa đủ số liệu để tính xu hướng")


def status_label(row: TargetStatus | None) -> str:
    """A status in words. "Chưa có số liệu" only where there is no value: a target with one approved value has no
    trend to judge yet ("Chưa đủ số liệu để tính xu hướng"), which is not the same thing."""
    if row is None:
        return str(TargetStatus.Status.NO_DATA.label)
    if row.status == TargetStatus.Status.NO_DATA and row.latest_value is not None:
        return str(INSUFFICIENT_LABEL)
    return str(TargetStatus.Status(row.status).label)


def status_claim(row: TargetStatus) -> dict:
    """What every surface must agree on for one target: its status, the freshness of its data, its latest value
    with its period, provisional mark and coverage."""
    return {
        "status": row.status,
        "status_label": status_label(row),
        "freshness": row.freshness,
        "latest": latest_claim(row),
    }


def latest_text(row: TargetStatus, unit: str) -> str:
    """The latest value of a status with its unit and period (and the provisional mark)."""
    if row.latest_value is None:
        return ""
    period, provisional = _latest_period(row)
    return dated_value(row.latest_value, unit, period, provisional=provisional, through=row.latest_date)


def final_on(row: TargetStatus) -> date | None:
    """When a provisional latest value becomes final: the day its period closes."""
    return row.latest_period.ends_on if row.latest_provisional and row.latest_period_id else None

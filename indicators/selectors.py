"""Reads for the plan: the structures pages, commands and exports show."""

from __future__ import annotations

from django.db.models import Avg, Count, Max, Prefetch, Sum

from tasks.models import Task

from . import progress
from .models import (
    AgencyAssessment,
    Indicator,
    IndicatorGroup,
    Metric,
    Observation,
    ParsedTarget,
    Plan,
    SubmissionStatus,
    Target,
    TargetStatus,
)


def plan_current() -> Plan | None:
    """The plan the dashboard shows: the most recently issued one."""
    return Plan.objects.order_by("-issued_on", "-pk").first()


def _decimal(value):
    if value is None:
        return None
    normalized = value.normalize()
    return int(normalized) if normalized == normalized.to_integral_value() else float(normalized)


def plan_groups_with_indicators(plan: Plan) -> list[IndicatorGroup]:
    """Groups, their indicators, the indicators' cells and each cell's parsed targets, in four queries."""
    parsed = ParsedTarget.objects.select_related("metric").order_by("position")
    targets = Target.objects.order_by("year").prefetch_related(Prefetch("parsed_targets", queryset=parsed))
    indicators = Indicator.objects.order_by("number").prefetch_related(Prefetch("targets", queryset=targets))
    return list(plan.indicator_groups.order_by("order").prefetch_related(Prefetch("indicators", queryset=indicators)))


def plan_export(plan: Plan) -> dict:
    """The loaded plan as plain data (the schema is documented in docs/export-schema.md)."""
    indicators = []
    for group in plan_groups_with_indicators(plan):
        for indicator in group.indicators.all():
            indicators.append(
                {
                    "code": indicator.code,
                    "group": group.code,
                    "group_title": group.title,
                    "number": indicator.number,
                    "lead_agencies": indicator.lead_names,
                    "cells": [
                        {
                            "year": target.year,
                            "text": target.text,
                            "qualitative": target.qualitative,
                            "targets": [
                                {
                                    "metric": parsed.metric.code,
                                    "operator": parsed.operator,
                                    "value": _decimal(parsed.value),
                                    "value_max": _decimal(parsed.value_max),
                                    "unit": parsed.metric.unit,
                                }
                                for parsed in target.parsed_targets.all()
                            ],
                        }
                        for target in indicator.targets.all()
                    ],
                }
            )
    tasks = [
        {
            "number": task.number,
            "group": task.group.code,
            "title": task.title,
            "result": task.result,
            "lead_agencies": task.lead_names,
            "cooperating_agencies": task.cooperating_names,
            "deadline_text": task.deadline_text,
            "schedule": {
                "kind": task.schedule_kind,
                "due": task.due_on.isoformat() if task.due_on else None,
                "rule": task.rule or None,
                "starts": task.starts_on.isoformat() if task.starts_on else None,
                "ends": task.ends_on.isoformat() if task.ends_on else None,
            },
        }
        for task in Task.objects.filter(plan=plan).select_related("group").order_by("number")
    ]
    metrics = [
        {
            "code": m.code,
            "name": m.name,
            "unit": m.unit,
            "kind": m.kind,
            "direction": m.direction,
            "frequency": m.frequency,
            "collection": m.collection,
        }
        for m in plan.metrics.order_by("code")
    ]
    return {
        "plan": {
            "code": plan.code,
            "title": plan.title,
            "province": plan.province,
            "issued_on": plan.issued_on.isoformat(),
            "milestones": plan.milestones,
        },
        "metrics": metrics,
        "indicators": indicators,
        "tasks": tasks,
    }


def observations_approved():
    """The figures that count: only approved values feed progress, dashboards and reports."""
    return Observation.objects.filter(status=SubmissionStatus.APPROVED)


def province_series(*, as_of, metric_ids=None) -> dict[int, list[progress.Point]]:
    """Per metric, the province value of every period up to ``as_of``: ONE grouped query over approved figures.

    Per-agency figures are summed (counts, flows), combined as a ratio of sums (ratios entered as numerator and
    denominator) or averaged (indices, shares) by ``progress.province_value``. Only periods of the metric's own
    reporting frequency count; a metric with none uses the kind of period it has most figures for.
    """
    metrics = Metric.objects.all()
    if metric_ids is not None:
        metrics = metrics.filter(pk__in=metric_ids)
    info = {m["pk"]: m for m in metrics.values("pk", "kind", "frequency")}
    rows = (
        observations_approved()
        .filter(metric_id__in=list(info), period__ends_on__lte=as_of)
        .values("metric_id", "period__kind", "period__ends_on")
        .annotate(
            total=Sum("value"),
            mean=Avg("value"),
            num=Sum("numerator"),
            den=Sum("denominator"),
            n=Count("id"),
            n_den=Count("denominator"),
        )
        .order_by()
    )
    by_metric: dict[int, dict[str, list[progress.Point]]] = {}
    for row in rows:
        kind = info[row["metric_id"]]["kind"]
        value = progress.province_value(
            kind,
            progress.PeriodAggregate(
                total=_float(row["total"]),
                mean=_float(row["mean"]),
                numerator=_float(row["num"]),
                denominator=_float(row["den"]),
                count=row["n"],
                with_denominator=row["n_den"],
            ),
        )
        if value is not None:
            point = progress.Point(row["period__ends_on"], value)
            by_metric.setdefault(row["metric_id"], {}).setdefault(row["period__kind"], []).append(point)
    series = {}
    for metric_id, by_kind in by_metric.items():
        own = Metric(frequency=info[metric_id]["frequency"]).period_kind
        points = by_kind.get(own) or max(by_kind.values(), key=len)
        series[metric_id] = sorted(points, key=lambda p: p.on)
    return series


def _float(value) -> float | None:
    return None if value is None else float(value)


def target_spec(parsed: ParsedTarget, *, plan_start) -> progress.TargetSpec:
    """The pure description of a parsed target and its metric's configuration (needs ``target`` and ``metric``)."""
    metric = parsed.metric
    return progress.TargetSpec(
        operator=parsed.operator,
        value=float(parsed.value),
        value_max=_float(parsed.value_max),
        year=parsed.target.year,
        direction=metric.direction,
        kind=metric.kind,
        method=metric.progress_method,
        thresholds=progress.Thresholds.from_config(metric.thresholds),
        baseline_from=metric.baseline_date or plan_start,
    )


def target_explain(
    *, code: str, year: int, as_of, plan: Plan | None = None
) -> list[tuple[ParsedTarget, progress.Assessment]]:
    """Compute (without storing) the status of every claim of one target cell, e.g. ("V.1", 2030)."""
    plan = plan or plan_current()
    target = Target.objects.select_related("indicator__plan").get(indicator__plan=plan, indicator__code=code, year=year)
    parsed_targets = list(target.parsed_targets.select_related("metric", "target").order_by("position"))
    series = province_series(as_of=as_of, metric_ids={p.metric_id for p in parsed_targets})
    return [
        (
            parsed,
            progress.assess(target_spec(parsed, plan_start=plan.issued_on), series.get(parsed.metric_id, []), as_of),
        )
        for parsed in parsed_targets
    ]


def target_statuses_as_of(*, as_of=None):
    """The stored snapshot rows of the latest computation at or before ``as_of`` (all of them if None)."""
    statuses = TargetStatus.objects.select_related("parsed_target__metric", "parsed_target__target__indicator")
    latest = TargetStatus.objects.all()
    if as_of is not None:
        latest = latest.filter(as_of__lte=as_of)
    day = latest.aggregate(day=Max("as_of"))["day"]
    return statuses.filter(as_of=day) if day else statuses.none()


def assessment_disagreements(*, period, as_of) -> list[dict]:
    """Where an agency's own confidence for ``period`` and the computed status (snapshot at ``as_of``) disagree:
    "confident" while a target of the metric is limited or regressing, or doubtful while all are on track."""
    statuses = target_statuses_as_of(as_of=as_of)
    worst: dict[int, set[str]] = {}
    for row in statuses.values("parsed_target__metric_id", "status"):
        worst.setdefault(row["parsed_target__metric_id"], set()).add(row["status"])
    good = {progress.ACHIEVED, progress.ON_TRACK}
    bad = {progress.LIMITED, progress.REGRESSING}
    result = []
    for assessment in AgencyAssessment.objects.filter(period=period).select_related("agency", "metric"):
        computed = worst.get(assessment.metric_id, set())
        confident = assessment.confidence == AgencyAssessment.Confidence.CONFIDENT
        if (confident and computed & bad) or (not confident and computed and computed <= good):
            result.append({"assessment": assessment, "computed": sorted(computed)})
    return result

"""The public page (/cong-khai/): the indicators and where they stand, from approved data only, no log-in.

Turned off with ``PUBLIC_DATA_ENABLED=false`` (404). It reads the latest target-status snapshots (computed
from approved figures only) and the plan's published text; nothing about people, drafts or files.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from core.formatting import format_number, value_text
from core.snapshots import APPROVED, FIGURES, PLAN, TASKS, depends_on
from core.snapshots import metric as metric_dependency
from dashboards.pages import Page, page_response
from dashboards.selectors import latest_statuses, plan_structure
from indicators.freshness import coverage_low
from indicators.models import Indicator, ParsedTarget, ProvinceValue, TargetStatus
from indicators.progress import method_description
from indicators.selectors import plan_current, plan_day
from indicators.templatetags.plan_text import plan_text
from indicators.templatetags.status_text import claim
from indicators.validation import value_bounds

from .datasets import DATASETS
from .public_charts import PeriodPoint, TargetMark, public_series_figure


def last_updated():
    """When the published figures last changed: the latest computation of province values or statuses."""
    values = ProvinceValue.objects.aggregate(at=Max("computed_at"))["at"]
    statuses = TargetStatus.objects.aggregate(at=Max("computed_at"))["at"]
    return max((t for t in (values, statuses) if t is not None), default=None)


def public_indicators(request):
    if not settings.PUBLIC_DATA_ENABLED:
        raise Http404
    return page_response(request, "public", _public_indicators, depends=[PLAN, FIGURES])


def _public_indicators() -> Page:
    plan = plan_current()
    groups, as_of, milestone = [], None, None
    if plan is not None:
        statuses = {s.parsed_target_id: s for s in latest_statuses(plan)}
        as_of = next(iter(statuses.values())).as_of if statuses else None
        milestone = plan.milestone_for(as_of) if as_of else min(plan.milestones)
        # the targets in force on the day the statuses are of
        for group in plan_structure(plan, on=as_of):
            rows = []
            for indicator in group.indicators.all():
                for target in indicator.targets.all():
                    if target.year != milestone or target.is_empty:
                        continue
                    claims = [
                        {"parsed": item, "metric": item.metric, "shown": claim(statuses.get(item.pk))}
                        for item in target.parsed_targets.all()
                    ]
                    rows.append({"indicator": indicator, "target": target, "claims": claims})
            groups.append({"group": group, "rows": rows})
    return Page(
        "opendata/indicators.html",
        {"plan": plan, "groups": groups, "as_of": as_of, "milestone": milestone, "updated": last_updated()},
    )


def _target_label(parsed: ParsedTarget) -> str:
    unit = parsed.metric.unit
    suffix = unit if unit == "%" else f" {unit}" if unit else ""
    if parsed.operator == ParsedTarget.Operator.RANGE and parsed.value_max is not None:
        return f"{format_number(parsed.value)}–{format_number(parsed.value_max)}{suffix}"
    return f"{parsed.get_operator_display()} {format_number(parsed.value)}{suffix}"


def public_indicator(request, code: str):
    """One indicator in public: per metric the province values with their periods against the plan's targets,
    the values as a table, when they were last computed, and what each metric means (the data dictionary)."""
    if not settings.PUBLIC_DATA_ENABLED:
        raise Http404
    # its metrics, once known (``_public_indicator``)
    return page_response(request, "public-indicator", lambda: _public_indicator(code), depends=[PLAN])


def _public_indicator(code: str) -> Page:
    plan = plan_current()
    if plan is None:
        raise Http404
    indicator = get_object_or_404(Indicator.objects.select_related("group"), plan=plan, code=code)
    day = plan_day(plan)
    parsed = list(
        ParsedTarget.objects.in_force(day)
        .filter(target__indicator=indicator)
        .select_related("metric", "metric__reporting_agency", "target")
        .order_by("metric__code", "target__year", "position")
    )
    metrics = {}
    for item in parsed:
        metrics.setdefault(item.metric_id, {"metric": item.metric, "targets": []})["targets"].append(item)
    depends_on(*(metric_dependency(pk) for pk in metrics))
    wanted = {p.pk for p in parsed}
    statuses = {s.parsed_target_id: s for s in latest_statuses(plan) if s.parsed_target_id in wanted}
    words = {"value": _("Giá trị toàn tỉnh"), "target": _("Mục tiêu"), "views": _("Khoảng thời gian của biểu đồ")}
    threshold = settings.PROVINCE_COVERAGE_MIN_PERCENT
    panels, figures = [], {}
    for index, entry in enumerate(metrics.values()):
        metric = entry["metric"]
        rows = list(
            ProvinceValue.objects.filter(metric=metric, period__kind=metric.period_kind)
            .select_related("period")
            .order_by("period__ends_on")
        )
        for row in rows:  # each value with its coverage, marked when too few agencies reported
            row.shown_expected = max(row.expected_reporters, row.reporters)
            row.coverage_low = coverage_low(row.reporters, row.shown_expected, threshold=threshold)
        points = [
            PeriodPoint(row.period.ends_on, float(row.value), row.period.label, value_text(row.value, metric.unit))
            for row in rows
        ]
        marks = [TargetMark(t.target.year, float(t.value), _target_label(t)) for t in entry["targets"]]
        figures[f"series-{index}"] = public_series_figure(
            name=metric.name,
            unit=metric.unit,
            points=points,
            targets=marks,
            labels=words,
            bounds=value_bounds(metric.kind, metric.ratio_scale),
        )
        claims = [
            {"target": target, "label": _target_label(target), "shown": claim(statuses.get(target.pk))}
            for target in entry["targets"]
        ]
        panels.append(
            {
                "metric": metric,
                "points": points,
                "rows": rows,
                "claims": claims,
                "table": list(zip(rows, points, strict=True))[::-1],
                "updated": max((r.computed_at for r in rows), default=None),
                "method": method_description(
                    kind=metric.kind, method=metric.progress_method, thresholds=metric.thresholds
                ),
            }
        )
    cells = [(t.year, plan_text(t.text)) for t in indicator.targets.in_force(day).order_by("year") if not t.is_empty]
    # when this indicator's published values and statuses were last computed
    computed = [panel["updated"] for panel in panels] + [status.computed_at for status in statuses.values()]
    return Page(
        "opendata/indicator.html",
        {
            "plan": plan,
            "indicator": indicator,
            "cells": cells,
            "panels": panels,
            "figures": figures,
            "updated": max((moment for moment in computed if moment is not None), default=None),
        },
    )


def public_datasets(request):
    """The open-data catalogue: each dataset, what it holds (the data dictionary), licence and downloads."""
    if not settings.PUBLIC_DATA_ENABLED:
        raise Http404
    return page_response(request, "public-datasets", _public_datasets, depends=[PLAN, FIGURES, APPROVED, TASKS])


def _public_datasets() -> Page:
    datasets = [{"dataset": dataset, "modified": dataset.modified()} for dataset in DATASETS]
    return Page(
        "opendata/datasets.html",
        {
            "plan": plan_current(),
            "datasets": datasets,
            "licence_title": settings.OPEN_DATA_LICENSE_TITLE,
            "licence_url": settings.OPEN_DATA_LICENSE_URL,
            "publisher": settings.OPEN_DATA_PUBLISHER,
            "contact": settings.OPEN_DATA_CONTACT_EMAIL,
        },
    )

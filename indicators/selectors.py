"""Reads for the plan: the structures pages, commands and exports show."""

from __future__ import annotations

from django.db.models import Prefetch

from tasks.models import Task

from .models import Indicator, IndicatorGroup, Observation, ParsedTarget, Plan, SubmissionStatus, Target


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

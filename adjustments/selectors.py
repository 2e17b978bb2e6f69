"""Reads for plan adjustments: the plan in force on a day as plain data, the adjustments of a span, what a page
about an indicator or a task says of the adjustments that changed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from indicators.models import Indicator, ParsedTarget, Plan, PlanAdjustment, PlanChange, Target
from tasks.models import Task

from . import state as st


def metrics_in_force(plan: Plan, day: date):
    """The plan's metrics defined by ``day``: those of the plan as issued and those added by an adjustment
    in force by then."""
    return plan.metrics.filter(Q(adjustment=None) | Q(adjustment__effective_on__lte=day))


def cells_in_force(plan: Plan, day: date):
    """The cells of ``plan`` in force on ``day``, each with its measurable targets (two queries)."""
    parsed = ParsedTarget.objects.select_related("metric").order_by("position")
    return (
        Target.objects.in_force(day)
        .filter(indicator__plan=plan)
        .select_related("indicator__group")
        .prefetch_related(Prefetch("parsed_targets", queryset=parsed))
        .order_by("indicator__group__order", "indicator__number", "year")
    )


def tasks_in_force(plan: Plan, day: date):
    """The plan's tasks in force on ``day``, each with its terms of that day (one query)."""
    return (
        Task.objects.filter(plan=plan)
        .with_terms(day)
        .filter(terms_in_force__isnull=False)
        .select_related("group")
        .order_by("group__order", "number")
    )


def plan_state(plan: Plan, day: date) -> st.PlanState:
    """The plan in force on ``day`` as plain data (``adjustments.state``), in six queries."""
    state = st.PlanState(
        meta={
            "code": plan.code,
            "title": plan.title,
            "province": plan.province,
            "issued_on": plan.issued_on.isoformat(),
            "milestones": [int(y) for y in plan.milestones],
        },
        indicator_groups={g.code: g.title for g in plan.indicator_groups.order_by("order")},
        task_groups={g.code: g.title for g in plan.task_groups.order_by("order")},
        metrics={},
        indicators={},
        tasks={},
    )
    for metric in metrics_in_force(plan, day).select_related("reporting_agency").order_by("code"):
        state.metrics[metric.code] = {
            "name": metric.name,
            "unit": metric.unit,
            "kind": metric.kind,
            "direction": metric.direction,
            "frequency": metric.frequency,
            "collection": metric.collection,
            "numerator_label": metric.numerator_label,
            "denominator_label": metric.denominator_label,
            "ratio_scale": metric.ratio_scale,
            "reporting_agency": metric.reporting_agency.code if metric.reporting_agency_id else "",
        }
    for cell in cells_in_force(plan, day):
        indicator = cell.indicator
        row = state.indicators.setdefault(
            indicator.code,
            {
                "group": indicator.group.code,
                "number": indicator.number,
                "lead": list(indicator.lead_names),
                "cells": {},
            },
        )
        row["cells"][cell.year] = {
            "text": cell.text,
            "targets": [
                st.claim_of(
                    metric=parsed.metric.code,
                    text=cell.text,
                    fragment=parsed.fragment,
                    operator=parsed.operator,
                    value=parsed.value,
                    value_max=parsed.value_max,
                )
                for parsed in cell.parsed_targets.all()
            ],
        }
    for task in tasks_in_force(plan, day):
        terms = task.terms
        state.tasks[task.number] = {
            "group": task.group.code,
            "title": terms.title,
            "result": terms.result,
            "lead": list(terms.lead_names),
            "cooperating": list(terms.cooperating_names),
            "deadline": terms.deadline_text,
        }
    return state


# --- adjustments ------------------------------------------------------------------------------------------------


def adjustments_approved(plan: Plan):
    return PlanAdjustment.objects.filter(plan=plan, status=PlanAdjustment.Status.APPROVED)


def adjustments_between(*, plan: Plan, start: date, end: date) -> list[PlanAdjustment]:
    """The approved adjustments of ``plan`` taking effect in [start, end], by effective date, each with its changes
    (``adjustment.changes.all()``, prefetched) and whether a later one revoked it: two queries. For reviews and
    reports over a span ("Trong kỳ, Ban Thường vụ điều chỉnh …")."""
    return list(
        adjustments_approved(plan)
        .filter(effective_on__gte=start, effective_on__lte=end)
        .select_related("approved_by", "revokes")
        .prefetch_related(
            Prefetch("changes", queryset=PlanChange.objects.order_by("order")),
            Prefetch("revocations", queryset=adjustments_approved(plan), to_attr="revoked_by"),
        )
        .order_by("effective_on", "pk")
    )


def adjustment_changes_between(*, plan: Plan, start: date, end: date) -> list[tuple[PlanAdjustment, list[PlanChange]]]:
    """The approved adjustments taking effect in [start, end] with their changes, in one query: what the overview
    says of its quarter (``adjustments_between`` says more, in three)."""
    changes = (
        PlanChange.objects.filter(
            adjustment__plan=plan,
            adjustment__status=PlanAdjustment.Status.APPROVED,
            adjustment__effective_on__gte=start,
            adjustment__effective_on__lte=end,
        )
        .select_related("adjustment")
        .order_by("adjustment__effective_on", "adjustment_id", "order")
    )
    grouped: dict[int, tuple[PlanAdjustment, list[PlanChange]]] = {}
    for change in changes:
        grouped.setdefault(change.adjustment_id, (change.adjustment, []))[1].append(change)
    return list(grouped.values())


def adjustments_after(*, plan: Plan, day: date) -> list[PlanAdjustment]:
    """The approved adjustments taking effect after ``day``: what a report about a time before them names in a
    footnote (its targets are those in force then)."""
    return list(
        adjustments_approved(plan).filter(effective_on__gt=day).prefetch_related("changes").order_by("effective_on")
    )


def adjustment_history(*, plan: Plan, include_drafts: bool) -> list[PlanAdjustment]:
    """Every adjustment of the plan, newest effective date first, with its changes, who approved it and whether it
    was revoked (three queries); drafts only for those who may draft."""
    adjustments = PlanAdjustment.objects.filter(plan=plan)
    if not include_drafts:
        adjustments = adjustments.filter(status=PlanAdjustment.Status.APPROVED)
    return list(
        adjustments.select_related("approved_by", "created_by", "revokes")
        .prefetch_related(
            Prefetch("changes", queryset=PlanChange.objects.order_by("order")),
            Prefetch("revocations", queryset=adjustments_approved(plan), to_attr="revoked_by"),
        )
        .order_by("-effective_on", "-pk")
    )


def adjustment_get(*, plan: Plan, pk: int, include_drafts: bool) -> PlanAdjustment:
    adjustments = PlanAdjustment.objects.filter(plan=plan)
    if not include_drafts:
        adjustments = adjustments.filter(status=PlanAdjustment.Status.APPROVED)
    adjustment = (
        adjustments.select_related("approved_by", "created_by", "revokes")
        .prefetch_related(
            Prefetch("changes", queryset=PlanChange.objects.order_by("order")),
            Prefetch("revocations", queryset=adjustments_approved(plan), to_attr="revoked_by"),
        )
        .filter(pk=pk)
        .first()
    )
    if adjustment is None:
        raise Http404("Không có điều chỉnh này.")
    return adjustment


@dataclass(frozen=True)
class AdjustmentNote:
    """What a page about an indicator or a task says of one approved change to it: the decision, its date and
    effective date, the change (before → now), whether a later decision revoked it."""

    adjustment: PlanAdjustment
    change: PlanChange
    revoked: bool = False


def _notes(changes) -> list[AdjustmentNote]:
    revocation = PlanAdjustment.objects.filter(status=PlanAdjustment.Status.APPROVED, revokes=OuterRef("adjustment"))
    return [
        AdjustmentNote(change.adjustment, change, change.revoked)
        for change in changes.select_related("adjustment")
        .annotate(revoked=Exists(revocation))
        .order_by("adjustment__effective_on", "order")
    ]


def indicator_adjustment_notes(indicator: Indicator) -> list[AdjustmentNote]:
    """The approved changes to an indicator's row and cells, oldest first (one query)."""
    return _notes(
        PlanChange.objects.filter(
            adjustment__plan_id=indicator.plan_id,
            adjustment__status=PlanAdjustment.Status.APPROVED,
            subject__in=[st.TARGET, st.PARSED_TARGET, st.INDICATOR],
            code=indicator.code,
        )
    )


def task_adjustment_notes(task: Task) -> list[AdjustmentNote]:
    """The approved changes to a task's terms and agencies, oldest first (one query)."""
    return _notes(
        PlanChange.objects.filter(
            adjustment__plan_id=task.plan_id,
            adjustment__status=PlanAdjustment.Status.APPROVED,
            subject__in=[st.TASK, st.ASSIGNMENT],
            code=str(task.number),
        )
    )

"""The public page (/cong-khai/): the indicators and where they stand, from approved data only, no log-in.

Turned off with ``PUBLIC_DATA_ENABLED=false`` (404). It reads the latest target-status snapshots (computed
from approved figures only) and the plan's published text; nothing about people, drafts or files.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from core.formatting import value_text
from indicators.models import TargetStatus
from indicators.selectors import plan_current, plan_groups_with_indicators, target_statuses_as_of

from .datasets import DATASETS


def public_indicators(request):
    if not settings.PUBLIC_DATA_ENABLED:
        raise Http404
    plan = plan_current()
    groups, as_of, milestone = [], None, None
    if plan is not None:
        statuses = {s.parsed_target_id: s for s in target_statuses_as_of(plan=plan)}
        as_of = next(iter(statuses.values())).as_of if statuses else None
        milestone = plan.milestone_for(as_of) if as_of else min(plan.milestones)
        for group in plan_groups_with_indicators(plan):
            rows = []
            for indicator in group.indicators.all():
                for target in indicator.targets.all():
                    if target.year != milestone or target.is_empty:
                        continue
                    claims = []
                    for item in target.parsed_targets.all():
                        snapshot = statuses.get(item.pk)
                        status = snapshot.status if snapshot else TargetStatus.Status.NO_DATA
                        claims.append(
                            {
                                "metric": item.metric,
                                "status": status,
                                "label": TargetStatus.Status(status).label,
                                "latest": value_text(snapshot.latest_value, item.metric.unit) if snapshot else "",
                            }
                        )
                    rows.append({"indicator": indicator, "target": target, "claims": claims})
            groups.append({"group": group, "rows": rows})
    return render(
        request,
        "opendata/indicators.html",
        {"plan": plan, "groups": groups, "as_of": as_of, "milestone": milestone},
    )


def public_datasets(request):
    """The open-data catalogue: each dataset, what it holds (the data dictionary), licence and downloads."""
    if not settings.PUBLIC_DATA_ENABLED:
        raise Http404
    datasets = [{"dataset": dataset, "modified": dataset.modified()} for dataset in DATASETS]
    return render(
        request,
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

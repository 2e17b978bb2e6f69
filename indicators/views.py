from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import plan_current, plan_groups_with_indicators


@login_required
def plan_overview(request):
    """The plan's groups and indicators with their targets for each milestone (Appendix I)."""
    plan = plan_current()
    groups = plan_groups_with_indicators(plan) if plan else []
    return render(request, "indicators/plan_overview.html", {"plan": plan, "groups": groups})

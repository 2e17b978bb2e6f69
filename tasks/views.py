from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render

from indicators.selectors import plan_current

from .models import Task


@login_required
def task_list(request):
    """All tasks of Appendix II, by group, with their agencies and deadlines."""
    plan = plan_current()
    groups = []
    if plan:
        tasks = Task.objects.order_by("number")
        groups = plan.task_groups.order_by("order").prefetch_related(Prefetch("tasks", queryset=tasks))
    return render(request, "tasks/task_list.html", {"plan": plan, "groups": groups})

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.permissions import (
    can_read_unapproved,
    can_write_for,
    entry_required,
    submission_for_user,
)
from core.evidence import evidence_response
from core.workflow import EntryError, SubmissionStatus
from indicators.models import AgencyAssessment, Metric, TargetStatus
from indicators.progress import confidence_disagrees
from indicators.selectors import metric_computed_statuses, periods_containing, plan_current
from indicators.services import agency_assessment_save
from tasks.models import Task, TaskAssignment, TaskUpdate
from tasks.occurrences import progress_disagrees
from tasks.selectors import task_rows, task_standing
from tasks.services import TASK_UPDATE_FIELDS, task_update_save

from .forms import AgencyAssessmentForm
from .selectors import history_steps
from .task_forms import TaskUpdateForm
from .views import as_of_date, entry_agency, entry_pickers

TASK_UPDATE_HISTORY_FIELDS = [*TASK_UPDATE_FIELDS, "status", "evidence", "review_note"]
#: what a report shows once approved, to readers who may not see its agency's unapproved work
TASK_UPDATE_APPROVED_FIELDS = [*TASK_UPDATE_FIELDS, "status", "evidence"]


#: the task progress page's filter (``?chi=``): every task, only those due this round (or overdue), only overdue
TASK_FILTERS = [
    ("", gettext_lazy("Tất cả")),
    ("den-han", gettext_lazy("Chỉ việc đến hạn")),
    ("qua-han", gettext_lazy("Chỉ việc quá hạn")),
]


@entry_required
def task_progress(request):
    """The agency's tasks for the quarter, each with its report, and the quarter's self-assessment."""
    as_of = as_of_date(request)
    agency = entry_agency(request)
    quarter = periods_containing(as_of)["quarter"]
    pickers = entry_pickers(request, agency=agency, frequencies={"quarterly"}, as_of=as_of, step=3)
    if agency is None:
        context = {"rows": [], "period": quarter, "as_of": as_of, "agency": None, "assessments": [], **pickers}
        return render(request, "entry/task_progress.html", context)
    metrics = list(Metric.objects.filter(reporters=agency).order_by("code"))
    existing = {a.metric_id: a for a in AgencyAssessment.objects.filter(agency=agency, period_id=quarter.pk)}
    assessments = [
        (
            metric,
            AgencyAssessmentForm(
                request.POST or None,
                prefix=f"a{metric.pk}",
                initial={"confidence": existing[metric.pk].confidence, "narrative": existing[metric.pk].narrative}
                if metric.pk in existing
                else {},
            ),
        )
        for metric in metrics
    ]
    if request.method == "POST" and all([form.is_valid() for _metric, form in assessments]):
        try:
            with transaction.atomic():
                saved = 0
                for metric, form in assessments:
                    if form.cleaned_data["confidence"]:
                        agency_assessment_save(
                            agency=agency,
                            metric=metric,
                            period=quarter,
                            user=request.user,
                            confidence=form.cleaned_data["confidence"],
                            narrative=form.cleaned_data["narrative"],
                        )
                        saved += 1
        except EntryError as exc:  # a locked quarter: nothing saved
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã lưu %(n)d tự đánh giá.") % {"n": saved})
            return redirect(request.get_full_path())
    computed = metric_computed_statuses(as_of=as_of)
    rows = task_rows(agency=agency, period=quarter)
    only = request.GET.get("chi", "")
    counts = {
        "": len(rows),
        "den-han": sum(1 for r in rows if r.is_due_by(quarter.due_on)),
        "qua-han": sum(1 for r in rows if r.is_overdue),
    }
    if only == "den-han":
        rows = [r for r in rows if r.is_due_by(quarter.due_on)]
    elif only == "qua-han":
        rows = [r for r in rows if r.is_overdue]
    else:
        only = ""
    context = {
        "rows": rows,
        "period": quarter,
        "as_of": as_of,
        "agency": agency,
        "only": only,
        "task_filters": [(key, label, counts[key]) for key, label in TASK_FILTERS],
        "assessments": [_assessment_row(metric, form, computed.get(metric.pk, set())) for metric, form in assessments],
        **pickers,
    }
    return render(request, "entry/task_progress.html", context)


def _assessment_row(metric: Metric, form: AgencyAssessmentForm, computed: set[str]) -> dict:
    """A metric's self-assessment beside the computed statuses of its targets, and which choices contradict
    them (``confidence_disagrees``, the rule the overview and the report flag disagreements with)."""
    order = [code for code, _label in TargetStatus.Status.choices]
    choices = [code for code, _label in AgencyAssessment.Confidence.choices]
    return {
        "metric": metric,
        "form": form,
        "computed": [(code, TargetStatus.Status(code).label) for code in sorted(computed, key=order.index)],
        "disagrees": confidence_disagrees(form["confidence"].value() or "", computed),
        "disagreeing": " ".join(c for c in choices if confidence_disagrees(c, computed)),
    }


@entry_required
def task_update_edit(request, number: int):
    """The agency's report on one task for the quarter: save a draft or submit it."""
    as_of = as_of_date(request)
    agency = entry_agency(request)
    plan = plan_current()
    task = Task.objects.filter(plan=plan, number=number).with_terms(as_of).first()
    period = periods_containing(as_of)["quarter"]
    assigned = TaskAssignment.objects.overlapping(period.starts_on, period.ends_on).filter(task=task, agency=agency)
    if task is None or not assigned.exists():
        raise Http404
    update = TaskUpdate.objects.filter(task=task, agency=agency, period_id=period.pk).first()
    editable = not period.is_locked and (
        update is None or update.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
    )
    form = TaskUpdateForm(request.POST or None, request.FILES or None, instance=update) if editable else None
    if request.method == "POST":
        if form is None:
            messages.info(request, _("Báo cáo này đã gửi hoặc kỳ đã khóa; không có gì thay đổi."))
            return redirect(request.get_full_path())
        if form.is_valid():
            submitting = request.POST.get("action") == "submit"
            try:
                task_update_save(
                    task=task,
                    agency=agency,
                    period=period,
                    user=request.user,
                    data=form.cleaned_data,
                    evidence=form.cleaned_data.get("evidence"),
                    submit=submitting,
                )
            except EntryError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Đã gửi báo cáo để thẩm định.") if submitting else _("Đã lưu nháp."))
            return redirect(request.get_full_path())
    standing = task_standing(task=task, agency=agency)
    progress = (form["progress"].value() if form else getattr(update, "progress", "")) or ""
    context = {
        "task": task,
        "period": period,
        "update": update,
        "form": form,
        "as_of": as_of,
        # the agency's own "tình trạng" beside the computed status, and the choices that contradict it
        "standing": standing,
        "disagrees": bool(standing and progress_disagrees(progress, standing.status)),
        "disagreeing": " ".join(
            p for p in TaskUpdate.Progress.values if standing and progress_disagrees(p, standing.status)
        ),
    }
    return render(request, "entry/task_update_form.html", context, status=400 if request.method == "POST" else 200)


def _updates():
    return TaskUpdate.objects.select_related("task", "agency", "period", "entered_by", "reviewed_by")


@login_required
def task_update_detail(request, pk: int):
    update = submission_for_user(request.user, _updates(), pk)
    editable = can_write_for(request.user, update.agency_id) and update.status in (
        SubmissionStatus.DRAFT,
        SubmissionStatus.RETURNED,
    )
    context = {
        "update": update,
        "can_edit": editable,
        "unapproved_visible": can_read_unapproved(request.user, update.agency_id),
    }
    return render(request, "entry/task_update_detail.html", context)


@login_required
def task_update_history(request, pk: int):
    update = submission_for_user(request.user, _updates(), pk)
    if can_read_unapproved(request.user, update.agency_id):
        steps = history_steps(update, TASK_UPDATE_HISTORY_FIELDS)
    else:  # another agency's approved report: its approved versions only
        steps = history_steps(update, TASK_UPDATE_APPROVED_FIELDS, approved_only=True)
    return render(request, "entry/history.html", {"object": update, "steps": steps, "kind": "task"})


@login_required
def task_update_evidence(request, pk: int):
    update = submission_for_user(request.user, _updates(), pk)
    if not update.evidence:
        raise PermissionDenied
    return evidence_response(update.evidence)

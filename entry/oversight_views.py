"""Inspections and their recommendations: the standing office records an inspection, its decision and conclusion
and the recommendations it makes; each agency reports on carrying out its own, with evidence, and the office
accepts or returns the report in the review queue (``views.review_queue_view``).

Who may do what (``agencies.permissions``): every signed-in user reads inspections and recommendations (like the
plan's tasks); the standing office and administrators record and change them; an agency's staff report on their
agency's recommendations; reports follow the read rule of every submission (another agency's drafts are unseen).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.permissions import (
    can_read_unapproved,
    can_review,
    can_write_for,
    reviewer_required,
    submission_for_user,
    submissions_visible_to,
)
from core.evidence import evidence_response
from core.workflow import EntryError, SubmissionStatus
from indicators.selectors import plan_current
from oversight import selectors
from oversight.models import Inspection, Recommendation, RecommendationUpdate
from oversight.services import (
    UPDATE_FIELDS,
    inspection_save,
    recommendation_add,
    recommendation_change,
    recommendation_update_save,
)
from oversight.standing import STATUSES, tally

from .oversight_forms import InspectionForm, RecommendationForm, RecommendationUpdateForm
from .selectors import history_steps

UPDATE_HISTORY_FIELDS = [*UPDATE_FIELDS, "status", "evidence", "review_note"]


def _plan():
    plan = plan_current()
    if plan is None:
        raise Http404
    return plan


def _inspection_or_404(pk: int) -> Inspection:
    inspection = selectors.inspection_get(plan=_plan(), pk=pk)
    if inspection is None:
        raise Http404
    return inspection


def _recommendation_or_404(pk: int) -> Recommendation:
    recommendation = selectors.recommendations_of(plan=_plan()).filter(pk=pk).first()
    if recommendation is None:
        raise Http404
    return recommendation


@login_required
def inspection_list(request):
    """Every inspection of the plan, the newest first, with where its recommendations stand today."""
    plan = _plan()
    today = timezone.localdate()
    found = list(selectors.inspections(plan=plan))
    rows = selectors.recommendation_rows(selectors.recommendations_of(plan=plan), as_of=today)
    by_inspection: dict[int, list] = {}
    for row in rows:
        by_inspection.setdefault(row.recommendation.inspection_id, []).append(row.standing)
    items = [(inspection, tally(by_inspection.get(inspection.pk, []))) for inspection in found]
    return render(
        request,
        "entry/inspection_list.html",
        {"items": items, "can_manage": can_review(request.user), "today": today},
    )


@login_required
def recommendation_list(request):
    """All recommendations, filtered by agency (``?co_quan=``) and where they stand today (``?trang_thai=``)."""
    plan = _plan()
    today = timezone.localdate()
    found = selectors.recommendations_of(plan=plan).order_by("due_on", "inspection_id", "number")
    agency_code = request.GET.get("co_quan", "")
    if agency_code:
        found = found.filter(agency__code=agency_code)
    rows = selectors.recommendation_rows(found, as_of=today)
    status = request.GET.get("trang_thai", "")
    if status in STATUSES:
        rows = [row for row in rows if row.standing.status == status]
    agencies = Agency.objects.filter(recommendations__inspection__plan=plan).distinct().order_by("kind", "name")
    statuses = [(code, selectors.status_label(code)) for code in STATUSES]
    context = {"rows": rows, "agencies": agencies, "statuses": statuses, "agency_code": agency_code, "status": status}
    return render(request, "entry/recommendation_list.html", context)


def _inspection_form_page(request, inspection: Inspection | None):
    plan = _plan()
    form = InspectionForm(request.POST or None, request.FILES or None, instance=inspection, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = inspection_save(
                plan=plan,
                user=request.user,
                data=data,
                agencies=list(data["agencies"]),
                tasks=list(data["tasks"]),
                indicators=list(data["indicators"]),
                decision_file=data.get("decision_file"),
                conclusion_file=data.get("conclusion_file"),
                inspection=inspection,
            )
        except EntryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lưu đợt kiểm tra."))
            return redirect("inspection_detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "entry/inspection_form.html", {"form": form, "inspection": inspection}, status=status)


@reviewer_required
def inspection_create(request):
    return _inspection_form_page(request, None)


@reviewer_required
def inspection_edit(request, pk: int):
    return _inspection_form_page(request, _inspection_or_404(pk))


@login_required
def inspection_detail(request, pk: int, *, form: RecommendationForm | None = None, status: int = 200):
    """One inspection: who, when, whom, the decision and conclusion, and its recommendations as they stand."""
    inspection = _inspection_or_404(pk)
    today = timezone.localdate()
    rows = selectors.recommendation_rows(
        inspection.recommendations.select_related("agency", "task").order_by("number"), as_of=today
    )
    manage = can_review(request.user)
    context = {
        "inspection": inspection,
        "rows": rows,
        "can_manage": manage,
        "can_read_documents": can_read_documents(request.user, inspection),
        "form": form or (RecommendationForm(plan=inspection.plan) if manage else None),
        "today": today,
    }
    return render(request, "entry/inspection_detail.html", context, status=status)


@require_POST
@reviewer_required
def recommendation_create(request, pk: int):
    inspection = _inspection_or_404(pk)
    form = RecommendationForm(request.POST, plan=inspection.plan)
    if form.is_valid():
        data = form.cleaned_data
        try:
            recommendation_add(
                inspection=inspection,
                user=request.user,
                text=data["text"],
                agency=data["agency"],
                due_on=data["due_on"],
                task=data["task"],
            )
        except EntryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã thêm kiến nghị."))
            return redirect(reverse("inspection_detail", args=[pk]) + "#kien-nghi")
    return inspection_detail(request, pk, form=form, status=400)


@reviewer_required
def recommendation_edit(request, pk: int):
    recommendation = _recommendation_or_404(pk)
    form = RecommendationForm(request.POST or None, instance=recommendation, plan=recommendation.inspection.plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recommendation_change(
                recommendation=recommendation,
                user=request.user,
                text=data["text"],
                agency=data["agency"],
                due_on=data["due_on"],
                task=data["task"],
            )
        except EntryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã sửa kiến nghị."))
            return redirect("recommendation_detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "recommendation": recommendation}
    return render(request, "entry/recommendation_form.html", context, status=status)


def can_read_documents(user, inspection: Inspection) -> bool:
    """An inspection's decision and conclusion: the readers of its agencies' unapproved work (the agencies inspected
    or given a recommendation, the standing office, the Steering Committee, administrators)."""
    concerned = set(inspection.agencies.values_list("pk", flat=True))
    concerned |= set(inspection.recommendations.values_list("agency_id", flat=True))
    return any(can_read_unapproved(user, agency_id) for agency_id in concerned)


@login_required
def inspection_document(request, pk: int, which: str):
    """The inspection's decision or conclusion file, for the readers ``can_read_documents`` names."""
    inspection = _inspection_or_404(pk)
    stored = inspection.decision_file if which == "decision" else inspection.conclusion_file
    if not stored or not can_read_documents(request.user, inspection):
        raise Http404
    return evidence_response(stored)


@login_required
def recommendation_detail(request, pk: int):
    """A recommendation: what must be done, by whom and when, where it stands, the agency's reports on it; the
    agency's staff report here (save a draft or send it for review)."""
    recommendation = _recommendation_or_404(pk)
    today = timezone.localdate()
    [row] = selectors.recommendation_rows([recommendation], as_of=today)
    reports = list(
        submissions_visible_to(request.user, recommendation.updates.all())
        .select_related("entered_by", "reviewed_by")
        .order_by("created_at", "pk")
    )
    writer = can_write_for(request.user, recommendation.agency_id) and not recommendation.accepted_on
    open_report = selectors.recommendation_update_open(recommendation) if writer else None
    editable = writer and (open_report is None or open_report.status != SubmissionStatus.SUBMITTED)
    form = None
    if editable:
        form = RecommendationUpdateForm(request.POST or None, request.FILES or None, instance=open_report)
    if request.method == "POST":
        if form is None:
            if not can_write_for(request.user, recommendation.agency_id):
                raise PermissionDenied
            messages.info(request, _("Báo cáo đang chờ thẩm định hoặc kiến nghị đã hoàn thành; không có gì thay đổi."))
            return redirect("recommendation_detail", pk=pk)
        if form.is_valid():
            submitting = request.POST.get("action") == "submit"
            try:
                recommendation_update_save(
                    recommendation=recommendation,
                    user=request.user,
                    data=form.cleaned_data,
                    evidence=form.cleaned_data.get("evidence"),
                    submit=submitting,
                )
            except EntryError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã gửi báo cáo để thẩm định.") if submitting else _("Đã lưu nháp."))
                return redirect("recommendation_detail", pk=pk)
    context = {
        "recommendation": recommendation,
        "row": row,
        "reports": reports,
        "open_report": open_report,
        "form": form,
        "can_manage": can_review(request.user) and not recommendation.accepted_on,
    }
    return render(request, "entry/recommendation_detail.html", context, status=400 if request.method == "POST" else 200)


def _updates():
    return RecommendationUpdate.objects.select_related(
        "recommendation__inspection", "agency", "entered_by", "reviewed_by"
    )


@login_required
def recommendation_update_evidence(request, pk: int):
    update = submission_for_user(request.user, _updates(), pk)
    if not update.evidence:
        raise Http404
    return evidence_response(update.evidence)


@login_required
def recommendation_update_history(request, pk: int):
    update = submission_for_user(request.user, _updates(), pk)
    steps = history_steps(update, UPDATE_HISTORY_FIELDS)
    return render(request, "entry/history.html", {"object": update, "steps": steps, "kind": "recommendation"})

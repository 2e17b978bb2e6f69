"""Pages of plan adjustments: the plan's history (every reader), the drafting, approval and revocation of an
adjustment (the standing office and administrators), the signed decision (a permission-checked download)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.permissions import can_adjust_plan, can_read_adjustment, plan_adjuster_required
from core.evidence import evidence_response
from indicators.selectors import plan_current

from . import services
from .describe import change_text
from .forms import ChangeForm, DecisionForm, FileForm
from .selectors import adjustment_get, adjustment_history


def _plan():
    plan = plan_current()
    if plan is None:
        raise Http404(_("Chưa có kế hoạch nào được nạp."))
    return plan


def _units(plan) -> dict[str, str]:
    return {m.code: m.unit for m in plan.metrics.all()}


def _described(adjustment, units):
    """Each change of the adjustment with its text (what, before, after)."""
    return [(change, change_text(change, units)) for change in adjustment.changes.all()]


@login_required
def adjustment_list(request):
    """The plan's history: every approved adjustment with its changes and who approved it; drafts for the
    standing office."""
    plan = _plan()
    drafting = can_adjust_plan(request.user)
    units = _units(plan)
    adjustments = [(a, _described(a, units)) for a in adjustment_history(plan=plan, include_drafts=drafting)]
    return render(
        request,
        "adjustments/list.html",
        {
            "plan": plan,
            "adjustments": adjustments,
            "can_adjust": drafting,
            "form": DecisionForm() if drafting else None,
        },
    )


@plan_adjuster_required
@require_POST
def adjustment_create(request):
    plan = _plan()
    form = DecisionForm(request.POST, request.FILES)
    if not form.is_valid():
        units = _units(plan)
        adjustments = [(a, _described(a, units)) for a in adjustment_history(plan=plan, include_drafts=True)]
        context = {"plan": plan, "adjustments": adjustments, "can_adjust": True, "form": form}
        return render(request, "adjustments/list.html", context, status=400)
    try:
        adjustment = services.adjustment_create(plan=plan, user=request.user, **form.cleaned_data)
    except services.AdjustmentRefused as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("adjustments:list")
    messages.success(request, _("Đã lập dự thảo điều chỉnh; hãy thêm từng nội dung điều chỉnh."))
    return redirect("adjustments:detail", pk=adjustment.pk)


def _get(request, pk: int):
    """The adjustment, if the user may read it (a draft: only those who adjust the plan); else 404."""
    adjustment = adjustment_get(plan=_plan(), pk=pk, include_drafts=True)
    if not can_read_adjustment(request.user, adjustment):
        raise Http404
    return adjustment


@login_required
def adjustment_detail(request, pk: int):
    """One adjustment: its decision, changes (before → after), who approved it; for a draft, the forms that
    add changes, attach the signed file and approve it."""
    adjustment = _get(request, pk)
    plan = adjustment.plan
    drafting = can_adjust_plan(request.user)
    draft = adjustment.status == adjustment.Status.DRAFT
    context = {
        "plan": plan,
        "adjustment": adjustment,
        "changes": _described(adjustment, _units(plan)),
        "can_adjust": drafting,
        "draft": draft,
        "revoked_by": adjustment.revoked_by[0] if adjustment.revoked_by else None,
        "history": adjustment.history.select_related("history_user").order_by("history_date"),
    }
    if drafting and draft:
        context["change_form"] = ChangeForm(milestones=plan.milestones)
        context["decision_form"] = DecisionForm(
            prefix="quyet-dinh",
            initial={
                "decision_number": adjustment.decision_number,
                "signed_on": adjustment.signed_on,
                "effective_on": adjustment.effective_on,
                "issuer": adjustment.issuer,
                "summary": adjustment.summary,
            },
        )
    elif drafting and not context["revoked_by"] and not adjustment.revokes_id:
        context["revoke_form"] = DecisionForm(prefix="bai-bo")
    if drafting:
        context["file_form"] = FileForm()
    return render(request, "adjustments/detail.html", context)


def _refused(request, exc: services.AdjustmentRefused) -> None:
    for message in exc.messages:
        messages.error(request, message)


@plan_adjuster_required
@require_POST
def adjustment_change_add(request, pk: int):
    adjustment = _get(request, pk)
    plan = adjustment.plan
    form = ChangeForm(request.POST, milestones=plan.milestones)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("adjustments:detail", pk=pk)
    try:
        changes = services.page_changes(adjustment=adjustment, **form.cleaned_data)
        services.adjustment_changes_set(adjustment=adjustment, user=request.user, changes=changes)
    except services.AdjustmentRefused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Đã thêm nội dung điều chỉnh."))
    return redirect("adjustments:detail", pk=pk)


@plan_adjuster_required
@require_POST
def adjustment_change_remove(request, pk: int, change_id: int):
    adjustment = _get(request, pk)
    try:
        services.adjustment_change_remove(adjustment=adjustment, user=request.user, change_id=change_id)
    except services.AdjustmentRefused as exc:
        _refused(request, exc)
    return redirect("adjustments:detail", pk=pk)


@plan_adjuster_required
@require_POST
def adjustment_update(request, pk: int):
    adjustment = _get(request, pk)
    form = DecisionForm(request.POST, request.FILES, prefix="quyet-dinh")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("adjustments:detail", pk=pk)
    try:
        services.adjustment_update(adjustment=adjustment, user=request.user, **form.cleaned_data)
    except services.AdjustmentRefused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Đã lưu quyết định."))
    return redirect("adjustments:detail", pk=pk)


@plan_adjuster_required
@require_POST
def adjustment_file(request, pk: int):
    adjustment = _get(request, pk)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        services.adjustment_file_attach(
            adjustment=adjustment, user=request.user, signed_file=form.cleaned_data["signed_file"]
        )
        messages.success(request, _("Đã đính kèm văn bản đã ký."))
    else:
        for error in form.errors.get("signed_file", []):
            messages.error(request, error)
    return redirect("adjustments:detail", pk=pk)


@plan_adjuster_required
@require_POST
def adjustment_approve(request, pk: int):
    adjustment = _get(request, pk)
    try:
        services.adjustment_approve(adjustment=adjustment, user=request.user)
    except services.AdjustmentRefused as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Đã phê duyệt: nội dung mới có hiệu lực từ ngày %(day)s.")
            % {"day": f"{adjustment.effective_on:%d/%m/%Y}"},
        )
    return redirect("adjustments:detail", pk=pk)


@plan_adjuster_required
@require_POST
def adjustment_delete(request, pk: int):
    adjustment = _get(request, pk)
    try:
        services.adjustment_delete(adjustment=adjustment, user=request.user)
    except services.AdjustmentRefused as exc:
        _refused(request, exc)
        return redirect("adjustments:detail", pk=pk)
    messages.success(request, _("Đã xóa dự thảo điều chỉnh."))
    return redirect("adjustments:list")


@plan_adjuster_required
@require_POST
def adjustment_revoke(request, pk: int):
    """Revoke an approved adjustment: a new draft whose changes restore what was in force before it."""
    adjustment = _get(request, pk)
    form = DecisionForm(request.POST, request.FILES, prefix="bai-bo")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("adjustments:detail", pk=pk)
    try:
        draft = services.adjustment_revoke(adjustment=adjustment, user=request.user, **form.cleaned_data)
    except services.AdjustmentRefused as exc:
        _refused(request, exc)
        return redirect("adjustments:detail", pk=pk)
    messages.success(request, _("Đã lập dự thảo bãi bỏ; kiểm tra nội dung rồi phê duyệt."))
    return redirect("adjustments:detail", pk=draft.pk)


@login_required
def adjustment_signed_file(request, pk: int):
    """The signed decision, to whoever may read the adjustment (never served from a public URL)."""
    adjustment = _get(request, pk)
    if not adjustment.signed_file:
        raise Http404
    if not can_read_adjustment(request.user, adjustment):
        raise PermissionDenied
    return evidence_response(adjustment.signed_file)

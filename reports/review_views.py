"""Review pages (sơ kết, tổng kết): list and request, detail with the sections, the picks for commendation,
issuing, a new version, downloads.

A review is the province's: the Steering Committee, the standing office and administrators read it; the standing
office (and administrators) request, edit, pick and issue it. Agency staff see none, as they see no province
periodic report.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency, User
from agencies.permissions import can_review, reviewer_required
from indicators.selectors import plan_current

from . import reviews
from .forms import IssueForm, SectionsForm
from .models import Review
from .review_forms import SECTION_LABELS, ReviewRequestForm, review_presets
from .selectors import reviews_for_user
from .services import ReportError
from .views import stored_file_response


def _review_or_404(user: User, pk: int) -> Review:
    return get_object_or_404(reviews_for_user(user), pk=pk)


def _request_initial(request, presets: list[dict]) -> dict:
    """The form's first values: a preset picked by its link (?tu=&den=&loai=), else the 2,5-year one."""
    chosen = next((p for p in presets if p["ends_on"].isoformat() == request.GET.get("den")), presets[2])
    return {
        "kind": chosen["kind"],
        "starts_on": chosen["starts_on"],
        "ends_on": chosen["ends_on"],
        "as_of": chosen["as_of"],
    }


@login_required
def review_list(request):
    found = reviews_for_user(request.user)
    if not can_review(request.user) and request.user.role != User.Role.STEERING:
        raise Http404
    plan = plan_current()
    manage = can_review(request.user) and plan is not None
    presets = review_presets(plan_start=plan.issued_on, today=timezone.localdate()) if plan else []
    form = None
    if manage:
        form = ReviewRequestForm(request.POST or None, initial=_request_initial(request, presets))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                review = reviews.review_request(
                    plan=plan,
                    kind=data["kind"],
                    title=data["title"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    as_of=data["as_of"],
                    user=request.user,
                )
            except ReportError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã yêu cầu tạo báo cáo; tệp sẽ sẵn sàng sau ít phút."))
                return redirect("review_detail", pk=review.pk)
    elif request.method == "POST":
        raise Http404
    context = {"reviews": found.order_by("-ends_on", "-starts_on", "-version")[:100], "form": form, "presets": presets}
    return render(request, "reports/review_list.html", context, status=400 if request.method == "POST" else 200)


def _sections_form(review: Review) -> SectionsForm:
    drafts = (review.content or {}).get("drafts", {})
    edited = reviews.review_edited_sections(review)
    form = SectionsForm(
        initial={field: edited.get(key) or drafts.get(key, "") for field, key in SectionsForm.KEYS.items()}
    )
    for field, key in SectionsForm.KEYS.items():
        form.fields[field].label = SECTION_LABELS[key]
    return form


@login_required
def review_detail(request, pk: int):
    review = _review_or_404(request.user, pk)
    manage = can_review(request.user) and not review.is_issued
    content = review.content or {}
    context = {
        "review": review,
        "content": content,
        "number_and_symbol": reviews.services.report_number_and_symbol(review),
        "can_edit": manage,
        "can_new_version": can_review(request.user) and review.is_issued,
        "sections_form": _sections_form(review) if manage else None,
        "issue_form": IssueForm(initial={"issued_on": timezone.localdate()}) if manage else None,
        "emulation": content.get("emulation", []),
        "recommendations_total": sum((content.get("recommendations") or {}).values()),
        "recommendations_done": sum(
            (content.get("recommendations") or {}).get(key, 0) for key in ("done_on_time", "done_late")
        ),
        "commended": set(review.commended.values_list("code", flat=True)),
    }
    return render(request, "reports/review_detail.html", context)


def _managed(request, pk: int) -> Review:
    """A review the standing office acts on (the views are ``reviewer_required``)."""
    return _review_or_404(request.user, pk)


@require_POST
@reviewer_required
def review_sections(request, pk: int):
    review = _managed(request, pk)
    form = SectionsForm(request.POST)
    if form.is_valid():
        sections = {key: form.cleaned_data[field] for field, key in SectionsForm.KEYS.items() if field in request.POST}
        try:
            reviews.review_sections_update(review=review, sections=sections, user=request.user)
        except ReportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã lưu nội dung báo cáo và tạo lại tệp."))
    else:
        messages.error(request, _("Nội dung báo cáo không hợp lệ."))
    return redirect("review_detail", pk=review.pk)


@require_POST
@reviewer_required
def review_commend(request, pk: int):
    """The office's picks from the emulation table (``khen`` = agency codes)."""
    review = _managed(request, pk)
    codes = request.POST.getlist("khen")
    agencies = list(Agency.objects.filter(code__in=codes))
    try:
        if len(agencies) != len(set(codes)):
            raise ReportError(_("Có cơ quan không tồn tại trong danh sách đã chọn."))
        reviews.review_commend(review=review, agencies=agencies, user=request.user)
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã lưu danh sách đề nghị khen thưởng và tạo lại tệp."))
    return redirect(reverse("review_detail", args=[review.pk]) + "#thi-dua")


@require_POST
@reviewer_required
def review_issue(request, pk: int):
    review = _managed(request, pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy nhập số và ngày ban hành hợp lệ."))
        return redirect("review_detail", pk=review.pk)
    try:
        reviews.review_issue(review=review, user=request.user, **form.cleaned_data)
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã ban hành báo cáo."))
    return redirect("review_detail", pk=review.pk)


@require_POST
@reviewer_required
def review_new_version(request, pk: int):
    review = _managed(request, pk)
    try:
        draft = reviews.review_new_version(review=review, user=request.user)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("review_detail", pk=review.pk)
    messages.success(request, _("Đã tạo phiên bản mới để chỉnh sửa."))
    return redirect("review_detail", pk=draft.pk)


@login_required
def review_download(request, pk: int, fmt: str):
    return stored_file_response(_review_or_404(request.user, pk), fmt)

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.permissions import (
    can_choose_agency,
    can_read_unapproved,
    can_review,
    can_write_for,
    entry_required,
    reviewer_required,
    submission_for_user,
    writer_required,
)
from core.evidence import evidence_response
from core.validators import EARLIEST_DAY, LATEST_DAY
from core.workflow import EntryError, SubmissionStatus
from indicators.models import Metric, Observation, Period, QualitativeAssessment
from indicators.periods import report_rounds
from indicators.selectors import plan_current
from indicators.services import (
    observation_correct,
    observation_return,
    observation_save,
    observations_approve,
    period_set_locked,
    periods_lock_past_due,
    qualitative_assessment_save,
)
from oversight.models import RecommendationUpdate
from oversight.selectors import recommendation_updates_waiting
from oversight.services import recommendation_update_approve, recommendation_update_return
from tasks.models import TaskUpdate
from tasks.services import task_update_approve, task_update_return

from .forms import CorrectionForm, FigureForm, QualitativeAssessmentForm
from .selectors import (
    agency_work,
    entry_rows,
    figure_comparisons,
    history_steps,
    period_completeness,
    review_queue,
    review_queue_groups,
)

OBSERVATION_HISTORY_FIELDS = [
    "value",
    "numerator",
    "denominator",
    "status",
    "note",
    "evidence",
    "review_note",
    "correction_status",
    "proposed_value",
    "proposed_note",
]
#: what a figure shows once approved, to readers who may not see its agency's unapproved work
OBSERVATION_APPROVED_FIELDS = ["value", "numerator", "denominator", "status", "note", "evidence"]


def as_of_date(request) -> date:
    """The day whose periods a page is about: ``?ngay=YYYY-MM-DD`` within 2000–2100, or today."""
    try:
        day = date.fromisoformat(request.GET.get("ngay", ""))
    except ValueError:
        return timezone.localdate()
    return day if EARLIEST_DAY <= day <= LATEST_DAY else timezone.localdate()


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


# What needs me today


#: the work list's sections: anchor, heading, attribute of WorkList
WORK_SECTIONS = [
    ("tra-lai", gettext_lazy("Bị trả lại – sửa và gửi lại"), "returned"),
    ("qua-han", gettext_lazy("Quá hạn"), "overdue"),
    ("den-han", gettext_lazy("Đến hạn"), "due"),
    ("cho-duyet", gettext_lazy("Đã gửi, chờ duyệt"), "waiting"),
]


@writer_required
def worklist(request):
    """What the user's agency must enter, send or correct now, most pressing first ("Việc cần làm")."""
    plan = plan_current()
    today = timezone.localdate()
    work = agency_work(agency=request.user.agency, as_of=today, start=plan.issued_on if plan else today)
    sections = [(anchor, title, getattr(work, name)) for anchor, title, name in WORK_SECTIONS]
    return render(request, "entry/worklist.html", {"work": work, "sections": sections, "agency": request.user.agency})


# Entry: "what I must report now"


def entry_agency(request) -> Agency | None:
    """The agency an entry page is about: agency staff's own; an administrator's choice (``?co_quan=<code>``),
    else their own agency if they have one. 403 for a choice the user may not write for."""
    code = request.GET.get("co_quan", "")
    if not code or not can_choose_agency(request.user):
        return request.user.agency
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise Http404
    if not can_write_for(request.user, agency.pk):
        raise PermissionDenied
    return agency


def entry_pickers(request, *, agency: Agency | None, frequencies: set[str], as_of: date, step: int = 1) -> dict:
    """What the period and agency pickers of an entry page offer: the reporting rounds since the plan began, the
    rounds before and after (``step`` months away), and (administrators only) the agencies, by kind."""
    today = timezone.localdate()
    plan = plan_current()
    kinds = {Metric.period_kind_of(frequency) for frequency in frequencies}
    choices = report_rounds(kinds=kinds, start=plan.issued_on if plan else today, today=today)
    chosen = next((c.period.ends_on for c in reversed(choices) if c.period.ends_on >= as_of), None)
    agencies = []
    if can_choose_agency(request.user):
        by_kind: dict[str, list[Agency]] = {}
        for item in Agency.objects.filter(is_active=True).order_by("kind", "name").only("code", "name", "kind"):
            by_kind.setdefault(item.get_kind_display(), []).append(item)
        agencies = list(by_kind.items())
    return {
        "previous_day": _shift_month(as_of, -step),
        "next_day": _shift_month(as_of, step),
        "period_choices": choices,
        "period_chosen": chosen,
        "agency_groups": agencies,
        "agency_query": f"&co_quan={agency.code}" if agency and request.GET.get("co_quan") else "",
    }


def _figure_forms(rows, request, *, submitting: bool, bound: dict | None = None) -> None:
    """Give each editable row its form: bound to what was posted (``bound``: the rows still wrong keep theirs),
    else showing what is saved."""
    for row in rows:
        row.form = None
        if not row.editable:
            continue
        if bound is not None and row.metric.pk in bound:
            row.form = bound[row.metric.pk]
            continue
        row.form = FigureForm(
            request.POST if bound is None and request.method == "POST" else None,
            request.FILES if bound is None and request.method == "POST" else None,
            prefix=f"m{row.metric.pk}",
            metric=row.metric,
            previous=row.previous.value if row.previous else None,
            submitting=submitting,
            initial=FigureForm.initial_for(row.observation),
        )


@dataclass(frozen=True)
class FieldProblem:
    """One line of an entry page's error summary: the row's name, the id of the wrong field, what is wrong."""

    row: str
    field_id: str
    message: str


def _error_summary(rows) -> list[FieldProblem]:
    """Every error of the rows' forms, in page order, each pointing at its field (a row's own errors at its first
    input)."""
    found = []
    for row in rows:
        form = row.form
        first = "numerator" if row.metric.is_ratio else "value"
        for name, messages_ in form.errors.items():
            field = name if name in form.fields else first
            for message in messages_:
                found.append(FieldProblem(row.metric.name, form[field].auto_id, message))
    return found


@entry_required
def figure_entry(request):
    """The agency's metrics for the periods containing the chosen day: save a draft or submit them. Rows filled in
    correctly are saved even when others are wrong; the wrong ones come back with their errors, listed at the top
    with a link to each."""
    as_of = as_of_date(request)
    agency = entry_agency(request)
    today = timezone.localdate()
    submitting = request.POST.get("action") == "submit"
    rows = entry_rows(agency=agency, as_of=as_of, today=today) if agency else []
    _figure_forms(rows, request, submitting=submitting)
    errors: list[FieldProblem] = []
    if request.method == "POST":
        forms = [row for row in rows if row.form is not None]
        checked = [(row, row.form.is_valid()) for row in forms]  # every form checked, so each shows its errors
        wrong = [row for row, valid in checked if not valid]
        filled = [row for row, valid in checked if valid and not row.form.is_blank()]
        if filled:
            try:
                with transaction.atomic():
                    for row in filled:
                        observation_save(
                            metric=row.metric,
                            agency=agency,
                            period=row.period,
                            user=request.user,
                            figure=row.form.figure,
                            note=row.form.cleaned_data["note"],
                            evidence=row.form.cleaned_data["evidence"],
                            submit=submitting,
                        )
            except (EntryError, IntegrityError) as exc:
                messages.error(request, str(exc) if isinstance(exc, EntryError) else _("Số liệu vừa được gửi."))
                return redirect(request.get_full_path())
            if submitting:
                messages.success(request, _("Đã gửi %(n)d số liệu để thẩm định.") % {"n": len(filled)})
            else:
                messages.success(request, _("Đã lưu nháp %(n)d số liệu.") % {"n": len(filled)})
                for row in filled:
                    if row.form.warning:
                        messages.warning(request, f"{row.metric.name}: {row.form.warning}")
        elif not wrong:
            messages.info(request, _("Không có số liệu mới để lưu hoặc gửi."))
        if not wrong:
            return redirect(request.get_full_path())
        # what was saved is read again; the wrong rows keep what was typed in them, with their errors
        bound = {row.metric.pk: row.form for row in wrong}
        rows = entry_rows(agency=agency, as_of=as_of, today=today)
        _figure_forms(rows, request, submitting=submitting, bound=bound)
        errors = _error_summary([row for row in rows if row.form is not None and row.metric.pk in bound])
    frequencies = {row.metric.frequency for row in rows}
    context = {
        "rows": rows,
        "as_of": as_of,
        "agency": agency,
        "has_editable": any(row.form for row in rows),
        # each period's Decree 09 deadline, soonest first
        "deadlines": sorted({row.period.label: row.period for row in rows}.values(), key=lambda p: (p.due_on, p.kind)),
        "today": today,
        "ongoing": any(row.period.starts_on <= today <= row.period.ends_on for row in rows),
        "errors": errors,
        "wrong_rows": len({e.row for e in errors}),
        **entry_pickers(request, agency=agency, frequencies=frequencies, as_of=as_of),
    }
    return render(request, "entry/figure_entry.html", context, status=400 if request.method == "POST" else 200)


# One figure: detail, correction, history, evidence


def _observations():
    return Observation.objects.select_related("metric", "agency", "period", "entered_by", "reviewed_by")


@login_required
def observation_detail(request, pk: int):
    observation = submission_for_user(request.user, _observations(), pk)
    can_correct = (
        can_write_for(request.user, observation.agency_id)
        and observation.status == SubmissionStatus.APPROVED
        and observation.correction_status != SubmissionStatus.SUBMITTED
        and not observation.period.is_locked
    )
    form = CorrectionForm(metric=observation.metric) if can_correct else None
    context = {
        "observation": observation,
        "form": form,
        "can_edit": _can_edit_draft(request.user, observation),
        # a correction waiting or refused, and the review's note, are the agency's unapproved work
        "unapproved_visible": can_read_unapproved(request.user, observation.agency_id),
    }
    return render(request, "entry/observation_detail.html", context)


def _can_edit_draft(user, observation) -> bool:
    return can_write_for(user, observation.agency_id) and observation.status in (
        SubmissionStatus.DRAFT,
        SubmissionStatus.RETURNED,
    )


@require_POST
@login_required
def observation_correction(request, pk: int):
    """Propose a new value for an approved figure; the approved one keeps counting until this is approved."""
    observation = submission_for_user(request.user, _observations(), pk, for_write=True)
    form = CorrectionForm(request.POST, metric=observation.metric)
    if form.is_valid():
        try:
            observation_correct(
                observation=observation, user=request.user, figure=form.figure, reason=form.cleaned_data["reason"]
            )
        except EntryError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã gửi đề nghị điều chỉnh. Giá trị đã duyệt vẫn được dùng đến khi duyệt."))
            return redirect("observation_detail", pk=pk)
    return render(
        request,
        "entry/observation_detail.html",
        {"observation": observation, "form": form, "can_edit": False},
        status=400,
    )


@login_required
def observation_history(request, pk: int):
    observation = submission_for_user(request.user, _observations(), pk)
    if can_read_unapproved(request.user, observation.agency_id):
        steps = history_steps(observation, OBSERVATION_HISTORY_FIELDS)
    else:  # another agency's approved figure: its approved versions only, not the drafts and returns before them
        steps = history_steps(observation, OBSERVATION_APPROVED_FIELDS, approved_only=True)
    return render(request, "entry/history.html", {"object": observation, "steps": steps, "kind": "figure"})


@login_required
def observation_evidence(request, pk: int):
    observation = submission_for_user(request.user, _observations(), pk)
    if not observation.evidence:
        raise PermissionDenied
    return evidence_response(observation.evidence)


# Review


@reviewer_required
def review_queue_view(request):
    """Submissions waiting, by agency and period: approve a selection, or return one with a reason."""
    if request.method == "POST":
        _review_action(request)
        return redirect(request.get_full_path())
    groups = review_queue_groups()
    # ?co_quan=<agency code>&ky=<period id>: one group of the queue
    wanted = (request.GET.get("co_quan"), request.GET.get("ky"))
    chosen = next((g for g in groups if (g.agency.code, str(g.period.pk)) == wanted), None)
    if chosen:
        context = review_queue(agency_id=chosen.agency.pk, period_id=chosen.period.pk)
    else:
        context = review_queue()
    comparisons = figure_comparisons(context["observations"])
    for observation in context["observations"]:
        observation.comparison = comparisons[observation.pk]
    # reports on recommendations belong to no reporting period: all of them, or the chosen agency's
    recommendations = recommendation_updates_waiting()
    if chosen:
        recommendations = recommendations.filter(agency=chosen.agency)
    context.update(groups=groups, chosen=chosen, recommendation_updates=list(recommendations))
    return render(request, "entry/review_queue.html", context)


# what the queue's form names each kind of submission: model, approve, return, the services' argument name
def _observations_approve(*, items, user) -> int:
    return observations_approve(observations=items, user=user)  # one recompute per metric, not per figure


def _task_updates_approve(*, items, user) -> int:
    return sum(task_update_approve(task_update=item, user=user) for item in items)


def _recommendation_updates_approve(*, items, user) -> int:
    return sum(recommendation_update_approve(update=item, user=user) for item in items)


#: per kind of item in the review queue: its model, bulk approval, return with a reason, and argument name
_REVIEWABLE = {
    "o": (Observation, _observations_approve, observation_return, "observation"),
    "t": (TaskUpdate, _task_updates_approve, task_update_return, "task_update"),
    "r": (RecommendationUpdate, _recommendation_updates_approve, recommendation_update_return, "update"),
}


def _review_action(request) -> None:
    """``return_o=<pk>`` / ``return_t=<pk>`` / ``return_r=<pk>`` with ``reason-o<pk>`` returns one item;
    ``action=approve`` approves every ticked ``o``, ``t`` and ``r``."""
    user = request.user
    for prefix, (model, _approve, send_back, argument) in _REVIEWABLE.items():
        returned = request.POST.get(f"return_{prefix}", "")
        if returned.isdigit():
            item = get_object_or_404(model, pk=returned)
            try:
                done = send_back(
                    **{argument: item}, user=user, reason=request.POST.get(f"reason-{prefix}{item.pk}", "")
                )
            except EntryError as exc:
                messages.error(request, str(exc))
                return
            if done:
                messages.success(request, _("Đã trả lại kèm lý do."))
            return
    if request.POST.get("action") != "approve":
        return
    approved = 0
    with transaction.atomic():
        for prefix, (model, approve, _return, _argument) in _REVIEWABLE.items():
            ids = [int(x) for x in request.POST.getlist(prefix) if x.isdigit()]
            approved += approve(items=model.objects.filter(pk__in=ids), user=user)
    if approved:
        messages.success(request, _("Đã duyệt %(n)d mục.") % {"n": approved})
    else:
        messages.info(request, _("Chưa chọn mục nào đang chờ duyệt."))


@reviewer_required
def qualitative_assessment(request):
    form = QualitativeAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        qualitative_assessment_save(
            target=form.cleaned_data["target"],
            period=form.cleaned_data["period"],
            user=request.user,
            status=form.cleaned_data["status"],
            narrative=form.cleaned_data["narrative"],
        )
        messages.success(request, _("Đã lưu đánh giá."))
        return redirect("qualitative_assessment")
    recent = QualitativeAssessment.objects.select_related("target__indicator", "period", "assessed_by")[:50]
    return render(request, "entry/qualitative_assessment.html", {"form": form, "recent": recent})


# Periods


#: how a period's state reads on the periods page (``Period.state_on``), and its chip's class
PERIOD_STATES = {
    "not_begun": (gettext_lazy("Chưa bắt đầu"), "not_begun"),
    "open": (gettext_lazy("Đang mở"), "open"),
    "past_due": (gettext_lazy("Quá hạn nộp, vẫn nhận"), "submitted"),
    "locked": (gettext_lazy("Đã khóa"), "locked"),
}


@login_required
def period_list(request):
    today = timezone.localdate()
    periods = list(Period.objects.order_by("-ends_on", "kind"))
    for period in periods:
        period.state_label, period.state_class = PERIOD_STATES[period.state_on(today)]
    return render(request, "entry/period_list.html", {"periods": periods, "can_manage": can_review(request.user)})


@require_POST
@reviewer_required
def period_lock(request, pk: int, locked: bool):
    period = period_set_locked(period=get_object_or_404(Period, pk=pk), user=request.user, locked=locked)
    message = _("Đã khóa %(p)s.") if locked else _("Đã mở lại %(p)s để nhập muộn.")
    messages.success(request, message % {"p": period.label})
    return redirect(reverse("period_list"))


@require_POST
@reviewer_required
def periods_lock_overdue(request):
    count = periods_lock_past_due(as_of=timezone.localdate())
    messages.success(request, _("Đã khóa %(n)d kỳ đã quá hạn nộp.") % {"n": count})
    return redirect("period_list")


@login_required
def period_completeness_view(request, pk: int):
    """Which agencies have reported for a period: on time, late, partly, not at all."""
    if request.user.is_agency_staff:
        raise PermissionDenied
    period = get_object_or_404(Period, pk=pk)
    report = period_completeness(period=period, as_of=as_of_date(request))
    return render(request, "entry/period_completeness.html", {"report": report, "period": period})

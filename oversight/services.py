"""Writes for inspections, their recommendations, the agencies' reports on them, and the central mapping.

The one write path of each model: transactional, every step saved as a version of its history
(``core.workflow.save_version``) with who and why. A report on a recommendation goes the way a task update goes:
draft → submitted → approved | returned; approving a report of completion closes the recommendation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agencies.models import Agency
from core.workflow import EntryError, SubmissionStatus, evidence_replace, save_version, text_checked
from indicators.models import Plan

from .models import CentralIndicator, Inspection, Recommendation, RecommendationUpdate

INSPECTION_FIELDS = (
    "title",
    "kind",
    "team",
    "lead_body",
    "starts_on",
    "ends_on",
    "decision_number",
    "decision_date",
    "conclusion_number",
    "conclusion_date",
    "conclusion",
)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


@transaction.atomic
def inspection_save(
    *,
    plan: Plan,
    user,
    data: dict,
    agencies: list[Agency],
    tasks=(),
    indicators=(),
    decision_file=None,
    conclusion_file=None,
    inspection: Inspection | None = None,
) -> Inspection:
    """Record a new inspection or change one: who, when, whom, what, the decision and the conclusion."""
    if not agencies:
        raise EntryError(_("Hãy chọn ít nhất một cơ quan, địa phương được kiểm tra."))
    if data["ends_on"] < data["starts_on"]:
        raise EntryError(_("Ngày kết thúc kiểm tra không được trước ngày bắt đầu."))
    conclusion_date = data.get("conclusion_date")
    if conclusion_date and conclusion_date < data["starts_on"]:
        raise EntryError(_("Ngày kết luận không được trước ngày bắt đầu kiểm tra."))
    if inspection is None:
        inspection = Inspection(plan=plan, created_by=user)
    else:
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        first_due = inspection.recommendations.order_by("due_on").values_list("due_on", flat=True).first()
        if first_due and conclusion_date and first_due < conclusion_date:
            raise EntryError(_("Đã có kiến nghị có hạn trước ngày kết luận này; hãy sửa hạn của kiến nghị trước."))
    for name in INSPECTION_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            value = text_checked(value, label=_label(Inspection, name))
        field = Inspection._meta.get_field(name)
        setattr(inspection, name, field.get_default() if value is None and not field.null else value)
    if not inspection.title:
        raise EntryError(_("Hãy nhập tên đợt kiểm tra."))
    if decision_file:
        evidence_replace(inspection, decision_file, field="decision_file")
    if conclusion_file:
        evidence_replace(inspection, conclusion_file, field="conclusion_file")
    creating = inspection.pk is None
    save_version(inspection, user=user, reason="Ghi nhận đợt kiểm tra" if creating else "Sửa thông tin đợt kiểm tra")
    inspection.agencies.set(agencies)
    inspection.tasks.set(tasks)
    inspection.indicators.set(indicators)
    return inspection


def _recommendation_checked(inspection: Inspection, *, text: str, due_on: date) -> str:
    text = text_checked(text, label=_("Nội dung kiến nghị"))
    if not text:
        raise EntryError(_("Hãy nhập nội dung kiến nghị."))
    since = inspection.conclusion_date or inspection.starts_on
    if due_on < since:
        message = _("Hạn hoàn thành kiến nghị không được trước ngày %(day)s (ngày kết luận hoặc bắt đầu kiểm tra).")
        raise EntryError(message % {"day": since.strftime("%d/%m/%Y")})
    return text


@transaction.atomic
def recommendation_add(
    *, inspection: Inspection, user, text: str, agency: Agency, due_on: date, task=None
) -> Recommendation:
    """A recommendation of the inspection's conclusion, numbered after the last one."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    text = _recommendation_checked(inspection, text=text, due_on=due_on)
    number = (inspection.recommendations.aggregate(last=Max("number"))["last"] or 0) + 1
    recommendation = Recommendation(
        inspection=inspection, number=number, text=text, agency=agency, due_on=due_on, task=task
    )
    save_version(recommendation, user=user, reason="Thêm kiến nghị")
    return recommendation


@transaction.atomic
def recommendation_change(
    *, recommendation: Recommendation, user, text: str, agency: Agency, due_on: date, task=None
) -> Recommendation:
    """Change a recommendation still open: its text, deadline, related task, and its agency while it has no
    reports yet."""
    recommendation = Recommendation.objects.select_for_update().select_related("inspection").get(pk=recommendation.pk)
    if recommendation.accepted_on:
        raise EntryError(_("Kiến nghị đã hoàn thành và được chấp nhận, không sửa được."))
    if agency.pk != recommendation.agency_id and recommendation.updates.exists():
        raise EntryError(_("Cơ quan đã báo cáo về kiến nghị này; không đổi được cơ quan thực hiện."))
    recommendation.text = _recommendation_checked(recommendation.inspection, text=text, due_on=due_on)
    recommendation.agency, recommendation.due_on, recommendation.task = agency, due_on, task
    save_version(recommendation, user=user, reason="Sửa kiến nghị")
    return recommendation


UPDATE_FIELDS = ("progress", "work_done", "completed_on", "document_number", "document_date")


@transaction.atomic
def recommendation_update_save(
    *, recommendation: Recommendation, user, data: dict, evidence=None, submit: bool = False
) -> RecommendationUpdate:
    """The agency's report on carrying out a recommendation, saved as a draft or sent for review. The open report
    (draft or returned) is edited; once one is approved, the next report is a new one."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.accepted_on:
        raise EntryError(_("Kiến nghị đã hoàn thành và được chấp nhận; không cần báo cáo thêm."))
    update = recommendation.updates.exclude(status=SubmissionStatus.APPROVED).order_by("-created_at", "-pk").first()
    if update is None:
        update = RecommendationUpdate(recommendation=recommendation, agency_id=recommendation.agency_id)
    elif update.status == SubmissionStatus.SUBMITTED:
        raise EntryError(_("Báo cáo về kiến nghị này đã gửi và đang chờ thẩm định."))
    for name in UPDATE_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            value = text_checked(value, label=_label(RecommendationUpdate, name))
        field = RecommendationUpdate._meta.get_field(name)
        setattr(update, name, field.get_default() if value is None and not field.null else value)
    if update.progress == RecommendationUpdate.Progress.DONE:
        if update.completed_on is None:
            raise EntryError(_("Kiến nghị đã thực hiện xong: hãy nhập ngày hoàn thành."))
        if update.completed_on > timezone.localdate():
            raise EntryError(_("Ngày hoàn thành không được sau hôm nay."))
    else:
        update.completed_on = None
    if evidence:
        evidence_replace(update, evidence)
    if submit and update.progress == RecommendationUpdate.Progress.DONE and not (evidence or update.evidence):
        raise EntryError(_("Báo cáo đã thực hiện xong kiến nghị cần kèm tài liệu minh chứng."))
    update.entered_by = user
    if submit:
        update.status = SubmissionStatus.SUBMITTED
        update.submitted_at = timezone.now()
    elif update.status != SubmissionStatus.RETURNED:
        update.status = SubmissionStatus.DRAFT
    save_version(update, user=user, reason="Gửi duyệt" if submit else "Lưu nháp")
    return update


@transaction.atomic
def recommendation_update_approve(*, update: RecommendationUpdate, user, note: str = "") -> bool:
    """Accept a report; a report of completion closes its recommendation, done on the day the agency gave."""
    update = RecommendationUpdate.objects.select_for_update().get(pk=update.pk)
    if update.status != SubmissionStatus.SUBMITTED:
        return False
    now = timezone.now()
    update.status = SubmissionStatus.APPROVED
    update.reviewed_by, update.reviewed_at, update.review_note = user, now, text_checked(note, label=_("Ý kiến"))
    save_version(update, user=user, reason="Phê duyệt")
    if update.progress == RecommendationUpdate.Progress.DONE:
        recommendation = Recommendation.objects.select_for_update().get(pk=update.recommendation_id)
        recommendation.completed_on = update.completed_on
        recommendation.accepted_on = timezone.localdate(now)
        save_version(recommendation, user=user, reason="Chấp nhận kết quả thực hiện")
    return True


@transaction.atomic
def recommendation_update_return(*, update: RecommendationUpdate, user, reason: str) -> bool:
    reason = text_checked(reason, label=_("Lý do trả lại"))
    if not reason:
        raise EntryError(_("Hãy nêu lý do trả lại."))
    update = RecommendationUpdate.objects.select_for_update().get(pk=update.pk)
    if update.status != SubmissionStatus.SUBMITTED:
        return False
    update.status = SubmissionStatus.RETURNED
    update.reviewed_by, update.reviewed_at, update.review_note = user, timezone.now(), reason
    save_version(update, user=user, reason=f"Trả lại: {reason}")
    return True


# The central mapping, as the spreadsheet import writes it (imports/central_mapping.py)

CENTRAL_FIELDS = ("name", "unit", "metric_id", "factor")


@transaction.atomic
def central_indicators_write(*, new: list[dict], updates: list[tuple[int, dict]], user) -> dict:
    """Create and change central indicators (values checked by the import), with their history; returns what an
    undo needs: the ids created and the values replaced."""
    before: dict[str, dict] = {}
    changed = []
    existing = CentralIndicator.objects.select_for_update().in_bulk([pk for pk, _values in updates])
    for pk, values in updates:
        row = existing[pk]
        before[str(pk)] = {name: _plain(getattr(row, name)) for name in values}
        for name, value in values.items():
            setattr(row, name, value)
        changed.append(row)
    if changed:
        bulk_update_with_history(
            changed, CentralIndicator, sorted({n for _pk, v in updates for n in v}), default_user=user
        )
    created = bulk_create_with_history(
        [CentralIndicator(**values) for values in new], CentralIndicator, default_user=user
    )
    return {"created": [row.pk for row in created], "updated": before}


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def central_indicators_undo(*, changes: dict, user) -> None:
    """Take back what ``central_indicators_write`` did."""
    for row in CentralIndicator.objects.filter(pk__in=changes.get("created", [])):
        row._history_user = user
        row.delete()
    rows = CentralIndicator.objects.in_bulk([int(pk) for pk in changes.get("updated", {})])
    for pk, values in changes.get("updated", {}).items():
        row = rows[int(pk)]
        for name, value in values.items():
            setattr(row, name, Decimal(value) if name == "factor" else value)
        save_version(row, user=user, reason="Hoàn tác lần nhập bảng quy đổi")

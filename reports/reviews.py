"""Writes for reviews over a span (sơ kết, tổng kết): request, generate, edit the sections, pick whom to commend,
issue and sign, open a new version. The one write path for ``Review``, on the periodic report's rules: the
letterhead, the checks on issuing and the PDF signature are those of ``services`` (a review is the province's),
the files are built by a Celery job after the request commits, and an issued review never changes again.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from agencies.permissions import can_issue_for
from core.jobs import enqueue_after_commit
from core.workflow import text_checked
from indicators.models import Plan

from . import documents, review_documents, review_drafting, services
from .models import Review
from .review_content import review_content_collect
from .services import ReportError

logger = logging.getLogger(__name__)

#: the longest span a review may cover: a term and a half
MAX_SPAN_DAYS = 8 * 366


def _enqueue(review: Review) -> None:
    # recorded with the request itself, as a periodic report's: with Redis down it is built once Redis is back
    enqueue_after_commit("reports.review_generate", review.pk)


def review_title(*, kind: str, starts_on: date, ends_on: date) -> str:
    """A title when the office gives none: "Sơ kết 2,5 năm", "Tổng kết 1 năm", "Sơ kết 6 tháng"."""
    months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + (ends_on.day >= starts_on.day)
    words = "Tổng kết" if kind == Review.Kind.FINAL else "Sơ kết"
    if months % 12 == 0:
        return f"{words} {months // 12} năm"
    if months % 6 == 0 and months > 12:
        return f"{words} {months // 12},5 năm"
    return f"{words} {months} tháng"


@transaction.atomic
def review_request(
    *, plan: Plan, kind: str, starts_on: date, ends_on: date, as_of: date, user: User | None, title: str = ""
) -> Review:
    """Ask for a review of [starts_on, ends_on] as of ``as_of``: the span's open draft is reused, else a new version
    starts."""
    if kind not in Review.Kind.values:
        raise ReportError(_("Loại báo cáo không hợp lệ."))
    if ends_on <= starts_on:
        raise ReportError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    if (ends_on - starts_on).days > MAX_SPAN_DAYS:
        raise ReportError(_("Khoảng thời gian sơ kết, tổng kết dài nhất là 8 năm."))
    if as_of < starts_on:
        raise ReportError(_("Ngày tính số liệu không được trước ngày bắt đầu."))
    title = text_checked(title, label=_("Tên báo cáo"), max_length=300) or review_title(
        kind=kind, starts_on=starts_on, ends_on=ends_on
    )
    reviews = Review.objects.select_for_update().filter(plan=plan, starts_on=starts_on, ends_on=ends_on)
    draft = reviews.filter(status=Review.Status.DRAFT).order_by("-version").first()
    if draft is None:
        version = (reviews.aggregate(last=Max("version"))["last"] or 0) + 1
        draft = Review.objects.create(
            plan=plan,
            kind=kind,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            as_of=as_of,
            version=version,
            created_by=user,
        )
    else:
        draft.kind, draft.title, draft.as_of = kind, title, as_of
        draft.generation = Review.Generation.PENDING
        draft.save(update_fields=["kind", "title", "as_of", "generation"])
    _enqueue(draft)
    return draft


def review_edited_sections(review: Review) -> dict[str, str]:
    return {key: text for key, text in review.sections.items() if text}


def _build_files(review: Review) -> None:
    # an official document in Vietnamese, whatever language the requesting user browses in
    with translation.override(settings.LANGUAGE_CODE):
        content = review_content_collect(
            plan=review.plan,
            title=review.title,
            kind=review.kind,
            starts_on=review.starts_on,
            ends_on=review.ends_on,
            as_of=review.as_of,
            commended=set(review.commended.values_list("pk", flat=True)),
        )
        drafts = review_drafting.sections_draft(content)
        texts = review_drafting.sections_draft(content, review_edited_sections(review))
        docx = review_documents.build_review_docx(content, services.report_letterhead(review), sections=texts)
        xlsx = review_documents.build_review_xlsx(content)
    pdf = None
    if settings.REPORT_PDF_ENABLED:
        try:
            pdf = documents.docx_to_pdf(docx)
        except Exception:  # PDF is optional: the .docx and .xlsx stand on their own
            logger.exception("PDF conversion failed for review %s", review.pk)
    if review.is_issued:
        pdf = services.pdf_signed(review, pdf)  # the periodic report's one signing step, before a file is replaced
    stem = f"so-ket-{review.starts_on:%Y%m%d}-{review.ends_on:%Y%m%d}-v{review.version}"
    services.file_replace(review.docx, f"{stem}.docx", docx)
    services.file_replace(review.xlsx, f"{stem}.xlsx", xlsx)
    services.file_replace(review.pdf, f"{stem}.pdf", pdf)
    review.content = {**content.as_json(), "drafts": drafts}
    review.generation = Review.Generation.READY
    review.error = ""
    review.generated_at = timezone.now()


def _locked(review_id: int) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related("plan").get(pk=review_id)


@transaction.atomic
def review_generate(*, review_id: int) -> Review:
    """Build and store the review's files. Idempotent; an issued review is left exactly as it was issued."""
    review = _locked(review_id)
    if review.is_issued:
        return review
    _build_files(review)
    review.save()
    return review


@transaction.atomic
def review_mark_failed(*, review_id: int, error: str) -> None:
    Review.objects.filter(pk=review_id, status=Review.Status.DRAFT).update(
        generation=Review.Generation.FAILED, error=error[:2000]
    )


def _editable(review: Review) -> Review:
    locked = _locked(review.pk)
    if locked.is_issued:
        raise ReportError(_("Báo cáo đã ban hành thì không sửa được; hãy tạo phiên bản mới."))
    return locked


@transaction.atomic
def review_sections_update(*, review: Review, sections: dict[str, str], user: User) -> Review:
    """Save the office's text of the sections on a draft (only real edits) and regenerate its files."""
    review = _editable(review)
    drafts = review.content.get("drafts", {})
    edited = dict(review.sections)
    for key in review_drafting.SECTIONS:
        if key not in sections:
            continue
        text = "\n".join(line.rstrip() for line in (sections[key] or "").strip().splitlines())
        edited[key] = "" if text == drafts.get(key, "").strip() else text
    review.sections = {key: text for key, text in edited.items() if text}
    review.generation = Review.Generation.PENDING
    review.save(update_fields=["sections", "generation"])
    _enqueue(review)
    return review


@transaction.atomic
def review_commend(*, review: Review, agencies: list[Agency], user: User) -> Review:
    """The collectives the office proposes to commend, picked from the emulation table; the files follow."""
    review = _editable(review)
    listed = {row["code"] for row in review.content.get("emulation", [])}
    strangers = [agency.name for agency in agencies if agency.code not in listed]
    if strangers:
        raise ReportError(
            _("Chỉ chọn được cơ quan có trong bảng theo dõi thi đua: %(names)s.") % {"names": ", ".join(strangers)}
        )
    review.commended.set(agencies)
    review.generation = Review.Generation.PENDING
    review.save(update_fields=["generation"])
    _enqueue(review)
    return review


@transaction.atomic
def review_issue(
    *,
    review: Review,
    number: str,
    issued_on: date,
    user: User,
    signing_authority: str = "",
    signer_title: str = "",
    signer_name: str = "",
) -> Review:
    """Issue a draft under a number and date, signed as chosen: the files are built once more, final, frozen."""
    review = _editable(review)
    if not can_issue_for(user, None):
        raise ReportError(
            _("Chỉ cán bộ của %(body)s mới ban hành (và ký số) được báo cáo này.") % {"body": _("Ban Chỉ đạo tỉnh")}
        )
    review.number = services.issue_checked(
        number=number,
        issued_on=issued_on,
        as_of=review.as_of,
        signing_authority=signing_authority,
        signer_title=signer_title,
    )
    review.signing_key, review.signer_name = services.issuer_checked(review, user, signer_name.strip())
    review.signing_authority = signing_authority
    review.signer_title = signer_title.strip()
    review.issued_on = issued_on
    review.status = Review.Status.ISSUED
    review.issued_by = user
    review.issued_at = timezone.now()
    _build_files(review)
    review.save()
    return review


@transaction.atomic
def review_new_version(*, review: Review, user: User) -> Review:
    """Start a new draft from an issued review (same span, as-of date, sections and picks), to issue anew."""
    if not review.is_issued:
        raise ReportError(_("Chỉ tạo phiên bản mới từ một báo cáo đã ban hành."))
    same_span = Review.objects.filter(plan=review.plan, starts_on=review.starts_on, ends_on=review.ends_on)
    if same_span.filter(status=Review.Status.DRAFT).exists():
        raise ReportError(_("Khoảng thời gian này đã có một bản dự thảo đang soạn."))
    draft = Review.objects.create(
        plan=review.plan,
        kind=review.kind,
        title=review.title,
        starts_on=review.starts_on,
        ends_on=review.ends_on,
        as_of=review.as_of,
        version=same_span.aggregate(last=Max("version"))["last"] + 1,
        sections=review.sections,
        created_by=user,
    )
    draft.commended.set(review.commended.all())
    _enqueue(draft)
    return draft

"""Writes for periodic reports (request, generate, edit the narrative, issue, open a new version) and comments.

The one write path for ``PeriodicReport`` and ``Comment``. Generation runs in a Celery job (``jobs.py``) after
the request commits; issuing regenerates the files once more with the number and date, and from then on the report is
never written again.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from core.jobs import enqueue
from indicators import readings
from indicators.models import Period, Plan

from . import documents, drafting, signing
from .content import report_content_collect
from .models import PeriodicReport, SigningAuthority

logger = logging.getLogger(__name__)


class ReportError(ValueError):
    """A report action that is not allowed; the message is shown to the user in Vietnamese."""


def agency_symbol(agency: Agency) -> str:
    """The issuing body's abbreviation in a number and symbol, from its official short name: "Sở KH&CN" → "SKHCN",
    "VP UBND tỉnh" → "VPUBND", "Công an tỉnh" → "CAT"; a commune or ward issues as its People's Committee, "UBND".

    With an abbreviation in the name, the capitalised words give their initial and the abbreviation its letters
    (lower-case words such as "tỉnh" are left out); without one, every word gives its initial. Vietnamese
    symbols keep "Đ" (as in "BCĐ") and drop the other diacritics.
    """
    if agency.kind == Agency.Kind.LOCALITY:
        return "UBND"

    def plain(text: str) -> str:
        text = text.replace("đ", "Đ")
        decomposed = unicodedata.normalize("NFD", text)
        return "".join(c for c in decomposed if unicodedata.category(c) != "Mn" and (c.isalnum() or c == "Đ"))

    words = [plain(word) for word in (agency.short_name or agency.name).split()]
    words = [word for word in words if word]
    abbreviated = any(sum(c.isupper() for c in word) >= 2 for word in words)
    parts = []
    for word in words:
        if sum(c.isupper() for c in word) >= 2:
            parts.append(word.upper())
        elif word[0].isupper() or not abbreviated:
            parts.append(word[0].upper())
    return "".join(parts) or re.sub(r"[^A-Za-z0-9]", "", agency.code).upper()


def report_number_and_symbol(report: PeriodicReport) -> str:
    """As printed under the issuer: "Số 12-BC/BCĐ" (Party layout) or "Số: 12/BC-SKHCN" (Decree 30)."""
    number = report.number or "      "
    if report.agency_id is None:
        return f"Số {number}-BC/{settings.REPORT_SYMBOL}"
    return f"Số: {number}/BC-{agency_symbol(report.agency)}"


def _signer(report: PeriodicReport, layout: str, *, collective: str, head: str, default: tuple[str, str]):
    """The lines above the signature: the issuer's default, or the authority chosen when issuing."""
    if not report.signing_authority:
        capacity, title = default
    else:
        capacity, title = documents.signature_lines(
            layout, report.signing_authority, collective=collective, head=head, title=report.signer_title.upper()
        )
    return {"signer_capacity": capacity, "signer_title": title}


def report_letterhead(report: PeriodicReport) -> documents.Letterhead:
    agency = report.agency
    common = {
        "number": report_number_and_symbol(report),
        "place": settings.REPORT_PLACE,
        "issued_on": report.issued_on,
        "draft": not report.is_issued,
    }
    if agency is None:
        return documents.Letterhead(
            layout=documents.PARTY,
            parent=settings.REPORT_PARENT_BODY,
            issuer=settings.REPORT_ISSUING_BODY,
            signer_name=report.signer_name or settings.REPORT_SIGNER_NAME,
            recipients=settings.REPORT_RECIPIENTS,
            **_signer(
                report,
                documents.PARTY,
                collective="BAN CHỈ ĐẠO",
                head="TRƯỞNG BAN",
                default=(settings.REPORT_SIGNER_CAPACITY, settings.REPORT_SIGNER_TITLE),
            ),
            **common,
        )
    if agency.kind == Agency.Kind.PARTY:
        return documents.Letterhead(
            layout=documents.PARTY,
            parent=settings.REPORT_PARENT_BODY,
            issuer=agency.name.upper(),
            signer_name=report.signer_name,
            recipients=["- Ban Chỉ đạo tỉnh (để báo cáo),", "- Văn phòng Tỉnh ủy,", "- Lưu VT."],
            **_signer(
                report,
                documents.PARTY,
                collective=agency.name.upper(),
                head="THỦ TRƯỞNG CƠ QUAN",
                default=("", "THỦ TRƯỞNG CƠ QUAN"),
            ),
            **common,
        )
    locality = agency.kind == Agency.Kind.LOCALITY
    head = "CHỦ TỊCH" if locality else "GIÁM ĐỐC"
    return documents.Letterhead(
        layout=documents.STATE,
        parent=f"TỈNH {settings.REPORT_PLACE.upper()}" if locality else f"UBND TỈNH {settings.REPORT_PLACE.upper()}",
        issuer=f"ỦY BAN NHÂN DÂN {agency.name.upper()}" if locality else agency.name.upper(),
        signer_name=report.signer_name,
        recipients=["- Ban Chỉ đạo tỉnh (để báo cáo),", "- Văn phòng Tỉnh ủy (để tổng hợp),", "- Lưu: VT."],
        **_signer(
            report,
            documents.STATE,
            collective="ỦY BAN NHÂN DÂN" if locality else agency.name.upper(),
            head=head,
            default=("TM. ỦY BAN NHÂN DÂN", head) if locality else ("", head),
        ),
        **common,
    )


def _enqueue(report: PeriodicReport) -> None:
    transaction.on_commit(partial(enqueue, "reports.periodic_report_generate", report.pk))


@transaction.atomic
def report_request(
    *,
    plan: Plan,
    period: Period,
    as_of: date,
    agency: Agency | None = None,
    user: User | None,
    reading: str = readings.AS_KNOWN,
) -> PeriodicReport:
    """Ask for a report of ``period`` as of ``as_of`` in a ``reading`` of that date (``indicators.readings``;
    by default what was approved by then): the open draft is reused, else a new version starts."""
    if reading not in readings.READINGS:
        raise ReportError(_("Cách đọc số liệu không hợp lệ."))
    if as_of < period.starts_on:
        raise ReportError(_("Ngày tính số liệu không được trước ngày bắt đầu kỳ báo cáo."))
    reports = PeriodicReport.objects.select_for_update().filter(plan=plan, period=period, agency=agency)
    draft = reports.filter(status=PeriodicReport.Status.DRAFT).order_by("-version").first()
    if draft is None:
        version = (reports.aggregate(last=Max("version"))["last"] or 0) + 1
        draft = PeriodicReport.objects.create(
            plan=plan, period=period, agency=agency, as_of=as_of, reading=reading, version=version, created_by=user
        )
    else:
        draft.as_of, draft.reading = as_of, reading
        draft.generation = PeriodicReport.Generation.PENDING
        draft.save(update_fields=["as_of", "reading", "generation"])
    _enqueue(draft)
    return draft


def _replace_file(field, name: str, data: bytes | None) -> None:
    if field:
        field.delete(save=False)
    if data is not None:
        field.save(name, ContentFile(data), save=False)


def _sign(report: PeriodicReport, pdf: bytes | None) -> bytes | None:
    """On issue, the PDF signed with the office's certificate when ``REPORT_SIGNING_P12`` is set."""
    if not settings.REPORT_SIGNING_P12:
        return pdf
    if pdf is None:
        raise ReportError(_("Đã cấu hình ký số nhưng không tạo được tệp PDF để ký; báo cáo chưa được ban hành."))
    try:
        signed, signature = signing.pdf_sign(
            pdf,
            p12_path=settings.REPORT_SIGNING_P12,
            password=settings.REPORT_SIGNING_PASSWORD,
            reason=f"Ban hành {report_number_and_symbol(report)}",
            location=settings.REPORT_PLACE,
        )
    except signing.SigningError as exc:
        logger.exception("Signing failed for report %s", report.pk)
        raise ReportError(_("Không ký số được báo cáo: %(error)s") % {"error": exc}) from exc
    report.signed_by = signature.signer
    report.signed_at = signature.signed_at
    return signed


def report_edited_sections(report: PeriodicReport) -> dict[str, str]:
    """The sections the office rewrote; the narrative of older reports stands for section I."""
    return {drafting.RESULTS: report.narrative, **{k: v for k, v in report.sections.items() if v}}


def _build_files(report: PeriodicReport) -> None:
    # The report is an official document in Vietnamese, whatever language the requesting user browses in.
    with translation.override(settings.LANGUAGE_CODE):
        content = report_content_collect(
            plan=report.plan, period=report.period, as_of=report.as_of, agency=report.agency, reading=report.reading
        )
        chart = documents.build_status_chart(content)
        drafts = drafting.sections_draft(content)
        texts = drafting.sections_draft(content, report_edited_sections(report))
        docx = documents.build_docx(content, report_letterhead(report), chart_png=chart, sections=texts)
        xlsx = documents.build_xlsx(content)
    pdf = None
    if settings.REPORT_PDF_ENABLED:
        try:
            pdf = documents.docx_to_pdf(docx)
        except Exception:  # PDF is optional: the .docx and .xlsx stand on their own
            logger.exception("PDF conversion failed for report %s", report.pk)
    if report.is_issued:
        pdf = _sign(report, pdf)  # before any stored file is replaced: a failure leaves the draft as it was
    who = agency_symbol(report.agency) if report.agency_id else "tinh"
    stem = f"bao-cao-{report.period.kind}-{report.period.year}-{report.period.number}-{who}-v{report.version}"
    _replace_file(report.docx, f"{stem}.docx", docx)
    _replace_file(report.xlsx, f"{stem}.xlsx", xlsx)
    _replace_file(report.pdf, f"{stem}.pdf", pdf)
    report.content = {**content.as_json(), "drafts": drafts}
    report.generation = PeriodicReport.Generation.READY
    report.error = ""
    report.generated_at = timezone.now()


@transaction.atomic
def report_generate(*, report_id: int) -> PeriodicReport:
    """Build and store the report's files. Idempotent; an issued report is left exactly as it was issued."""
    report = (
        PeriodicReport.objects.select_for_update(of=("self",))
        .select_related("plan", "period", "agency")
        .get(pk=report_id)
    )
    if report.is_issued:
        return report
    _build_files(report)
    report.save()
    return report


@transaction.atomic
def report_mark_failed(*, report_id: int, error: str) -> None:
    PeriodicReport.objects.filter(pk=report_id, status=PeriodicReport.Status.DRAFT).update(
        generation=PeriodicReport.Generation.FAILED, error=error[:2000]
    )


def _editable(report: PeriodicReport) -> PeriodicReport:
    locked = (
        PeriodicReport.objects.select_for_update(of=("self",))
        .select_related("plan", "period", "agency")
        .get(pk=report.pk)
    )
    if locked.is_issued:
        raise ReportError(_("Báo cáo đã ban hành thì không sửa được; hãy tạo phiên bản mới."))
    return locked


@transaction.atomic
def report_narrative_update(*, report: PeriodicReport, narrative: str, user: User) -> PeriodicReport:
    """Save the standing office's text of section I on a draft and regenerate its files."""
    return report_sections_update(report=report, sections={drafting.RESULTS: narrative}, user=user)


@transaction.atomic
def report_sections_update(*, report: PeriodicReport, sections: dict[str, str], user: User) -> PeriodicReport:
    """Save the office's text of the sections on a draft and regenerate its files.

    A section left as drafted (or emptied) keeps following the data: only real edits are stored.
    """
    report = _editable(report)
    drafts = report.content.get("drafts", {})
    edited = dict(report.sections)
    for key in drafting.SECTIONS:
        if key not in sections:
            continue
        text = "\n".join(line.rstrip() for line in (sections[key] or "").strip().splitlines())
        edited[key] = "" if text == drafts.get(key, "").strip() else text
    report.sections = {key: text for key, text in edited.items() if text}
    report.narrative = report.sections.get(drafting.RESULTS, "")
    report.generation = PeriodicReport.Generation.PENDING
    report.save(update_fields=["sections", "narrative", "generation"])
    _enqueue(report)
    return report


@transaction.atomic
def report_issue(
    *,
    report: PeriodicReport,
    number: str,
    issued_on: date,
    user: User,
    signing_authority: str = "",
    signer_title: str = "",
    signer_name: str = "",
) -> PeriodicReport:
    """Issue a draft under a number and date, signed as chosen: the files are built once more, final, frozen."""
    report = _editable(report)
    number = number.strip()
    if not number:
        raise ReportError(_("Hãy nhập số của báo cáo."))
    if issued_on < report.as_of:
        raise ReportError(_("Ngày ban hành không được trước ngày tính số liệu."))
    if signing_authority not in SigningAuthority.values:
        raise ReportError(_("Thẩm quyền ký không hợp lệ."))
    if signing_authority in (SigningAuthority.DEPUTY, SigningAuthority.BY_ORDER) and not signer_title.strip():
        raise ReportError(_("Ký thay (KT.) hoặc thừa lệnh (TL.) thì phải ghi chức vụ của người ký."))
    report.signing_authority = signing_authority
    report.signer_title = signer_title.strip()
    report.signer_name = signer_name.strip()
    report.number = number
    report.issued_on = issued_on
    report.status = PeriodicReport.Status.ISSUED
    report.issued_by = user
    report.issued_at = timezone.now()
    _build_files(report)
    report.save()
    return report


@transaction.atomic
def report_new_version(*, report: PeriodicReport, user: User) -> PeriodicReport:
    """Start a new draft from an issued report (same period, as-of date and narrative), to issue anew."""
    if not report.is_issued:
        raise ReportError(_("Chỉ tạo phiên bản mới từ một báo cáo đã ban hành."))
    if PeriodicReport.objects.filter(
        plan=report.plan, period=report.period, agency=report.agency, status=PeriodicReport.Status.DRAFT
    ).exists():
        raise ReportError(_("Kỳ này đã có một bản dự thảo đang soạn."))
    last = PeriodicReport.objects.filter(plan=report.plan, period=report.period, agency=report.agency).aggregate(
        last=Max("version")
    )["last"]
    draft = PeriodicReport.objects.create(
        plan=report.plan,
        period=report.period,
        agency=report.agency,
        as_of=report.as_of,
        reading=report.reading,
        version=last + 1,
        narrative=report.narrative,
        sections=report.sections,
        created_by=user,
    )
    _enqueue(draft)
    return draft

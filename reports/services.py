"""Writes for periodic reports (request, generate, edit the narrative, issue, open a new version) and comments.

The one write path for ``PeriodicReport`` and ``Comment``. Generation runs in a Celery job (``jobs.py``) after
the request commits; issuing regenerates the files once more with the number and date, and from then on the report is
never written again.
"""

from __future__ import annotations

import io
import logging
import os
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
from PIL import Image, UnidentifiedImageError

from agencies.models import Agency, User
from agencies.permissions import can_issue_for
from core.formatting import vn_date
from core.jobs import enqueue_after_commit
from core.workflow import save_version
from indicators import readings
from indicators.models import Period, Plan

from . import central, documents, drafting, keystore, signing
from .content import report_content_collect
from .models import PeriodicReport, SigningAuthority, SigningKey

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
    # recorded with the request itself: with Redis down the report is built once it is back, not left pending
    enqueue_after_commit("reports.periodic_report_generate", report.pk)


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


def file_replace(field, name: str, data: bytes | None) -> None:
    if field:
        field.delete(save=False)
    if data is not None:
        field.save(name, ContentFile(data), save=False)


def pdf_signed(report: PeriodicReport, pdf: bytes | None) -> bytes | None:
    """On issue, the PDF signed with the issuing body's key (``report.signing_key``), where it has one: visibly,
    in the signature block; PAdES B-LT with ``REPORT_TSA_URL``, else B-B."""
    key = report.signing_key
    if key is None:
        return pdf
    if pdf is None:
        raise ReportError(_("Cơ quan có khóa ký số nhưng không tạo được tệp PDF để ký; báo cáo chưa được ban hành."))
    try:
        signature_png, seal_png = keystore.key_images(key)
        signed, signature = signing.pdf_sign(
            pdf,
            key=keystore.key_open(key),
            reason=f"Ban hành {report_number_and_symbol(report)}",
            location=settings.REPORT_PLACE,
            appearance=signing.Appearance(
                signer=key.holder,
                body=key.organisation or key.body_name,
                signature_png=signature_png,
                seal_png=seal_png,
            ),
            placement=signing.Placement(documents.SIGNATURE_ANCHOR, *documents.signature_space_points()),
            expect_fingerprint=key.fingerprint,
            tsa_url=settings.REPORT_TSA_URL,
            trust_roots=keystore.trust_roots(),
        )
    except (signing.SigningError, keystore.KeyStoreError, OSError) as exc:
        logger.exception("Signing failed for report %s", report.pk)
        raise ReportError(_("Không ký số được báo cáo: %(error)s") % {"error": exc}) from exc
    if not signature.visible:
        raise ReportError(_("Không tìm thấy chỗ đặt chữ ký trong tệp PDF của báo cáo; báo cáo chưa được ban hành."))
    report.signed_by = signature.signer
    report.signed_at = signature.signed_at
    report.signature_level = signature.level
    report.signature_digest = signature.digest
    return signed


def _ascii_name(text: str) -> str:
    """ "Quý III/2026" → "Quy-III-2026", "BCĐ" → "BCD": Vietnamese without its marks, words joined by "-"."""
    text = text.replace("Đ", "D").replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return "-".join(re.findall(r"[A-Za-z0-9]+", text))


def report_file_stem(report: PeriodicReport) -> str:
    """The files' name, as a clerk would name them: "BC-15-BCD-Quy-III-2026" (number, issuer's symbol, period);
    a draft "Du-thao-BC-SKHCN-Quy-III-2026-v2"."""
    symbol = settings.REPORT_SYMBOL if report.agency_id is None else agency_symbol(report.agency)
    period = _ascii_name(report.period.label)
    if report.is_issued and report.number:
        return f"BC-{_ascii_name(report.number)}-{_ascii_name(symbol)}-{period}"
    return f"Du-thao-BC-{_ascii_name(symbol)}-{period}-v{report.version}"


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
        pdf = pdf_signed(report, pdf)  # before any stored file is replaced: a failure leaves the draft as it was
    stem = report_file_stem(report)
    file_replace(report.docx, f"{stem}.docx", docx)
    file_replace(report.xlsx, f"{stem}.xlsx", xlsx)
    file_replace(report.pdf, f"{stem}.pdf", pdf)
    report.content = {**content.as_json(), "drafts": drafts}
    if report.agency_id is None:  # the province's report carries the report to the centre beside it
        report.content[central.KEY] = central.central_export_content(
            plan=report.plan, period=report.period, as_of=report.as_of
        )
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


def issue_checked(*, number: str, issued_on: date, as_of: date, signing_authority: str, signer_title: str) -> str:
    """What issuing a report (periodic or review) needs: a number, a date not before the data, a valid signing
    authority with the signer's title where it needs one. Returns the number as it will be printed."""
    number = number.strip()
    if not number:
        raise ReportError(_("Hãy nhập số của báo cáo."))
    if issued_on < as_of:
        raise ReportError(_("Ngày ban hành không được trước ngày tính số liệu."))
    if signing_authority not in SigningAuthority.values:
        raise ReportError(_("Thẩm quyền ký không hợp lệ."))
    if signing_authority in (SigningAuthority.DEPUTY, SigningAuthority.BY_ORDER) and not signer_title.strip():
        raise ReportError(_("Ký thay (KT.) hoặc thừa lệnh (TL.) thì phải ghi chức vụ của người ký."))
    return number


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
    """Issue a draft under a number and date, signed as chosen: the files are built once more, final, frozen.

    Only the issuing body's own people may issue (``can_issue_for``), and the body's key signs the PDF: the
    signer printed on the page must be its certificate's holder, and the certificate must name the body.
    """
    report = _editable(report)
    if not can_issue_for(user, report.agency):
        raise ReportError(
            _("Chỉ cán bộ của %(body)s mới ban hành (và ký số) được báo cáo này.") % {"body": _body_name(report.agency)}
        )
    number = issue_checked(
        number=number,
        issued_on=issued_on,
        as_of=report.as_of,
        signing_authority=signing_authority,
        signer_title=signer_title,
    )
    key, signer_name = issuer_checked(report, user, signer_name.strip())
    report.signing_key = key
    report.signing_authority = signing_authority
    report.signer_title = signer_title.strip()
    report.signer_name = signer_name
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


# --- signing keys: one per issuing body ------------------------------------------------------------------------

#: a signature or seal image: PNG (transparent background, Decree 30), at most this big
IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_PIXELS = 4000


def _body_name(agency: Agency | None) -> str:
    return agency.name if agency is not None else str(_("Ban Chỉ đạo tỉnh"))


def signing_body(code: str) -> Agency | None:
    """The issuing body of a code: an agency's code, or ``bcd`` for the provincial Steering Committee."""
    if code == SigningKey.STEERING_COMMITTEE:
        return None
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ReportError(
            _("Không có cơ quan mã “%(code)s” (Ban Chỉ đạo tỉnh: %(steering)s).")
            % {"code": code, "steering": SigningKey.STEERING_COMMITTEE}
        )
    return agency


def body_names(agency: Agency | None) -> list[str]:
    """The names under which a certificate's organisation may name the body (signing.organisation_agrees)."""
    if agency is None:
        office = Agency.objects.filter(code=settings.REPORT_STANDING_OFFICE).first()
        names = [settings.REPORT_ISSUING_BODY, "Ban Chỉ đạo tỉnh", settings.REPORT_PARENT_BODY]
        return names + ([office.name, office.short_name] if office else [])
    names = [agency.name, agency.short_name, *agency.aliases]
    if agency.kind == Agency.Kind.LOCALITY:
        names += [f"Ủy ban nhân dân {agency.name}", f"UBND {agency.name}"]
    return [name for name in names if name]


def signing_key_in_use(agency: Agency | None) -> SigningKey | None:
    return SigningKey.objects.filter(agency=agency, retired_at__isnull=True).order_by("pk").first()


def _certificate_agrees(info: signing.CertificateInfo, agency: Agency | None) -> None:
    if not signing.organisation_agrees(info, body_names(agency), settings.REPORT_PLACE):
        raise ReportError(
            _("Chứng thư số của %(holder)s là của “%(organisation)s”, không phải của %(body)s.")
            % {"holder": info.holder, "organisation": info.organisation or "?", "body": _body_name(agency)}
        )


def issuer_checked(report: PeriodicReport, user: User, signer_name: str) -> tuple[SigningKey | None, str]:
    """The body's key and the signer's name to print: the name typed, else the certificate holder's.

    The name printed, the body and the certificate's subject must agree, else issuing is refused.
    """
    key = signing_key_in_use(report.agency)
    if key is None:
        return None, signer_name
    info = signing.certificate_info(signing.certificates_load_pem(key.certificates.encode())[0])
    _certificate_agrees(info, report.agency)
    printed = signer_name or (settings.REPORT_SIGNER_NAME if report.agency_id is None else "")
    if not printed:
        return key, key.holder
    if not signing.names_agree(printed, key.holder):
        raise ReportError(
            _(
                "Người ký in trên báo cáo là “%(printed)s” nhưng chứng thư số của %(body)s là của “%(holder)s”. "
                "Hãy ghi đúng họ tên người ký, hoặc đăng ký chứng thư số của người ký (signing_key_set)."
            )
            % {"printed": printed, "body": _body_name(report.agency), "holder": key.holder}
        )
    return key, signer_name


def _png_checked(data: bytes, label: str) -> bytes:
    if len(data) > IMAGE_MAX_BYTES:
        raise ReportError(_("%(label)s lớn quá 2 MB.") % {"label": label})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind, size = image.format, image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ReportError(_("%(label)s không phải một ảnh PNG đọc được.") % {"label": label}) from exc
    if kind != "PNG":
        raise ReportError(_("%(label)s phải là ảnh PNG nền trong suốt (Nghị định 30/2020).") % {"label": label})
    if max(size) > IMAGE_MAX_PIXELS:
        raise ReportError(_("%(label)s lớn quá %(px)s điểm ảnh mỗi chiều.") % {"label": label, "px": IMAGE_MAX_PIXELS})
    return data


def _secret_for(secret: str | None, env_name: str) -> tuple[str, str]:
    """(encrypted secret, environment variable) as stored: the secret encrypted, or only the variable's name."""
    if env_name:
        return "", env_name
    return (keystore.secret_seal(secret), "") if secret else ("", "")


@transaction.atomic
def signing_key_set(
    *,
    agency: Agency | None,
    user: User | None = None,
    p12: bytes | None = None,
    password: str | None = None,
    password_env: str = "",
    pkcs11_module: str = "",
    token_label: str = "",
    key_label: str = "",
    pin: str | None = None,
    pin_env: str = "",
    signature_png: bytes | None = None,
    seal_png: bytes | None = None,
    now=None,
) -> SigningKey:
    """Give a body (an agency, or the Steering Committee with ``agency`` None) its signing key, replacing the one
    in use; with neither a PKCS#12 file nor a token, only new signature or seal images for the key in use.

    The key is opened first (password or PIN checked), and refused unless its certificate is valid now and
    names the body. A PKCS#12 file goes to private storage; its password, or the token's PIN, is stored only
    encrypted with the site's secret, or not at all when read from an environment variable (``*_env``).
    """
    now = now or timezone.now()
    if p12 is not None and pkcs11_module:
        raise ReportError(_("Chỉ chọn một: tệp PKCS#12 hoặc thiết bị ký số PKCS#11."))
    signature_png = _png_checked(signature_png, _("Hình chữ ký")) if signature_png is not None else None
    seal_png = _png_checked(seal_png, _("Hình con dấu")) if seal_png is not None else None
    in_use = SigningKey.objects.filter(agency=agency, retired_at__isnull=True).order_by("pk")
    current = in_use.select_for_update(of=("self",)).first()
    if p12 is None and not pkcs11_module:
        if current is None:
            raise ReportError(
                _("%(body)s chưa có khóa ký số: hãy đăng ký tệp PKCS#12 hoặc thiết bị ký số trước.")
                % {"body": _body_name(agency)}
            )
        if signature_png is None and seal_png is None:
            raise ReportError(_("Không có gì để thay đổi."))
        _images_save(current, signature_png, seal_png)
        save_version(current, user=user, reason="Thay hình chữ ký, con dấu")
        return current

    if p12 is not None:
        secret = os.environ.get(password_env) if password_env else password
        if password_env and secret is None:
            raise ReportError(_("Biến môi trường %(name)s chưa được đặt.") % {"name": password_env})
        material: signing.P12Key | signing.TokenKey = signing.P12Key(data=p12, password=secret)
        sealed, env_name = _secret_for(password, password_env)
    else:
        if not token_label or not key_label:
            raise ReportError(_("Thiết bị ký số cần nhãn thiết bị (--token-label) và nhãn khóa (--key-label)."))
        secret = os.environ.get(pin_env) if pin_env else pin
        if pin_env and secret is None:
            raise ReportError(_("Biến môi trường %(name)s chưa được đặt.") % {"name": pin_env})
        material = signing.TokenKey(module=pkcs11_module, token_label=token_label, key_label=key_label, pin=secret)
        sealed, env_name = _secret_for(pin, pin_env)
    try:
        cert, chain = signing.key_certificates(material)
    except signing.SigningError as exc:
        raise ReportError(str(exc)) from exc
    info = signing.certificate_info(cert)
    if not info.holder:
        raise ReportError(_("Chứng thư số không ghi tên người ký (CN)."))
    if info.not_after <= now or info.not_before > now:
        raise ReportError(
            _("Chứng thư số của %(holder)s có hiệu lực từ %(start)s đến %(end)s, không dùng được hôm nay.")
            % {"holder": info.holder, "start": vn_date(info.not_before.date()), "end": vn_date(info.not_after.date())}
        )
    _certificate_agrees(info, agency)

    key = SigningKey(
        agency=agency,
        kind=SigningKey.Kind.P12 if p12 is not None else SigningKey.Kind.TOKEN,
        holder=info.holder[:200],
        organisation=info.organisation[:300],
        issuer=info.issuer[:300],
        fingerprint=info.fingerprint,
        not_before=info.not_before,
        not_after=info.not_after,
        certificates=signing.certificates_dump_pem([cert, *chain]),
        secret=sealed,
        secret_env=env_name,
        pkcs11_module=pkcs11_module,
        token_label=token_label,
        key_label=key_label,
        created_by=user,
    )
    if current is not None:
        # the body's seal stays with the body; a signature image is the holder's own
        if seal_png is None and current.seal_image:
            seal_png = keystore.key_images(current)[1]
        if signature_png is None and current.signature_image and current.holder == key.holder:
            signature_png = keystore.key_images(current)[0]
        _signing_key_retire(current, user=user, now=now)
    if p12 is not None:
        key.p12.save("key.p12", ContentFile(p12), save=False)
    _images_save(key, signature_png, seal_png)
    save_version(key, user=user, reason="Đăng ký khóa ký số")
    return key


def _images_save(key: SigningKey, signature_png: bytes | None, seal_png: bytes | None) -> None:
    for field, data, name in (
        (key.signature_image, signature_png, "chu-ky.png"),
        (key.seal_image, seal_png, "dau.png"),
    ):
        if data is not None:
            old = field.name
            field.save(name, ContentFile(data), save=False)
            if old:
                storage = field.storage
                transaction.on_commit(partial(storage.delete, old))


def _signing_key_retire(key: SigningKey, *, user: User | None, now) -> None:
    """A replaced key is kept for its certificates (old reports verify against them); its private parts go:
    the PKCS#12 file is deleted from storage once the change commits, the encrypted secret is wiped."""
    files = [f.name for f in (key.p12, key.signature_image, key.seal_image) if f]
    storage = key.p12.storage
    key.retired_at = now
    key.secret = ""
    key.p12 = key.signature_image = key.seal_image = ""
    save_version(key, user=user, reason="Thôi dùng khóa ký số")
    for name in files:
        transaction.on_commit(partial(storage.delete, name))

"""Periodic report pages: list and request, detail with narrative editing and issuing, downloads.

Who may see a report: the Steering Committee, the standing office and administrators see all; agency staff
see their own agency's reports. Who may act on one: the standing office (and administrators) on the
province's; an agency's staff, and the standing office, on that agency's.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.throttling import SimpleRateThrottle

from agencies.models import Agency, User
from agencies.permissions import can_issue_for
from core.formatting import vn_date
from indicators import readings
from indicators.periods import QUARTER, period_containing
from indicators.readings import AS_KNOWN
from indicators.selectors import plan_current
from indicators.services import period_get_or_create

from . import central, services
from .forms import IssueForm, ReportRequestForm, SectionsForm, VerifyForm
from .models import PeriodicReport, Review
from .selectors import report_verify, reviews_for_user

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def reports_for_user(user: User) -> QuerySet[PeriodicReport]:
    """The one scoping helper: the reports ``user`` may see."""
    reports = PeriodicReport.objects.select_related("period", "agency", "plan")
    if user.is_reviewer or user.role == User.Role.STEERING:
        return reports
    if user.is_agency_staff and user.agency_id:
        return reports.filter(agency_id=user.agency_id)
    return reports.none()


def can_manage(user: User, agency: Agency | None) -> bool:
    if user.is_reviewer:
        return True
    return agency is not None and user.is_agency_staff and user.agency_id == agency.pk


def _report_or_404(user: User, pk: int) -> PeriodicReport:
    return get_object_or_404(reports_for_user(user), pk=pk)


def _request_form(user: User, data=None) -> ReportRequestForm | None:
    today = timezone.localdate()
    quarter = period_containing(QUARTER, today)
    initial = {"kind": QUARTER, "year": quarter.year, "number": quarter.number, "as_of": today, "reading": AS_KNOWN}
    if user.is_reviewer:
        agencies = Agency.objects.filter(is_active=True).order_by("kind", "name")
        return ReportRequestForm(data, initial=initial, agencies=agencies)
    if user.is_agency_staff and user.agency_id:
        return ReportRequestForm(data, initial=initial)
    return None


@login_required
def periodic_report_list(request):
    reports = reports_for_user(request.user).order_by("-period__ends_on", "agency__name", "-version")
    form = _request_form(request.user)
    if request.method == "POST":
        form = _request_form(request.user, request.POST)
        if form is None:
            raise PermissionDenied
        plan = plan_current()
        if form.is_valid() and plan is not None:
            data = form.cleaned_data
            agency = data.get("agency") if request.user.is_reviewer else request.user.agency
            if not can_manage(request.user, agency):
                raise PermissionDenied
            period = period_get_or_create(kind=data["kind"], year=data["year"], number=data["number"])
            try:
                report = services.report_request(
                    plan=plan,
                    period=period,
                    as_of=data["as_of"],
                    agency=agency,
                    user=request.user,
                    reading=data.get("reading") or AS_KNOWN,
                )
            except services.ReportError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã yêu cầu tạo báo cáo; tệp sẽ sẵn sàng sau ít phút."))
                return redirect("periodic_report_detail", pk=report.pk)
    return render(request, "reports/list.html", {"reports": reports[:200], "form": form})


@login_required
def periodic_report_detail(request, pk: int):
    report = _report_or_404(request.user, pk)
    manage = can_manage(request.user, report.agency) and not report.is_issued
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "content": report.content,
            "reading_sentence": readings.SENTENCES[report.reading] % {"day": vn_date(report.as_of)},
            "target_groups": _target_groups(report.content or {}),
            "central": central.stored_export(report.content),
            "central_missing": (report.content or {}).get(central.KEY, {}).get("missing", ""),
            "number_and_symbol": services.report_number_and_symbol(report),
            "can_edit": manage,
            "can_new_version": can_manage(request.user, report.agency) and report.is_issued,
            "sections_form": _sections_form(report) if manage else None,
            "can_issue": manage and can_issue_for(request.user, report.agency),
            "issuing_body": report.agency.name if report.agency_id else _("Ban Chỉ đạo tỉnh"),
            "signing_key": services.signing_key_in_use(report.agency) if manage else None,
            "issue_form": IssueForm(
                initial={
                    "issued_on": timezone.localdate(),
                    "signing_authority": report.signing_authority,
                    "signer_title": report.signer_title,
                    "signer_name": report.signer_name,
                }
            )
            if manage
            else None,
        },
    )


def _target_groups(content: dict) -> list[dict]:
    """The stored target rows with the rows of one cell together, as the .docx prints them: a cell once."""
    groups = []
    for group in content.get("groups", []):
        cells: dict = {}
        for index, row in enumerate(group["rows"]):
            cells.setdefault(row.get("cell") or f"row-{index}", []).append(row)
        groups.append({"code": group["code"], "title": group["title"], "cells": list(cells.values())})
    return groups


def _sections_form(report: PeriodicReport) -> SectionsForm:
    """The sections as they will print: the office's text where it wrote one, else the draft from the data."""
    drafts = (report.content or {}).get("drafts", {})
    edited = services.report_edited_sections(report)
    return SectionsForm(
        initial={field: edited.get(key) or drafts.get(key, "") for field, key in SectionsForm.KEYS.items()}
    )


def _managed_report(request, pk: int) -> PeriodicReport:
    report = _report_or_404(request.user, pk)
    if not can_manage(request.user, report.agency):
        raise PermissionDenied
    return report


@login_required
@require_POST
def periodic_report_narrative(request, pk: int):
    report = _managed_report(request, pk)
    form = SectionsForm(request.POST)
    if form.is_valid():
        sections = {key: form.cleaned_data[field] for field, key in SectionsForm.KEYS.items() if field in request.POST}
        try:
            services.report_sections_update(report=report, sections=sections, user=request.user)
        except services.ReportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã lưu nội dung báo cáo và tạo lại tệp."))
    else:
        messages.error(request, _("Nội dung báo cáo không hợp lệ."))
    return redirect("periodic_report_detail", pk=report.pk)


@login_required
@require_POST
def periodic_report_issue(request, pk: int):
    report = _managed_report(request, pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy nhập số và ngày ban hành hợp lệ."))
        return redirect("periodic_report_detail", pk=report.pk)
    try:
        services.report_issue(
            report=report,
            number=form.cleaned_data["number"],
            issued_on=form.cleaned_data["issued_on"],
            user=request.user,
            signing_authority=form.cleaned_data["signing_authority"],
            signer_title=form.cleaned_data["signer_title"],
            signer_name=form.cleaned_data["signer_name"],
        )
    except services.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã ban hành báo cáo."))
    return redirect("periodic_report_detail", pk=report.pk)


@login_required
@require_POST
def periodic_report_new_version(request, pk: int):
    report = _managed_report(request, pk)
    try:
        draft = services.report_new_version(report=report, user=request.user)
    except services.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("periodic_report_detail", pk=report.pk)
    messages.success(request, _("Đã tạo phiên bản mới để chỉnh sửa."))
    return redirect("periodic_report_detail", pk=draft.pk)


@login_required
def periodic_report_download(request, pk: int, fmt: str):
    report = _report_or_404(request.user, pk)
    return stored_file_response(report, fmt, filename=f"{services.report_file_stem(report)}.{fmt}")


def stored_file_response(document, fmt: str, *, filename: str = "") -> FileResponse:
    """A report's or a review's stored file of format ``fmt`` as a download (404 for an unknown format or a file
    not built); ``filename`` defaults to the stored name."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    stored = getattr(document, fmt)
    if not stored:
        raise Http404
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=filename or stored.name.rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES[fmt],
    )


def _readable(user: User, report: PeriodicReport | Review | None) -> bool:
    """Whether the reader of the verification page may open the report the file is (a link is offered)."""
    if report is None or not user.is_authenticated:
        return False
    scoped = reviews_for_user(user) if isinstance(report, Review) else reports_for_user(user)
    return scoped.filter(pk=report.pk).exists()


class VerifyThrottle(SimpleRateThrottle):
    """Uploads to the verification page per client address (``REPORT_VERIFY_RATE``), the address told the way
    the open-data API's throttle tells it (X-Forwarded-For only from our own proxies)."""

    scope = "report_verify"

    def get_rate(self):
        return settings.REPORT_VERIFY_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@require_http_methods(["GET", "POST"])
def report_verify_page(request):
    """Anyone, signed in or not, uploads an issued report's PDF and reads whether its signature holds, who signed
    for which body and when, whether the file changed after signing, and which report it is. The file is read
    in memory (or the request's temporary file) and never stored."""
    context = {"form": VerifyForm(), "max_mb": settings.REPORT_VERIFY_MAX_BYTES // (1024 * 1024)}
    if request.method == "GET":
        return render(request, "reports/verify.html", context)
    throttle = VerifyThrottle()
    if not throttle.allow_request(request, None):
        minutes = max(1, round((throttle.wait() or 60) / 60))
        context["error"] = _("Đã kiểm tra quá nhiều tệp từ địa chỉ này; hãy thử lại sau %(minutes)s phút.") % {
            "minutes": minutes
        }
        return render(request, "reports/verify.html", context, status=429)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.REPORT_VERIFY_MAX_BYTES + 64 * 1024:  # refused before the body is read
        context["error"] = _("Tệp lớn quá %(mb)s MB.") % {"mb": context["max_mb"]}
        return render(request, "reports/verify.html", context, status=413)
    form = VerifyForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "reports/verify.html", context, status=400)
    upload = form.cleaned_data["pdf"]
    if upload.size > settings.REPORT_VERIFY_MAX_BYTES:
        context["error"] = _("Tệp lớn quá %(mb)s MB.") % {"mb": context["max_mb"]}
        return render(request, "reports/verify.html", context, status=413)
    check = report_verify(upload.read())
    report = check.report
    context.update(
        {
            "file_name": upload.name,
            "result": check.verification,
            "report": report,
            "number_and_symbol": services.report_number_and_symbol(report) if report else "",
            "can_open": _readable(request.user, report),
            "detail_url": check.detail_url,
        }
    )
    return render(request, "reports/verify.html", context)


@login_required
def periodic_report_central(request, pk: int, fmt: str):
    """The report to the centre stored with a province report, as .xlsx or .json."""
    report = _report_or_404(request.user, pk)
    export = central.stored_export(report.content)
    if export is None or fmt not in ("xlsx", "json"):
        raise Http404
    stem = f"bao-cao-trung-uong-{export['period']}-v{report.version}"
    if fmt == "json":
        response = JsonResponse(export, json_dumps_params={"ensure_ascii": False, "indent": 2})
    else:
        response = HttpResponse(central.export_xlsx(export), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response

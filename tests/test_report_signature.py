"""Issued reports signed digitally (PAdES) with the office's certificate, checked with pyHanko's validator
against a throwaway CA; without the setting, issuing works as before."""

from __future__ import annotations

import os
import shutil
from datetime import date
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from config.celery import app as celery_app
from reports import documents, services
from reports.models import PeriodicReport
from tests.certificates import office_certificate, signature_validate
from tests.report_data import report_world
from tests.unit.test_report_signing import a_pdf

AS_OF = date(2026, 6, 20)


@pytest.fixture(autouse=True)
def _report_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }
    settings.REPORT_PDF_ENABLED = True
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def office(settings, tmp_path):
    certificate = office_certificate(tmp_path)
    settings.REPORT_SIGNING_P12 = str(certificate.p12_path)
    settings.REPORT_SIGNING_PASSWORD = certificate.password
    return certificate


@pytest.fixture
def quick_pdf(monkeypatch):
    """A small PDF in place of LibreOffice's, for the tests about the workflow rather than the layout."""
    monkeypatch.setattr(documents, "docx_to_pdf", lambda docx: a_pdf())


def _draft(plan, reviewer, django_capture_on_commit_callbacks) -> PeriodicReport:
    world = report_world(plan, AS_OF)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(plan=plan, period=world["quarter"], as_of=AS_OF, user=reviewer)
    report.refresh_from_db()
    return report


def _validate(pdf: bytes, office):
    embedded = PdfFileReader(BytesIO(pdf)).embedded_signatures
    assert len(embedded) == 1
    return signature_validate(embedded[0], office.ca)


@pytest.mark.skipif(
    not shutil.which("soffice") and not os.environ.get("CI"),
    reason="LibreOffice absent (CI installs it and runs this test)",
)
def test_issued_report_pdf_is_signed_and_validates(plan, reviewer, office, django_capture_on_commit_callbacks):
    report = _draft(plan, reviewer, django_capture_on_commit_callbacks)
    assert report.pdf
    assert not PdfFileReader(BytesIO(report.pdf.read())).embedded_signatures  # drafts are not signed

    issued = services.report_issue(report=report, number="21", issued_on=date(2026, 7, 5), user=reviewer)

    status = _validate(issued.pdf.read(), office)
    assert status.bottom_line, status.pretty_print_details()
    assert issued.signed_by == "Nguyễn Văn An – Văn phòng Tỉnh ủy Hưng Yên"
    assert issued.signed_at is not None
    issued.refresh_from_db()
    assert issued.is_signed


def test_download_page_says_who_signed_and_when(
    client, plan, reviewer, office, quick_pdf, django_capture_on_commit_callbacks
):
    report = _draft(plan, reviewer, django_capture_on_commit_callbacks)
    issued = services.report_issue(report=report, number="22", issued_on=date(2026, 7, 5), user=reviewer)
    assert _validate(issued.pdf.read(), office).bottom_line

    client.force_login(reviewer)
    page = client.get(f"/bao-cao/dinh-ky/{issued.pk}/").content.decode()

    assert "Tệp PDF đã được ký số bởi Nguyễn Văn An – Văn phòng Tỉnh ủy Hưng Yên lúc" in page
    listing = client.get("/bao-cao/dinh-ky/").content.decode()
    for fmt in ("docx", "xlsx", "pdf"):  # the report's own files, not a dashboard table
        assert f"/bao-cao/dinh-ky/{issued.pk}/tai/{fmt}/" in page
        assert f"/bao-cao/dinh-ky/{issued.pk}/tai/{fmt}/" in listing
    from django.utils import timezone

    assert timezone.localtime(issued.signed_at).strftime("%H:%M %d/%m/%Y") in page


def test_without_the_setting_issuing_works_unsigned(
    plan, reviewer, settings, quick_pdf, django_capture_on_commit_callbacks
):
    settings.REPORT_SIGNING_P12 = ""
    report = _draft(plan, reviewer, django_capture_on_commit_callbacks)

    issued = services.report_issue(report=report, number="23", issued_on=date(2026, 7, 5), user=reviewer)

    assert issued.is_issued and issued.pdf
    assert not PdfFileReader(BytesIO(issued.pdf.read())).embedded_signatures
    assert not issued.is_signed


def test_a_wrong_password_refuses_to_issue_and_changes_nothing(
    plan, reviewer, settings, office, quick_pdf, django_capture_on_commit_callbacks
):
    settings.REPORT_SIGNING_PASSWORD = "sai"
    report = _draft(plan, reviewer, django_capture_on_commit_callbacks)
    files = (report.docx.name, report.xlsx.name, report.pdf.name)

    with pytest.raises(services.ReportError, match="Không ký số được báo cáo"):
        services.report_issue(report=report, number="24", issued_on=date(2026, 7, 5), user=reviewer)

    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.DRAFT and report.number == "" and not report.is_signed
    assert (report.docx.name, report.xlsx.name, report.pdf.name) == files
    assert report.pdf.storage.exists(report.pdf.name)


def test_signing_without_a_pdf_refuses_to_issue(
    plan, reviewer, office, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(documents, "docx_to_pdf", lambda docx: None)
    report = _draft(plan, reviewer, django_capture_on_commit_callbacks)
    with pytest.raises(services.ReportError, match="không tạo được tệp PDF"):
        services.report_issue(report=report, number="25", issued_on=date(2026, 7, 5), user=reviewer)
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.DRAFT

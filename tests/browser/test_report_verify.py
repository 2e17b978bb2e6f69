"""The page where anyone checks an issued report's signature, in a real headless Chromium: a signed report's
PDF is uploaded as a reader would, the verdict reads who signed for which body and which report it is; the
page passes axe-core and never scrolls sideways on a phone."""

import os
from datetime import date

import pytest

from reports import documents, services
from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import PASSWORD, _user
from tests.pki import PASSWORD as P12_PASSWORD
from tests.report_data import report_world
from tests.unit.test_report_signing import a_pdf_with_signature_space

pytestmark = pytest.mark.browser

AS_OF = date(2026, 6, 20)


def test_a_reader_checks_an_issued_report(browser, live_server, loaded_plan, pki, settings, tmp_path, monkeypatch):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }
    settings.REPORT_TSA_URL = ""
    monkeypatch.setattr(documents, "docx_to_pdf", lambda docx: a_pdf_with_signature_space())
    from agencies.models import User

    reviewer = _user("binh.vptu", User.Role.REVIEWER, "vp-tu")
    world = report_world(loaded_plan, AS_OF)
    services.signing_key_set(agency=None, p12=pki.p12("bcd").read_bytes(), password=P12_PASSWORD)
    report = services.report_request(plan=loaded_plan, period=world["quarter"], as_of=AS_OF, user=reviewer)
    services.report_generate(report_id=report.pk)
    issued = services.report_issue(report=report, number="15", issued_on=date(2026, 7, 5), user=reviewer)
    pdf = tmp_path / "BC-15-BCD-Quy-II-2026.pdf"
    pdf.write_bytes(issued.pdf.read())
    shots = os.environ.get("SCREENSHOT_DIR")

    for viewport in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        page.goto(live_server.url + "/xac-thuc-bao-cao/")
        page.set_input_files("#id_pdf", str(pdf))
        page.click("button[type=submit]")
        page.wait_for_selector(".verify-result")
        result = page.locator(".verify-result").inner_text()
        assert "Chữ ký số hợp lệ." in result and "Nguyễn Văn An" in result and "Số 15-BC/BCĐ" in result
        assert_accessible(page, "/xac-thuc-bao-cao/")
        assert_no_sideways_scroll(page, "/xac-thuc-bao-cao/")
        if shots:
            page.screenshot(path=f"{shots}/verify-{viewport['width']}.png", full_page=True)
        context.close()

    # the report page of the signed report, for its reader
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/tai-khoan/login/")
    page.fill("#id_username", reviewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/bao-cao/dinh-ky/{issued.pk}/")
    assert "PAdES B-B" in page.locator("main").inner_text()
    if shots:
        page.screenshot(path=f"{shots}/report-1366.png", full_page=False)
    context.close()

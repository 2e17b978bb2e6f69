"""The standing office adjusts the plan as a person would, in a real headless Chromium: draft the decision, add
changes, approve; readers then see it on the plan's history and the task's page. At 1366 and 390 px, accessible,
no sideways scrolling, no CSP violation."""

from __future__ import annotations

import pytest

from indicators.models import PlanAdjustment
from tasks.models import Task
from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import _user, login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1366, 390])
def test_the_standing_office_adjusts_the_plan_change_by_change(
    browser, live_server, loaded_plan, width, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "uploads")}},
    }
    _user(f"vptu.{width}", "reviewer", "vp-tu")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.console_errors = errors
    try:
        login(page, live_server, f"vptu.{width}")
        page.goto(f"{live_server.url}/ke-hoach/dieu-chinh/")
        page.click("details.newdecision > summary")
        page.fill("#id_decision_number", "125-QĐ/TU")
        page.fill("#id_signed_on", "2026-12-20")
        page.fill("#id_effective_on", "2027-01-01")
        page.fill("#id_summary", "Điều chỉnh sau rà soát năm 2026")
        page.click("form.decisionform button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "Đã lập dự thảo điều chỉnh" in page.content()

        page.select_option("#id_what", "task_deadline")
        page.fill("#id_code", "8")
        page.fill("#id_text", "Tháng 6/2027")
        page.click("#them-noi-dung button[type=submit]")
        page.wait_for_load_state("networkidle")
        changes = page.locator("table.changes")
        assert "“Thường xuyên”" in changes.inner_text() and "“Tháng 6/2027”" in changes.inner_text()
        assert_no_sideways_scroll(page, "dự thảo")
        assert_accessible(page, "dự thảo")

        page.click("#noi-dung form[action$='phe-duyet/'] button")
        page.wait_for_load_state("networkidle")
        assert "Đã phê duyệt" in page.content()
        adjustment = PlanAdjustment.objects.get(decision_number="125-QĐ/TU")
        assert adjustment.status == PlanAdjustment.Status.APPROVED
        assert Task.objects.with_terms(adjustment.effective_on).get(number=8).deadline_text == "Tháng 6/2027"

        page.goto(f"{live_server.url}/ke-hoach/dieu-chinh/")
        assert "Quyết định số 125-QĐ/TU ngày 20/12/2026" in page.content()
        assert_no_sideways_scroll(page, "lịch sử")
        assert_accessible(page, "lịch sử")
        page.goto(f"{live_server.url}/nhiem-vu/8/")
        assert "có hiệu lực từ ngày 01/01/2027" in page.locator("#dieu-chinh").inner_text()
        assert_no_sideways_scroll(page, "nhiệm vụ 8")
        assert errors == []
    finally:
        context.close()

"""Issue 20 in a real Chromium: an inspection with three recommendations through the whole loop. The standing
office records it and its recommendations; the agencies report on two with evidence; the office accepts them in
its queue; the third, whose deadline has passed unmet, is overdue on the agency's work list and on the Steering
Committee's overview. Pages checked at 1366 px and 390 px (no sideways scroll, axe-core clean), screenshots to
$SCREENSHOT_DIR (a temporary folder otherwise)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from agencies.models import Agency
from oversight.models import Inspection, Recommendation, RecommendationUpdate
from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import _user, login
from tests.oversight_data import PDF

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _shot(page, tmp_path, name):
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def people(browser, loaded_plan):
    """The office, two agencies' staff and a Steering Committee member, each in a browser context of their own."""
    made = []

    def make(username: str, viewport=None):
        made.append(browser.new_context(viewport=viewport or {"width": 1366, "height": 768}, locale="vi-VN"))
        page = made[-1].new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    _user("vptu.kt", "reviewer", "vp-tu")
    _user("khcn.kt", "agency_staff", "so-khcn")
    _user("ca.kt", "agency_staff", "cong-an")
    _user("bcd.kt", "steering")
    yield make
    for context in made:
        context.close()


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _add_recommendation(page, text: str, agency: Agency, due: date) -> None:
    page.fill("#id_text", text)
    page.select_option("#id_agency", str(agency.pk))
    page.fill("#id_due_on", _vn(due))
    with page.expect_navigation():
        page.click("button:has-text('Thêm kiến nghị')")


def _report_done(page, live_server, recommendation: Recommendation, today: date, tmp_path) -> None:
    page.goto(f"{live_server.url}/kien-nghi/{recommendation.pk}/")
    page.select_option("#id_progress", "done")
    page.fill("#id_work_done", "Đã thực hiện xong, kèm biên bản.")
    page.fill("#id_completed_on", _vn(today))
    evidence = tmp_path / f"bien-ban-{recommendation.pk}.pdf"
    evidence.write_bytes(PDF)
    page.set_input_files("#id_evidence", str(evidence))
    with page.expect_navigation():
        page.click("button[value=submit]")
    assert "Đã gửi báo cáo để thẩm định." in page.locator(".messages").inner_text()


def test_an_inspection_with_three_recommendations_goes_round_the_loop(people, live_server, tmp_path):
    today = date.today()
    khcn, police = Agency.objects.get(code="so-khcn"), Agency.objects.get(code="cong-an")

    # 1. the standing office records the inspection, concluded a month ago, and its three recommendations
    office = people("vptu.kt")
    login(office, live_server, "vptu.kt")
    office.goto(f"{live_server.url}/kiem-tra/")
    office.click("a:has-text('Ghi nhận đợt kiểm tra')")
    office.fill("#id_title", "Kiểm tra liên ngành việc thực hiện Kế hoạch 65-KH/TU")
    office.select_option("#id_kind", "intersectoral")
    office.fill("#id_team", "Đoàn kiểm tra liên ngành số 1")
    office.select_option("#id_lead_body", str(Agency.objects.get(code="vp-tu").pk))
    office.fill("#id_starts_on", _vn(today - timedelta(days=45)))
    office.fill("#id_ends_on", _vn(today - timedelta(days=40)))
    office.select_option("#id_agencies", [str(khcn.pk), str(police.pk)])
    office.fill("#id_conclusion_number", "21-KL/BCĐ")
    office.fill("#id_conclusion_date", _vn(today - timedelta(days=30)))
    conclusion = tmp_path / "ket-luan.pdf"
    conclusion.write_bytes(PDF)
    office.set_input_files("#id_conclusion_file", str(conclusion))
    with office.expect_navigation():
        office.click("button:has-text('Lưu')")
    inspection = Inspection.objects.get()
    assert office.url.endswith(f"/kiem-tra/{inspection.pk}/")
    _add_recommendation(
        office, "Cập nhật cơ sở dữ liệu doanh nghiệp khoa học và công nghệ.", khcn, today + timedelta(20)
    )
    _add_recommendation(office, "Đẩy nhanh cấp tài khoản định danh điện tử.", police, today + timedelta(days=25))
    _add_recommendation(office, "Ban hành quy chế quản lý dữ liệu dùng chung.", khcn, today - timedelta(days=3))
    first, second, third = Recommendation.objects.order_by("number")
    assert office.locator("#kien-nghi tbody tr").count() == 3
    assert "chậm 3 ngày" in office.locator(f"#kien-nghi-{third.pk}").inner_text()
    assert_accessible(office, "inspection at 1366")
    _shot(office, tmp_path, "kiem-tra-1366")

    # 2. the agencies report on theirs, with evidence; the third is left undone
    staff = people("khcn.kt")
    login(staff, live_server, "khcn.kt")
    assert staff.url.endswith("/viec-can-lam/")
    assert f"Kiến nghị {third.number}" in staff.locator("#qua-han").inner_text()
    assert f"Kiến nghị {first.number}" in staff.locator("#den-han").inner_text()
    staff.locator(f"#viec-kien-nghi-{first.pk} a.workitem-act").click()
    staff.wait_for_load_state("networkidle")
    assert_accessible(staff, "recommendation at 1366")
    _shot(staff, tmp_path, "kien-nghi-bao-cao-1366")
    _report_done(staff, live_server, first, today, tmp_path)
    police_staff = people("ca.kt")
    login(police_staff, live_server, "ca.kt")
    _report_done(police_staff, live_server, second, today, tmp_path)
    staff.goto(f"{live_server.url}/viec-can-lam/")
    assert f"Kiến nghị {first.number}" in staff.locator("#cho-duyet").inner_text()

    # 3. the office accepts both reports in its queue
    office.goto(f"{live_server.url}/tham-dinh/")
    assert office.locator("#kien-nghi tbody tr").count() == 2
    assert_accessible(office, "review queue at 1366")
    _shot(office, tmp_path, "tham-dinh-kien-nghi-1366")
    office.check("#kien-nghi input[data-select-all=r]")
    with office.expect_navigation():
        office.click("button[value=approve]")
    assert "Đã duyệt 2 mục." in office.locator(".messages").inner_text()
    assert set(RecommendationUpdate.objects.values_list("status", flat=True)) == {"approved"}
    office.goto(f"{live_server.url}/kiem-tra/{inspection.pk}/")
    assert "Hoàn thành đúng hạn" in office.locator(f"#kien-nghi-{first.pk}").inner_text()
    assert "Hoàn thành đúng hạn" in office.locator(f"#kien-nghi-{second.pk}").inner_text()

    # 4. the third, its deadline passed unmet, is overdue on the work list and on the overview
    staff.goto(f"{live_server.url}/viec-can-lam/")
    overdue = staff.locator("#qua-han").inner_text()
    assert f"Kiến nghị {third.number}" in overdue and "quá hạn 3 ngày" in overdue
    assert staff.locator(f"#viec-kien-nghi-{first.pk}").count() == 0
    _shot(staff, tmp_path, "viec-can-lam-kien-nghi-1366")
    member = people("bcd.kt")
    login(member, live_server, "bcd.kt")
    member.goto(f"{live_server.url}/tong-quan/")
    counted = member.locator("#kien-nghi-so-luong").inner_text()
    assert counted == "1 chưa hoàn thành, trong đó 1 quá hạn; 2 đã xong."
    assert f"/kien-nghi/{third.pk}/" in member.locator("#bao-cao").inner_html()
    _shot(member, tmp_path, "tong-quan-kien-nghi-1366")

    # the same pages on a phone
    phone = people("vptu.kt", PHONE)
    login(phone, live_server, "vptu.kt")
    for path, name in [
        (f"/kiem-tra/{inspection.pk}/", "kiem-tra"),
        ("/kiem-tra/", "kiem-tra-danh-sach"),
        (f"/kien-nghi/{third.pk}/", "kien-nghi"),
        ("/kien-nghi/", "kien-nghi-danh-sach"),
        ("/kiem-tra/them/", "kiem-tra-them"),
    ]:
        phone.goto(live_server.url + path)
        phone.wait_for_load_state("networkidle")
        assert_no_sideways_scroll(phone, f"{path} at 390")
        assert_accessible(phone, f"{path} at 390")
        _shot(phone, tmp_path, f"{name}-390")
    for page in (office, staff, police_staff, member, phone):
        assert page.errors == []

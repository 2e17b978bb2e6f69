"""Issue 25, case 6, as an administrator does it in a real Chromium: the template comes first and is chosen from
lists (agency, reporting round), the filled template's blank rows are counted apart rather than listed as "Không
đổi", undo asks to be confirmed, and afterwards the page says what the undo did and what each row became."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from indicators.models import Observation
from tests.browser.axe import assert_accessible
from tests.conftest import _user, login

pytestmark = pytest.mark.browser


def test_template_upload_and_undo_read_right(browser, live_server, loaded_plan, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "uploads")}},
    }
    _user("qt.nhap", "admin", None, is_staff=True, is_superuser=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    login(page, live_server, "qt.nhap")
    page.goto(live_server.url + "/nhap-du-lieu/")
    headings = page.locator(".importgrid h2").all_inner_texts()
    assert headings[0] == "Mẫu nhập số liệu của cơ quan"  # the template before the upload
    page.select_option("#id_agency", label="Sở Khoa học và Công nghệ")
    rounds = page.locator("#id_period option").all_inner_texts()
    assert rounds[0].startswith("Tháng ") and " · Quý " in rounds[0]  # picked, not typed as "2026-Q4"
    page.select_option("#id_period", index=1)  # last month's round: begun and ended
    with page.expect_download() as download:
        page.click("form[action$='/mau-nhap/'] button")
    saved = tmp_path / "mau.xlsx"
    download.value.save_as(saved)
    workbook = load_workbook(saved)
    sheet = workbook["Số liệu"]
    headers = [c.value for c in sheet[1]]
    filled = 0
    for line in range(2, sheet.max_row + 1):
        if sheet.cell(line, 3).value in ("st_researchers", "st_enterprises"):
            sheet.cell(line, headers.index("Giá trị") + 1, value=120 + line)
            filled += 1
    assert filled == 2
    blank = sheet.max_row - 1 - filled
    upload = tmp_path / "mau-da-dien.xlsx"
    workbook.save(upload)

    page.select_option("#id_kind", "figures")
    page.set_input_files("#id_file", str(upload))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    counts = page.locator(".importcounts").inner_text()
    assert "2 mới" in counts and f"{blank} dòng trống, bỏ qua" in counts and "0 không đổi" in counts
    assert page.locator("tr.outcome-unchanged").count() == 0 and page.locator("tr.outcome-new").count() == 2
    page.click("text=Xác nhận và ghi")
    page.wait_for_load_state()
    assert Observation.objects.count() == 2

    # undo asks first: without the box ticked the browser does not send it
    undo = page.locator(".undoform button")
    undo.click()
    assert Observation.objects.count() == 2 and page.locator(".undoform").count() == 1
    page.check(".undoform input[name=xac_nhan]")
    undo.click()
    page.wait_for_load_state()
    assert Observation.objects.count() == 0
    message = page.locator("section.card .message").first
    assert message.inner_text().startswith("Đã hoàn tác lúc") and "error" not in message.get_attribute("class")
    assert page.locator("text=Đã ghi: 2 mới").count() == 0
    outcomes = page.locator(".importrows tbody td:nth-child(2)").all_inner_texts()
    assert outcomes == ["Mới, đã xóa khi hoàn tác"] * 2
    assert_accessible(page, "the undone batch")
    context.close()

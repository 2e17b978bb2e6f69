"""A new user's first minutes, in a real headless Chromium: log in, read the plan, read the tasks."""

import pytest

from tests.conftest import login

pytestmark = pytest.mark.browser


def test_log_in_and_read_the_plan(page, live_server, loaded_plan, tmp_path):
    from tests.conftest import _user

    _user("bcd.test", "steering")
    page.goto(live_server.url + "/")
    assert "/tai-khoan/login/" in page.url
    page.fill("#id_username", "bcd.test")
    page.fill("#id_password", "sai-mat-khau")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text().startswith("Tên đăng nhập hoặc mật khẩu không đúng")

    login(page, live_server, "bcd.test")
    assert page.locator("h1").inner_text() == "Tổng quan thực hiện Kế hoạch 65-KH/TU"
    page.click(".mainnav >> text=Chỉ tiêu")
    assert page.locator("h1").inner_text() == "Phụ lục I – Danh mục các chỉ tiêu cụ thể"
    assert page.locator("tr[id^=chi-tieu-]").count() == 44
    page.screenshot(path=str(tmp_path / "home.png"), full_page=False)

    page.click(".mainnav >> text=Nhiệm vụ")
    page.wait_for_load_state()  # count() does not wait for the new page, and a busy machine is slow
    assert page.locator("tr[id^=nhiem-vu-]").count() == 35
    assert page.console_errors == []


def test_phone_layout_has_no_horizontal_page_scroll(browser, live_server, loaded_plan):
    from tests.conftest import _user

    _user("dt.test", "steering")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    login(page, live_server, "dt.test")
    # wide tables scroll inside their own box; the page itself does not
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()

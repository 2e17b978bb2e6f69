"""Issue 25, case 7 (the small things): no console warning on any page for a Permissions-Policy feature browsers do
not know, no 404 for the admin's /favicon.ico, and the admin's log-in lockout app named in Vietnamese."""

from __future__ import annotations

import pytest

from tests.conftest import _user, login

pytestmark = pytest.mark.browser


def test_the_admin_speaks_vietnamese_and_the_console_stays_quiet(browser, live_server, loaded_plan):
    _user("qt.nho", "admin", None, is_staff=True, is_superuser=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    console, failed = [], []
    page.on("console", lambda m: m.type in ("error", "warning") and console.append(m.text))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    login(page, live_server, "qt.nho")
    page.goto(live_server.url + "/quan-tri/")
    page.wait_for_load_state("networkidle")
    text = page.locator("#content-main").inner_text()
    assert "Đăng nhập sai và khóa tạm thời".upper() in text.upper()
    assert "Nhật ký đăng nhập" in text and "Lần đăng nhập sai" in text
    assert "Axes".upper() not in text.upper() and "Access attempts" not in text
    # the browser asks for /favicon.ico on the admin's pages, which name no icon: it gets the site's
    icon = page.request.get(live_server.url + "/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg")
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert not [m for m in console if "Permissions-Policy" in m], console
    assert failed == [] and console == []
    context.close()

"""The pages work under the Content-Security-Policy: charts draw, pickers submit, and the browser reports no
CSP violation on any of them (each page listens for ``securitypolicyviolation`` and the console is read)."""

from __future__ import annotations

import pytest

from tests.conftest import _user, login

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp || []") + [m for m in page.console_errors if "Content Security Policy" in m]


def test_pages_work_under_the_csp_with_no_violation(page, live_server, loaded_plan):
    from indicators.models import Indicator

    _user("csp.admin", "admin", None, is_staff=True, is_superuser=True)
    _user("csp.khcn", "agency_staff", "so-khcn")
    page.add_init_script(LISTEN)
    response = page.goto(live_server.url + "/tai-khoan/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    login(page, live_server, "csp.admin")
    code = Indicator.objects.order_by("pk").first().code
    for path in ["/", f"/chi-tieu/{code}/", "/co-quan/so-khcn/", "/nhiem-vu/", "/tham-dinh/", "/quan-tri/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], path
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".js-plotly-plot, .plot-container").count() > 0  # the charts drew

    # the language picker submits through autosubmit.js, not an inline handler
    page.click(".usermenu summary")
    with page.expect_navigation():
        page.select_option(".usermenu select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert _violations(page) == []


def test_the_entry_pages_work_under_the_csp(page, live_server, loaded_plan):
    _user("csp.staff", "agency_staff", "so-khcn")
    page.add_init_script(LISTEN)
    login(page, live_server, "csp.staff")
    for path in ["/so-lieu/", "/nhiem-vu/cap-nhat/", "/nhap-du-lieu/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], path
    assert page.console_errors == []

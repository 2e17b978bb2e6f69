"""Issue 25, case 2, as agency staff meet it in a real Chromium at 1366 and 390 px: the rows filled in right are
saved though another is wrong; the error summary says how many wait, takes the focus and links to each red
field; Save and Submit stay on screen however long the form; a percentage typed alone under "Chỉ có tỷ lệ %?"
is still in view after the page reloads; the reporting round is picked from a list."""

from __future__ import annotations

import pytest

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation
from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import _user, login

pytestmark = pytest.mark.browser

WIDTHS = {"desk": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _row(page, code):
    return page.locator(f"#chi-so-{code}")


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_entry_keeps_what_is_right_and_points_at_what_is_wrong(browser, live_server, loaded_plan, size):
    commune = Agency.objects.get(name="Phường Phố Hiến")
    staff = _user("pp.nhap", "agency_staff", commune.code)
    ratio, other = Metric.objects.filter(reporters=staff.agency, kind="ratio", frequency="monthly").order_by("code")[:2]
    context = browser.new_context(viewport=WIDTHS[size], locale="vi-VN")
    page = context.new_page()
    login(page, live_server, "pp.nhap")
    page.goto(live_server.url + "/so-lieu/")
    viewport = WIDTHS[size]["height"]
    # Save and Submit are on the first screen of a long form, and stay there as it scrolls
    for _ in range(2):
        box = page.locator(".stickybar button[value=draft]").bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= viewport
        page.mouse.wheel(0, 3 * viewport)
    assert page.evaluate("document.documentElement.scrollHeight") > 2 * viewport

    # a percentage typed alone, and a wrong denominator in another row
    _row(page, ratio.code).locator("summary:has-text('Chỉ có tỷ lệ %?')").click()
    _row(page, ratio.code).locator("input[name$=-value]").fill("75%")
    _row(page, other.code).locator("input[name$=-numerator]").fill("12")
    _row(page, other.code).locator("input[name$=-denominator]").fill("0")
    page.click(".stickybar button[value=draft]")
    page.wait_for_load_state()
    assert [(o.metric_id, o.status) for o in Observation.objects.all()] == [(ratio.pk, SubmissionStatus.DRAFT)]
    assert "Đã lưu nháp 1 số liệu." in page.locator(".messages").inner_text()
    summary = page.locator("[data-error-summary]")
    assert summary.locator("h2").inner_text().startswith("1 số liệu chưa lưu được")
    assert page.evaluate("document.activeElement.id") == "loi"
    link = summary.locator("a").first
    assert other.name in link.inner_text() and "Mẫu số phải lớn hơn 0" in link.inner_text()
    link.click()
    assert page.evaluate("document.activeElement.name") == f"m{other.pk}-denominator"
    assert _row(page, other.code).locator("input[name$=-denominator]").input_value() == "0"  # what was typed stays
    assert_accessible(page, f"entry with an error at {size}")
    if size == "phone":
        assert_no_sideways_scroll(page, "entry with an error at 390")

    # the page again later: the percentage saved alone is in view, in its open panel and beside the status
    page.goto(live_server.url + "/so-lieu/")
    panel = _row(page, ratio.code).locator("details.percentonly")
    assert panel.get_attribute("open") is not None
    assert _row(page, ratio.code).locator("input[name$=-value]").input_value() == "75"
    assert "Đã lưu: 75%" in _row(page, ratio.code).locator(".saved").inner_text()

    # the reporting round is picked from a list; the page follows it
    choices = page.locator("#chon-ky option")
    assert choices.count() > 3 and " · Quý " in choices.first.inner_text()
    chosen = choices.nth(2)
    label, value = chosen.inner_text(), chosen.get_attribute("value")
    with page.expect_navigation():
        page.select_option("#chon-ky", value)
    assert f"ngay={value}" in page.url
    assert label.split(" · ")[0] in page.locator(".deadlines").inner_text()
    context.close()

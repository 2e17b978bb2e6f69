"""The public pages in a real headless Chromium: the indicator's chart draws with the period of each value,
the catalogue lists its downloads, both pass axe-core and never scroll sideways on a phone."""

from datetime import date

import pytest

from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.factories import snapshots_fill

pytestmark = pytest.mark.browser


def test_public_indicator_chart_and_catalogue(browser, live_server, loaded_plan):
    snapshots_fill(loaded_plan, as_of=date(2026, 6, 20))
    for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        page.goto(live_server.url + "/cong-khai/chi-tieu/I.1/")
        page.wait_for_selector(".chart .main-svg")
        assert page.locator(".chart .scatterlayer .trace").count() >= 2  # values and targets
        assert "Cập nhật lần cuối" in page.locator(".lead").first.inner_text()
        assert_accessible(page, "/cong-khai/chi-tieu/I.1/")
        assert_no_sideways_scroll(page, "/cong-khai/chi-tieu/I.1/")

        page.goto(live_server.url + "/cong-khai/du-lieu/")
        assert page.locator("a[href$='.csv']").count() == 5  # the plan's history too
        assert_accessible(page, "/cong-khai/du-lieu/")
        assert_no_sideways_scroll(page, "/cong-khai/du-lieu/")
        context.close()

"""Issue 25, case 4, in a real Chromium at 390 px: a task every department and commune must carry out
(/nhiem-vu/8/: 118 agencies) opens on a summary and lists its agencies a page at a time, overdue first, with
"only overdue / due" filters; the plan's page says where each indicator stands and its latest value; an
indicator page says what each metric measures, where its figures come from and how its status is computed."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import _user, login
from tests.factories import snapshots_fill

pytestmark = pytest.mark.browser


@pytest.fixture
def computed(loaded_plan):
    snapshots_fill(loaded_plan, as_of=date.today())
    call_command("recompute", stdout=io.StringIO())  # every task's occurrences, as the nightly job computes them
    _user("bcd.dai", "steering")


def test_long_pages_open_on_a_summary(browser, live_server, computed):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    login(page, live_server, "bcd.dai")
    page.goto(live_server.url + "/nhiem-vu/8/")
    summary = page.locator("#tom-tat")
    assert "118" in summary.locator(".kpi").first.inner_text()
    rows = page.locator("#lan-den-han tbody tr")
    assert rows.count() == 25
    assert "Trang 1/5" in page.locator("#lan-den-han .pager").inner_text()
    # the summary is at the top: seen before a screen of scrolling
    assert summary.bounding_box()["y"] < 2 * 844
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 12 * 844, f"/nhiem-vu/8/ is {height / 844:.1f} screens high at 390"
    assert_no_sideways_scroll(page, "/nhiem-vu/8/ at 390")
    assert_accessible(page, "/nhiem-vu/8/ at 390")

    overdue = page.locator("#lan-den-han .grouptabs a", has_text="Chỉ việc quá hạn")
    expected = int(overdue.inner_text().split("(")[1].rstrip(")"))
    overdue.click()
    page.wait_for_load_state()
    assert page.locator("#lan-den-han .grouptabs a[aria-current]").inner_text().startswith("Chỉ việc quá hạn")
    statuses = page.locator("#lan-den-han tbody tr td:nth-child(3)").all_inner_texts()
    assert len(statuses) == min(expected, 25) and all("Quá hạn" in s for s in statuses)
    page.locator("#lan-den-han .grouptabs a", has_text="Tất cả").click()
    page.wait_for_load_state()
    assert page.locator("#lan-den-han tbody tr").count() == 25

    page.goto(live_server.url + "/chi-tieu/")
    standing = page.locator("#chi-tieu-I\\.1 .col-standing")
    assert standing.locator(".status").count() >= 1 and "Tỷ lệ phủ sóng 5G" in standing.inner_text()
    assert_accessible(page, "/chi-tieu/ at 390")

    page.goto(live_server.url + "/chi-tieu/V.10/")
    facts = page.locator("#chi-so-lgsp_data_integration .metricfacts")
    for label in ["Định nghĩa", "Nguồn số liệu", "Cơ quan báo cáo", "Cách tính trạng thái"]:
        assert label in facts.inner_text()
    assert_accessible(page, "/chi-tieu/V.10/ at 390")
    context.close()

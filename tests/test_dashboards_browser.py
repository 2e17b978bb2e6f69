"""The dashboards in a real headless Chromium, as a Steering Committee member: no console errors, every chart
drawn with its traces, filters change what is shown and a link with filters reproduces the view."""

from __future__ import annotations

from datetime import date

import pytest

from agencies.models import User

from .conftest import PASSWORD, login
from .factories import snapshots_fill

pytestmark = pytest.mark.browser

PAGES = ["/", "/?moc=2040", "/chi-tieu/I.1/", "/chi-tieu/III.3/", "/co-quan/", "/co-quan/so-khcn/", "/nhiem-vu/"]


@pytest.fixture
def committee(loaded_plan):
    snapshots_fill(loaded_plan, as_of=date.today())
    return User.objects.create_user(username="bcd.trinh", password=PASSWORD, role=User.Role.STEERING)


def _drawn_traces(page) -> list[int]:
    """How many traces plotly.js has drawn in each chart container of the page."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('[data-figure]'))"
        ".map(el => el.querySelectorAll('.trace, .barlayer .point').length > 0 ? (el.data || []).length : 0)"
    )


def test_every_page_draws_its_charts_without_console_errors(page, live_server, committee):
    login(page, live_server, committee.username)
    for path in PAGES:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.console_errors == [], (path, page.console_errors)
        traces = _drawn_traces(page)
        assert all(n > 0 for n in traces), (path, traces)
        if path != "/co-quan/":
            assert traces, f"{path} has no chart"
        # every chart offers plotly's PNG download, and nothing that would send the chart out of the network
        assert page.locator("[data-figure] .modebar-btn[data-title*='PNG']").count() == len(traces), path
        assert page.locator("[data-figure] .modebar-btn[data-title*='Share']").count() == 0


def test_filters_change_the_board_and_the_link_reproduces_it(page, live_server, committee):
    login(page, live_server, committee.username)
    page.goto(live_server.url + "/nhiem-vu/")
    all_rows = page.locator("tr[id^=nhiem-vu-]").count()
    assert all_rows == 35
    page.select_option("select[name=thoi_han]", "one_off")
    page.click("#loc-nhiem-vu button[type=submit]")
    page.wait_for_load_state("networkidle")
    filtered = page.locator("tr[id^=nhiem-vu-]").count()
    assert 0 < filtered < all_rows
    assert "thoi_han=one_off" in page.url
    shared = page.url
    rows = page.locator("tr[id^=nhiem-vu-]").evaluate_all("rows => rows.map(r => r.id)")

    other = page.context.new_page()
    other.goto(shared)
    other.wait_for_load_state("networkidle")
    assert other.locator("tr[id^=nhiem-vu-]").evaluate_all("rows => rows.map(r => r.id)") == rows
    assert other.locator("select[name=thoi_han]").input_value() == "one_off"
    other.close()


def test_milestone_selector_changes_the_overview(page, live_server, committee):
    login(page, live_server, committee.username)
    page.goto(live_server.url + "/")
    heading = page.locator("#muc-tieu h2").inner_text()
    with page.expect_navigation():  # the select submits its form; waiting for "networkidle" alone races it
        page.select_option("#moc", "2040")
    page.wait_for_load_state("networkidle")
    assert "moc=2040" in page.url
    assert "2040" in page.locator("#muc-tieu h2").inner_text() and page.locator("#muc-tieu h2").inner_text() != heading
    assert all(n > 0 for n in _drawn_traces(page))
    assert page.console_errors == []

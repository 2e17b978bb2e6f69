"""Issue 25, case 3: the indicator page's charts read on a phone (390 px). They open on the data and the next
milestone (data of 2025–26 no longer squeezed into the left twentieth of a span to 2045), with a button for the
whole plan; a percentage's forecast stops at 100% and so does its axis; targets are named in the legend, so no
two labels overlap; the bars of the breakdown carry their values."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation
from indicators.periods import QUARTER, period_containing
from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import _user, login
from tests.factories import period_make

pytestmark = pytest.mark.browser

#: the boxes of the chart's words that overlap another's (legend entries, axis ticks and titles, bar values)
OVERLAPS = """el => {
    const boxes = [...el.querySelectorAll('svg text')].filter(t => t.textContent.trim())
        .map(t => ({text: t.textContent.trim(), r: t.getBoundingClientRect()})).filter(b => b.r.width > 0);
    const out = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
            out.push(boxes[i].text + ' / ' + boxes[j].text);
    }
    return out;
}"""


def _last_periods(kind: str, count: int):
    """The last ``count`` periods of ``kind`` that have ended, oldest first."""
    found, day = [], period_containing(kind, date.today()).starts_on - timedelta(days=1)
    while len(found) < count:
        bounds = period_containing(kind, day)
        found.insert(0, period_make(kind, bounds.year, bounds.number))
        day = bounds.starts_on - timedelta(days=1)
    return found


def _approved(metric, agency, period, value, reviewer):
    value = Decimal(value)
    Observation.objects.create(
        metric=metric,
        agency=agency,
        period=period,
        value=value,
        numerator=value,
        denominator=Decimal(100),
        status=SubmissionStatus.APPROVED,
        reviewed_by=reviewer,
    )


@pytest.fixture
def rising_share(loaded_plan):
    """Systems joined to the data platform (V.10, a percentage; 85% by 2030, 100% from 2035) climbing 10 points a
    quarter, which at that pace would pass 100% before 2030; the trained commune officials of II.2 in four
    communes."""
    reviewer = _user("vptu.bd", "reviewer", "vp-tu")
    share = Metric.objects.get(code="lgsp_data_integration")
    for value, quarter in zip((30, 40, 50, 60, 70, 80), _last_periods(QUARTER, 6), strict=True):
        _approved(share, share.reporting_agency, quarter, value, reviewer)
    trained = Metric.objects.get(code="commune_officials_digital_trained")
    communes = list(Agency.objects.filter(kind=Agency.Kind.LOCALITY).order_by("name")[:4])
    for share, commune in zip((40, 55, 70, 85), communes, strict=True):
        trained.reporters.add(commune)
        for quarter in _last_periods(QUARTER, 2):
            _approved(trained, commune, quarter, share, reviewer)
    call_command("recompute", stdout=io.StringIO())
    _user("bcd.bd", "steering")


def test_indicator_charts_read_on_a_phone(browser, live_server, rising_share):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server, "bcd.bd")
    page.goto(live_server.url + "/chi-tieu/V.10/")
    chart = page.locator("#chi-so-lgsp_data_integration .chart")
    chart.locator(".main-svg").first.wait_for()
    layout = chart.evaluate("el => ({x: el.layout.xaxis.range, y: el.layout.yaxis.range})")
    assert layout["x"][1] < "2031-06" and layout["y"][1] <= 106, layout
    trend = chart.evaluate("el => el.data.find(t => t.name === 'Dự báo theo xu hướng')")
    assert trend and max(trend["y"]) == 100, trend
    legend = chart.locator(".legendtext").all_text_contents()
    assert {"Mục tiêu 2030: ≥ 85 %", "Mục tiêu 2045: ≥ 100 %"} <= set(legend), legend
    assert chart.evaluate(OVERLAPS) == []
    # the whole plan, one button away, and back
    buttons = page.locator("#chi-so-lgsp_data_integration .chartviews button")
    assert buttons.all_inner_texts() == ["Đến mốc 2030", "Đến năm 2045"]
    buttons.nth(1).click()
    assert chart.evaluate("el => el.layout.xaxis.range[1]") > "2045-12"
    assert buttons.nth(1).get_attribute("aria-pressed") == "true"
    assert chart.evaluate(OVERLAPS) == []
    assert_no_sideways_scroll(page, "/chi-tieu/V.10/ at 390")
    assert_accessible(page, "/chi-tieu/V.10/ at 390")

    # II.2: each commune's bar carries its value
    page.goto(live_server.url + "/chi-tieu/II.2/")
    bars = page.locator("#chi-so-commune_officials_digital_trained [data-figure^=breakdown]")
    bars.locator(".main-svg").first.wait_for()
    assert sorted(bars.locator(".bartext").all_text_contents()) == ["40", "55", "70", "85"]
    assert bars.evaluate(OVERLAPS) == []
    assert errors == []
    context.close()

"""Issue 25, case 5, in a real Chromium: the periods page says which periods have not begun, which are open,
past due or locked, reads on a phone without a clipped table (axe: scrollable-region-focusable), and has no
empty column header."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from indicators.models import Period
from indicators.periods import QUARTER, period_containing
from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import _user, login
from tests.factories import period_make

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ["agency_staff", "reviewer"])
def test_the_periods_page_says_where_each_period_stands_and_reads_on_a_phone(browser, live_server, loaded_plan, role):
    today = timezone.localdate()
    current = period_containing(QUARTER, today)
    upcoming = period_containing(QUARTER, current.ends_on + timedelta(days=1))
    period_make(QUARTER, current.year, current.number)
    ahead = period_make(QUARTER, upcoming.year, upcoming.number)
    old = period_make(QUARTER, 2025, 1)
    Period.objects.filter(pk=old.pk).update(is_locked=True)
    past = period_make(QUARTER, 2025, 2)
    Period.objects.filter(pk=past.pk).update(due_on=today - timedelta(days=2))
    _user("ky.xem", role, "so-khcn" if role == "agency_staff" else "vp-tu")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    login(page, live_server, "ky.xem")
    page.goto(live_server.url + "/ky-bao-cao/")
    state = lambda period: page.locator(f"#ky-{period.pk} .chip").inner_text()  # noqa: E731
    assert state(ahead) == "Chưa bắt đầu"
    assert state(old) == "Đã khóa" and state(past) == "Quá hạn nộp, vẫn nhận"
    assert all(h.strip() for h in page.locator("thead th").all_text_contents())
    assert_no_sideways_scroll(page, "/ky-bao-cao/ at 390")
    assert_accessible(page, "/ky-bao-cao/ at 390")
    context.close()

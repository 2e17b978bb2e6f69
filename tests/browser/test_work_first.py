"""Issue 14 in a real Chromium, per role, at 1366 px and 390 px: each landing page lists what needs the person
with its deadline, no page of the menu scrolls sideways, the Steering Committee's overview fits in three
screens of 1366 × 768, and axe-core finds no serious or critical violation on the landing pages.

Screenshots of each landing page at both widths go to $SCREENSHOT_DIR (a temporary folder otherwise)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation, Period
from indicators.periods import QUARTER, period_containing
from tasks.models import Task, TaskAssignment, TaskOccurrence
from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import _user, login
from tests.factories import period_make, snapshots_fill

pytestmark = pytest.mark.browser

WIDTHS = {"desk": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _shot(page, tmp_path, name):
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def contexts(browser):
    made = []

    def make(size):
        made.append(browser.new_context(viewport=WIDTHS[size], locale="vi-VN"))
        page = made[-1].new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    yield make
    for context in made:
        context.close()


def _menu_paths(page) -> list[str]:
    """The pages the (desk) menu links to."""
    return page.eval_on_selector_all(
        ".mainnav a[href^='/']", "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )


def _check_menu_on_phone(phone, live_server, paths):
    for path in paths:
        phone.goto(live_server.url + path)
        phone.wait_for_load_state("networkidle")
        assert_no_sideways_scroll(phone, path)


@pytest.fixture
def seeded_work(loaded_plan):
    """Sở KH&CN staff with last quarter's figures overdue (one returned with a reason) and task 8 overdue."""
    today = date.today()
    staff = _user("khcn.viec", "agency_staff", "so-khcn")
    reviewer = _user("vptu.viec", "reviewer", "vp-tu")
    agency = staff.agency
    current = period_containing(QUARTER, today)
    last = period_containing(QUARTER, current.starts_on - timedelta(days=1))
    quarter = period_make(QUARTER, last.year, last.number)
    Period.objects.filter(pk=quarter.pk).update(due_on=today - timedelta(days=5), is_locked=False)
    quarter.refresh_from_db()
    metric = Metric.objects.filter(reporters=agency, frequency="quarterly").order_by("code").first()
    Observation.objects.create(
        metric=metric,
        agency=agency,
        period=quarter,
        value=Decimal(7),
        status=SubmissionStatus.RETURNED,
        review_note="Đề nghị bổ sung minh chứng.",
        reviewed_by=reviewer,
    )
    other = Metric.objects.filter(reporters=agency, frequency="quarterly").order_by("code")[1]
    Observation.objects.create(
        metric=other,
        agency=agency,
        period=quarter,
        value=Decimal(12),
        status=SubmissionStatus.SUBMITTED,
        entered_by=staff,
    )
    task = Task.objects.get(plan=loaded_plan, number=8)
    TaskAssignment.objects.get_or_create(
        task=task, agency=agency, role=TaskAssignment.Role.LEAD, defaults={"valid_from": loaded_plan.issued_on}
    )
    TaskOccurrence.objects.create(
        task=task,
        agency=agency,
        role=TaskAssignment.Role.LEAD,
        due_on=today - timedelta(days=20),
        status=TaskOccurrence.Status.OVERDUE,
        days_late=20,
        as_of=today,
    )
    return {"staff": staff, "reviewer": reviewer, "quarter": quarter, "today": today}


def test_agency_staff_land_on_what_is_due_and_overdue(contexts, live_server, seeded_work, tmp_path):
    quarter, today = seeded_work["quarter"], seeded_work["today"]
    desk = contexts("desk")
    login(desk, live_server, "khcn.viec")
    assert desk.url.endswith("/viec-can-lam/")
    assert desk.locator("h1").inner_text().startswith("Việc cần làm")
    returned = desk.locator("#tra-lai .workitem").first
    assert "Đề nghị bổ sung minh chứng." in returned.inner_text()
    overdue = desk.locator("#qua-han").inner_text()
    deadline = (today - timedelta(days=5)).strftime("%d/%m/%Y")
    assert f"Số liệu {quarter.label}" in overdue and deadline in overdue and "quá hạn 5 ngày" in overdue
    assert "Nhiệm vụ 8" in overdue and "quá hạn 20 ngày" in overdue
    current = period_containing(QUARTER, today)
    assert f"Quý {['I', 'II', 'III', 'IV'][current.number - 1]}/{current.year}" in desk.locator("#den-han").inner_text()
    badge = desk.locator(".mainnav .badge").first.inner_text()
    assert int(badge) == desk.locator("#tra-lai .workitem, #qua-han .workitem, #den-han .workitem").count()
    assert_accessible(desk, "work list at 1366")
    _shot(desk, tmp_path, "landing-agency-1366")
    # one click to act: the overdue figures open the entry page of that period, its deadline shown
    desk.locator(f"#qua-han a:has-text('Số liệu {quarter.label}')").first.click()
    desk.wait_for_load_state("networkidle")
    assert f"{quarter.label}: hạn nộp {deadline}" in desk.locator(".deadlines").inner_text()
    paths = _menu_paths(desk)
    assert "/viec-can-lam/" in paths and "/so-lieu/" in paths

    phone = contexts("phone")
    login(phone, live_server, "khcn.viec")
    assert "Đề nghị bổ sung minh chứng." in phone.locator("#tra-lai").inner_text()
    assert_no_sideways_scroll(phone, "work list at 390")
    assert_accessible(phone, "work list at 390")
    _shot(phone, tmp_path, "landing-agency-390")
    _check_menu_on_phone(phone, live_server, paths)
    assert desk.errors == [] and phone.errors == []


def test_reviewer_lands_on_the_queue_by_agency_and_period(contexts, live_server, seeded_work, tmp_path):
    quarter = seeded_work["quarter"]
    desk = contexts("desk")
    login(desk, live_server, "vptu.viec")
    assert desk.url.endswith("/tham-dinh/")
    groups = desk.locator("#theo-co-quan tbody tr")
    assert groups.count() == 1 and quarter.label in groups.first.inner_text()
    assert desk.locator(".mainnav .badge").first.inner_text() == "1"
    assert_accessible(desk, "review queue at 1366")
    _shot(desk, tmp_path, "landing-reviewer-1366")
    paths = _menu_paths(desk)

    phone = contexts("phone")
    login(phone, live_server, "vptu.viec")
    assert_accessible(phone, "review queue at 390")
    _shot(phone, tmp_path, "landing-reviewer-390")
    _check_menu_on_phone(phone, live_server, paths)


def test_steering_committee_overview_fits_three_screens(contexts, live_server, loaded_plan, tmp_path):
    snapshots_fill(loaded_plan, as_of=date.today())
    _user("bcd.viec", "steering")
    desk = contexts("desk")
    login(desk, live_server, "bcd.viec")
    assert desk.locator("h1").inner_text() == "Tổng quan thực hiện Kế hoạch 65-KH/TU"
    height = desk.evaluate("document.documentElement.scrollHeight")
    assert height <= 3 * 768, f"the overview is {height}px high at 1366"
    attention = desk.locator("#can-chu-y tbody tr")
    assert attention.count() > 0
    assert desk.locator("#qua-han h3").all_inner_texts() == ["Theo nhiệm vụ", "Theo cơ quan"]
    # the rest is one click away
    desk.click("#muc-tieu > summary")
    assert desk.locator("#muc-tieu tbody tr").first.is_visible()
    assert_accessible(desk, "overview at 1366")
    _shot(desk, tmp_path, "landing-steering-1366")
    paths = _menu_paths(desk)

    phone = contexts("phone")
    login(phone, live_server, "bcd.viec")
    assert_no_sideways_scroll(phone, "overview at 390")
    assert_accessible(phone, "overview at 390")
    _shot(phone, tmp_path, "landing-steering-390")
    _check_menu_on_phone(phone, live_server, paths)
    assert desk.errors == [] and phone.errors == []

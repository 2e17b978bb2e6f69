"""Self-assessments beside what the system computed: the task report form shows the agency's own "tình trạng"
next to the task's computed status (the occurrence snapshot, judged by ``status_on``) and says when they disagree;
the quarter's self-assessment of metrics shows each metric's computed target statuses beside a select wide enough
to read. Phones and desktops are checked in a real Chromium."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from indicators.models import AgencyAssessment, Metric, ParsedTarget
from indicators.progress import confidence_disagrees
from indicators.services import period_get_or_create
from tasks.models import Task, TaskAssignment, TaskUpdate
from tasks.occurrences import progress_disagrees
from tests.conftest import _user, login
from tests.report_data import occurrence_create, target_status_create

DAY = date(2026, 11, 20)
DISAGREE = "Tình trạng đơn vị tự đánh giá khác kết quả tính theo hạn"


@pytest.mark.parametrize(
    ("progress", "computed", "disagrees"),
    [
        ("not_started", "overdue", True),
        ("in_progress", "overdue", True),
        ("in_progress", "done_on_time", True),
        ("done", "overdue", False),  # reporting it done is how the computed status learns it
        ("in_progress", "not_due", False),
        ("not_started", "awaiting_trigger", False),
    ],
)
def test_progress_disagreement_rule(progress, computed, disagrees):
    assert progress_disagrees(progress, computed) is disagrees


@pytest.mark.parametrize(
    ("confidence", "computed", "disagrees"),
    [
        ("confident", {"on_track", "regressing"}, True),
        ("confident", {"accelerate"}, False),
        ("unlikely", {"achieved", "on_track"}, True),
        ("at_risk", {"limited"}, False),
        ("", {"regressing"}, False),
        ("unlikely", set(), False),
    ],
)
def test_confidence_disagreement_rule(confidence, computed, disagrees):
    assert confidence_disagrees(confidence, computed) is disagrees


@pytest.fixture
def lead_task(plan, agency_staff):
    assignment = (
        TaskAssignment.objects.filter(agency=agency_staff.agency, role=TaskAssignment.Role.LEAD)
        .select_related("task")
        .order_by("task__number")
        .first()
    )
    return assignment.task


def _form(client, task: Task) -> str:
    response = client.get(reverse("task_update_edit", args=[task.number]) + f"?ngay={DAY.isoformat()}")
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_task_form_shows_the_computed_status_beside_the_self_assessment(client, agency_staff, lead_task):
    occurrence_create(lead_task, agency_staff.agency, date(2026, 6, 24), None, DAY)  # overdue since 24/06
    occurrence_create(lead_task, agency_staff.agency, date(2027, 6, 24), None, DAY)  # next one, not yet due
    client.force_login(agency_staff)
    html = _form(client, lead_task)
    beside = html.split('class="self-assessment"', 1)[1].split("</div> </div>", 1)[0]
    assert 'name="progress"' in beside and "Theo hạn (hệ thống tính)" in beside
    assert '<span class="status status-overdue">Quá hạn</span>' in beside and "hạn 24/06/2026" in beside
    # the empty form says "chưa thực hiện": that contradicts an overdue deadline, and says so
    assert 'data-disagree-for="not_started in_progress">' in html and DISAGREE in html
    assert 'data-disagree-for="not_started in_progress" hidden' not in html

    TaskUpdate.objects.create(
        task=lead_task,
        agency=agency_staff.agency,
        period=period_get_or_create(kind="quarter", year=2026, number=4),
        progress=TaskUpdate.Progress.DONE,
        completed_on=DAY,
    )
    html = _form(client, lead_task)
    assert 'data-disagree-for="not_started in_progress" hidden' in html  # "done" agrees: note hidden


def test_task_form_without_occurrences_says_so(client, agency_staff, lead_task):
    client.force_login(agency_staff)
    html = _form(client, lead_task)
    assert "chưa có lượt đến hạn nào" in html and " hidden>" in html.split("trang-thai-tinh-toan", 1)[1]


def test_quarter_self_assessment_shows_computed_statuses_and_flags_disagreement(client, plan, agency_staff):
    metric = Metric.objects.filter(reporters=agency_staff.agency).order_by("code").first()
    parsed = list(ParsedTarget.objects.filter(metric=metric).order_by("pk")[:2])
    target_status_create(parsed[0], DAY, "on_track", "1")
    if len(parsed) > 1:
        target_status_create(parsed[1], DAY, "regressing", "1")
    quarter = period_get_or_create(kind="quarter", year=2026, number=4)
    AgencyAssessment.objects.create(
        agency=agency_staff.agency, metric=metric, period=quarter, confidence="confident", narrative=""
    )
    client.force_login(agency_staff)
    html = " ".join(client.get(reverse("task_progress") + f"?ngay={DAY.isoformat()}").content.decode().split())
    row = html.split(f'id="tdg-{metric.code}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="status status-on_track"' in row
    computed = {"on_track", "regressing"} if len(parsed) > 1 else {"on_track"}
    flagged = confidence_disagrees("confident", computed)
    assert ("Khác tự đánh giá" in row) and ((" hidden>" not in row) is flagged)
    expected = " ".join(c for c in ("confident", "at_risk", "unlikely") if confidence_disagrees(c, computed))
    assert f'data-disagree-for="{expected}"' in row


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_self_assessment_selects_are_wide_enough_to_read(browser, live_server, loaded_plan, width, tmp_path):
    staff = _user("khcn.tdg", "agency_staff", "so-khcn")
    task = TaskAssignment.objects.filter(agency=staff.agency, role=TaskAssignment.Role.LEAD).first().task
    occurrence_create(task, staff.agency, date(2026, 6, 24), None, DAY)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        login(page, live_server, "khcn.tdg")
        fits = """(select) => {
            const ctx = document.createElement("canvas").getContext("2d");
            ctx.font = getComputedStyle(select).font;
            const widest = Math.max(...[...select.options].map(o => ctx.measureText(o.text).width));
            return select.clientWidth - widest;  // room left for the arrow and padding
        }"""
        page.goto(f"{live_server.url}/nhiem-vu/cap-nhat/?ngay={DAY.isoformat()}")
        for select in page.locator("select[name$=confidence]").all()[:5]:
            assert select.evaluate(fits) >= 24
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"{live_server.url}/nhiem-vu/{task.number}/cap-nhat/?ngay={DAY.isoformat()}")
        assert page.locator("select[name=progress]").evaluate(fits) >= 24
        note = page.locator(".self-assessment .disagree")
        assert note.is_visible()
        page.select_option("select[name=progress]", "done")
        assert not note.is_visible()  # the note follows the choice
        page.select_option("select[name=progress]", "in_progress")
        assert note.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(tmp_path / f"task-form-{width}.png"), full_page=True)
    finally:
        context.close()

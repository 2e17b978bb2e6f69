"""Comments (ý kiến) on indicators and tasks: every role may write them, steering included; the task page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from agencies.models import Agency
from comments.models import Comment
from core.workflow import SubmissionStatus
from indicators.models import Indicator
from indicators.services import period_get_or_create
from tasks.models import Task, TaskAssignment, TaskOccurrence, TaskUpdate

from .conftest import login

ROLES = ["steering", "reviewer", "agency_staff", "other_agency_staff", "administrator"]


@pytest.fixture
def indicator(plan) -> Indicator:
    return Indicator.objects.filter(plan=plan).order_by("group__order", "number").first()


@pytest.fixture
def task(plan) -> Task:
    return Task.objects.filter(plan=plan, assignments__role="lead").order_by("number").first()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_comments_on_an_indicator_and_a_task(client, request, role, indicator, task):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.post(reverse("indicator_comment", args=[indicator.code]), {"text": "  Đề nghị làm rõ số liệu. "})
    assert response.status_code == 302
    assert response.url == reverse("indicator", args=[indicator.code]) + "#y-kien"
    response = client.post(reverse("task_comment", args=[task.number]), {"text": "Cần đôn đốc."})
    assert response.status_code == 302 and response.url == reverse("task_detail", args=[task.number]) + "#y-kien"
    on_indicator = Comment.objects.get(indicator=indicator, author=user)
    assert on_indicator.text == "Đề nghị làm rõ số liệu." and on_indicator.task is None
    assert Comment.objects.get(task=task, author=user).text == "Cần đôn đốc."
    html = client.get(reverse("indicator", args=[indicator.code])).content.decode()
    assert "Đề nghị làm rõ số liệu." in html and "Đã ghi nhận ý kiến của bạn." in html


def test_anonymous_is_sent_to_log_in_and_nothing_is_written(client, indicator, task):
    for url in (reverse("indicator_comment", args=[indicator.code]), reverse("task_comment", args=[task.number])):
        response = client.post(url, {"text": "Ẩn danh"})
        assert response.status_code == 302 and "/tai-khoan/login/" in response.url
    assert client.get(reverse("task_detail", args=[task.number])).status_code == 302
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Hãy nhập nội dung ý kiến."), ("x" * 2001, "Ý kiến dài tối đa 2000 ký tự (đã nhập 2001).")],
)
def test_empty_or_too_long_text_is_refused_with_a_message(client, steering, indicator, task, text, message):
    client.force_login(steering)
    for url in (reverse("indicator_comment", args=[indicator.code]), reverse("task_comment", args=[task.number])):
        response = client.post(url, {"text": text})
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html and 'class="fielderror"' in html
    assert not Comment.objects.exists()


def test_comment_urls_refuse_get_and_unknown_targets(client, steering, indicator, task):
    client.force_login(steering)
    assert client.get(reverse("indicator_comment", args=[indicator.code])).status_code == 405
    assert client.get(reverse("task_comment", args=[task.number])).status_code == 405
    assert client.post(reverse("indicator_comment", args=["IX.9"]), {"text": "a"}).status_code == 404
    assert client.post(reverse("task_comment", args=[9999]), {"text": "a"}).status_code == 404
    assert not Comment.objects.exists()


def test_csrf_is_checked(steering, indicator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(steering)
    assert client.post(reverse("indicator_comment", args=[indicator.code]), {"text": "a"}).status_code == 403
    assert not Comment.objects.exists()


def test_a_comment_is_about_exactly_one_thing(steering, indicator, task):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(author=steering, text="cả hai", indicator=indicator, task=task)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(author=steering, text="không gì")


def test_task_urls_are_not_shadowed(client, agency_staff, task):
    from django.urls import resolve

    assert resolve("/nhiem-vu/cap-nhat/").url_name == "task_progress"
    assert resolve(f"/nhiem-vu/{task.number}/cap-nhat/").url_name == "task_update_edit"
    assert resolve(f"/nhiem-vu/{task.number}/").url_name == "task_detail"
    assert resolve("/nhiem-vu/bao-cao/1/").url_name == "task_update_detail"


def _update(task: Task, agency: Agency, quarter: int, status: str, difficulties: str) -> TaskUpdate:
    period = period_get_or_create(kind="quarter", year=2026, number=quarter)
    return TaskUpdate.objects.create(
        task=task, agency=agency, period=period, status=status, progress="in_progress", difficulties=difficulties
    )


def _occurrences(task: Task, agencies: list[Agency], count: int) -> None:
    start = date(2026, 3, 31)
    TaskOccurrence.objects.bulk_create(
        TaskOccurrence(
            task=task,
            agency=agency,
            role="cooperating",
            due_on=start + timedelta(days=91 * i),
            status="overdue",
            days_late=10 + i,
            as_of=date(2026, 12, 1),
        )
        for agency in agencies
        for i in range(count)
    )


def test_task_page_shows_text_occurrences_approved_difficulties_and_comments(client, steering, task):
    lead = TaskAssignment.objects.filter(task=task, role="lead").select_related("agency").first().agency
    _occurrences(task, [lead], 1)
    _update(task, lead, 1, SubmissionStatus.APPROVED, "Thiếu kinh phí quý I")
    _update(task, lead, 2, SubmissionStatus.APPROVED, "Thiếu nhân lực quý II")
    _update(task, lead, 3, SubmissionStatus.SUBMITTED, "Chưa duyệt: không được hiện")
    Comment.objects.create(author=steering, task=task, text="Ban Chỉ đạo đề nghị đẩy nhanh.")
    client.force_login(steering)
    html = client.get(reverse("task_detail", args=[task.number])).content.decode()
    assert task.title.split()[0] in html and task.deadline_text in html
    assert lead.display_name in html and "Quá hạn" in html and ">10<" in html
    assert "Thiếu nhân lực quý II" in html  # the latest approved update of the agency
    assert "Thiếu kinh phí quý I" not in html  # an older one
    assert "Chưa duyệt: không được hiện" not in html  # submitted, not approved
    assert "Ban Chỉ đạo đề nghị đẩy nhanh." in html
    assert client.get(reverse("task_detail", args=[9999])).status_code == 404


def test_task_board_and_agency_page_link_to_the_task(client, steering, agency_staff, task):
    client.force_login(steering)
    url = reverse("task_detail", args=[task.number])
    assert f'href="{url}"' in client.get(reverse("task_list")).content.decode()
    assigned = TaskAssignment.objects.filter(agency=agency_staff.agency).select_related("task").first().task
    agency_html = client.get(reverse("agency", args=[agency_staff.agency.code])).content.decode()
    assert f'href="{reverse("task_detail", args=[assigned.number])}"' in agency_html


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_task_page_query_count_does_not_grow_with_data(
    client, steering, reviewer, other_agency_staff, task, django_assert_max_num_queries
):
    client.force_login(steering)
    url = reverse("task_detail", args=[task.number])
    agencies = list(Agency.objects.order_by("pk")[:3])
    _occurrences(task, agencies[:1], 1)
    _update(task, agencies[0], 1, SubmissionStatus.APPROVED, "a")
    Comment.objects.create(author=steering, task=task, text="một")
    small = _queries(client, url)
    more = list(Agency.objects.order_by("pk")[3:40])
    _occurrences(task, more, 6)
    for agency in more:
        _update(task, agency, 1, SubmissionStatus.APPROVED, f"khó khăn {agency.code}")
        _update(task, agency, 2, SubmissionStatus.APPROVED, f"mới hơn {agency.code}")
    for author in (reviewer, other_agency_staff, steering):
        for n in range(5):
            Comment.objects.create(author=author, task=task, text=f"ý kiến {n}")
    with django_assert_max_num_queries(small):
        html = client.get(url).content.decode()
    # the page lists the newest difficulties, a page of agencies; the download holds every one
    assert html.count('class="comment"') == 16 and html.count("mới hơn ") == 15 and "khó khăn dvhc" not in html
    csv = client.get(url, {"format": "csv", "bang": "kho-khan"}).content.decode()
    assert all(f"mới hơn {agency.code}" in csv for agency in more)


def test_a_task_of_every_agency_has_a_summary_filters_and_pages(client, steering, task):
    agencies = list(Agency.objects.filter(kind__in=["department", "locality"]).order_by("pk")[:60])
    _occurrences(task, agencies[:3], 1)  # overdue, 10 days
    TaskOccurrence.objects.bulk_create(
        TaskOccurrence(
            task=task,
            agency=agency,
            role="lead",
            due_on=date(2026, 12, 31),
            status="not_due",
            days_late=0,
            as_of=date(2026, 9, 30),
        )
        for agency in agencies
    )
    client.force_login(steering)
    url = reverse("task_detail", args=[task.number])
    html = client.get(url).content.decode()
    summary = html.split('id="tom-tat"', 1)[1].split("</section>", 1)[0]
    assert ">60<" in summary and "cơ quan có việc phải làm" in summary and ">3<" in summary
    assert "Quá hạn lâu nhất:" in summary and f"/co-quan/{agencies[0].code}/" in summary
    rows = html.split('id="lan-den-han"', 1)[1].split("</section>", 1)[0]
    assert f'href="{url}"' in rows  # "Tất cả" clears the filters
    assert rows.count("<tr>") == 1 + 25 and "Trang 1/3" in rows  # a page of agencies, the overdue ones first
    first = rows.split("<tr>")[2]  # after the header row: the longest overdue agency
    assert any(f"/co-quan/{a.code}/" in first for a in agencies[:3]) and "Quá hạn" in first
    overdue = client.get(url, {"chi": "qua-han"}).content.decode().split('id="lan-den-han"', 1)[1]
    assert overdue.split("</section>", 1)[0].count("<tr>") == 1 + 3
    last = client.get(url, {"trang": 3}).content.decode().split('id="lan-den-han"', 1)[1]
    assert "Trang 3/3" in last and last.split("</section>", 1)[0].count("<tr>") == 1 + 10
    localities = client.get(url, {"loai": "locality"}).content.decode().split('id="lan-den-han"', 1)[1]
    assert "Sở " not in localities.split("</section>", 1)[0].split("</nav>", 1)[1]


@pytest.mark.django_db(transaction=True)
def test_steering_member_comments_on_an_indicator_in_the_browser(page, live_server, loaded_plan):
    from agencies.models import User

    from .conftest import PASSWORD

    User.objects.create_user(username="bcd", password=PASSWORD, role="steering", first_name="Ban", last_name="Chỉ đạo")
    code = Indicator.objects.filter(plan=loaded_plan).order_by("group__order", "number").first().code
    login(page, live_server, "bcd")
    page.goto(f"{live_server.url}{reverse('indicator', args=[code])}")
    page.fill("#id_comment_text", "Đề nghị Sở báo cáo rõ nguyên nhân chậm.")
    page.click("#y-kien button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#y-kien .comment-text").first.inner_text() == "Đề nghị Sở báo cáo rõ nguyên nhân chậm."
    assert "Đã ghi nhận ý kiến của bạn." in page.locator(".messages").inner_text()
    assert Comment.objects.get().author.username == "bcd"


def test_a_collective_cooperating_list_shows_the_plans_words_and_folds_the_agencies(client, plan, steering):
    client.force_login(steering)
    html = client.get(reverse("task_detail", args=[7])).content.decode()
    assert "<strong>Các sở, ngành, địa phương</strong>" in html
    assert '<details class="agency-fold">' in html and "Xem 117 cơ quan" in html

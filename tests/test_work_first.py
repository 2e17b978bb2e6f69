"""Each person lands on what needs them (issue 14): agency staff on their work list, the standing office on its
queue by agency and period with each figure compared with the agency's history, tasks with their deadlines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from entry.selectors import agency_work, figure_comparisons
from indicators.models import Metric, Observation, Period
from indicators.periods import MONTH, QUARTER, period_containing
from indicators.selectors import period_of
from tasks.models import Task, TaskAssignment, TaskOccurrence, TaskUpdate

from .factories import period_make


@pytest.fixture
def today():
    return timezone.localdate()


def _previous(kind, day):
    """The period of ``kind`` just before the one containing ``day``."""
    current = period_containing(kind, day)
    return period_containing(kind, current.starts_on - timedelta(days=1))


@pytest.fixture
def khcn_work(plan, agency_staff, reviewer, today):
    """Sở KH&CN: last quarter's figures overdue (one returned with a reason, one draft), a task overdue."""
    agency = agency_staff.agency
    last = _previous(QUARTER, today)
    quarter = period_make(QUARTER, last.year, last.number)
    Period.objects.filter(pk=quarter.pk).update(due_on=today - timedelta(days=3))
    quarterly = list(Metric.objects.filter(reporters=agency, frequency="quarterly").order_by("code")[:2])
    returned = Observation.objects.create(
        metric=quarterly[0],
        agency=agency,
        period=quarter,
        value=Decimal(10),
        status=SubmissionStatus.RETURNED,
        review_note="Thiếu tài liệu minh chứng cho số liệu quý.",
        reviewed_by=reviewer,
    )
    Observation.objects.create(
        metric=quarterly[1], agency=agency, period=quarter, value=Decimal(5), status=SubmissionStatus.DRAFT
    )
    task = Task.objects.get(plan=plan, number=8)
    TaskAssignment.objects.get_or_create(task=task, agency=agency, role=TaskAssignment.Role.LEAD)
    TaskOccurrence.objects.create(
        task=task,
        agency=agency,
        role=TaskAssignment.Role.LEAD,
        due_on=today - timedelta(days=40),
        status=TaskOccurrence.Status.OVERDUE,
        days_late=40,
        as_of=today,
    )
    return {"quarter": quarter, "returned": returned, "task": task}


def test_work_list_puts_the_returned_figure_first_then_overdue_then_due(plan, agency_staff, khcn_work, today):
    work = agency_work(agency=agency_staff.agency, as_of=today, start=plan.issued_on)
    quarter = khcn_work["quarter"]
    assert [i.reason for i in work.returned] == ["Thiếu tài liệu minh chứng cho số liệu quý."]
    overdue = {i.key: i for i in work.overdue}
    figures = overdue[f"so-lieu-{QUARTER}-{quarter.year}-{quarter.number}"]
    assert figures.due_on == today - timedelta(days=3) and figures.days_overdue == 3
    assert figures.counts["draft"] == 1 and figures.counts["missing"] >= 1 and "returned" not in figures.counts
    assert figures.url == f"/so-lieu/?ngay={quarter.ends_on:%Y-%m-%d}"
    assert overdue["nhiem-vu-8-overdue"].days_late == 40
    # the current periods are due, each with its Decree 09 deadline, whether or not a period row exists yet
    current = period_containing(QUARTER, today)
    due = {i.key: i for i in work.due}
    assert due[f"so-lieu-{QUARTER}-{current.year}-{current.number}"].due_on > today
    assert work.action_count == len(work.returned) + len(work.overdue) + len(work.due)


def test_work_list_page_lists_items_with_deadlines_and_writes_nothing(client, agency_staff, khcn_work, today):
    client.force_login(agency_staff)
    periods_before = Period.objects.count()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("worklist")
    html = client.get(reverse("worklist")).content.decode()
    assert Period.objects.count() == periods_before  # a GET never writes
    returned_at = html.index("Thiếu tài liệu minh chứng cho số liệu quý.")
    overdue_at = html.index(f"Số liệu {khcn_work['quarter'].label}")
    assert returned_at < overdue_at < html.index('id="den-han"')
    assert f"{(today - timedelta(days=3)):%d/%m/%Y}" in html and "quá hạn 3 ngày" in html
    assert "Nhiệm vụ 8:" in html and "quá hạn 40 ngày" in html
    assert 'class="badge"' in html  # the menu counts what waits


def test_work_list_is_for_those_who_report(client, steering, reviewer):
    for user in (steering, reviewer):
        client.force_login(user)
        assert client.get(reverse("worklist")).status_code == 403


def test_each_role_lands_on_its_own_page(client, plan, steering, reviewer, administrator):
    client.force_login(reviewer)
    assert client.get(reverse("home"))["Location"] == reverse("review_queue")
    for user in (steering, administrator):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200 and response.context["plan"] == plan
    client.force_login(reviewer)
    assert client.get(reverse("overview")).status_code == 200  # the overview stays one click away


def test_a_month_locked_after_its_deadline_drops_out_of_the_list(plan, agency_staff, today):
    agency = agency_staff.agency
    last = _previous(MONTH, today)
    month = period_make(MONTH, last.year, last.number)
    monthly = Metric.objects.filter(reporters=agency, frequency="monthly")
    if not monthly.exists():
        pytest.skip("Sở KH&CN reports no monthly metric")
    key = f"so-lieu-{MONTH}-{month.year}-{month.number}"
    keys = {i.key for i in agency_work(agency=agency, as_of=today, start=plan.issued_on).overdue}
    if month.due_on < today:
        assert key in keys
    Period.objects.filter(pk=month.pk).update(is_locked=True)
    work = agency_work(agency=agency, as_of=today, start=plan.issued_on)
    assert key not in {i.key for i in work.overdue + work.due}


def _history(metric, agency, values):
    """Approved figures of earlier quarters, oldest first."""
    today = timezone.localdate()
    day = period_containing(QUARTER, today).starts_on
    periods = []
    for _ in values:
        bounds = period_containing(QUARTER, day - timedelta(days=1))
        periods.append(period_make(QUARTER, bounds.year, bounds.number))
        day = bounds.starts_on
    for period, value in zip(reversed(periods), values, strict=True):
        Observation.objects.create(
            metric=metric, agency=agency, period=period, value=Decimal(value), status=SubmissionStatus.APPROVED
        )
    current = period_containing(QUARTER, today)
    return period_make(QUARTER, current.year, current.number)


def test_review_queue_groups_by_agency_and_period_and_flags_outliers(client, plan, reviewer):
    agency = Agency.objects.get(code="so-khcn")
    metric = (
        Metric.objects.filter(reporters=agency, frequency="quarterly", kind="flow").first()
        or Metric.objects.filter(reporters=agency, frequency="quarterly").first()
    )
    quarter = _history(metric, agency, [100, 104, 98, 101, 103])
    waiting = Observation.objects.create(
        metric=metric,
        agency=agency,
        period=quarter,
        value=Decimal(180),
        status=SubmissionStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    comparison = figure_comparisons([Observation.objects.select_related("period").get(pk=waiting.pk)])[waiting.pk]
    assert comparison.previous.value == Decimal(103)
    assert comparison.change.amount.quantize(Decimal("0.1")) == Decimal("74.8") and not comparison.change.points
    assert comparison.outlier is True

    client.force_login(reviewer)
    response = client.get(reverse("review_queue"))
    groups = response.context["groups"]
    assert [(g.agency.code, g.period, g.figures) for g in groups] == [("so-khcn", quarter, 1)]
    html = response.content.decode()
    assert "+74,8%" in html and "Bất thường" in html and 'href="?co_quan=so-khcn&amp;ky=' in html
    chosen = client.get(reverse("review_queue"), {"co_quan": "so-khcn", "ky": quarter.pk})
    assert chosen.context["chosen"] == groups[0] and chosen.context["observations"] == [waiting]
    assert 'class="badge"' in html


def test_task_progress_shows_each_tasks_deadline_last_report_and_overdue_marker(
    client, plan, agency_staff, khcn_work, today
):
    agency = agency_staff.agency
    TaskUpdate.objects.create(
        task=khcn_work["task"],
        agency=agency,
        period=khcn_work["quarter"],
        status=SubmissionStatus.APPROVED,
        progress=TaskUpdate.Progress.IN_PROGRESS,
        percent_complete=40,
    )
    client.force_login(agency_staff)
    response = client.get(reverse("task_progress"))
    row = next(r for r in response.context["rows"] if r.assignment.task.number == 8)
    assert row.next_due == today - timedelta(days=40) and row.is_overdue
    assert row.last_update.period == khcn_work["quarter"]
    html = response.content.decode()
    line = html[html.index('id="nv-8"') :]
    line = line[: line.index("</tr>")]
    assert "Quá hạn 40 ngày" in line and khcn_work["quarter"].label in line and "40%" in line
    assert "Hạn gửi báo cáo" in html


def test_figure_entry_shows_each_periods_deadline(client, agency_staff, today):
    client.force_login(agency_staff)
    html = client.get(reverse("figure_entry")).content.decode()
    bounds = period_containing(QUARTER, today)
    quarter = period_of(kind=QUARTER, year=bounds.year, number=bounds.number)  # not stored yet: a GET never writes
    assert f"{quarter.label}: hạn nộp <strong>{quarter.due_on:%d/%m/%Y}</strong>" in html


def test_language_switch_names_the_other_language_in_its_own_tongue(client, steering, settings):
    client.force_login(steering)
    html = client.get(reverse("overview")).content.decode()
    assert 'value="en" lang="en">English</button>' in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("overview")).content.decode()
    assert 'value="vi" lang="vi">Tiếng Việt</button>' in html


def test_dates_are_entered_dd_mm_yyyy_whatever_the_browser(db):
    from datetime import date

    from entry.task_forms import TaskUpdateForm

    field = str(TaskUpdateForm(initial={"completed_on": date(2026, 6, 30)})["completed_on"])
    assert 'type="text"' in field and 'value="30/06/2026"' in field and 'placeholder="dd/mm/yyyy"' in field
    form = TaskUpdateForm(data={"progress": "done", "percent_complete": 100, "completed_on": "30/06/2026"})
    form.is_valid()
    assert "completed_on" not in form.errors and form.cleaned_data["completed_on"] == date(2026, 6, 30)

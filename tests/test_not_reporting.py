"""“Agencies not reporting” is one number: the overview, the periodic report and the completeness page count the
agencies whose figures for the last quarter due are missing or partial, by one rule, for the same as-of date."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from dashboards import views as dashboard_views
from indicators.models import Metric, Observation
from indicators.periods import REPORT_LATE, REPORT_MISSING, REPORT_NOT_DUE, REPORT_PARTIAL, report_completeness
from indicators.services import period_get_or_create
from reports.content import report_content_collect
from reports.drafting import sections_draft
from tasks.models import TaskAssignment, TaskUpdate
from tasks.services import report_timeliness_recompute

AS_OF = date(2026, 10, 5)  # Quý III/2026 (15/06–14/09) was due on 24/09; Tháng 9 ends the same day
PHRASE = "chưa gửi đủ số liệu Quý III/2026 (hạn 24/09/2026)"


def _moment(day: date):
    return timezone.make_aware(datetime.combine(day, time(9)))


def _send(metric: Metric, agency: Agency, period, day: date, status=SubmissionStatus.APPROVED) -> Observation:
    return Observation.objects.create(
        metric=metric,
        agency=agency,
        period=period,
        value=Decimal(1),
        numerator=Decimal(1) if metric.kind == "ratio" else None,
        denominator=Decimal(2) if metric.kind == "ratio" else None,
        status=status,
        submitted_at=_moment(day),
    )


@pytest.fixture
def quarter_world(plan):
    """Agencies owing quarterly figures for Quý III/2026: one sent them all on time, one only some of them,
    one sent a task report but no figure (the old snapshot called that reported), one sent after the as-of day,
    the rest nothing; monthly figures of Tháng 9 (same end day) sent by everybody."""
    quarter = period_get_or_create(kind="quarter", year=2026, number=3)
    month = period_get_or_create(kind="month", year=2026, number=9)
    quarterly: dict[Agency, list[Metric]] = {}
    for metric in Metric.objects.filter(plan=plan, frequency="quarterly").prefetch_related("reporters"):
        for agency in metric.reporters.filter(is_active=True):
            quarterly.setdefault(agency, []).append(metric)
    several = sorted((a for a, ms in quarterly.items() if len(ms) > 1), key=lambda a: a.code)
    complete, partial, task_only, too_late = several[:4]
    for metric in quarterly[complete]:
        _send(metric, complete, quarter, date(2026, 9, 20))
    _send(quarterly[partial][0], partial, quarter, date(2026, 9, 20))
    for metric in quarterly[too_late]:
        _send(metric, too_late, quarter, AS_OF.replace(day=AS_OF.day + 3), status=SubmissionStatus.SUBMITTED)
    lead = TaskAssignment.objects.filter(role=TaskAssignment.Role.LEAD, agency=task_only).select_related("task")
    if lead.exists():
        TaskUpdate.objects.create(
            task=lead.first().task,
            agency=task_only,
            period=quarter,
            progress=TaskUpdate.Progress.IN_PROGRESS,
            status=SubmissionStatus.APPROVED,
            submitted_at=_moment(date(2026, 9, 20)),
        )
    for metric in Metric.objects.filter(plan=plan, frequency="monthly").prefetch_related("reporters"):
        for agency in metric.reporters.filter(is_active=True):
            _send(metric, agency, month, date(2026, 9, 16))
    # the nightly snapshot as of the same day, as the overview had it
    report_timeliness_recompute(as_of=AS_OF)
    return {
        "quarter": quarter,
        "owing": set(quarterly),
        "complete": complete,
        "partial": partial,
        "task_only": task_only,
        "too_late": too_late,
    }


def _count(html: str) -> int:
    block = re.search(r'id="chua-gui-du".*?(\d[\d.]*)', html, re.S)
    assert block, "the count of agencies not reporting is shown"
    return int(block.group(1).replace(".", ""))


def test_overview_report_and_completeness_page_count_the_same_agencies(
    plan, quarter_world, steering, reviewer, client, monkeypatch
):
    world = quarter_world
    content = report_content_collect(plan=plan, period=world["quarter"], as_of=AS_OF)
    named = set(content.not_reporting)
    # partial and missing are both "not reported"; what came after the as-of day does not count yet
    assert world["partial"].display_name in named and world["task_only"].display_name in named
    assert world["too_late"].display_name in named and world["complete"].display_name not in named
    assert named == {a.display_name for a in world["owing"]} - {world["complete"].display_name}

    monkeypatch.setattr(dashboard_views, "_today", lambda: AS_OF)
    client.force_login(steering)
    overview = client.get(reverse("overview")).content.decode()
    client.force_login(reviewer)
    url = reverse("period_completeness", args=[world["quarter"].pk])
    page = client.get(f"{url}?ngay={AS_OF.isoformat()}").content.decode()

    assert _count(overview) == _count(page) == len(content.not_reporting)
    for html in (overview, page):
        assert PHRASE in " ".join(html.split())
    listed = re.findall(r'class="completeness-(?:partial|missing)"><th scope="row">([^<]+)<', page)
    assert {name for name in listed} == {a.name for a in world["owing"]} - {world["complete"].name}

    text = "\n".join(sections_draft(content).values())
    assert f"Còn {len(named)} cơ quan, đơn vị {PHRASE[0].lower()}{PHRASE[1:]}".replace("Quý", "quý") in text


def test_completeness_rule_partial_missing_late_not_due():
    due = date(2026, 9, 24)
    assert report_completeness(expected=3, sent=1, last_sent_on=date(2026, 9, 1), due_on=due, as_of=AS_OF) == (
        REPORT_PARTIAL,
        11,
    )
    assert report_completeness(expected=3, sent=0, last_sent_on=None, due_on=due, as_of=AS_OF)[0] == REPORT_MISSING
    assert report_completeness(expected=3, sent=3, last_sent_on=date(2026, 9, 30), due_on=due, as_of=AS_OF) == (
        REPORT_LATE,
        6,
    )
    assert report_completeness(expected=3, sent=0, last_sent_on=None, due_on=due, as_of=due)[0] == REPORT_NOT_DUE

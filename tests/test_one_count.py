"""Issue 21, cases 2 and 3: one counting rule per fact. Tasks are counted as tasks ("x/35 nhiệm vụ"), their due
dates as "lượt", "chưa đến hạn" apart from "đang thực hiện"; the report and the overview count the same
quantitative targets; an agency's report for a period has one status on its page and on the completeness page."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation, QualitativeAssessment, Target, TargetStatus
from indicators.services import period_get_or_create, target_statuses_recompute
from reports.content import report_content_collect
from reports.drafting import sections_draft
from tasks.models import Task, TaskAssignment, TaskOccurrence, TaskUpdate
from tasks.services import report_timeliness_recompute, task_occurrences_recompute

TODAY = timezone.localdate()


def _moment(day: date):
    return timezone.make_aware(datetime.combine(day, time(9)))


def test_tasks_are_counted_as_tasks_and_due_dates_as_luot(plan, client, steering):
    quarter = period_get_or_create(kind="quarter", year=2026, number=3)
    # one agency reports work under way on a task whose deadline is still ahead
    lead = (
        TaskAssignment.objects.filter(
            role="lead", task__terms_versions__schedule_kind="one_off", task__terms_versions__due_on__gt=TODAY
        )
        .select_related("task", "agency")
        .first()
    )
    TaskUpdate.objects.create(
        task=lead.task,
        agency=lead.agency,
        period=quarter,
        progress=TaskUpdate.Progress.IN_PROGRESS,
        status=SubmissionStatus.APPROVED,
        submitted_at=_moment(quarter.due_on - timedelta(days=2)),
    )
    task_occurrences_recompute(as_of=TODAY)
    total = Task.objects.filter(plan=plan).count()
    client.force_login(steering)
    overview = client.get("/tong-quan/")
    tasks = overview.context["tasks"]
    assert tasks.total == total == 35
    behind = TaskOccurrence.objects.filter(status="overdue").values("task").distinct().count()
    assert tasks.tasks["behind"] == behind
    html = overview.content.decode()
    assert f"{tasks.tasks['on_schedule']}/35" in html and "nhiệm vụ đúng tiến độ" in html
    assert "lần nhiệm vụ hoàn thành đúng hạn" not in html  # due dates are "lượt", never "lần nhiệm vụ"
    # the report counts with the same rule, as of the same day
    content = report_content_collect(plan=plan, period=quarter, as_of=TODAY)
    assert content.tasks_total == 35 and content.task_standings == dict(tasks.tasks)
    text = sections_draft(content)["results"]
    assert f"{tasks.tasks['on_schedule']}/35 nhiệm vụ đúng tiến độ" in text
    # "nhiệm vụ" only ever counts tasks: no count of task × agency pairs is called "nhiệm vụ đang thực hiện"
    assert not re.search(r"\d nhiệm vụ đang thực hiện", text)
    totals = content.task_totals
    assert totals.in_progress >= 1 and totals.not_due > totals.in_progress
    assert f"{totals.not_due:,}".replace(",", ".") + " lượt chưa đến hạn" in text


def test_the_report_and_the_overview_count_the_same_quantitative_targets(plan, client, steering, reviewer):
    # I.3 is qualitative: the standing office's assessment is shown, never counted among the measured targets
    i3 = Target.objects.get(indicator__plan=plan, indicator__code="I.3", year=2030)
    assert i3.qualitative
    QualitativeAssessment.objects.create(
        target=i3,
        period=period_get_or_create(kind="quarter", year=2026, number=3),
        status=TargetStatus.Status.ON_TRACK,
        assessed_by=reviewer,
    )
    target_statuses_recompute(as_of=TODAY)
    client.force_login(steering)
    headline = client.get("/tong-quan/", {"moc": 2030}).context["headline"]
    content = report_content_collect(
        plan=plan, period=period_get_or_create(kind="quarter", year=2026, number=3), as_of=TODAY
    )
    totals = content.status_totals
    measured = sum(totals.values()) - totals["qualitative"]
    assert measured == headline["measured"]
    assert totals["on_track"] == headline["on_track"] and totals["achieved"] == headline["achieved"]
    assert totals["qualitative"] == Target.objects.filter(indicator__plan=plan, year=2030, qualitative=True).count()
    assert f"trong {headline['measured']} mục tiêu định lượng" in sections_draft(content)["results"]


def test_an_agency_report_has_one_status_on_its_page_and_on_the_completeness_page(plan, client, reviewer):
    agency = Agency.objects.get(code="so-khcn")
    quarter = period_get_or_create(kind="quarter", year=2026, number=3)
    owed = list(Metric.objects.filter(plan=plan, frequency="quarterly", reporters=agency).order_by("code"))
    assert len(owed) > 2
    # some of its figures came in late, the others never did
    for metric in owed[:2]:
        Observation.objects.create(
            metric=metric,
            agency=agency,
            period=quarter,
            value=Decimal(1),
            numerator=Decimal(1) if metric.kind == "ratio" else None,
            denominator=Decimal(2) if metric.kind == "ratio" else None,
            status=SubmissionStatus.APPROVED,
            submitted_at=_moment(quarter.due_on + timedelta(days=25)),
        )
    report_timeliness_recompute(as_of=TODAY)
    client.force_login(reviewer)
    completeness = client.get(reverse("period_completeness", args=[quarter.pk]), {"ngay": TODAY.isoformat()})
    [row] = [r for r in completeness.context["report"].rows if r.agency == agency]
    assert (row.status, row.submitted, row.expected) == ("partial", 2, len(owed))
    page = client.get(reverse("agency", args=[agency.code]))
    [shown] = [t for t in page.context["timeliness"] if t.period_id == quarter.pk]
    assert (shown.status, shown.sent, shown.expected) == (row.status, row.submitted, row.expected)
    html = page.content.decode()
    line = re.search(rf'<tr data-period="{quarter.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "Nộp chưa đủ" in line and f"2/{len(owed)}" in line and "Nộp muộn" not in line

"""Task progress reports: draft, submit, review; one-off tasks completed on time or late; self-assessment."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from indicators.models import AgencyAssessment, Metric
from indicators.services import periods_ensure_containing
from tasks.models import Task, TaskAssignment, TaskUpdate
from tasks.services import task_update_approve, task_update_return

DAY = date(2026, 6, 10)


@pytest.fixture
def task(plan, agency_staff) -> Task:
    return (
        Task.objects.filter(terms_versions__schedule_kind="one_off", assignments__agency=agency_staff.agency)
        .order_by("number")
        .first()
    )


def url(task):
    return f"{reverse('task_update_edit', args=[task.number])}?ngay={DAY.isoformat()}"


def test_agency_lists_its_tasks_lead_and_cooperating(client, plan, agency_staff):
    client.force_login(agency_staff)
    html = client.get(f"{reverse('task_progress')}?ngay={DAY.isoformat()}").content.decode()
    numbers = set(TaskAssignment.objects.filter(agency=agency_staff.agency).values_list("task__number", flat=True))
    assert numbers and all(f'id="nv-{n}"' in html for n in numbers)
    assert "Quý II/2026" in html


def test_done_needs_a_completion_date_and_tells_on_time_from_late(client, task, agency_staff, reviewer):
    client.force_login(agency_staff)
    response = client.post(url(task), {"action": "submit", "progress": "done", "percent_complete": 100})
    assert response.status_code == 400 and "hãy nhập ngày hoàn thành" in response.content.decode()
    assert not TaskUpdate.objects.filter(task=task).exists()
    late = date(task.due_on.year, task.due_on.month, 1).replace(year=task.due_on.year + 1)
    client.post(
        url(task),
        {
            "action": "submit",
            "progress": "done",
            "percent_complete": 100,
            "work_done": "Đã ban hành kế hoạch",
            "difficulties": "Thiếu nhân lực",
            "proposals": "Bổ sung biên chế",
            "document_number": "123/KH-SKHCN",
            "document_date": "2026-06-01",
            "completed_on": late.isoformat(),
        },
    )
    update = TaskUpdate.objects.get(task=task, agency=agency_staff.agency)
    assert update.status == "submitted" and update.completed_on_time() is False
    task_update_return(task_update=update, user=reviewer, reason="Ngày hoàn thành chưa đúng")
    client.post(
        url(task),
        {"action": "submit", "progress": "done", "percent_complete": 100, "completed_on": task.due_on.isoformat()},
    )
    update.refresh_from_db()
    assert update.completed_on_time() is True and update.status == "submitted"
    assert task_update_approve(task_update=update, user=reviewer)
    reasons = list(update.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons == ["Gửi duyệt", "Trả lại: Ngày hoàn thành chưa đúng", "Gửi duyệt", "Phê duyệt"]


def test_not_started_means_zero_percent(client, task, agency_staff):
    client.force_login(agency_staff)
    response = client.post(url(task), {"action": "draft", "progress": "not_started", "percent_complete": 30})
    assert "phần trăm hoàn thành là 0" in response.content.decode()


def test_a_submitted_report_is_not_changed_by_a_second_post(client, task, agency_staff):
    client.force_login(agency_staff)
    data = {"action": "submit", "progress": "in_progress", "percent_complete": 40, "work_done": "Đang làm"}
    client.post(url(task), data)
    client.post(url(task), {**data, "percent_complete": 90})
    update = TaskUpdate.objects.get(task=task, agency=agency_staff.agency)
    assert update.percent_complete == 40 and update.history.count() == 1


def test_quarterly_self_assessment(client, plan, agency_staff):
    metric = Metric.objects.filter(reporters=agency_staff.agency).order_by("code").first()
    client.force_login(agency_staff)
    client.post(
        f"{reverse('task_progress')}?ngay={DAY.isoformat()}",
        {f"a{metric.pk}-confidence": "at_risk", f"a{metric.pk}-narrative": "Thiếu kinh phí"},
    )
    assessment = AgencyAssessment.objects.get(agency=agency_staff.agency, metric=metric)
    assert assessment.period == periods_ensure_containing(DAY)["quarter"]
    assert (assessment.confidence, assessment.narrative) == ("at_risk", "Thiếu kinh phí")
    assert AgencyAssessment.objects.filter(agency=agency_staff.agency).count() == 1


def test_reviewer_records_a_qualitative_assessment(client, plan, reviewer):
    from indicators.models import QualitativeAssessment, Target

    target = Target.objects.filter(qualitative=True).first()
    quarter = periods_ensure_containing(DAY)["quarter"]
    client.force_login(reviewer)
    response = client.post(
        reverse("qualitative_assessment"),
        {"target": target.pk, "period": quarter.pk, "status": "on_track", "narrative": "Đang nâng cấp"},
    )
    assert response.status_code == 302
    assessment = QualitativeAssessment.objects.get(target=target, period=quarter)
    assert assessment.assessed_by == reviewer and assessment.history.count() == 1


def test_self_assessment_is_refused_in_a_locked_quarter(client, plan, agency_staff):
    metric = Metric.objects.filter(reporters=agency_staff.agency).order_by("code").first()
    quarter = periods_ensure_containing(DAY)["quarter"]
    quarter.is_locked = True
    quarter.save()
    client.force_login(agency_staff)
    response = client.post(
        f"{reverse('task_progress')}?ngay={DAY.isoformat()}",
        {f"a{metric.pk}-confidence": "at_risk", f"a{metric.pk}-narrative": "Thiếu kinh phí"},
    )
    assert "đã khóa" in response.content.decode()
    assert not AgencyAssessment.objects.filter(agency=agency_staff.agency).exists()

"""Another agency's approved figure or task report: its history and detail show what was approved, never the
drafts, submissions, returns, review notes or correction proposals before and after it (they were readable by
any agency once the figure was approved)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from agencies.models import Agency
from indicators.models import Metric
from indicators.services import (
    observation_approve,
    observation_correct,
    observation_return,
    observation_save,
    periods_ensure_containing,
)
from indicators.validation import FigureInput, clean_figure
from tasks.models import TaskAssignment
from tasks.services import task_update_approve, task_update_return, task_update_save

DAY = date(2026, 6, 10)
#: written before approval (or after it, in a correction refused): for the agency and its reviewers only
UNAPPROVED = ["ghi chú nháp", "nhap-cu", "Thiếu minh chứng XYZ", "Đề nghị ABC", "không đồng ý DEF", "Trả lại"]


@pytest.fixture
def figure(plan, agency_staff, reviewer):
    khcn = Agency.objects.get(code="so-khcn")
    metric = Metric.objects.filter(reporters=khcn, kind="stock").order_by("code").first()
    period = periods_ensure_containing(DAY)[metric.period_kind]

    def save(value: str, note: str, evidence: str):
        return observation_save(
            metric=metric,
            agency=khcn,
            period=period,
            user=agency_staff,
            figure=clean_figure(metric.kind, FigureInput(value)),
            note=note,
            evidence=ContentFile(b"%PDF-1.4", name=evidence),
            submit=True,
        )

    observation = save("5", "ghi chú nháp", "nhap-cu.pdf")
    observation_return(observation=observation, user=reviewer, reason="Thiếu minh chứng XYZ")
    observation = save("6", "ghi chú cuối", "chinh-thuc.pdf")
    observation_approve(observation=observation, user=reviewer)
    observation.refresh_from_db()
    observation_correct(
        observation=observation,
        user=agency_staff,
        figure=clean_figure(metric.kind, FigureInput("9")),
        reason="Đề nghị ABC",
    )
    observation_return(observation=observation, user=reviewer, reason="không đồng ý DEF")
    return observation


def test_another_agency_reads_only_the_approved_versions_of_a_figure(client, figure, other_agency_staff):
    client.force_login(other_agency_staff)
    history = client.get(reverse("observation_history", args=[figure.pk])).content.decode()
    detail = client.get(reverse("observation_detail", args=[figure.pk])).content.decode()
    for page in (history, detail):
        assert not [text for text in UNAPPROVED if text in page]
    assert "Điều chỉnh bị trả lại" not in detail  # a correction refused: the agency's business
    assert "ghi chú cuối" in history and "chinh-thuc" in history and "Phê duyệt" in history
    assert history.count('class="history-step"') == 1


@pytest.mark.parametrize("role", ["agency_staff", "reviewer", "steering"])
def test_the_agency_and_its_reviewers_read_the_whole_history(client, figure, request, role):
    client.force_login(request.getfixturevalue(role))
    history = client.get(reverse("observation_history", args=[figure.pk])).content.decode()
    assert all(text in history for text in UNAPPROVED)
    detail = client.get(reverse("observation_detail", args=[figure.pk])).content.decode()
    assert "không đồng ý DEF" in detail and "Đề nghị ABC" in detail and "Điều chỉnh bị trả lại" in detail


def test_another_agency_reads_only_the_approved_versions_of_a_task_report(
    client, plan, agency_staff, reviewer, other_agency_staff
):
    khcn = Agency.objects.get(code="so-khcn")
    task = TaskAssignment.objects.filter(agency=khcn).select_related("task").first().task
    quarter = periods_ensure_containing(DAY)["quarter"]

    def save(work: str):
        data = {"progress": "in_progress", "percent_complete": 40, "work_done": work}
        return task_update_save(task=task, agency=khcn, period=quarter, user=agency_staff, data=data, submit=True)

    update = save("việc làm nháp")
    task_update_return(task_update=update, user=reviewer, reason="Thiếu minh chứng XYZ")
    update = save("việc đã làm xong")
    task_update_approve(task_update=update, user=reviewer)
    client.force_login(other_agency_staff)
    history = client.get(reverse("task_update_history", args=[update.pk])).content.decode()
    assert "việc đã làm xong" in history
    assert "việc làm nháp" not in history and "Thiếu minh chứng XYZ" not in history and "Trả lại" not in history

"""Inspections and their recommendations (issue 20): recorded by the standing office, reported on by the agency
with evidence, accepted or returned, overdue by the one rule for work with a deadline, and seen where a task's
work is seen: the work list, reminders and the digest, the overview, the agency page, the overdue command and
the periodic report."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core.workflow import EntryError, SubmissionStatus
from entry.selectors import agency_work, review_queue_count
from oversight import standing
from oversight.models import Inspection, Recommendation, RecommendationUpdate
from oversight.selectors import recommendation_tally
from oversight.services import (
    recommendation_add,
    recommendation_update_approve,
    recommendation_update_return,
    recommendation_update_save,
)
from reports.content import report_content_collect
from reports.drafting import results_draft
from tasks.models import Reminder
from tasks.occurrences import DONE_LATE, DONE_ON_TIME, IN_PROGRESS, NOT_DUE, OVERDUE, status_on
from tasks.services import reminders_send, steering_digest_send

from .conftest import _user
from .factories import period_make
from .oversight_data import accepted_done, inspection_make, pdf_upload, recommendation_make


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def inspection(plan, reviewer, today):
    """An inspection of Sở KH&CN and Công an concluded 60 days ago."""
    return inspection_make(plan, reviewer, starts_on=today - timedelta(days=70), agencies=["so-khcn", "cong-an"])


@pytest.fixture
def overdue(inspection, reviewer, today):
    """Sở KH&CN's recommendation, due 12 days ago and not done."""
    return recommendation_make(inspection, reviewer, agency="so-khcn", due_on=today - timedelta(days=12))


# --- the rule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed", "accepted", "as_of", "expected"),
    [
        (None, None, date(2026, 9, 30), NOT_DUE),
        (None, None, date(2026, 10, 3), OVERDUE),
        (date(2026, 9, 25), date(2026, 9, 28), date(2026, 10, 5), DONE_ON_TIME),
        (date(2026, 10, 2), date(2026, 10, 4), date(2026, 10, 5), DONE_LATE),
        # finished on time but accepted only later: on 2 October it was not known to be done
        (date(2026, 9, 25), date(2026, 10, 4), date(2026, 10, 2), OVERDUE),
    ],
)
def test_a_recommendation_stands_by_the_one_rule_for_work_with_a_deadline(completed, accepted, as_of, expected):
    due = date(2026, 9, 30)
    found = standing.recommendation_standing(due_on=due, completed_on=completed, accepted_on=accepted, as_of=as_of)
    assert found.status == expected
    known = completed if accepted and accepted <= as_of else None
    assert (found.status, found.days_late) == status_on(due_on=due, done_on=known, as_of=as_of)


def test_accepted_progress_makes_work_not_yet_due_in_progress():
    found = standing.recommendation_standing(
        due_on=date(2026, 12, 31),
        completed_on=None,
        accepted_on=None,
        as_of=date(2026, 10, 1),
        progress_reported_on=date(2026, 9, 1),
    )
    assert found.status == IN_PROGRESS and found.is_open


# --- recording an inspection ------------------------------------------------------------------------------


def _inspection_form(today, **extra):
    agencies = Agency.objects.filter(code__in=["so-khcn", "cong-an"])
    data = {
        "title": "Kiểm tra liên ngành năm 2026",
        "kind": "intersectoral",
        "team": "Đoàn kiểm tra số 1 của Ban Chỉ đạo tỉnh",
        "lead_body": Agency.objects.get(code="vp-tu").pk,
        "starts_on": (today - timedelta(days=20)).strftime("%d/%m/%Y"),
        "ends_on": (today - timedelta(days=15)).strftime("%d/%m/%Y"),
        "agencies": [a.pk for a in agencies],
        "decision_number": "105-QĐ/BCĐ",
        "decision_date": (today - timedelta(days=30)).strftime("%d/%m/%Y"),
        "conclusion_number": "21-KL/BCĐ",
        "conclusion_date": (today - timedelta(days=10)).strftime("%d/%m/%Y"),
        "conclusion": "Cơ bản đạt yêu cầu; còn chậm số hóa dữ liệu.",
    }
    return {**data, **extra}


def test_the_office_records_an_inspection_with_its_documents_and_recommendations(
    client, plan, reviewer, agency_staff, today
):
    client.force_login(reviewer)
    response = client.post(
        reverse("inspection_create"), {**_inspection_form(today), "conclusion_file": pdf_upload("ket-luan.pdf")}
    )
    inspection = Inspection.objects.get(title="Kiểm tra liên ngành năm 2026")
    assert response.status_code == 302 and response["Location"] == reverse("inspection_detail", args=[inspection.pk])
    assert set(inspection.agencies.values_list("code", flat=True)) == {"so-khcn", "cong-an"}
    assert inspection.conclusion_file.name.endswith(".pdf")
    assert inspection.history.first().history_change_reason == "Ghi nhận đợt kiểm tra"

    due = today + timedelta(days=30)
    client.post(
        reverse("recommendation_create", args=[inspection.pk]),
        {
            "text": "Cập nhật cơ sở dữ liệu doanh nghiệp KH&CN.",
            "agency": Agency.objects.get(code="so-khcn").pk,
            "due_on": due.strftime("%d/%m/%Y"),
        },
    )
    [recommendation] = inspection.recommendations.all()
    assert (recommendation.number, recommendation.agency.code, recommendation.due_on) == (1, "so-khcn", due)
    # the conclusion goes to the office, the Steering Committee and the agencies concerned, no one else
    conclusion = reverse("inspection_conclusion_file", args=[inspection.pk])
    assert client.get(conclusion).status_code == 200
    client.force_login(agency_staff)  # Sở KH&CN, inspected
    assert client.get(conclusion).status_code == 200
    client.force_login(_user("yte.kt", "agency_staff", "so-y-te"))  # not inspected, no recommendation
    assert client.get(conclusion).status_code == 404
    assert conclusion not in client.get(reverse("inspection_detail", args=[inspection.pk])).content.decode()
    client.logout()
    assert client.get(conclusion).status_code == 302


def test_bad_inspection_input_is_refused_and_nothing_is_written(client, plan, reviewer, today):
    client.force_login(reviewer)
    later = (today + timedelta(days=5)).strftime("%d/%m/%Y")
    response = client.post(reverse("inspection_create"), _inspection_form(today, ends_on="01/01/2020"))
    assert response.status_code == 400 and "không được trước ngày bắt đầu" in response.content.decode()
    response = client.post(reverse("inspection_create"), _inspection_form(today, agencies=[]))
    assert response.status_code == 400
    response = client.post(
        reverse("inspection_create"),
        {**_inspection_form(today, conclusion_date=later), "decision_file": pdf_upload("quyet-dinh.exe")},
    )
    assert response.status_code == 400 and "Chỉ nhận tệp PDF" in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_recommendation_due_before_the_conclusion_is_refused(inspection, reviewer):
    with pytest.raises(EntryError, match="không được trước ngày"):
        recommendation_add(
            inspection=inspection,
            user=reviewer,
            text="Làm ngay",
            agency=Agency.objects.get(code="so-khcn"),
            due_on=inspection.conclusion_date - timedelta(days=1),
        )
    assert not inspection.recommendations.exists()


def test_only_the_office_records_inspections(client, plan, agency_staff, steering, today):
    for user in (agency_staff, steering):
        client.force_login(user)
        assert client.get(reverse("inspection_create")).status_code == 403
        assert client.post(reverse("inspection_create"), _inspection_form(today)).status_code == 403
        assert client.get(reverse("inspection_list")).status_code == 200
    assert not Inspection.objects.exists()


# --- the agency reports, the office accepts or returns ----------------------------------------------------


def _report(client, recommendation, action, **data):
    return client.post(reverse("recommendation_detail", args=[recommendation.pk]), {"action": action, **data})


def test_the_agency_reports_with_evidence_and_the_office_returns_then_accepts(
    client, overdue, agency_staff, reviewer, today
):
    client.force_login(agency_staff)
    done = {"progress": "done", "work_done": "Đã cập nhật đủ 17 doanh nghiệp.", "completed_on": today.isoformat()}
    response = _report(client, overdue, "submit", **done)
    assert response.status_code == 400 and "tài liệu minh chứng" in response.content.decode()
    assert not RecommendationUpdate.objects.exists()

    _report(client, overdue, "submit", **done, evidence=pdf_upload())
    update = RecommendationUpdate.objects.get(recommendation=overdue)
    assert update.status == SubmissionStatus.SUBMITTED and update.agency == agency_staff.agency
    # a second submission while the first waits changes nothing
    _report(client, overdue, "submit", **{**done, "work_done": "Khác"})
    update.refresh_from_db()
    assert update.work_done == "Đã cập nhật đủ 17 doanh nghiệp."
    assert review_queue_count() == 1

    client.force_login(reviewer)
    queue = client.get(reverse("review_queue")).content.decode()
    assert f'id="kn-{update.pk}"' in queue
    client.post(reverse("review_queue"), {"return_r": update.pk, f"reason-r{update.pk}": "Thiếu danh sách kèm theo"})
    update.refresh_from_db()
    assert (update.status, update.review_note) == (SubmissionStatus.RETURNED, "Thiếu danh sách kèm theo")
    work = agency_work(agency=agency_staff.agency, as_of=today, start=today - timedelta(days=200))
    assert [item.key for item in work.returned] == [f"kien-nghi-{overdue.pk}"]
    assert work.returned[0].reason == "Thiếu danh sách kèm theo"

    client.force_login(agency_staff)
    _report(client, overdue, "submit", **done)  # the evidence already sent stays with the report
    client.force_login(reviewer)
    client.post(reverse("review_queue"), {"action": "approve", "r": [update.pk]})
    update.refresh_from_db()
    overdue.refresh_from_db()
    assert update.status == SubmissionStatus.APPROVED
    assert (overdue.completed_on, overdue.accepted_on) == (today, today)
    reasons = list(update.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons == ["Gửi duyệt", "Trả lại: Thiếu danh sách kèm theo", "Gửi duyệt", "Phê duyệt"]
    # done 12 days after its deadline: done late; the recommendation is off the work list and takes no report
    assert recommendation_tally(plan=overdue.inspection.plan, as_of=today).done_late == 1
    work = agency_work(agency=agency_staff.agency, as_of=today, start=today - timedelta(days=200))
    assert not any(
        item.key == f"kien-nghi-{overdue.pk}"
        for section in (work.returned, work.overdue, work.due, work.waiting)
        for item in section
    )
    with pytest.raises(EntryError):
        recommendation_update_save(recommendation=overdue, user=agency_staff, data={"progress": "in_progress"})


def test_another_agency_can_neither_report_nor_see_the_draft(client, overdue, agency_staff, other_agency_staff):
    client.force_login(agency_staff)
    _report(client, overdue, "draft", progress="in_progress", work_done="Đang làm – BẢN NHÁP")
    client.force_login(other_agency_staff)
    page = client.get(reverse("recommendation_detail", args=[overdue.pk])).content.decode()
    assert "BẢN NHÁP" not in page and 'name="progress"' not in page
    assert _report(client, overdue, "submit", progress="in_progress").status_code == 403
    update = RecommendationUpdate.objects.get(recommendation=overdue)
    assert client.get(reverse("recommendation_update_history", args=[update.pk])).status_code == 404
    assert update.status == SubmissionStatus.DRAFT


def test_a_report_of_completion_needs_its_day_and_not_a_future_one(overdue, agency_staff, today):
    with pytest.raises(EntryError, match="ngày hoàn thành"):
        recommendation_update_save(recommendation=overdue, user=agency_staff, data={"progress": "done"})
    with pytest.raises(EntryError, match="sau hôm nay"):
        recommendation_update_save(
            recommendation=overdue,
            user=agency_staff,
            data={"progress": "done", "completed_on": today + timedelta(days=1)},
            evidence=pdf_upload(),
        )
    assert not RecommendationUpdate.objects.exists()


def test_approving_progress_leaves_the_recommendation_open(overdue, agency_staff, reviewer, today):
    update = recommendation_update_save(
        recommendation=overdue,
        user=agency_staff,
        data={"progress": "in_progress", "work_done": "Đang làm"},
        submit=True,
    )
    assert recommendation_update_approve(update=update, user=reviewer)
    overdue.refresh_from_db()
    assert overdue.accepted_on is None
    assert not recommendation_update_approve(update=update, user=reviewer)  # once
    with pytest.raises(EntryError):
        recommendation_update_return(update=update, user=reviewer, reason="")


# --- where a recommendation shows -------------------------------------------------------------------------


def test_an_overdue_recommendation_is_on_the_work_list_overdue(overdue, agency_staff, today, client):
    work = agency_work(agency=agency_staff.agency, as_of=today, start=today - timedelta(days=200))
    [item] = [i for i in work.overdue if i.key == f"kien-nghi-{overdue.pk}"]
    assert item.days_late == 12 and item.due_on == overdue.due_on and item.kind == "recommendation"
    client.force_login(agency_staff)
    page = client.get(reverse("worklist")).content.decode()
    assert f'id="viec-kien-nghi-{overdue.pk}"' in page and "quá hạn 12 ngày" in page


def test_a_recommendation_not_yet_due_is_due_and_one_waiting_is_waiting(inspection, agency_staff, reviewer, today):
    soon = recommendation_make(inspection, reviewer, agency="so-khcn", due_on=today + timedelta(days=20))
    sent = recommendation_make(inspection, reviewer, agency="so-khcn", due_on=today + timedelta(days=40))
    recommendation_update_save(recommendation=sent, user=agency_staff, data={"progress": "in_progress"}, submit=True)
    work = agency_work(agency=agency_staff.agency, as_of=today, start=today - timedelta(days=200))
    assert f"kien-nghi-{soon.pk}" in [i.key for i in work.due]
    assert f"kien-nghi-{sent.pk}" in [i.key for i in work.waiting]


def test_reminders_and_the_digest_include_recommendations(
    overdue, inspection, agency_staff, steering, reviewer, today, mailoutbox, settings
):
    settings.REMINDER_DAYS_BEFORE = 7
    soon = recommendation_make(inspection, reviewer, agency="so-khcn", due_on=today + timedelta(days=3))
    reminders_send(as_of=today)
    body = next(m.body for m in mailoutbox if m.to == [agency_staff.email])
    assert f"Kiến nghị {overdue.number} ({inspection.title}) đã quá hạn" in body
    assert f"Kiến nghị {soon.number} ({inspection.title}) đến hạn ngày" in body
    keys = set(Reminder.objects.filter(user=agency_staff).values_list("kind", "key"))
    assert ("overdue", f"recommendation:{overdue.pk}:{overdue.due_on.isoformat()}") in keys
    sent = len(mailoutbox)
    reminders_send(as_of=today)
    assert not [m for m in mailoutbox[sent:] if m.to == [agency_staff.email]]  # never twice

    steering_digest_send(as_of=today)
    digest = next(m.body for m in mailoutbox if m.to == [steering.email])
    assert "Kiến nghị sau kiểm tra: 0 đã xong, 1 chưa đến hạn, 1 quá hạn" in digest
    assert "Khoa học và Công nghệ · hạn" in digest


def test_the_overdue_command_lists_recommendations_apart_from_tasks(overdue, today):
    out = io.StringIO()
    call_command("overdue", "--as-of", today.isoformat(), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    [item] = payload["overdue_recommendations"]
    assert item["kind"] == "recommendation" and item["recommendation"] == overdue.pk
    assert (item["agency"], item["due_on"], item["days_late"]) == (
        "Sở Khoa học và Công nghệ",
        overdue.due_on.isoformat(),
        12,
    )
    assert all("task" in row for row in payload["overdue_tasks"])
    earlier = io.StringIO()
    call_command("overdue", "--as-of", (overdue.due_on - timedelta(days=1)).isoformat(), "--json", stdout=earlier)
    assert json.loads(earlier.getvalue())["overdue_recommendations"] == []


def test_the_overview_and_the_agency_page_count_open_and_overdue_recommendations(
    client, overdue, inspection, steering, reviewer, today
):
    recommendation_make(inspection, reviewer, agency="cong-an", due_on=today + timedelta(days=10))
    done = recommendation_make(inspection, reviewer, agency="cong-an", due_on=today - timedelta(days=5))
    accepted_done(done, reviewer, completed_on=today - timedelta(days=8), accepted_on=today - timedelta(days=6))
    client.force_login(steering)
    response = client.get(reverse("overview"))
    headline = response.context["headline"]
    assert (
        headline["recommendations_open"],
        headline["recommendations_overdue"],
        headline["recommendations_done"],
    ) == (
        2,
        1,
        1,
    )
    page = response.content.decode()
    assert 'id="kien-nghi-so-luong"' in page and reverse("recommendation_detail", args=[overdue.pk]) in page
    agency = client.get(reverse("agency", args=["so-khcn"])).content.decode()
    assert reverse("recommendation_detail", args=[overdue.pk]) in agency and "chậm 12 ngày" in agency


def test_the_periodic_report_says_how_many_recommendations_are_done_and_overdue(
    plan, overdue, inspection, reviewer, today
):
    done = recommendation_make(inspection, reviewer, agency="cong-an", due_on=today - timedelta(days=5))
    accepted_done(done, reviewer, completed_on=today - timedelta(days=8), accepted_on=today - timedelta(days=6))
    bounds = period_make("quarter", today.year, (today.month - 1) // 3 + 1)
    content = report_content_collect(plan=plan, period=bounds, as_of=today)
    assert (content.recommendations.done, content.recommendations.overdue, content.recommendations.total) == (1, 1, 2)
    assert [row.days_late for row in content.recommendations_overdue] == [12]
    assert "Kết quả thực hiện kiến nghị sau kiểm tra: 1/2 kiến nghị đã xong, 1 quá hạn." in results_draft(content)
    # the Công an report counts its own only
    own = report_content_collect(plan=plan, period=bounds, as_of=today, agency=Agency.objects.get(code="cong-an"))
    assert (own.recommendations.done, own.recommendations.overdue) == (1, 0)


def test_the_menu_badge_of_the_office_counts_reports_on_recommendations(overdue, agency_staff):
    before = review_queue_count()
    recommendation_update_save(recommendation=overdue, user=agency_staff, data={"progress": "in_progress"}, submit=True)
    assert review_queue_count() == before + 1


def test_a_recommendation_known_only_once_concluded(plan, reviewer, today):
    later = inspection_make(plan, reviewer, starts_on=today - timedelta(days=5), agencies=["so-khcn"])
    Inspection.objects.filter(pk=later.pk).update(conclusion_date=today + timedelta(days=5))
    Recommendation.objects.create(
        inspection=later, number=1, text="Chưa kết luận", agency=Agency.objects.get(code="so-khcn"), due_on=today
    )
    assert recommendation_tally(plan=plan, as_of=today).total == 0
    assert recommendation_tally(plan=plan, as_of=today + timedelta(days=6)).total == 1

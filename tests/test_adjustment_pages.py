"""The standing office's adjustment pages (draft change by change, attach the signed decision, approve, revoke),
the plan history every reader sees, the notes on indicator and task pages, and who may do what."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import PlanAdjustment, Target

PDF = b"%PDF-1.4\n% quyet dinh\n"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "uploads")}},
    }


def _draft(client, **extra) -> PlanAdjustment:
    data = {
        "decision_number": "125-QĐ/TU",
        "signed_on": "2026-12-20",
        "effective_on": "2027-01-01",
        "issuer": "Ban Thường vụ Tỉnh ủy",
        "summary": "Điều chỉnh một số mục tiêu, nhiệm vụ sau rà soát năm 2026",
        **extra,
    }
    response = client.post(reverse("adjustments:create"), data)
    adjustment = PlanAdjustment.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse("adjustments:detail", args=[adjustment.pk])
    return adjustment


def _add(client, adjustment, what: str, code: str, text: str = "", year: str = ""):
    return client.post(
        reverse("adjustments:change_add", args=[adjustment.pk]),
        {"what": what, "code": code, "year": year, "text": text},
    )


def test_the_standing_office_drafts_attaches_and_approves_an_adjustment(client, plan, reviewer, steering, monkeypatch):
    client.force_login(reviewer)
    adjustment = _draft(client, signed_file=SimpleUploadedFile("qd-125.pdf", PDF, content_type="application/pdf"))
    assert adjustment.signed_file.name.startswith("plan-adjustments/")
    cell = Target.objects.get(indicator__code="V.1", year=2030)
    _add(client, adjustment, "target_text", "V.1", cell.text.replace("0,75", "0,80"), "2030")
    _add(client, adjustment, "task_deadline", "8", "Tháng 6/2027")
    _add(client, adjustment, "task_cooperating", "12", "Các sở, ngành, địa phương\nSở Tài chính")
    assert [c.subject for c in adjustment.changes.order_by("order")] == [
        "target",
        "parsed_target",
        "task",
        "assignment",
    ]
    page = client.get(reverse("adjustments:detail", args=[adjustment.pk])).content.decode()
    assert "“Thường xuyên”" in page and "“Tháng 6/2027”" in page and "≥ 0,75" in page and "≥ 0,8" in page

    response = client.post(reverse("adjustments:approve", args=[adjustment.pk]))
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.approved_by) == (PlanAdjustment.Status.APPROVED, reviewer)
    assert [h.history_change_reason for h in adjustment.history.order_by("history_date")][-1] == "Phê duyệt điều chỉnh"

    # every reader sees it: the history page, the indicator and task pages, the signed decision
    client.force_login(steering)
    history = client.get(reverse("adjustments:list")).content.decode()
    assert "Quyết định số 125-QĐ/TU ngày 20/12/2026" in history and reviewer.username in history
    link = reverse("adjustments:detail", args=[adjustment.pk])
    indicator = client.get(reverse("indicator", args=["V.1"])).content.decode()
    assert (
        f'Điều chỉnh theo <a href="{link}">Quyết định số 125-QĐ/TU ngày 20/12/2026</a>, có hiệu lực từ ngày 01/01/2027'
        in indicator
    )
    assert (
        "đang là “Chỉ số chuyển đổi số cấp tỉnh ≥ 0,75”, từ ngày đó là “Chỉ số chuyển đổi số cấp tỉnh ≥ 0,80”"
        in indicator
    )
    monkeypatch.setattr("dashboards.views._today", lambda: date(2027, 1, 5))
    indicator = client.get(reverse("indicator", args=["V.1"])).content.decode()
    assert (
        f'Điều chỉnh theo <a href="{link}">Quyết định số 125-QĐ/TU ngày 20/12/2026</a>, từ ngày 01/01/2027' in indicator
    )
    assert "trước “Chỉ số chuyển đổi số cấp tỉnh ≥ 0,75”, nay “Chỉ số chuyển đổi số cấp tỉnh ≥ 0,80”" in indicator
    task = client.get(reverse("task_detail", args=[8])).content.decode()
    assert "trước “Thường xuyên”, nay “Tháng 6/2027”" in task
    download = client.get(reverse("adjustments:signed_file", args=[adjustment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_bad_changes_are_refused_with_a_message_and_add_nothing(client, plan, reviewer):
    client.force_login(reviewer)
    adjustment = _draft(client)
    for what, code, text, year, message in [
        ("task_deadline", "8", "Khi nào rảnh", "", "Không hiểu thời gian hoàn thành"),
        ("task_lead", "8", "Sở Không Tồn Tại", "", "Không xác định được cơ quan"),
        ("task_title", "99", "Nội dung", "", "Không có nhiệm vụ số “99”"),
        ("target_text", "V.1", "Chỉ số chuyển đổi số cấp tỉnh", "2030", "Không tìm thấy con số nào"),
        ("task_deadline", "8", "Thường xuyên", "", "không có gì thay đổi"),
    ]:
        response = _add(client, adjustment, what, code, text, year)
        page = client.get(response.url).content.decode()
        assert message in page, what
    assert not adjustment.changes.exists()


def test_only_the_standing_office_and_administrators_adjust_the_plan(client, plan, reviewer, steering, agency_staff):
    client.force_login(reviewer)
    adjustment = _draft(client, signed_file=SimpleUploadedFile("qd.pdf", PDF, content_type="application/pdf"))
    for user in (steering, agency_staff):
        client.force_login(user)
        assert client.get(reverse("adjustments:list")).status_code == 200
        assert "125-QĐ/TU" not in client.get(reverse("adjustments:list")).content.decode()  # a draft is not shown
        assert client.get(reverse("adjustments:detail", args=[adjustment.pk])).status_code == 404
        assert client.get(reverse("adjustments:signed_file", args=[adjustment.pk])).status_code == 404
        assert client.post(reverse("adjustments:approve", args=[adjustment.pk])).status_code == 403
        assert client.post(reverse("adjustments:create"), {"decision_number": "x"}).status_code == 403
        assert client.post(reverse("adjustments:delete", args=[adjustment.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("adjustments:list")).status_code == 302
    assert client.get(reverse("adjustments:signed_file", args=[adjustment.pk])).status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == PlanAdjustment.Status.DRAFT
    # a GET never writes
    client.force_login(reviewer)
    assert client.get(reverse("adjustments:approve", args=[adjustment.pk])).status_code == 405


def test_revoking_from_the_page_drafts_the_restoring_adjustment(client, plan, reviewer):
    client.force_login(reviewer)
    adjustment = _draft(client)
    _add(client, adjustment, "task_deadline", "8", "Tháng 6/2027")
    client.post(reverse("adjustments:approve", args=[adjustment.pk]))
    response = client.post(
        reverse("adjustments:revoke", args=[adjustment.pk]),
        {
            "bai-bo-decision_number": "140-QĐ/TU",
            "bai-bo-signed_on": "2027-03-01",
            "bai-bo-effective_on": "2027-03-15",
            "bai-bo-issuer": "Ban Thường vụ Tỉnh ủy",
        },
    )
    revocation = PlanAdjustment.objects.get(revokes=adjustment)
    assert response.url == reverse("adjustments:detail", args=[revocation.pk])
    [change] = revocation.changes.all()
    assert (change.old, change.new) == ("Tháng 6/2027", "Thường xuyên")
    client.post(reverse("adjustments:approve", args=[revocation.pk]))
    page = client.get(reverse("adjustments:detail", args=[adjustment.pk])).content.decode()
    assert "Đã bị bãi bỏ" in page and "140-QĐ/TU" in page
    assert "đã bị bãi bỏ" in client.get(reverse("task_detail", args=[8])).content.decode()


def test_the_history_page_reads_a_fixed_number_of_queries(client, plan, reviewer, steering):
    client.force_login(reviewer)
    for number in range(3):
        adjustment = _draft(client, decision_number=f"{number}-QĐ/TU", effective_on=f"2027-0{number + 1}-01")
        _add(client, adjustment, "task_result", str(number + 1), f"Kết quả {number}")
        client.post(reverse("adjustments:approve", args=[adjustment.pk]))
        client.force_login(steering)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("adjustments:list")).status_code == 200
        if number == 0:
            first = len(queries)
        assert len(queries) == first
        client.force_login(reviewer)


def test_a_draft_is_deleted_but_an_approved_adjustment_is_not(client, plan, reviewer):
    client.force_login(reviewer)
    adjustment = _draft(client)
    client.post(reverse("adjustments:delete", args=[adjustment.pk]))
    assert not PlanAdjustment.objects.filter(pk=adjustment.pk).exists()
    adjustment = _draft(client)
    _add(client, adjustment, "task_result", "3", "Báo cáo")
    client.post(reverse("adjustments:approve", args=[adjustment.pk]))
    response = client.post(reverse("adjustments:delete", args=[adjustment.pk]), follow=True)
    assert "đã được phê duyệt" in response.content.decode()
    assert PlanAdjustment.objects.filter(pk=adjustment.pk, status="approved").exists()
    assert date(2027, 1, 1) == adjustment.effective_on

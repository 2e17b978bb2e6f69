"""Reports and open data after an adjustment: an issued report never changes (byte for byte); a report generated
later about a time before the adjustment shows the targets of that time and names the adjustment; reports and the
overview mention the adjustments of their period; the API and the bulk files carry each target's validity."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from adjustments import services
from adjustments import state as st
from config.celery import app as celery_app
from indicators.models import Period, PlanAdjustment, Target
from reports import services as reports
from reports.content import report_content_collect
from tests.test_adjustments import V1_NEW, adjust
from tests.test_periodic_reports import docx_text

EFFECTIVE = date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _report_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }
    settings.REPORT_PDF_ENABLED = False
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def _quarter(year: int, number: int) -> Period:
    from indicators.services import period_get_or_create

    return period_get_or_create(kind="quarter", year=year, number=number)


def _raise_v1(plan, user=None):
    changes = services.page_changes(
        adjustment=PlanAdjustment(plan=plan, effective_on=EFFECTIVE),
        what="target_text",
        code="V.1",
        year=2030,
        text=V1_NEW,
    )
    return adjust(plan, changes, effective=EFFECTIVE, signed=date(2026, 9, 25), user=user)


def _v1_row(content):
    return next(r for g in content.groups for r in g.rows if r.indicator == "V.1" and r.year == 2030)


def test_an_issued_report_is_byte_identical_after_an_adjustment(plan, reviewer, django_capture_on_commit_callbacks):
    q3 = _quarter(2026, 3)  # 15/06–14/09/2026
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.report_request(plan=plan, period=q3, as_of=date(2026, 9, 30), user=reviewer)
    report.refresh_from_db()
    issued = reports.report_issue(report=report, number="21", issued_on=date(2026, 10, 5), user=reviewer)
    docx, xlsx = issued.docx.read(), issued.xlsx.read()
    assert "≥ 0,75" in "\n".join(" ".join(cell for row in table for cell in row) for table in docx_text(docx)[1])

    _raise_v1(plan, user=reviewer)
    reports.report_generate(report_id=issued.pk)  # a job delivered again, after the adjustment
    issued.refresh_from_db()
    assert issued.docx.read() == docx and issued.xlsx.read() == xlsx


def test_a_report_generated_later_for_an_earlier_period_shows_the_targets_of_then(plan, reviewer):
    _raise_v1(plan, user=reviewer)
    earlier = report_content_collect(plan=plan, period=_quarter(2026, 3), as_of=date(2026, 10, 20))
    assert _v1_row(earlier).target == "Chỉ số chuyển đổi số cấp tỉnh ≥ 0,75"
    assert "Quyết định số 125-QĐ/TU ngày 25/09/2026 điều chỉnh từ ngày 01/10/2026" in earlier.targets_note
    assert earlier.adjustments == []

    current = report_content_collect(plan=plan, period=_quarter(2026, 4), as_of=date(2026, 12, 7))
    assert _v1_row(current).target == "Chỉ số chuyển đổi số cấp tỉnh ≥ 0,80"
    assert current.targets_note == ""
    [sentence] = current.adjustments
    assert sentence.startswith(
        "Trong kỳ, Ban Thường vụ Tỉnh ủy điều chỉnh kế hoạch theo Quyết định số 125-QĐ/TU ngày 25/09/2026 "
        "(có hiệu lực từ ngày 01/10/2026): Chỉ tiêu V.1, mục tiêu đến hết năm 2030:"
    )


def test_the_report_document_carries_the_footnote(plan, reviewer, django_capture_on_commit_callbacks):
    _raise_v1(plan, user=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.report_request(plan=plan, period=_quarter(2026, 3), as_of=date(2026, 10, 20), user=reviewer)
    report.refresh_from_db()
    paragraphs, _tables = docx_text(report.docx.read())
    assert any(
        p.startswith("Ghi chú: Mục tiêu nêu trong báo cáo là mục tiêu có hiệu lực đến ngày 14/09/2026")
        for p in paragraphs
    )


def test_the_overview_mentions_the_adjustments_of_the_quarter(client, plan, reviewer, steering, monkeypatch):
    monkeypatch.setattr("dashboards.views._today", lambda: date(2026, 11, 26))
    _raise_v1(plan, user=reviewer)
    client.force_login(steering)
    html = client.get(reverse("overview")).content.decode()
    assert "Trong kỳ, Ban Thường vụ Tỉnh ủy điều chỉnh kế hoạch theo Quyết định số 125-QĐ/TU" in html


def test_open_data_carries_each_targets_validity_and_the_plan_history(client, plan, reviewer):
    adjustment = _raise_v1(plan, user=reviewer)
    cells = client.get("/api/indicators/V.1/", {"as_of": "2026-09-30"}).json()["cells"]
    first = next(c for c in cells if c["year"] == 2030)
    assert (first["text"], first["valid_from"], first["valid_to"]) == (
        "Chỉ số chuyển đổi số cấp tỉnh ≥ 0,75",
        "2026-04-22",
        "2026-09-30",
    )
    cells = client.get("/api/indicators/V.1/", {"as_of": "2026-10-01"}).json()["cells"]
    now = next(c for c in cells if c["year"] == 2030)
    assert (now["valid_from"], now["valid_to"], now["targets"][0]["value"]) == ("2026-10-01", None, 0.8)
    assert client.get("/api/indicators/", {"as_of": "2026-13-01"}).status_code == 400

    [listed] = client.get("/api/plan-adjustments/").json()["results"]
    assert listed["decision_number"] == "125-QĐ/TU" and listed["effective_on"] == "2026-10-01"
    assert [c["subject"] for c in listed["changes"]] == ["target", "parsed_target"]
    assert listed["changes"][1]["before"] == "≥ 0,75"

    response = client.get(reverse("api:dataset-csv", args=["lich-su-ke-hoach"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["decision"], r["effective_on"], r["subject"], r["code"], r["year"]) for r in rows] == [
        ("125-QĐ/TU", "2026-10-01", "target", "V.1", "2030"),
        ("125-QĐ/TU", "2026-10-01", "parsed_target", "V.1", "2030"),
    ]
    assert (rows[0]["before"], rows[0]["after"]) == (
        "“Chỉ số chuyển đổi số cấp tỉnh ≥ 0,75”",
        "“Chỉ số chuyển đổi số cấp tỉnh ≥ 0,80”",
    )
    assert Target.objects.filter(adjustment=adjustment).count() == 1


def test_a_change_of_task_terms_reaches_the_api_from_its_date(client, plan, reviewer):
    adjust(plan, [st.ChangeSpec(st.TASK, "8", "deadline", new="Tháng 6/2027")], effective=date(2027, 1, 1))
    before = client.get("/api/tasks/8/", {"as_of": "2026-12-31"}).json()
    after = client.get("/api/tasks/8/", {"as_of": "2027-01-01"}).json()
    assert (before["deadline_text"], before["valid_to"]) == ("Thường xuyên", "2026-12-31")
    assert (after["deadline_text"], after["due_on"], after["valid_from"]) == (
        "Tháng 6/2027",
        "2027-06-30",
        "2027-01-01",
    )

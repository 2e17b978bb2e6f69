"""Periodic reports: content from snapshots and approved data, the official .docx and .xlsx, the workflow
(draft → issued, new version), reproducibility, and who may see and download them."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook

from config.celery import app as celery_app
from core.workflow import SubmissionStatus
from indicators.models import Metric
from reports import services
from reports.content import report_content_collect
from reports.models import PeriodicReport
from tests.report_data import observation_create, report_world

AS_OF = date(2026, 6, 20)


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
    # jobs run in-process here even when REDIS_URL points Celery at a broker with no worker
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def world(plan):
    return report_world(plan, AS_OF)


def _request(plan, world, django_capture_on_commit_callbacks, agency=None, user=None) -> PeriodicReport:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(plan=plan, period=world["quarter"], as_of=AS_OF, agency=agency, user=user)
    report.refresh_from_db()
    return report


def docx_text(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """Paragraph texts and every table's rows of cell texts, in document order."""
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def xlsx_rows(data: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(min_row=4, values_only=True)) for sheet in workbook.worksheets}


def test_content_counts_tasks_as_of_the_date_and_gathers_only_approved_issues(plan, world):
    content = report_content_collect(plan=plan, period=world["quarter"], as_of=AS_OF)

    totals = content.task_totals
    assert (totals.done_on_time, totals.done_late, totals.overdue, totals.in_progress) == (1, 1, 2, 2)
    assert [(r.task, r.days_late) for r in content.overdue] == [
        (world["tasks"][2].number, 12),
        (world["tasks"][3].number, 5),
    ]
    texts = [r.text for r in content.difficulties]
    assert "Thiếu kinh phí triển khai nền tảng dữ liệu." in texts
    assert not any("CHƯA DUYỆT" in text for text in texts)
    # every 2030 parsed target is in the table, with the snapshot's status
    rows = [row for group in content.groups for row in group.rows if row.status != "qualitative"]
    assert len(rows) == len(world["statuses"])
    assert content.status_totals["achieved"] == sum(1 for s in world["statuses"] if s.status == "achieved")


def test_an_earlier_as_of_date_reads_the_tasks_as_they_stood_then(plan, world):
    earlier = report_content_collect(plan=plan, period=world["quarter"], as_of=date(2026, 5, 1))
    # on 1 May nothing was overdue yet and the task completed on 10 June was still in progress
    assert earlier.task_totals.overdue == 0
    assert earlier.task_totals.done_late == 0
    # the snapshot of 20 June is not visible on 1 May: every target reads "no data"
    assert earlier.status_totals["achieved"] == 0


def test_province_docx_has_the_official_layout_and_the_data(plan, world, reviewer, django_capture_on_commit_callbacks):
    report = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    assert report.generation == PeriodicReport.Generation.READY, report.error
    data = report.docx.read()
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin)]
    assert 20 <= margins[0] <= 25 and 20 <= margins[1] <= 25 and 30 <= margins[2] <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert Pt(13) <= document.styles["Normal"].font.size <= Pt(14)

    paragraphs, tables = docx_text(data)
    header_left, header_right = tables[0][0]
    assert header_left.startswith("TỈNH ỦY HƯNG YÊN\nBAN CHỈ ĐẠO")
    assert "Số" in header_left and "-BC/BCĐ" in header_left
    assert header_right.startswith("ĐẢNG CỘNG SẢN VIỆT NAM")
    assert "Hưng Yên, ngày" in header_right
    assert "BÁO CÁO" in paragraphs
    assert any("quý II/2026" in p for p in paragraphs)
    assert "(Số liệu tính đến ngày 20/06/2026)" in paragraphs

    # the indicator table: one row per target of the snapshot, with its status label and latest value
    indicator_table = next(t for t in tables if t[0][0] == "Mã")
    achieved = next(s for s in world["statuses"] if s.status == "achieved" and s.latest_value)
    code = achieved.parsed_target.target.indicator.code
    row = next(r for r in indicator_table if r[0] == code and r[3] == "Đã đạt")
    assert row[2].startswith(_vn(achieved.latest_value))

    task_table = next(t for t in tables if t[0][1] == "Cơ quan, đơn vị")
    assert task_table[-1][1:] == ["Tổng cộng", "1", "1", "2", "2", "0", "6"]
    overdue_table = next(t for t in tables if t[0][1] == "Nhiệm vụ")
    assert [r[4] for r in overdue_table[1:]] == ["12", "5"]
    assert any("Thiếu kinh phí triển khai nền tảng dữ liệu (Sở KH&CN)." in p for p in paragraphs)
    assert not any("CHƯA DUYỆT" in p for p in paragraphs)
    closing = tables[-1][0]
    assert closing[0].startswith("Nơi nhận:") and "T/M BAN CHỈ ĐẠO" in closing[1]


def _vn(value) -> str:
    from decimal import Decimal

    from core.formatting import format_vn_number

    return format_vn_number(Decimal(value).quantize(Decimal("0.01")))


def test_xlsx_has_the_same_tables_and_guards_formulas(plan, world, reviewer, django_capture_on_commit_callbacks):
    report = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    sheets = xlsx_rows(report.xlsx.read())
    content = report.content
    expected = [(g["code"], r["indicator"], r["status_label"]) for g in content["groups"] for r in g["rows"]]
    assert [(row[0], row[1], row[7]) for row in sheets["Chỉ tiêu"]] == expected
    assert sheets["Nhiệm vụ theo cơ quan"][-1] == (None, "Tổng cộng", 1, 1, 2, 2, 0, 6)
    assert [row[4] for row in sheets["Nhiệm vụ quá hạn"]] == [12, 5]
    proposals = [row[3] for row in sheets["Khó khăn, kiến nghị"] if row[0] == "Kiến nghị, đề xuất"]
    # the agency wrote "=Đề nghị…": stored as text, never as a formula
    assert proposals == ["'=Đề nghị bổ sung 2 biên chế chuyên trách."]


def test_the_same_period_and_date_give_the_same_tables(plan, world, reviewer, django_capture_on_commit_callbacks):
    first = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    first_docx, first_xlsx = first.docx.read(), first.xlsx.read()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_issue(report=first, number="12", issued_on=date(2026, 6, 25), user=reviewer)
    second = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    assert second.pk != first.pk and second.version == 2
    assert docx_text(second.docx.read())[1][1:] == docx_text(first_docx)[1][1:]
    assert xlsx_rows(second.xlsx.read()) == xlsx_rows(first_xlsx)


def test_issuing_freezes_the_report_and_a_new_version_starts_a_draft(
    plan, world, reviewer, django_capture_on_commit_callbacks
):
    report = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_narrative_update(report=report, narrative="Quý II, tỉnh đạt nhiều kết quả.", user=reviewer)
    report.refresh_from_db()
    assert "Quý II, tỉnh đạt nhiều kết quả." in docx_text(report.docx.read())[0]

    issued = services.report_issue(report=report, number="15", issued_on=date(2026, 7, 5), user=reviewer)
    paragraphs, tables = docx_text(issued.docx.read())
    assert "Số 15-BC/BCĐ" in tables[0][0][0]
    assert "Hưng Yên, ngày 05 tháng 7 năm 2026" in tables[0][0][1]
    assert "DỰ THẢO" not in paragraphs
    frozen = issued.docx.name

    with pytest.raises(services.ReportError):
        services.report_narrative_update(report=issued, narrative="Sửa sau khi ban hành", user=reviewer)
    with pytest.raises(services.ReportError):
        services.report_issue(report=issued, number="16", issued_on=date(2026, 7, 6), user=reviewer)
    services.report_generate(report_id=issued.pk)
    issued.refresh_from_db()
    assert issued.docx.name == frozen and issued.number == "15"

    with django_capture_on_commit_callbacks(execute=True):
        draft = services.report_new_version(report=issued, user=reviewer)
    draft.refresh_from_db()
    assert (draft.version, draft.status, draft.narrative) == (2, "draft", "Quý II, tỉnh đạt nhiều kết quả.")
    assert draft.is_ready


def test_agency_report_uses_the_state_layout_and_its_own_submissions(
    plan, world, agency_staff, django_capture_on_commit_callbacks
):
    khcn = world["khcn"]
    metric = Metric.objects.filter(reporters=khcn).order_by("code").first()
    observation_create(metric, khcn, world["quarter"], "1234")
    observation_create(metric, world["police"], world["quarter"], "777")
    hidden = Metric.objects.filter(reporters=khcn).exclude(pk=metric.pk).order_by("code").first()
    observation_create(hidden, khcn, world["quarter"], "5555", status=SubmissionStatus.SUBMITTED)

    report = _request(plan, world, django_capture_on_commit_callbacks, agency=khcn, user=agency_staff)
    paragraphs, tables = docx_text(report.docx.read())
    left, right = tables[0][0]
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in left.upper() and "/BC-SKHCN" in left
    assert right.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    figures = next(t for t in tables if t[0][1] == "Chỉ số")
    assert [r[3] for r in figures[1:]] == ["1.234"]
    task_table = next(t for t in tables if t[0][1] == "Cơ quan, đơn vị")
    assert [r[1] for r in task_table[1:]] == [khcn.display_name]  # its own row, no total of one
    text = "\n".join(paragraphs)
    assert "Thiếu kinh phí" in text and "Hạ tầng mạng cấp xã" not in text


def _login(client, user):
    client.force_login(user)
    return client


def test_who_sees_and_downloads_reports(
    client, plan, world, reviewer, steering, agency_staff, other_agency_staff, django_capture_on_commit_callbacks
):
    province = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    mine = _request(plan, world, django_capture_on_commit_callbacks, agency=world["khcn"], user=agency_staff)

    assert client.get(f"/bao-cao/dinh-ky/{province.pk}/tai/docx/").status_code == 302  # log-in first
    _login(client, steering)
    response = client.get(f"/bao-cao/dinh-ky/{province.pk}/tai/docx/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert client.get(f"/bao-cao/dinh-ky/{mine.pk}/tai/xlsx/").status_code == 200

    _login(client, agency_staff)
    assert client.get(f"/bao-cao/dinh-ky/{mine.pk}/tai/docx/").status_code == 200
    assert client.get(f"/bao-cao/dinh-ky/{province.pk}/tai/docx/").status_code == 404
    assert client.get(f"/bao-cao/dinh-ky/{province.pk}/").status_code == 404

    _login(client, other_agency_staff)
    assert client.get(f"/bao-cao/dinh-ky/{mine.pk}/tai/docx/").status_code == 404
    listing = client.get("/bao-cao/dinh-ky/").content.decode()
    assert f"/bao-cao/dinh-ky/{mine.pk}/" not in listing


def test_only_the_right_people_act_on_a_report(
    client, plan, world, reviewer, steering, agency_staff, django_capture_on_commit_callbacks
):
    province = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    _login(client, steering)
    response = client.post(f"/bao-cao/dinh-ky/{province.pk}/ban-hanh/", {"number": "3", "issued_on": "2026-06-30"})
    assert response.status_code == 403
    response = client.post("/bao-cao/dinh-ky/", {"kind": "quarter", "year": 2026, "number": 2, "as_of": "2026-06-20"})
    assert response.status_code == 403
    province.refresh_from_db()
    assert province.status == "draft"

    _login(client, agency_staff)
    response = client.post(f"/bao-cao/dinh-ky/{province.pk}/danh-gia/", {"narrative": "x"})
    assert response.status_code == 404

    _login(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/bao-cao/dinh-ky/{province.pk}/danh-gia/", {"narrative": "Đánh giá của Văn phòng Tỉnh ủy."}
        )
    assert response.status_code == 302
    response = client.post(f"/bao-cao/dinh-ky/{province.pk}/ban-hanh/", {"number": "3", "issued_on": "2026-06-30"})
    province.refresh_from_db()
    assert (province.status, province.narrative) == ("issued", "Đánh giá của Văn phòng Tỉnh ủy.")
    page = client.get(f"/bao-cao/dinh-ky/{province.pk}/").content.decode()
    assert "Số 3-BC/BCĐ" in page and "Tạo phiên bản mới" in page


def test_agency_staff_request_their_own_report_from_the_page(
    client, plan, world, agency_staff, django_capture_on_commit_callbacks
):
    _login(client, agency_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/bao-cao/dinh-ky/", {"kind": "quarter", "year": 2026, "number": 2, "as_of": "2026-06-20"}
        )
    report = PeriodicReport.objects.get()
    assert response.status_code == 302 and report.agency == agency_staff.agency and report.is_ready

    response = client.post("/bao-cao/dinh-ky/", {"kind": "quarter", "year": 2026, "number": 7, "as_of": "2026-06-20"})
    assert "Kỳ số không hợp lệ" in response.content.decode()
    assert PeriodicReport.objects.count() == 1


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm")) and not os.environ.get("CI"),
    reason="LibreOffice/poppler absent (CI installs them and runs this test)",
)
def test_docx_renders_to_pdf_and_png(plan, world, reviewer, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.REPORT_PDF_ENABLED = True
    report = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    assert report.pdf, "LibreOffice is installed: the PDF must be produced"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report.pdf.read())
    subprocess.run(
        [shutil.which("pdftoppm"), "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 5000
    text = subprocess.run(
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "BÁO CÁO" in text

"""The periodic report as an office signs it: four sections drafted from the data and editable, values with
their periods, whole target cells, the period's tasks with the communes in an appendix, numeric .xlsx cells,
the agency's symbol and the signing authority. Each test reads the .docx / .xlsx back."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from agencies.models import Agency
from config.celery import app as celery_app
from indicators.models import ParsedTarget
from indicators.services import period_get_or_create
from reports import services
from reports.content import report_content_collect
from reports.models import PeriodicReport
from tests.report_data import occurrence_create, report_world, target_status_create, task_update_create

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
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def world(plan):
    return report_world(plan, AS_OF)


def _request(plan, world, capture, agency=None, user=None) -> PeriodicReport:
    with capture(execute=True):
        report = services.report_request(plan=plan, period=world["quarter"], as_of=AS_OF, agency=agency, user=user)
    report.refresh_from_db()
    return report


def _docx(report) -> tuple[str, list[list[list[str]]]]:
    document = Document(io.BytesIO(report.docx.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return text, tables


def test_four_sections_drafted_from_the_data(plan, world, reviewer, django_capture_on_commit_callbacks):
    report = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    text, tables = _docx(report)

    positions = [
        text.index(heading)
        for heading in (
            "I. KẾT QUẢ THỰC HIỆN",
            "II. HẠN CHẾ, KHÓ KHĂN VÀ NGUYÊN NHÂN",
            "III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM QUÝ III/2026",
            "IV. KIẾN NGHỊ, ĐỀ XUẤT",
        )
    ]
    assert positions == sorted(positions)
    assert "mục tiêu đi xuống" in text  # every sixth target of the world is regressing: named, not folded in
    assert "Các mục tiêu có số liệu đi xuống:" in text
    assert "0 mục tiêu" not in text
    assert "Thiếu kinh phí triển khai nền tảng dữ liệu (Sở KH&CN)." in text
    assert "Đề nghị bổ sung 2 biên chế chuyên trách" in text
    comparison = next(t for t in tables if t[0][0] == "Nhóm chỉ tiêu")
    assert comparison[0][3] == "Quý I/2026" and "Quý II/2025" in comparison[0][4]
    assert report.content["drafts"]["results"].startswith("Tính đến ngày 20/06/2026")


def test_values_carry_their_period_and_cells_print_whole(
    client, plan, world, reviewer, django_capture_on_commit_callbacks
):
    report = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    _, tables = _docx(report)
    targets = next(t for t in tables if t[0][0] == "Mã")
    # the world's values are dated 20/06/2026, inside the window of Quý III/2026 (Decree 09: 15/6 – 14/9)
    assert any(row[2].endswith("— Quý III/2026") for row in targets[1:])
    # a cell holding several targets is one row with the cell's whole text and one line per target
    multi = (
        ParsedTarget.objects.filter(target__year=2030, position=2, target__indicator__plan=plan)
        .select_related("target__indicator")
        .first()
    )
    rows = [r for r in targets if r[0] == multi.target.indicator.code]
    assert len(rows) == 1
    assert len(rows[0][3].split("\n")) == multi.target.parsed_targets.count()
    # the report page shows the cell once too
    client.force_login(reviewer)
    page = client.get(f"/bao-cao/dinh-ky/{report.pk}/").content.decode()
    assert page.count(f"<tr><td>{multi.target.indicator.code}</td>") == 1


def test_xlsx_numbers_are_numbers_with_vietnamese_formats(plan, world, reviewer, django_capture_on_commit_callbacks):
    percent = ParsedTarget.objects.filter(target__year=2030, metric__unit="%", target__indicator__plan=plan).first()
    percent.statuses.all().delete()
    target_status_create(percent, AS_OF, "on_track", "66.17")
    report = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)

    workbook = load_workbook(io.BytesIO(report.xlsx.read()))
    sheet = workbook["Chỉ tiêu"]
    rows = list(sheet.iter_rows(min_row=4))
    mine = next(r for r in rows if r[1].value == percent.target.indicator.code and r[3].value == percent.metric.name)
    assert mine[4].value == pytest.approx(0.6617) and mine[4].number_format == "0.00%"
    assert mine[5].value == "%" and mine[6].value == "Quý III/2026"
    numbers = [r[4] for r in rows if isinstance(r[4].value, int | float)]
    assert numbers and not [r[4] for r in rows if isinstance(r[4].value, str)]
    tasks = workbook["Nhiệm vụ theo cơ quan"]
    assert all(isinstance(c.value, int) for c in next(tasks.iter_rows(min_row=4, min_col=3, max_col=7)))


def test_difficulties_sent_during_the_period_are_not_skipped(plan, reviewer, django_capture_on_commit_callbacks):
    """The window rule: a report on a quarter still running carries what agencies wrote about the last one."""
    world = report_world(plan, AS_OF)
    current = period_get_or_create(kind="quarter", year=2026, number=3)  # 15/6 – 14/9, running on 1/8
    update = task_update_create(world["tasks"][1], world["police"], world["quarter"], difficulties="Thiếu máy chủ.")
    update.submitted_at = timezone.make_aware(datetime(2026, 6, 19, 9))
    update.save(update_fields=["submitted_at"])

    content = report_content_collect(plan=plan, period=current, as_of=date(2026, 8, 1))

    assert "Thiếu máy chủ." in [row.text for row in content.difficulties]


def test_task_table_covers_the_period_and_communes_go_to_the_appendix(
    plan, world, reviewer, django_capture_on_commit_callbacks
):
    commune = Agency.objects.filter(kind=Agency.Kind.LOCALITY).order_by("name").first()
    occurrence_create(world["tasks"][0], commune, AS_OF - timedelta(days=20), None, AS_OF)  # overdue
    # finished long before the quarter began: a past report's business, not this one's
    occurrence_create(world["tasks"][1], world["khcn"], date(2025, 12, 1), date(2025, 12, 1), AS_OF)

    report = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    text, tables = _docx(report)

    detail = next(t for t in tables if t[0][1] == "Cơ quan, đơn vị")
    assert detail[-1][1:] == ["Tổng cộng", "1", "1", "3", "2", "0", "7"]
    assert any(r[1].startswith("Các xã, phường (1 đơn vị") for r in detail)
    assert commune.display_name not in [r[1] for r in detail]
    by_kind = next(t for t in tables if t[0][1] == "Loại cơ quan, đơn vị")
    assert "Xã, phường" in [r[1] for r in by_kind]
    assert "PHỤ LỤC" in text
    appendix = next(t for t in tables if t[0][1] == "Xã, phường")
    assert appendix[1][1] == commune.display_name


def test_edited_sections_print_and_untouched_drafts_follow_the_data(
    client, plan, world, reviewer, django_capture_on_commit_callbacks
):
    report = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    drafts = report.content["drafts"]
    client.force_login(reviewer)
    page = client.get(f"/bao-cao/dinh-ky/{report.pk}/").content.decode()
    assert "II. Hạn chế, khó khăn và nguyên nhân" in page and drafts["directions"].splitlines()[0][:40] in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/bao-cao/dinh-ky/{report.pk}/danh-gia/",
            {
                "narrative": drafts["results"],
                "difficulties": drafts["difficulties"],
                "directions": drafts["directions"],
                "proposals": "- Đề nghị Ban Thường vụ Tỉnh ủy bố trí kinh phí năm 2027.",
            },
        )
    report.refresh_from_db()
    assert report.sections == {"proposals": "- Đề nghị Ban Thường vụ Tỉnh ủy bố trí kinh phí năm 2027."}
    assert report.narrative == ""
    text, _ = _docx(report)
    assert "- Đề nghị Ban Thường vụ Tỉnh ủy bố trí kinh phí năm 2027." in text
    assert "Đề nghị bổ sung 2 biên chế" not in text


def test_agency_report_symbol_and_signing_authority(plan, world, agency_staff, django_capture_on_commit_callbacks):
    report = _request(plan, world, django_capture_on_commit_callbacks, agency=world["khcn"], user=agency_staff)
    with pytest.raises(services.ReportError, match="chức vụ"):
        services.report_issue(
            report=report, number="7", issued_on=AS_OF, user=agency_staff, signing_authority="kt", signer_title=""
        )

    issued = services.report_issue(
        report=report,
        number="7",
        issued_on=AS_OF,
        user=agency_staff,
        signing_authority="kt",
        signer_title="Phó Giám đốc",
        signer_name="Trần Thị B",
    )

    text, tables = _docx(issued)
    assert "Số: 7/BC-SKHCN" in tables[0][0][0]
    closing = tables[-1][0][1]
    assert closing.startswith("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC") and closing.endswith("Trần Thị B")
    assert "các cơ quan" not in text.split("II. HẠN CHẾ")[1].split("III.")[0]


@pytest.mark.parametrize(("code", "symbol"), [("so-khcn", "SKHCN"), ("vp-ubnd", "VPUBND"), ("so-tai-chinh", "STC")])
def test_agency_symbol_follows_the_official_abbreviation(db, code, symbol):
    assert services.agency_symbol(Agency.objects.get(code=code)) == symbol


def test_agencies_that_have_not_reported_are_listed(plan, world, reviewer, django_capture_on_commit_callbacks):
    later = date(2026, 7, 10)  # the second quarter's figures were due on 24/06
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(plan=plan, period=world["quarter"], as_of=later, user=reviewer)
    report.refresh_from_db()
    content = report_content_collect(plan=plan, period=world["quarter"], as_of=later)
    assert content.not_reporting and content.not_reporting_label == "Quý II/2026"

    text, tables = _docx(report)
    assert f"Còn {len(content.not_reporting)} cơ quan, đơn vị chưa gửi đủ số liệu quý II/2026" in text
    appendix = next(t for t in tables if t[0] == ["STT", "Cơ quan, đơn vị"])
    assert [row[1] for row in appendix[1:]] == content.not_reporting


def test_title_size_follows_the_layout_and_appendices_start_a_page_without_a_blank_one(
    plan, world, reviewer, agency_staff, django_capture_on_commit_callbacks
):
    """Decree 30 sets the document type's name at 13–14 pt, 36-HD/VPTW at 15–16 pt; an appendix begins a new page
    by its heading's own property, never by a paragraph holding a page break (which, after a signature block
    ending at the foot of a page, made a blank page)."""
    from docx.shared import Pt

    from tests.report_data import occurrence_create

    commune = Agency.objects.filter(kind=Agency.Kind.LOCALITY).order_by("name").first()
    occurrence_create(world["tasks"][0], commune, AS_OF - timedelta(days=3), None, AS_OF)  # → the communes' appendix
    agency = _request(plan, world, django_capture_on_commit_callbacks, agency=world["khcn"], user=agency_staff)
    province = _request(plan, world, django_capture_on_commit_callbacks, user=reviewer)
    files = {report.pk: report.docx.read() for report in (agency, province)}
    for report, size in ((agency, 14), (province, 16)):
        document = Document(io.BytesIO(files[report.pk]))
        title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
        assert title.runs[0].font.size == Pt(size)
        assert not document.element.body.xpath('.//w:br[@w:type="page"]')
        appendices = [p for p in document.paragraphs if p.text.startswith("PHỤ LỤC")]
        assert all(p.paragraph_format.page_break_before for p in appendices)
    assert [p.text for p in Document(io.BytesIO(files[province.pk])).paragraphs if p.text.startswith("PHỤ LỤC")]

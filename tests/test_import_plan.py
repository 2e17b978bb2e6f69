"""The plan as a workbook shaped like its appendices: export, load back, correct, refuse broken files."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from imports.models import ImportBatch
from imports.plan import APPENDIX_I, APPENDIX_II, CLAIMS_SHEET, plan_workbook
from indicators.models import Plan, Target
from tasks.models import Task


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "uploads")}},
    }


def _export_json() -> str:
    out = io.StringIO()
    call_command("export_plan", stdout=out)
    return out.getvalue()


def _edited(plan, edit) -> bytes:
    """The shipped plan's workbook after ``edit(workbook)``."""
    workbook = load_workbook(io.BytesIO(plan_workbook(plan)))
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(sheet, column_label: str, value) -> int:
    """The row number of the first row whose ``column_label`` cell equals ``value``."""
    headers = [c.value for c in sheet[1]]
    position = headers.index(column_label)
    return next(r[0].row for r in sheet.iter_rows(min_row=2) if r[position].value == value)


def _col(sheet, column_label: str) -> int:
    return [c.value for c in sheet[1]].index(column_label) + 1


def _load(tmp_path, content: bytes) -> str:
    path = tmp_path / "ke-hoach.xlsx"
    path.write_bytes(content)
    out = io.StringIO()
    call_command("load_plan", str(path), stdout=out)
    return out.getvalue()


def test_the_shipped_plan_round_trips_through_a_workbook(plan, tmp_path):
    original = _export_json()
    content = plan_workbook(plan)
    Plan.objects.all().delete()
    assert not Task.objects.exists() and not Target.objects.exists()
    output = _load(tmp_path, content)
    assert "0 cập nhật, 0 không đổi" in output.splitlines()[-1]
    assert _export_json() == original
    assert "Kế hoạch: 0 mới, 0 cập nhật" in _load(tmp_path, content)  # loading again changes nothing


def test_the_workbook_is_shaped_like_the_appendices(plan):
    workbook = load_workbook(io.BytesIO(plan_workbook(plan)))
    appendix_i = workbook[APPENDIX_I]
    assert [c.value for c in appendix_i[1]][4:9] == [
        "Mục tiêu đến hết năm 2030",
        "Mục tiêu đến hết năm 2035",
        "Mục tiêu đến hết năm 2040",
        "Mục tiêu đến hết năm 2045",
        "Cơ quan chủ trì đánh giá",
    ]
    row = _row(appendix_i, "Mã chỉ tiêu", "I.1")
    assert appendix_i.cell(row, 5).value == "Tỷ lệ phủ sóng 5G trên địa bàn đạt 100%."
    claims = workbook[CLAIMS_SHEET]
    row = _row(claims, "Mã chỉ tiêu", "II.1")
    assert [c.value for c in claims[row]] == ["II.1", 2030, "budget_share_st_dt", "$\\geq 3\\%$ tổng chi ngân sách"]
    # a cell reading "-" would start a formula in a spreadsheet: it is written neutralised
    assert "'-" in [c.value for r in appendix_i.iter_rows(min_row=2) for c in r]


def test_a_corrected_workbook_is_refused_and_nothing_is_overwritten(plan, tmp_path):
    """A plan already loaded changes only by an adjustment from a date (adjust_plan): load_plan refuses."""
    original = _export_json()

    def correct(workbook):
        sheet = workbook[APPENDIX_I]
        sheet.cell(_row(sheet, "Mã chỉ tiêu", "I.1"), 5).value = "Tỷ lệ phủ sóng 5G trên địa bàn đạt 100% (sửa)."
        sheet = workbook[APPENDIX_II]
        sheet.cell(_row(sheet, "STT", 1), _col(sheet, "Thời gian hoàn thành")).value = "Tháng 9/2026"

    with pytest.raises(CommandError) as failure:
        _load(tmp_path, _edited(plan, correct))
    message = str(failure.value)
    assert "không bị ghi đè" in message and "adjust_plan" in message
    assert "Nhiệm vụ 1, thời gian hoàn thành: “Hàng quý” → “Tháng 9/2026”" in message
    assert _export_json() == original


def test_a_broken_workbook_writes_nothing_and_names_row_and_column(plan, tmp_path):
    original = _export_json()

    def break_it(workbook):
        sheet = workbook[APPENDIX_II]
        row = _row(sheet, "STT", 1)
        sheet.cell(row, _col(sheet, "Cơ quan chủ trì")).value = "Sở Không Tồn Tại"
        sheet.cell(row, _col(sheet, "Thời gian hoàn thành")).value = "Khi nào xong"
        # the first indicator's 2030 cell now refers to a metric that is not in the plan
        claims = workbook[CLAIMS_SHEET]
        claims.cell(2, 3).value = "khong_co_chi_so"

    with pytest.raises(CommandError) as failure:
        _load(tmp_path, _edited(plan, break_it))
    message = str(failure.value)
    assert "không có gì được ghi" in message
    assert (
        "Trang “Phụ lục II”, dòng 2, cột E (Cơ quan chủ trì): Không xác định được cơ quan “Sở Không Tồn Tại”" in message
    )
    assert "Trang “Phụ lục II”, dòng 2, cột H (Thời gian hoàn thành)" in message
    assert "Trang “Mục tiêu định lượng”, dòng 2, cột C (Mã chỉ số): không có chỉ số “khong_co_chi_so”" in message
    assert _export_json() == original


def test_a_workbook_missing_a_column_is_refused(plan, tmp_path):
    def drop_lead(workbook):
        workbook[APPENDIX_I].delete_cols(9)

    with pytest.raises(CommandError) as failure:
        _load(tmp_path, _edited(plan, drop_lead))
    assert "Trang “Phụ lục I”: thiếu cột bắt buộc: Cơ quan chủ trì đánh giá." in str(failure.value)


def test_administrator_loads_a_plan_from_the_import_page(client, plan, administrator, agency_staff):
    upload = io.BytesIO(plan_workbook(plan))
    upload.name = "ke-hoach.xlsx"
    Plan.objects.all().delete()
    client.force_login(administrator)
    response = client.post(reverse("imports:index"), {"kind": "plan", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.kind == ImportBatch.Kind.PLAN and batch.status == ImportBatch.Status.PREVIEWED
    assert batch.summary["counts"]["new"] > 400 and batch.summary["counts"]["updated"] == 0
    assert not Plan.objects.exists()  # the preview wrote nothing
    assert "Xác nhận và ghi" in client.get(response.url).content.decode()
    client.post(reverse("imports:confirm", args=[batch.pk]))
    assert Task.objects.get(number=2).result
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED

    client.force_login(agency_staff)
    assert client.get(reverse("imports:preview", args=[batch.pk])).status_code == 404


def test_the_import_page_shows_a_broken_plan_workbook_row_by_row(client, plan, administrator):
    def break_it(workbook):
        sheet = workbook[APPENDIX_II]
        sheet.cell(_row(sheet, "STT", 3), _col(sheet, "Cơ quan phối hợp")).value = "Sở Không Tồn Tại"

    upload = io.BytesIO(_edited(plan, break_it))
    upload.name = "ke-hoach.xlsx"
    client.force_login(administrator)
    response = client.post(reverse("imports:index"), {"kind": "plan", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    page = client.get(response.url).content.decode()
    assert "cột F (Cơ quan phối hợp): Không xác định được cơ quan “Sở Không Tồn Tại”" in page


def test_a_workbook_made_before_the_ratio_label_changed_still_reads():
    """Ratios have their own scale now, so the kind reads "Tỷ lệ"; workbooks exported as "Tỷ lệ (%)" still load."""
    from imports.plan import _choice
    from indicators.models import Metric

    assert (
        _choice("Tỷ lệ (%)", Metric.Kind) == _choice("Tỷ lệ", Metric.Kind) == _choice("ratio", Metric.Kind) == "ratio"
    )
    assert _choice("Chỉ số (0–1)", Metric.Kind) == "index"

"""A revised plan workbook as an adjustment: ``adjust_plan`` (the contract checked from outside), the import page's
plan kind, ``export_plan --as-of``, and ``load_plan`` that never overwrites a plan already loaded."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from imports.models import ImportBatch
from imports.plan import APPENDIX_I, APPENDIX_II, plan_workbook, plan_workbook_read
from indicators.models import PlanAdjustment, Target
from tasks.models import Task, TaskAssignment

DECISION = ["--decision", "125-QĐ/TU", "--signed-on", "2026-12-20", "--effective", "2027-01-01"]


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "uploads")}},
    }


def _row(sheet, column_label: str, value) -> int:
    headers = [c.value for c in sheet[1]]
    position = headers.index(column_label)
    return next(r[0].row for r in sheet.iter_rows(min_row=2) if r[position].value == value)


def _col(sheet, column_label: str) -> int:
    return [c.value for c in sheet[1]].index(column_label) + 1


def the_issues_example(workbook) -> None:
    """V.1 2030 “≥ 0,75” → “≥ 0,80”; task 8 completed by 30/06/2027; Sở Tài chính cooperates on task 12."""
    sheet = workbook[APPENDIX_I]
    cell = sheet.cell(_row(sheet, "Mã chỉ tiêu", "V.1"), _col(sheet, "Mục tiêu đến hết năm 2030"))
    cell.value = cell.value.replace("0,75", "0,80")
    sheet = workbook[APPENDIX_II]
    sheet.cell(_row(sheet, "STT", 8), _col(sheet, "Thời gian hoàn thành")).value = "Tháng 6/2027"
    cell = sheet.cell(_row(sheet, "STT", 12), _col(sheet, "Cơ quan phối hợp"))
    cell.value = f"{cell.value}\nSở Tài chính"


def _saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _edited(plan, edit, *, as_of: date | None = None) -> bytes:
    workbook = load_workbook(io.BytesIO(plan_workbook(plan, as_of=as_of)))
    edit(workbook)
    return _saved(workbook)


def _adjust(tmp_path, content: bytes, *args: str) -> str:
    path = tmp_path / "ke-hoach-dieu-chinh.xlsx"
    path.write_bytes(content)
    out = io.StringIO()
    call_command("adjust_plan", str(path), *args, stdout=out)
    return out.getvalue()


def test_export_edit_dry_run_shows_exactly_the_edits_and_writes_nothing(plan, tmp_path):
    output = _adjust(tmp_path, _edited(plan, the_issues_example), *DECISION, "--dry-run")
    lines = [line for line in output.splitlines() if " → " in line]
    assert lines == [
        "Trang “Phụ lục I”, dòng 31, cột E (Mục tiêu đến hết năm 2030) — Chỉ tiêu V.1, mục tiêu đến hết năm 2030: "
        "“Chỉ số chuyển đổi số cấp tỉnh ≥ 0,75” → “Chỉ số chuyển đổi số cấp tỉnh ≥ 0,80”",
        "Trang “Phụ lục I”, dòng 31, cột E (Mục tiêu đến hết năm 2030) — Chỉ tiêu V.1, mục tiêu định lượng năm 2030: "
        "≥ 0,75 → ≥ 0,8",
        "Trang “Phụ lục II”, dòng 9, cột H (Thời gian hoàn thành) — Nhiệm vụ 8, thời gian hoàn thành: "
        "“Thường xuyên” → “Tháng 6/2027”",
        "Trang “Phụ lục II”, dòng 13, cột F (Cơ quan phối hợp) — Nhiệm vụ 12, cơ quan phối hợp: "
        "Các sở, ngành, địa phương → Các sở, ngành, địa phương; Sở Tài chính (bổ sung Sở Tài chính)",
    ]
    assert "không có gì được ghi" in output
    assert not PlanAdjustment.objects.exists()
    assert Target.objects.filter(indicator__code="V.1", year=2030).count() == 1


def test_without_approve_the_adjustment_waits_and_with_it_applies(plan, tmp_path):
    output = _adjust(tmp_path, _edited(plan, the_issues_example), *DECISION)
    adjustment = PlanAdjustment.objects.get()
    assert adjustment.status == PlanAdjustment.Status.DRAFT and "chờ Văn phòng Tỉnh ủy phê duyệt" in output
    assert adjustment.changes.count() == 4
    assert Task.objects.get(number=8).terms_versions.count() == 1  # nothing applied yet

    adjustment.delete()
    _adjust(tmp_path, _edited(plan, the_issues_example), *DECISION, "--approve")
    adjustment = PlanAdjustment.objects.get()
    assert adjustment.status == PlanAdjustment.Status.APPROVED
    assert adjustment.history.filter(history_change_reason="Phê duyệt điều chỉnh").exists()
    task8 = Task.objects.get(number=8)
    assert Task.objects.with_terms(date(2027, 1, 1)).get(pk=task8.pk).due_on == date(2027, 6, 30)
    assert Task.objects.with_terms(date(2026, 12, 31)).get(pk=task8.pk).deadline_text == "Thường xuyên"
    task12 = Task.objects.with_terms(date(2027, 1, 1)).get(number=12)
    assert task12.cooperating_names[-1] == "Sở Tài chính"
    # Sở Tài chính cooperated already, as one of "Các sở, ngành, địa phương": its assignment does not change
    assert TaskAssignment.objects.filter(task=task12, agency__code="so-tai-chinh", adjustment=adjustment).count() == 0


def test_a_workbook_with_no_change_is_refused_and_writes_nothing(plan, tmp_path):
    with pytest.raises(CommandError, match="Tệp không có thay đổi nào so với kế hoạch có hiệu lực ngày 01/01/2027"):
        _adjust(tmp_path, plan_workbook(plan), *DECISION)
    assert not PlanAdjustment.objects.exists()


def test_an_effective_date_before_the_plan_is_refused(plan, tmp_path):
    args = ["--decision", "1", "--signed-on", "2026-05-01", "--effective", "2026-04-01"]
    with pytest.raises(CommandError, match="trước ngày ban hành kế hoạch"):
        _adjust(tmp_path, _edited(plan, the_issues_example), *args)
    assert not PlanAdjustment.objects.exists()


def test_an_unknown_agency_or_an_unreadable_deadline_is_refused(plan, tmp_path):
    def break_it(workbook):
        sheet = workbook[APPENDIX_II]
        sheet.cell(_row(sheet, "STT", 3), _col(sheet, "Cơ quan phối hợp")).value = "Sở Không Tồn Tại"
        sheet.cell(_row(sheet, "STT", 4), _col(sheet, "Thời gian hoàn thành")).value = "Khi nào rảnh"

    with pytest.raises(CommandError) as failure:
        _adjust(tmp_path, _edited(plan, break_it), *DECISION)
    assert "Không xác định được cơ quan “Sở Không Tồn Tại”" in str(failure.value)
    assert "Không hiểu thời gian hoàn thành “Khi nào rảnh”" in str(failure.value)
    assert not PlanAdjustment.objects.exists()


def test_what_an_adjustment_cannot_change_is_refused(plan, tmp_path):
    def rename(workbook):
        sheet = workbook["Chỉ số đo lường"]
        sheet.cell(_row(sheet, "Mã chỉ số", "dti_index"), _col(sheet, "Tần suất báo cáo")).value = "Hằng quý"

    with pytest.raises(CommandError, match="cách đo một chỉ số không thay đổi bằng điều chỉnh"):
        _adjust(tmp_path, _edited(plan, rename), *DECISION)


def test_a_row_deleted_retires_the_task_from_the_effective_date(plan, tmp_path):
    def retire(workbook):
        sheet = workbook[APPENDIX_II]
        sheet.delete_rows(_row(sheet, "STT", 35))

    output = _adjust(tmp_path, _edited(plan, retire), *DECISION, "--approve")
    assert "Nhiệm vụ 35: trong kế hoạch → bãi bỏ" in output
    assert Task.objects.in_force(date(2026, 12, 31)).filter(number=35).exists()
    assert not Task.objects.in_force(date(2027, 1, 1)).filter(number=35).exists()


def _plan_of(content: bytes) -> dict:
    """What a workbook says of the plan, without where it says it."""

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k != "where"}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(plan_workbook_read(content, "ke-hoach.xlsx"))


def test_export_as_of_before_and_after_reproduces_the_two_workbooks(plan, tmp_path):
    before = plan_workbook(plan, as_of=date(2026, 12, 31))
    after = _edited(plan, the_issues_example, as_of=date(2026, 12, 31))
    _adjust(tmp_path, after, *DECISION, "--approve")

    for day, expected in (("2026-12-31", before), ("2027-01-01", after), ("2026-04-22", before)):
        path = tmp_path / f"xuat-{day}.xlsx"
        call_command("export_plan", "--xlsx", str(path), "--as-of", day, stdout=io.StringIO())
        assert _plan_of(path.read_bytes()) == _plan_of(expected), day

    out = io.StringIO()
    call_command("export_plan", "--as-of", "2027-01-01", stdout=out)
    assert '"due": "2027-06-30"' in out.getvalue() and '"as_of": "2027-01-01"' in out.getvalue()


def test_load_plan_never_overwrites_a_plan_already_loaded(plan, tmp_path):
    path = tmp_path / "ke-hoach.xlsx"
    path.write_bytes(plan_workbook(plan))
    out = io.StringIO()
    call_command("load_plan", str(path), stdout=out)
    assert "Kế hoạch: 0 mới, 0 cập nhật" in out.getvalue()

    path.write_bytes(_edited(plan, the_issues_example))
    with pytest.raises(CommandError) as failure:
        call_command("load_plan", str(path), stdout=io.StringIO())
    assert "không bị ghi đè" in str(failure.value) and "adjust_plan" in str(failure.value)
    assert "“Thường xuyên” → “Tháng 6/2027”" in str(failure.value)
    assert Task.objects.get(number=8).deadline_text == "Thường xuyên"

    # after an adjustment, the plan as issued (the shipped fixture) still loads as "nothing to do"
    _adjust(tmp_path, _edited(plan, the_issues_example), *DECISION, "--approve")
    out = io.StringIO()
    call_command("load_plan", stdout=out)
    assert "Kế hoạch: 0 mới, 0 cập nhật" in out.getvalue()


def test_the_import_page_turns_a_revised_plan_into_a_draft_adjustment(client, plan, administrator):
    client.force_login(administrator)

    def upload(**decision):
        content = io.BytesIO(_edited(plan, the_issues_example))
        content.name = "ke-hoach.xlsx"
        return client.post(reverse("imports:index"), {"kind": "plan", "file": content, **decision})

    upload()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    assert "tệp này không ghi đè kế hoạch" in batch.summary["file_errors"][0]

    response = upload(decision_number="125-QĐ/TU", signed_on="2026-12-20", effective_on="2027-01-01")
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.PREVIEWED and batch.summary["counts"]["updated"] == 4
    page = client.get(response.url).content.decode()
    assert "“Thường xuyên”" in page and "“Tháng 6/2027”" in page
    assert not PlanAdjustment.objects.exists()  # the preview wrote nothing

    client.post(reverse("imports:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    adjustment = PlanAdjustment.objects.get()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.changes["adjustment"] == adjustment.pk
    assert adjustment.status == PlanAdjustment.Status.DRAFT and adjustment.created_by == administrator
    assert reverse("adjustments:detail", args=[adjustment.pk]) in client.get(response.url).content.decode()

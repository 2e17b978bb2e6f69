"""Figures from spreadsheets: preview, all-or-nothing commit, idempotence, corrections, undo, bad files."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from agencies.models import Agency
from core.spreadsheets import resource_export
from core.workflow import SubmissionStatus
from imports.batches import import_batch_commit, import_batch_create, import_batch_undo, import_preview
from imports.models import ImportBatch
from indicators.models import Metric, Observation
from indicators.resources import ObservationResource

HEADERS = ["Mã cơ quan", "Mã chỉ số", "Kỳ báo cáo", "Giá trị", "Tử số", "Mẫu số", "Ghi chú"]


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def xlsx(rows, headers=HEADERS, extra=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Số liệu"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if extra:
        extra(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, headers=HEADERS) -> bytes:
    lines = [";".join(headers)] + [";".join(str(c) for c in row) for row in rows]
    return "\n".join(lines).encode()


# Sở KH&CN reports the province-wide 5G coverage (a ratio) quarterly and the per-agency digitisation monthly.
GOOD = [
    ["so-khcn", "coverage_5g", "2026-Q1", "", "1.200", "1.500", "Số liệu quý I"],
    ["Sở Khoa học và Công nghệ", "digitized_admin_records", "2026-T02", "75,5", "", "", ""],
]


def _run(content, user, **kw):
    batch, preview = import_batch_create(kind="figures", content=content, filename="so-lieu.xlsx", user=user, **kw)
    return batch, preview


def test_preview_writes_nothing_then_commit_writes_submissions_with_history(plan, administrator):
    batch, preview = _run(xlsx(GOOD), administrator)
    assert preview.counts == {"new": 2, "updated": 0, "correction": 0, "unchanged": 0, "error": 0}
    assert not Observation.objects.filter(agency__code="so-khcn", period__year=2026).exists()
    assert batch.file.name.startswith("imports/")
    import_batch_commit(batch=batch)
    coverage = Observation.objects.get(metric__code="coverage_5g", agency__code="so-khcn", period__year=2026)
    assert coverage.numerator == 1200 and coverage.denominator == 1500 and coverage.value == Decimal("80.00")
    assert coverage.status == SubmissionStatus.SUBMITTED
    assert coverage.history.count() == 1 and coverage.history.first().history_user == administrator
    digitized = Observation.objects.get(metric__code="digitized_admin_records", agency__code="so-khcn")
    assert digitized.value == Decimal("75.5")


def test_each_imported_figure_has_a_full_history_record_naming_the_batch(plan, administrator):
    """The bulk write (COPY on PostgreSQL, bulk_create elsewhere) records history exactly like a save would."""
    note = "Dòng 1\tcột\\ghi chú\nDòng 2"
    batch, _ = _run(xlsx([[*GOOD[0][:6], note], GOOD[1]]), administrator, approve=True)
    import_batch_commit(batch=batch)
    batch.refresh_from_db()
    for figure in Observation.objects.filter(pk__in=batch.changes["created"]):
        record = figure.history.get()
        assert record.history_type == "+" and record.history_user == administrator
        assert record.history_date == batch.committed_at
        assert f"#{batch.pk}" in record.history_change_reason
        for field in Observation._meta.concrete_fields:
            assert getattr(record, field.attname) == getattr(figure, field.attname), field.name
        assert figure.reviewed_by == figure.entered_by == administrator and figure.status == "approved"
    assert Observation.objects.get(metric__code="coverage_5g", period__year=2026).note == note


def test_admin_may_import_as_approved(plan, administrator):
    batch, _ = _run(xlsx(GOOD), administrator, approve=True)
    import_batch_commit(batch=batch)
    assert set(Observation.objects.filter(period__year=2026).values_list("status", flat=True)) == {"approved"}


def test_reimport_changes_nothing_and_corrected_file_updates(plan, administrator):
    batch, _ = _run(xlsx(GOOD), administrator)
    import_batch_commit(batch=batch)
    again, preview = _run(xlsx(GOOD), administrator)
    assert preview.counts == {"new": 0, "updated": 0, "correction": 0, "unchanged": 2, "error": 0}
    import_batch_commit(batch=again)
    assert Observation.objects.filter(period__year=2026).count() == 2
    corrected = [GOOD[0], [*GOOD[1][:3], "80", "", "", "sửa"]]
    fix, preview = _run(xlsx(corrected), administrator)
    assert preview.counts["updated"] == 1 and preview.counts["unchanged"] == 1
    import_batch_commit(batch=fix)
    digitized = Observation.objects.get(metric__code="digitized_admin_records", agency__code="so-khcn")
    assert digitized.value == 80 and digitized.note == "sửa"
    assert Observation.objects.filter(period__year=2026).count() == 2


def test_undo_deletes_created_and_restores_updated_from_history(plan, administrator):
    first, _ = _run(xlsx(GOOD[:1]), administrator)
    import_batch_commit(batch=first)
    second, _ = _run(xlsx([[*GOOD[0][:4], "1.400", "1.500", "sửa"], GOOD[1]]), administrator)
    import_batch_commit(batch=second)
    assert Observation.objects.get(metric__code="coverage_5g", period__year=2026).numerator == 1400
    import_batch_undo(batch=second)
    coverage = Observation.objects.get(metric__code="coverage_5g", period__year=2026)
    assert coverage.numerator == 1200 and coverage.note == "Số liệu quý I"
    assert not Observation.objects.filter(metric__code="digitized_admin_records", period__year=2026).exists()
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.UNDONE


def test_export_then_import_round_trips(plan, administrator):
    batch, _ = _run(xlsx(GOOD), administrator)
    import_batch_commit(batch=batch)
    exported = resource_export(
        ObservationResource(), Observation.objects.filter(period__year=2026), fmt="xlsx", title="Số liệu"
    )
    preview = import_preview(kind="figures", content=exported, filename="x.xlsx")
    assert preview.counts == {"new": 0, "updated": 0, "correction": 0, "unchanged": 2, "error": 0}, preview.errors
    preview = import_preview(
        kind="figures",
        content=resource_export(
            ObservationResource(), Observation.objects.filter(period__year=2026), fmt="csv", title=""
        ),
        filename="x.csv",
    )
    assert preview.counts["unchanged"] == 2, preview.errors


def test_export_neutralises_formula_injection(plan, administrator):
    batch, _ = _run(xlsx([[*GOOD[1][:6], '=HYPERLINK("http://x")']]), administrator)
    assert batch.status == ImportBatch.Status.INVALID  # a formula cell is refused on import …
    batch, _ = _run(csv_bytes([[*GOOD[1][:6], "@SUM(A1)"], [*GOOD[0][:6], "-2+3"]]), administrator)
    import_batch_commit(batch=batch)
    exported = resource_export(
        ObservationResource(), Observation.objects.filter(period__year=2026), fmt="xlsx", title="Số liệu"
    )
    sheet = load_workbook(io.BytesIO(exported)).active
    notes = sorted(sheet.cell(row=r, column=10).value for r in (2, 3))
    assert notes == ["'-2+3", "'@SUM(A1)"]
    assert all(sheet.cell(row=r, column=10).data_type == "s" for r in (2, 3))
    # … and the neutralised text comes back as the user wrote it
    preview = import_preview(kind="figures", content=exported, filename="x.xlsx")
    assert preview.counts["unchanged"] == 2, preview.errors


def _assert_rejected(content, administrator, *fragments, filename="so-lieu.xlsx"):
    before = Observation.objects.count()
    batch, preview = import_batch_create(kind="figures", content=content, filename=filename, user=administrator)
    assert batch.status == ImportBatch.Status.INVALID
    text = "\n".join(preview.errors)
    for fragment in fragments:
        assert fragment in text, text
    assert Observation.objects.count() == before
    return text


def test_missing_and_unknown_columns(plan, administrator):
    _assert_rejected(
        xlsx(GOOD, headers=["Mã cơ quan", "Chỉ số?", *HEADERS[2:]]),
        administrator,
        "cột không thuộc mẫu: “Chỉ số?” (cột B)",
        "thiếu cột bắt buộc: Mã chỉ số",
    )


def test_extra_sheets(plan, administrator):
    _assert_rejected(
        xlsx(GOOD, extra=lambda wb, ws: wb.create_sheet("Nháp")), administrator, "đúng một trang tính dữ liệu", "“Nháp”"
    )


def test_merged_cells(plan, administrator):
    _assert_rejected(xlsx(GOOD, extra=lambda wb, ws: ws.merge_cells("A2:A3")), administrator, "ô gộp", "A2:A3")


def test_formula_cells(plan, administrator):
    rows = [[*GOOD[0][:3], "", "=1+1", "1500", ""]]
    _assert_rejected(xlsx(rows), administrator, "dòng 2, cột E (Tử số): ô chứa công thức")


def test_vietnamese_numbers_as_text_are_read_and_empty_rows_skipped(plan, administrator):
    rows = [GOOD[0], ["", "", "", "", "", "", ""], GOOD[1]]
    _batch, preview = _run(xlsx(rows), administrator)
    assert preview.counts["new"] == 2 and [r.line for r in preview.rows] == [2, 4]


def test_bad_values_unknown_codes_duplicates_each_with_row_and_column(plan, administrator):
    rows = [
        ["so-khong-co", "coverage_5g", "2026-Q1", "", "1", "2", ""],
        ["so-khcn", "khong_co", "2026-Q1", "5", "", "", ""],
        ["so-khcn", "coverage_5g", "2026-Q9", "5", "", "", ""],
        ["so-khcn", "coverage_5g", "2026-T01", "5", "", "", ""],
        ["so-khcn", "digitized_admin_records", "2026-T02", "120", "", "", ""],
        ["so-khcn", "digitized_admin_records", "2026-T03", "1,2,3", "", "", ""],
        GOOD[0],
        GOOD[0],
    ]
    text = _assert_rejected(xlsx(rows), administrator)
    for expected in [
        "dòng 2, cột A (Mã cơ quan): Không tìm thấy cơ quan “so-khong-co”",
        "dòng 3, cột B (Mã chỉ số): không có chỉ số mã “khong_co”",
        "dòng 4, cột C (Kỳ báo cáo): Không đọc được kỳ báo cáo “2026-Q9”",
        "dòng 5, cột C (Kỳ báo cáo): chỉ số “coverage_5g” báo cáo hằng quý",
        "dòng 6, cột D (Giá trị): Tỷ lệ phải nằm trong khoảng 0–100%",
        "dòng 7, cột D (Giá trị): Không đọc được số “1,2,3”",
        "Dòng 9: trùng cơ quan, chỉ số và kỳ với dòng 8",
    ]:
        assert expected in text


def test_agency_must_report_the_metric(plan, administrator):
    _assert_rejected(
        xlsx([["cong-an", "coverage_5g", "2026-Q1", "", "1", "2", ""]]),
        administrator,
        "không phải cơ quan báo cáo chỉ số “coverage_5g”",
    )


def test_not_a_spreadsheet_and_old_xls(plan, administrator):
    _assert_rejected(b"\x00\x01binary" * 10, administrator, "không phải bảng tính", filename="a.pdf")
    _assert_rejected(b"PK\x03\x04garbage", administrator, "không phải bảng tính đọc được")
    _assert_rejected(b"\xd0\xcf\x11\xe0rest", administrator, ".xls")


def test_size_limit_is_enforced_before_parsing(plan, administrator, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 100
    from imports import reading

    monkeypatch.setattr(reading, "load_workbook", lambda *a, **k: pytest.fail("parsed a file over the limit"))
    with pytest.raises(reading.FileProblem, match="Tệp quá lớn"):
        import_batch_create(kind="figures", content=xlsx(GOOD), filename="big.xlsx", user=administrator)
    assert not ImportBatch.objects.exists()


def test_dates_as_text_are_read():
    from datetime import date

    from imports.reading import parse_date

    assert parse_date("30/06/2026") == date(2026, 6, 30)
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_date("31/02/2026")


def test_only_agency_restricts_rows(plan, agency_staff):
    rows = [GOOD[0], ["cong-an", "digitized_admin_records", "2026-T02", "5", "", "", ""]]
    _batch, preview = _run(xlsx(rows), agency_staff, only_agency=Agency.objects.get(code="so-khcn"))
    assert "chỉ được nhập cho “Sở Khoa học và Công nghệ”" in "\n".join(preview.errors)


def test_metric_reporters_fixture_sanity(plan):
    assert Metric.objects.get(code="coverage_5g").reporters.filter(code="so-khcn").exists()


def _yearly_percent_metric() -> Metric:
    """A yearly metric in % that Sở KH&CN reports (which one follows the plan's designations)."""
    metrics = Metric.objects.filter(reporters__code="so-khcn", frequency="yearly", unit__startswith="%")
    return metrics.order_by("code")[0]


def office_workbook() -> bytes:
    """A figures file as an office makes it: title rows (merged) above the header, an "STT" column, the app's
    own period labels, numbers stored as text, a signature line under the table."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Báo cáo"
    sheet.append(["SỞ KHOA HỌC VÀ CÔNG NGHỆ"])
    sheet.append(["BÁO CÁO SỐ LIỆU CHỈ TIÊU KẾ HOẠCH 65-KH/TU – QUÝ III/2026"])
    sheet.append([])
    sheet.merge_cells("A1:F1")
    sheet.merge_cells("A2:F2")
    sheet.append(["STT", "Mã cơ quan", "Mã chỉ số", "Kỳ báo cáo", "Giá trị", "Ghi chú"])
    sheet.append([1, "so-khcn", "innovative_startups", "Quý III/2026", "1.250", "Số liệu quý III"])
    sheet.append([2, "so-khcn", "applied_innovation_articles", "Quý III/2026", "12", ""])
    sheet.append([3, "so-khcn", _yearly_percent_metric().code, "Năm 2026", "1,45", ""])
    sheet.append([])
    sheet.append(["", "Người lập biểu", "", "", "", "Thủ trưởng đơn vị"])
    for row in sheet.iter_rows(min_row=5, max_row=7, min_col=5, max_col=5):
        for cell in row:
            cell.data_type = "s"  # numbers stored as text, as a copied sheet keeps them
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_line_with_a_figure_but_no_metric_or_period_under_a_titled_sheet_is_an_error_not_skipped(plan, administrator):
    workbook = load_workbook(io.BytesIO(office_workbook()))
    sheet = workbook.active
    sheet.insert_rows(8)
    for column, value in zip("ABCDEF", [4, "so-khcn", "", "", "7", ""], strict=True):
        sheet[f"{column}8"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch, preview = _run(buffer.getvalue(), administrator)
    assert not preview.is_valid and batch.status == ImportBatch.Status.INVALID
    assert [r.line for r in preview.rows if r.outcome == "error"] == [8]
    assert 10 not in [r.line for r in preview.rows]  # the signature line is still skipped


def test_a_file_as_an_office_makes_it_commits_and_its_preview_shows_the_values_read(client, plan, administrator):
    batch, preview = _run(office_workbook(), administrator)
    assert preview.is_valid, preview.errors
    assert [r.line for r in preview.rows] == [5, 6, 7]  # the sheet's own line numbers; the signature skipped
    first = dict(preview.rows[0].read)
    assert first["Cơ quan"] == "Sở KH&CN" and first["Kỳ"] == "Quý III/2026"
    assert first["Chỉ số"] == Metric.objects.get(code="innovative_startups").name
    assert first["Giá trị"] == "“1.250” → 1\u202f250 doanh nghiệp"
    yearly = _yearly_percent_metric()
    assert dict(preview.rows[2].read)["Giá trị"] == f"“1,45” → 1,45{yearly.unit}"
    client.force_login(administrator)
    html = client.get(f"/nhap-du-lieu/{batch.pk}/").content.decode()
    assert "“1.250” → 1\u202f250 doanh nghiệp" in html and "Quý III/2026" in html

    import_batch_commit(batch=batch)
    agency = Agency.objects.get(code="so-khcn")
    stored = {
        (o.metric.code, o.period.label): o.value
        for o in Observation.objects.filter(agency=agency, note__in=["Số liệu quý III", ""]).select_related(
            "metric", "period"
        )
        if o.metric.code in ("innovative_startups", "applied_innovation_articles", yearly.code)
    }
    assert stored == {
        ("innovative_startups", "Quý III/2026"): Decimal(1250),
        ("applied_innovation_articles", "Quý III/2026"): Decimal(12),
        (yearly.code, "Năm 2026"): Decimal("1.45"),
    }


def test_merged_cells_inside_the_table_are_still_refused_under_title_rows(plan, administrator):
    def title_and_merge(workbook, sheet):
        sheet.insert_rows(1)
        sheet["A1"] = "BÁO CÁO SỐ LIỆU"
        sheet.merge_cells("A1:D1")
        sheet.merge_cells("A3:A4")

    _assert_rejected(xlsx(GOOD, extra=title_and_merge), administrator, "ô gộp", "A3:A4")


def test_preview_lists_errors_first(plan, administrator):
    rows = [GOOD[0], ["so-khcn", "khong-co", "2026-Q1", "1", "", "", ""], GOOD[1]]
    batch, _preview = _run(xlsx(rows), administrator)
    assert [row[0] for row in batch.summary["rows"]] == [3, 2, 4]


def test_a_period_not_begun_yet_is_refused_with_its_dates(plan, administrator):
    """ "2062" typed for "2026" must not become a figure of a far year."""
    rows = [GOOD[0], ["so-khcn", "digitized_admin_records", "2062-T02", "75,5", "", "", ""]]
    _assert_rejected(
        xlsx(rows), administrator, "dòng 3, cột C (Kỳ báo cáo): kỳ Tháng 2/2062 chưa bắt đầu (từ 15/01/2062)"
    )

"""Uploads that would cost a worker minutes, or that hold questionable values, are refused before parsing or
row by row, with a Vietnamese message and nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from imports import reading
from imports.batches import ImportRefused, import_batch_commit, import_batch_create, import_preview
from tests.test_import_figures import GOOD, HEADERS, csv_bytes, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _preview(content: bytes, filename: str = "so-lieu.xlsx"):
    return import_preview(kind="figures", content=content, filename=filename)


def _observations() -> int:
    from django.apps import apps

    return next(m for m in apps.get_models() if m.__name__ == "Observation").objects.count()


def test_a_sheet_with_too_many_rows_is_refused_once_the_cap_is_read(settings, monkeypatch):
    """A write-only workbook declares no size: rows are counted while reading, and reading stops at the cap
    (no timing here: the cells read are counted)."""
    settings.IMPORT_MAX_ROWS = 1_000
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Số liệu")
    sheet.append(HEADERS)
    for n in range(5_000):
        sheet.append(["so-khcn", "coverage_5g", "2026-Q1", str(n), "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = []
    real = reading._cell_text
    monkeypatch.setattr(reading, "_cell_text", lambda value: cells.append(value) or real(value))
    preview = _preview(buffer.getvalue())
    assert preview.file_errors and "dòng" in preview.file_errors[0] and "chia" in preview.file_errors[0]
    assert len(cells) <= (1_000 + 2) * len(HEADERS)  # the 4 000 rows beyond the cap were never read


def test_a_zip_bomb_is_refused_by_its_unpacked_size(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    buffer = io.BytesIO(xlsx(GOOD))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))
    preview = _preview(buffer.getvalue())
    assert preview.file_errors and "giải nén" in preview.file_errors[0]


def test_a_csv_with_a_one_megabyte_cell_is_refused_with_a_message():
    content = csv_bytes([["so-khcn", "digitized_admin_records", "2026-T02", "75", "", "", "x" * 1_048_576]])
    preview = _preview(content, "so-lieu.csv")
    assert preview.file_errors and "CSV" in preview.file_errors[0]


def test_a_long_cell_is_a_row_error():
    content = xlsx([["so-khcn", "digitized_admin_records", "2026-T02", "75", "", "", "x" * 6_000]])
    preview = _preview(content)
    assert preview.counts["error"] == 1
    assert "tối đa 5000" in " ".join(preview.rows[0].messages)


def test_true_is_not_read_as_one():
    content = xlsx([["so-khcn", "digitized_admin_records", "2026-T02", True, "", "", ""]])
    preview = _preview(content)
    assert preview.counts["error"] == 1
    assert "TRUE" in " ".join(preview.rows[0].messages)


def test_a_header_only_file_says_it_had_no_rows():
    preview = _preview(xlsx([]))
    assert preview.file_errors and "không có dòng dữ liệu" in preview.file_errors[0]
    assert _observations() == 0


def test_the_loser_of_two_confirms_writing_the_same_new_rows_is_told_and_writes_nothing(administrator):
    """Both batches were validated before either wrote (the race): the second write meets the first's rows."""
    first, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="a.xlsx", user=administrator)
    second, stale = import_batch_create(kind="figures", content=xlsx(GOOD), filename="b.xlsx", user=administrator)
    import_batch_commit(batch=first)
    written = _observations()
    with pytest.raises(ImportRefused, match="một lần nhập khác"):
        import_batch_commit(batch=second, preview=stale)
    assert _observations() == written
    second.refresh_from_db()
    assert second.status == "previewed"  # confirming again re-validates against the new rows
    import_batch_commit(batch=second)
    second.refresh_from_db()
    assert second.status == "committed" and _observations() == written


def test_a_nul_byte_in_a_csv_cell_is_a_row_error():
    content = csv_bytes([["so-khcn", "digitized_admin_records", "2026-T02", "75", "", "", "ghi\x00chú"]])
    preview = _preview(content, "so-lieu.csv")
    assert preview.file_errors or preview.counts["error"] == 1

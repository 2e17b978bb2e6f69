"""The commit of a previewed figures file (issue 13): the file is read as a stream and validated once; the commit
re-checks only what may have moved since the preview and refuses what became invalid, with nothing written."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from imports import base, figures
from imports.batches import import_batch_commit, import_batch_create
from imports.models import ImportBatch
from imports.reading import read_tables
from indicators.models import Metric, Observation, Period
from indicators.services import period_get_or_create
from tests.test_import_figures import GOOD, HEADERS, csv_bytes, xlsx

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based re-check is PostgreSQL's")


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _create(rows, user, name="so-lieu.xlsx", **kw):
    return import_batch_create(kind="figures", content=xlsx(rows), filename=name, user=user, **kw)


def _monthly(count: int, value: str = "75,5") -> list[list[str]]:
    """``count`` rows of Sở KH&CN's monthly digitisation figure, one month each from January 2020."""
    return [
        ["so-khcn", "digitized_admin_records", f"{2020 + i // 12}-T{i % 12 + 1:02d}", value, "", "", ""]
        for i in range(count)
    ]


def _figure(code: str) -> Observation:
    return Observation.objects.get(metric__code=code, agency__code="so-khcn", period__year=2026)


@on_postgresql
def test_the_commit_writes_the_validated_rows_without_reading_the_upload_again(plan, administrator):
    batch, _ = _create(GOOD, administrator)
    assert default_storage.exists(figures.ValidatedFigures.name_for(batch))
    with default_storage.open(batch.file.name, "wb") as handle:  # the upload is no longer a spreadsheet
        handle.write(b"not a spreadsheet")
    import_batch_commit(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.summary["counts"] == {"new": 2, "updated": 0, "correction": 0, "unchanged": 0, "error": 0}
    assert _figure("coverage_5g").numerator == 1200 and _figure("digitized_admin_records").value == Decimal("75.5")
    for figure in Observation.objects.filter(pk__in=batch.changes["created"]):
        record = figure.history.get()
        assert record.history_type == "+" and record.history_user == administrator
        assert record.history_change_reason == f"Lần nhập #{batch.pk}: nhập từ tệp “so-lieu.xlsx”"
        for field in Observation._meta.concrete_fields:
            assert getattr(record, field.attname) == getattr(figure, field.attname), field.name


def test_a_figure_approved_meanwhile_with_the_same_values_is_left_approved(plan, administrator):
    waiting, preview = _create(GOOD, administrator)
    assert preview.counts["new"] == 2
    approved, _ = _create(GOOD, administrator, name="da-duyet.xlsx", approve=True)
    import_batch_commit(batch=approved)
    import_batch_commit(batch=waiting)
    waiting.refresh_from_db()
    assert waiting.status == ImportBatch.Status.COMMITTED and waiting.changes == {"created": [], "updated": []}
    assert waiting.summary["counts"] == {"new": 0, "updated": 0, "correction": 0, "unchanged": 2, "error": 0}
    assert {r[1] for r in waiting.summary["rows"]} == {"unchanged"}
    assert _figure("coverage_5g").status == "approved" and _figure("coverage_5g").history.count() == 1


def test_a_figure_changed_meanwhile_is_written_back_with_its_history(plan, administrator):
    first, _ = _create(GOOD, administrator)
    import_batch_commit(batch=first)
    again, preview = _create(GOOD, administrator, name="lai.xlsx")
    assert preview.counts["unchanged"] == 2
    Observation.objects.filter(pk=_figure("digitized_admin_records").pk).update(value=Decimal("99"), note="sửa tay")
    import_batch_commit(batch=again)
    again.refresh_from_db()
    assert again.summary["counts"] == {"new": 0, "updated": 1, "correction": 0, "unchanged": 1, "error": 0}
    figure = _figure("digitized_admin_records")
    assert figure.value == Decimal("75.5") and figure.note == "" and figure.status == "submitted"
    assert again.changes == {"created": [], "updated": [figure.pk]}
    record = figure.history.order_by("-history_id").first()
    assert record.history_type == "~" and f"#{again.pk}" in record.history_change_reason
    for field in Observation._meta.concrete_fields:
        assert getattr(record, field.attname) == getattr(figure, field.attname), field.name


@on_postgresql
def test_a_figure_written_meanwhile_where_the_preview_found_none_is_updated_and_the_rest_created(plan, administrator):
    """The re-check takes the rows the preview found new as still new: the write finds the figure written since
    through the unique constraint, and the commit checks every row again rather than failing."""
    batch, preview = _create(_monthly(5), administrator)
    assert preview.counts["new"] == 5
    other, _ = _create([[*_monthly(5)[2][:3], "10", "", "", ""]], administrator, name="thang-3.xlsx")
    import_batch_commit(batch=other)
    other.refresh_from_db()
    written = Observation.objects.get(pk__in=other.changes["created"])

    import_batch_commit(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.summary["counts"] == {"new": 4, "updated": 1, "correction": 0, "unchanged": 0, "error": 0}
    assert batch.changes["updated"] == [written.pk] and len(batch.changes["created"]) == 4
    written.refresh_from_db()
    assert written.value == Decimal("75.5")
    assert list(written.history.order_by("history_id").values_list("history_type", flat=True)) == ["+", "~"]
    for figure in Observation.objects.filter(pk__in=batch.changes["created"]):  # nothing left of the first try
        assert list(figure.history.values_list("history_type", flat=True)) == ["+"]
    assert Observation.objects.filter(metric__code="digitized_admin_records", agency__code="so-khcn").count() == 5


def test_a_period_locked_meanwhile_refuses_the_commit_and_writes_nothing(plan, administrator):
    period = period_get_or_create(kind="quarter", year=2026, number=1)
    batch, preview = _create(GOOD, administrator)
    assert preview.is_valid
    Period.objects.filter(pk=period.pk).update(is_locked=True)
    result = import_batch_commit(batch=batch)
    batch.refresh_from_db()
    assert not result.is_valid and batch.status == ImportBatch.Status.INVALID
    assert batch.summary["counts"] == {"new": 1, "updated": 0, "correction": 0, "unchanged": 0, "error": 1}
    assert any("Quý I/2026 đã khóa" in message for message in batch.summary["errors"])
    assert batch.summary["rows"][0][1] == "error"  # errors first
    assert not Observation.objects.filter(agency__code="so-khcn", period__year=2026).exists()


def test_a_reporter_removed_meanwhile_makes_the_commit_validate_the_file_again(plan, administrator):
    batch, _ = _create(GOOD, administrator)
    Metric.objects.get(code="coverage_5g").reporters.remove(_agency("so-khcn"))
    result = import_batch_commit(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert any("không phải cơ quan báo cáo" in message for message in result.errors)
    assert not Observation.objects.filter(agency__code="so-khcn", period__year=2026).exists()


def _agency(code):
    from agencies.models import Agency

    return Agency.objects.get(code=code)


def test_a_file_is_validated_as_a_stream_and_the_preview_keeps_only_what_a_summary_shows(
    plan, administrator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(base, "PREVIEW_ROWS_KEPT", 4)
    monkeypatch.setattr(figures, "CHUNK_ROWS", 7)  # several chunks, each classified with one query
    content = csv_bytes(_monthly(30))
    table = read_tables(content, "so-lieu.csv", figures.SHEETS, stream=True)[None]
    assert not isinstance(table.rows, list) and next(table.rows).line == 2

    bad = [*_monthly(30)[:29], ["so-khcn", "digitized_admin_records", "2022-T06", "nhiều", "", "", ""]]
    batch, preview = import_batch_create(kind="figures", content=csv_bytes(bad), filename="x.csv", user=administrator)
    assert preview.counts == {"new": 29, "updated": 0, "correction": 0, "unchanged": 0, "error": 1}
    assert len(preview.rows) == 5 and preview.rows[-1].line == 31 and preview.rows[-1].outcome == "error"
    assert batch.summary["total"] == 30 and [r[0] for r in batch.summary["rows"]] == [31, 2, 3, 4]
    assert batch.status == ImportBatch.Status.INVALID

    batch, preview = import_batch_create(kind="figures", content=content, filename="y.csv", user=administrator)
    assert preview.counts["new"] == 30 and len(preview.rows) == 4
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_commit(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and len(batch.changes["created"]) == 30
    assert Observation.objects.filter(pk__in=batch.changes["created"]).count() == 30
    assert not default_storage.exists(figures.ValidatedFigures.name_for(batch))  # kept until the commit only


def test_a_file_without_a_note_column_keeps_the_notes_written_since(plan, administrator):
    first, _ = _create(GOOD, administrator)
    import_batch_commit(batch=first)
    rows = [[*GOOD[0][:3], "", "1.300", "1.500"], GOOD[1][:6]]
    again, preview = import_batch_create(
        kind="figures", content=xlsx(rows, headers=HEADERS[:6]), filename="z.xlsx", user=administrator
    )
    assert preview.counts["updated"] == 1 and preview.counts["unchanged"] == 1
    import_batch_commit(batch=again)
    coverage = _figure("coverage_5g")
    assert coverage.numerator == 1300 and coverage.note == "Số liệu quý I"


def test_the_validated_rows_read_back_as_written_for_the_orm_path():
    """SQLite writes a preview's validated rows through the ORM: they come back from the COPY text unchanged."""
    work = figures.ValidatedFigures({"fingerprint": "", "status": "submitted", "has_note": True})
    note = "Dòng 1\tcột\\ghi chú\nDòng 2\r"
    work.append(
        2,
        "new",
        None,
        5,
        7,
        ("month", 2026, 2),
        {"value": Decimal("1.5"), "numerator": None, "denominator": None, "note": note},
    )
    work.append(
        3,
        "updated",
        41,
        5,
        7,
        ("month", 2026, 3),
        {"value": None, "numerator": Decimal("45"), "denominator": Decimal("60")},
    )
    work.append(
        4,
        "unchanged",
        42,
        5,
        7,
        ("month", 2026, 4),
        {"value": Decimal("2"), "numerator": None, "denominator": None, "note": ""},
    )
    submission = work.as_submission_work()
    assert submission.new == [
        {
            "metric_id": 5,
            "agency_id": 7,
            "period_key": ("month", 2026, 2),
            "value": Decimal("1.5"),
            "numerator": None,
            "denominator": None,
            "note": note,
        }
    ]
    assert submission.updates == {41: {"value": None, "numerator": Decimal("45"), "denominator": Decimal("60")}}
    assert submission.periods == {("month", 2026, 2)}
    assert [line[:2] for line in work.lines()] == [(2, "new"), (3, "updated"), (4, "unchanged")]


@on_postgresql
def test_rows_kept_by_an_earlier_version_without_their_periods_still_commit(plan, administrator):
    batch, _ = _create(_monthly(3), administrator)
    name = figures.ValidatedFigures.name_for(batch)
    with default_storage.open(name, "rb") as handle:
        header, rows = handle.readline(), handle.read()
    header = {key: value for key, value in json.loads(header).items() if key != "periods"}
    default_storage.delete(name)
    default_storage.save(name, ContentFile(json.dumps(header).encode() + b"\n" + rows))
    Period.objects.filter(kind="month", year=2020).delete()

    import_batch_commit(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and len(batch.changes["created"]) == 3
    assert sorted(Period.objects.filter(kind="month", year=2020).values_list("number", flat=True)) == [1, 2, 3]

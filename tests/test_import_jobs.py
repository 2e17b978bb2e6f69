"""Large imports are checked and written by a job that reports its progress on the batch; the batch page
shows it and its status endpoint answers only those who may see the batch; a job that fails or dies leaves
nothing written and the batch says so."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.jobs import enqueue
from imports import figures, jobs
from imports.batches import import_batch_confirm, import_batch_upload
from imports.models import ImportBatch
from indicators.models import Metric, Observation
from indicators.periods import period_code, periods_between
from indicators.selectors import plan_current
from tests.test_import_figures import GOOD, xlsx

_FREQUENCIES = {"monthly": "month", "quarterly": "quarter", "half_yearly": "half_year", "yearly": "year"}


def figure_rows(count: int, first_year: int = 2001) -> list[list[str]]:
    """``count`` valid, distinct figure rows: each reporter of each metric, period after period."""
    pairs = list(
        Metric.reporters.through.objects.filter(metric__plan=plan_current())
        .order_by("metric__code", "agency__code")
        .values_list("agency__code", "metric__code", "metric__frequency", "metric__kind")
    )
    rows, year = [], first_year
    while True:
        for agency, metric, frequency, kind in pairs:
            for bounds in periods_between(_FREQUENCIES[frequency], date(year, 1, 1), date(year, 12, 31)):
                code = period_code(bounds.kind, bounds.year, bounds.number)
                if kind == "ratio":
                    rows.append([agency, metric, code, "", "45", "60", ""])
                elif kind == "index":
                    rows.append([agency, metric, code, "0,75", "", "", ""])
                else:
                    rows.append([agency, metric, code, "12", "", "", ""])
                if len(rows) == count:
                    return rows
        year += 1


def _jobs(callbacks) -> list:
    """The jobs queued once the transaction commits (other callbacks bump the dashboards' generation)."""
    return [c for c in callbacks if getattr(c, "func", None) is enqueue]


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def in_background(settings):
    """Every file goes to a job (the job itself runs in-process: tests are eager, see conftest)."""
    settings.IMPORT_BACKGROUND_BYTES = 0


def _upload(client, content: bytes, **data):
    upload = io.BytesIO(content)
    upload.name = "so-lieu.xlsx"
    return client.post(reverse("imports:index"), {"kind": "figures", "file": upload, **data})


def test_a_large_upload_is_stored_and_checked_by_a_job_that_reports_progress(
    client, plan, administrator, in_background, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    rows = figure_rows(1_000)
    with django_capture_on_commit_callbacks() as queued:
        response = _upload(client, xlsx(rows))
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:preview", args=[batch.pk])
    # the request only stored the file: the job is queued, not yet run
    assert batch.status == "validating" and batch.summary == {} and len(_jobs(queued)) == 1
    page = client.get(response.url).content.decode()
    assert "Đang kiểm tra" in page and "<progress" in page and "js/importprogress.js" in page
    assert "Xác nhận và ghi" not in page

    with CaptureQueriesContext(connection) as queries:
        _jobs(queued)[0]()  # the worker takes the job
    progress_writes = [q for q in queries if q["sql"].startswith("UPDATE") and "imports_importbatch" in q["sql"]]
    # a few writes down of the progress (every 2 % of the rows, at least 200 rows apart), not one per row
    assert 4 <= len(progress_writes) <= 25
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.summary["counts"]["new"] == 1_000
    assert (batch.progress_step, batch.progress_done, batch.progress_total) == ("check", 1_000, 1_000)
    page = client.get(response.url).content.decode()
    assert "Xác nhận và ghi" in page and "<progress" not in page and "importprogress.js" not in page

    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("imports:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "committing" and not Observation.objects.filter(period__year=2001).exists()
    assert "Đang ghi" in client.get(response.url).content.decode()
    _jobs(queued)[0]()
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.message.startswith("Đã ghi: 1.000 mới")
    assert Observation.objects.filter(period__year__lt=2026).count() == 1_000
    page = client.get(response.url).content.decode()
    assert "Đã ghi: 1.000 mới" in page and "Hoàn tác lần nhập" in page


def test_small_files_are_checked_within_the_request_through_the_same_service(client, plan, administrator):
    client.force_login(administrator)
    _upload(client, xlsx(GOOD))
    batch = ImportBatch.objects.get()
    assert batch.status == "previewed" and batch.summary["counts"]["new"] == 2
    assert batch.progress_step == "check" and batch.progress_total == 2


def test_status_endpoint_reports_progress_to_those_who_may_see_the_batch(
    client, plan, agency_staff, other_agency_staff, steering, in_background, django_capture_on_commit_callbacks
):
    client.force_login(agency_staff)
    with django_capture_on_commit_callbacks():
        _upload(client, xlsx([["so-khcn", "coverage_5g", "2026-Q1", "", "1.200", "1.500", ""]]))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(progress_step="check", progress_done=1200, progress_total=20000)
    url = reverse("imports:status", args=[batch.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "validating",
        "label": "Đang kiểm tra",
        "running": True,
        "step": "Kiểm tra từng dòng",
        "done": 1200,
        "total": 20000,
        "text": "1.200 / 20.000 dòng",
        "stale": False,
    }
    client.force_login(other_agency_staff)
    assert client.get(url).status_code == 404
    client.force_login(steering)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    assert client.post(url).status_code in (302, 405)


def test_a_second_confirm_while_writing_is_refused_and_writes_nothing(
    client, plan, administrator, in_background, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, xlsx(GOOD))
    batch = ImportBatch.objects.get()
    response = None
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("imports:confirm", args=[batch.pk]))
        response = client.post(reverse("imports:confirm", args=[batch.pk]), follow=True)
    assert len(_jobs(queued)) == 1  # one write job, not two
    assert "đang được ghi; không xác nhận lần nữa" in response.content.decode()
    assert not Observation.objects.filter(period__year=2026).exists()
    assert client.post(reverse("imports:undo", args=[batch.pk]), {"xac_nhan": "1"}, follow=True).status_code == 200
    batch.refresh_from_db()
    assert batch.status == "committing"


def test_confirm_while_the_file_is_being_checked_is_refused(
    client, plan, administrator, in_background, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks():
        _upload(client, xlsx(GOOD))
    batch = ImportBatch.objects.get()
    response = client.post(reverse("imports:confirm", args=[batch.pk]), follow=True)
    assert "Tệp đang được kiểm tra; hãy chờ kết quả" in response.content.decode()
    assert ImportBatch.objects.get().status == "validating"


def test_a_write_that_fails_half_way_leaves_nothing_written_and_the_batch_says_so(
    client, plan, administrator, monkeypatch, in_background, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, xlsx(figure_rows(300)))
    batch = ImportBatch.objects.get()
    before = Observation.objects.count()
    real_write = figures.write

    def write_then_die(work, *, batch, when):
        real_write(work, batch=batch, when=when)  # every row is in the table ...
        assert Observation.objects.count() == before + 300
        raise MemoryError("worker out of memory")  # ... when the job dies

    monkeypatch.setattr(figures, "write", write_then_die)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[batch.pk]))
    assert Observation.objects.count() == before
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.committed_at is None and batch.changes == {}
    assert batch.message.startswith("Ghi không hoàn tất: worker out of memory. Không có gì được ghi.")
    page = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "Không hoàn tất" in page and "Ghi không hoàn tất" in page and "Kiểm tra lại" in page
    assert "Xác nhận và ghi" not in page

    # checked again, then confirmed: written once
    monkeypatch.setattr(figures, "write", real_write)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:retry", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.message == ""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[batch.pk]))
    assert Observation.objects.count() == before + 300


def test_a_check_that_fails_is_recorded_with_a_clear_message(
    client, plan, administrator, monkeypatch, in_background, django_capture_on_commit_callbacks
):
    client.force_login(administrator)

    def broken(*args, **kwargs):
        raise RuntimeError("bộ đọc hỏng")

    monkeypatch.setattr(figures, "prepare", broken)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, xlsx(GOOD))
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    assert batch.message == ("Kiểm tra tệp không hoàn tất: bộ đọc hỏng. Hãy bấm “Kiểm tra lại” hoặc tải tệp lên lại.")
    assert "Kiểm tra tệp không hoàn tất" in client.get(reverse("imports:preview", args=[batch.pk])).content.decode()


def test_a_job_gone_silent_is_shown_failed_without_a_write_and_can_be_checked_again(
    client, plan, administrator, settings, in_background, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks():  # queued; the worker that took it was killed
        _upload(client, xlsx(GOOD))
    batch = ImportBatch.objects.get()
    # still running by its last word: retry refused
    assert "không hoàn tất" in client.post(reverse("imports:retry", args=[batch.pk]), follow=True).content.decode()
    silent_since = timezone.now() - timedelta(minutes=settings.IMPORT_JOB_STALE_MINUTES + 1)
    ImportBatch.objects.filter(pk=batch.pk).update(progress_at=silent_since)
    state = client.get(reverse("imports:status", args=[batch.pk])).json()
    assert (state["status"], state["running"], state["stale"]) == ("failed", False, True)
    page = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "không báo tiến độ đã hơn 10 phút" in page and "Kiểm tra lại" in page
    assert "importprogress.js" not in page
    listed = client.get(reverse("imports:index")).content.decode()
    assert 'class="chip import-failed">Không hoàn tất' in listed and "import-validating" not in listed
    # a GET never writes: the stored status is unchanged
    assert ImportBatch.objects.get().status == "validating"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:retry", args=[batch.pk]))
    assert ImportBatch.objects.get().status == "previewed"


def test_a_job_delivered_twice_does_its_work_once(
    plan, administrator, in_background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_upload(kind="figures", content=xlsx(GOOD), filename="a.xlsx", user=administrator)
    assert jobs.batch_validate(batch.pk) == "previewed"
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_confirm(batch=batch)
    written = Observation.objects.count()
    assert jobs.batch_write(batch.pk) == "committed"
    assert Observation.objects.count() == written


def test_the_command_line_reports_a_check_that_failed_and_writes_nothing(plan, monkeypatch, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    def broken(*args, **kwargs):
        raise RuntimeError("bộ đọc hỏng")

    monkeypatch.setattr(figures, "prepare", broken)
    path = tmp_path / "so-lieu.xlsx"
    path.write_bytes(xlsx(GOOD))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="không có gì được ghi"):
        call_command("import_figures", str(path), stderr=errors)
    assert "Kiểm tra tệp không hoàn tất: bộ đọc hỏng" in errors.getvalue()
    assert not Observation.objects.filter(period__year=2026).exists()


def test_uploads_left_unwritten_a_month_are_deleted_and_the_batch_stays_expired(
    client, plan, administrator, settings, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from imports.batches import ImportRefused, import_batch_commit, import_batch_create, import_batch_retry

    old, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="cu.xlsx", user=administrator)
    failed, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="loi.xlsx", user=administrator)
    recent, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="moi.xlsx", user=administrator)
    # a recent upload whose name begins with the old one's: not the old one's file
    namesake, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="cu.xlsx.xlsx", user=administrator)
    written, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="da-ghi.xlsx", user=administrator)
    import_batch_commit(batch=written)
    month_ago = timezone.now() - timedelta(days=settings.IMPORT_UNCONFIRMED_DAYS + 1)
    ImportBatch.objects.filter(pk=failed.pk).update(status=ImportBatch.Status.FAILED)
    ImportBatch.objects.exclude(pk__in=[recent.pk, namesake.pk]).update(created_at=month_ago, progress_at=month_ago)
    upload = Path(old.file.name)
    assert f"{upload.name}.validated" in default_storage.listdir(str(upload.parent))[1]  # the validated rows

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.expire_unconfirmed.apply().get() == 2
    for batch in (old, failed):
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.EXPIRED and not batch.file
        assert "Quá 30 ngày chưa ghi" in batch.message and batch.summary["counts"]["new"] == 2
    left = default_storage.listdir(str(Path(recent.file.name).parent))[1]
    assert upload.name not in left and f"{upload.name}.validated" not in left
    assert Path(namesake.file.name).name in left and f"{Path(namesake.file.name).name}.validated" in left
    assert Path(recent.file.name).name in left and Path(written.file.name).name in left
    assert ImportBatch.objects.get(pk=recent.pk).status == ImportBatch.Status.PREVIEWED
    assert ImportBatch.objects.get(pk=written.pk).status == ImportBatch.Status.COMMITTED

    with pytest.raises(ImportRefused):
        import_batch_commit(batch=old)
    with pytest.raises(ImportRefused):
        import_batch_retry(batch=failed)
    client.force_login(administrator)
    page = client.get(reverse("imports:preview", args=[old.pk])).content.decode()
    assert "Hết hạn, chưa ghi" in page and "Xác nhận và ghi" not in page and "tải tệp lên lại" in page
    assert 'class="chip import-expired">Hết hạn, chưa ghi' in client.get(reverse("imports:index")).content.decode()
    assert jobs.expire_unconfirmed.apply().get() == 0

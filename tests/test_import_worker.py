"""A real Celery worker checks and writes a large import while the request has long returned; the batch
carries the job's progress and outcome. Skipped locally without REDIS_URL, required in CI (see
tests/test_celery_worker.py)."""

from __future__ import annotations

import time

import pytest

from imports.batches import import_batch_confirm, import_batch_upload
from imports.models import ImportBatch
from indicators.models import Observation
from tests.conftest import _user
from tests.test_celery_worker import worker  # noqa: F401 (the fixture)
from tests.test_import_figures import xlsx
from tests.test_import_jobs import figure_rows

pytestmark = pytest.mark.celery_worker


def wait_for(batch: ImportBatch, *statuses: str, timeout: float = 120) -> ImportBatch:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status in statuses:
            return batch
        time.sleep(0.1)
    raise AssertionError(f"batch still {batch.status} ({batch.progress_done}/{batch.progress_total})")


def test_worker_checks_then_writes_a_large_import(worker, loaded_plan, settings, tmp_path):  # noqa: F811
    settings.IMPORT_BACKGROUND_BYTES = 16 * 1024
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    admin = _user("quantri.worker", "admin")
    content = xlsx(figure_rows(3_000))
    assert len(content) > settings.IMPORT_BACKGROUND_BYTES

    started = time.monotonic()
    batch = import_batch_upload(kind="figures", content=content, filename="lon.xlsx", user=admin)
    # the request's part: the file stored and the job queued, not the check itself
    assert time.monotonic() - started < 1
    assert ImportBatch.objects.get(pk=batch.pk).status == "validating"

    seen = set()
    deadline = time.monotonic() + 120
    while batch.status == "validating" and time.monotonic() < deadline:
        batch.refresh_from_db()
        seen.add((batch.progress_step, batch.progress_done))
        time.sleep(0.02)
    assert batch.status == "previewed", batch.message
    assert batch.summary["counts"]["new"] == 3_000 and batch.progress_total == 3_000
    # progress was reported while the worker read and checked the rows, not only once at the end
    assert {done for step, done in seen if step in ("read", "check") and 0 < done < 3_000}, seen

    import_batch_confirm(batch=batch)
    batch = wait_for(batch, "committed", "failed", "previewed", "invalid")
    assert batch.status == "committed", batch.message
    assert batch.message == "Đã ghi: 3.000 mới, 0 cập nhật, 0 không đổi, 0 lỗi."
    assert Observation.objects.filter(period__year__lt=2026).count() == 3_000

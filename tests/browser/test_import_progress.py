"""A large import as an administrator sees it, in a real Chromium with a real Celery worker: upload, the
batch page showing the job's progress and then the preview without a reload, confirm, "Đang ghi", "Đã ghi"
— under the Content-Security-Policy, with no console error.

Screenshots of the batch page while the job runs and once it is done, at 1366 px and 390 px, go to
$SCREENSHOT_DIR (a temporary folder otherwise)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from imports.batches import BatchProgress
from imports.models import ImportBatch
from indicators.models import Observation
from tests.browser.test_csp import LISTEN, _violations
from tests.conftest import _user, login
from tests.test_celery_worker import worker  # noqa: F401 (the fixture)
from tests.test_import_figures import xlsx
from tests.test_import_jobs import figure_rows

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]

ROWS = 6_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _shot(page, tmp_path, name):
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")
    page.screenshot(path=str(folder / f"{name}.png"), timeout=90_000)


def test_a_large_upload_shows_progress_then_the_preview_then_is_written(
    browser,
    page,
    live_server,
    worker,  # noqa: F811
    loaded_plan,
    settings,
    tmp_path,
    monkeypatch,
):
    # the worker takes a few seconds more over the rows, so that the page surely meets the job running
    report = BatchProgress.report

    def slowly(self, step, done, total):
        time.sleep(0.05)
        report(self, step, done, total)

    monkeypatch.setattr(BatchProgress, "report", slowly)
    settings.IMPORT_BACKGROUND_BYTES = 16 * 1024
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "uploads")}},
    }
    _user("nhap.quantri", "admin", None, is_staff=True, is_superuser=True)
    content = xlsx(figure_rows(ROWS))
    page.add_init_script(LISTEN)
    login(page, live_server, "nhap.quantri")
    page.goto(f"{live_server.url}/nhap-du-lieu/")
    page.select_option("#id_kind", "figures")
    page.set_input_files("#id_file", {"name": "so-lieu-lon.xlsx", "mimeType": XLSX, "buffer": content})
    page.click("button:has-text('Xem trước')")
    page.wait_for_url("**/nhap-du-lieu/*/")
    batch = ImportBatch.objects.get()
    url = page.url

    # the job is running: the page shows where it is, and moves on its own
    assert page.locator(".chip").inner_text() == "Đang kiểm tra"
    page.locator("[data-progress-text]", has_text="dòng").wait_for(timeout=60_000)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    try:
        small = phone.new_page()
        small.context.add_cookies(page.context.cookies())
        small.goto(url)
        _shot(page, tmp_path, "import-running-1366")
        _shot(small, tmp_path, "import-running-390")
        assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        phone.close()

    # the page refreshes itself: the preview appears without the test reloading it
    page.locator("button:has-text('Xác nhận và ghi')").wait_for(timeout=120_000)
    assert page.url == url
    assert f"{ROWS}" in page.locator(".importcounts .outcome-new").inner_text().replace(".", "")
    _shot(page, tmp_path, "import-previewed-1366")
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.progress_total == ROWS

    page.click("button:has-text('Xác nhận và ghi')")
    assert page.locator(".chip").inner_text() == "Đang ghi"  # checked again, then written, by the worker
    page.locator(".chip", has_text="Đã ghi").wait_for(timeout=120_000)
    assert "Đã ghi: 6.000 mới" in page.content()
    _shot(page, tmp_path, "import-committed-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, tmp_path, "import-committed-390")
    assert Observation.objects.filter(period__year__lt=2026).count() == ROWS
    assert _violations(page) == [] and page.console_errors == []

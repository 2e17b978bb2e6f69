"""Failures of parts, for real: a Redis server stopped in the middle of the run, and a PostgreSQL connection
terminated under a worker (``pg_terminate_backend``).

- Redis down: pages and the open-data API still answer (the throttle's cache fails soft), an approval
  commits and answers quickly, and its recompute is recorded in the database; when Redis is back the pending
  recompute runs (the periodic catch-up job, and the nightly one, which clears what it covered).
- A terminated database connection: the next request of that worker is served (CONN_HEALTH_CHECKS).

The Redis test starts its own ``redis-server`` on a free port; it is skipped where there is no
``redis-server`` binary (and fails in CI). The PostgreSQL test is skipped on SQLite.
"""

from __future__ import annotations

import io
import re
import time
from decimal import Decimal
from wsgiref.util import setup_testing_defaults

import psycopg2
import pytest
from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from config.wsgi import application
from tests.parts import free_port, wait_for


def _model(name: str):
    return next(model for model in apps.get_models() if model.__name__ == name)


@pytest.mark.django_db
def test_with_redis_stopped_pages_and_api_answer(on_private_redis, plan, reviewer):
    client = Client()
    assert client.get("/api/figures/").status_code == 200  # Redis up: the throttle counts in it
    on_private_redis.stop()
    for url in ("/api/figures/", "/api/", "/cong-khai/"):
        started = time.monotonic()
        response = client.get(url)
        assert response.status_code == 200, url
        assert time.monotonic() - started < 5, url
    client.force_login(reviewer)
    assert client.get("/tong-quan/").status_code == 200  # "/" sends a reviewer to the review queue


@pytest.mark.django_db
def test_a_write_while_redis_hangs_leaves_no_page_older_than_it_once_redis_answers(
    on_private_redis, plan, steering, agency_staff, reviewer, settings, django_capture_on_commit_callbacks
):
    """Redis paused (SIGSTOP: connections held, nothing answered) while a figure is approved, then resumed: the
    agency page shows the approved figure, not the page cached before it (the versions' move cannot be lost)."""
    from indicators.services import observation_approve

    settings.DASHBOARD_CACHE_SECONDS = 600
    metric = _model("Metric").objects.filter(reporters=agency_staff.agency, kind="stock").order_by("pk").first()
    period = _model("Period").objects.create(
        kind="year", year=2025, number=1, starts_on="2025-01-01", ends_on="2025-12-31", due_on="2026-01-20"
    )
    figure = _model("Observation").objects.create(
        metric=metric, agency=agency_staff.agency, period=period, value=Decimal(5), status="submitted"
    )
    client = Client()
    client.force_login(steering)
    url = reverse("agency", args=[agency_staff.agency.code])

    def page() -> str:
        response = client.get(url)
        assert response.status_code == 200
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())

    before = page()
    assert page() == before  # served from the cache now

    on_private_redis.pause()
    try:
        with django_capture_on_commit_callbacks(execute=True):  # the commit, and what follows it
            assert observation_approve(observation=figure, user=reviewer, recompute=False)
    finally:
        on_private_redis.resume()

    served = page()
    settings.DASHBOARD_CACHE_SECONDS = 0
    built = page()  # the page as the database has it
    assert served != before
    assert served == built


@pytest.fixture
def in_private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _post_timed(client, url: str, data: dict, answers: dict, label: str):
    started = time.monotonic()
    response = client.post(url, data)
    answers[label] = (time.monotonic() - started, response.status_code)
    return response


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs the PostgreSQL test database")
@pytest.mark.celery_worker
def test_with_redis_stopped_every_write_answers_at_once_and_every_follow_up_runs_once_it_is_back(
    on_private_redis, loaded_plan, reviewer, agency_staff, administrator, settings, in_private_storage
):
    """Approval, return, report request, large import upload and confirm, task report, with Redis stopped: each
    answers at once (its job is recorded with the write, no result store is reached), and once Redis is back a
    real worker runs every follow-up: the catch-up jobs are what beat sends, no one clicks anything."""
    from imports.batches import import_batch_create
    from tests.test_import_jobs import figure_rows, xlsx

    Observation, Metric, Period = _model("Observation"), _model("Metric"), _model("Period")
    ImportBatch, PeriodicReport, TaskUpdate = _model("ImportBatch"), _model("PeriodicReport"), _model("TaskUpdate")
    RecomputeRequest, PendingJob = _model("RecomputeRequest"), _model("PendingJob")
    settings.IMPORT_BACKGROUND_BYTES = 0  # every import through a job
    settings.REPORT_PDF_ENABLED = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False

    metrics = Metric.objects.filter(kind__in=["stock", "flow"], reporters=agency_staff.agency).order_by("pk")
    period = Period.objects.create(
        kind="year", year=2025, number=1, starts_on="2025-01-01", ends_on="2025-12-31", due_on="2026-01-20"
    )
    to_approve, to_return = (
        Observation.objects.create(metric=m, agency=agency_staff.agency, period=period, value=7, status="submitted")
        for m in metrics[:2]
    )
    previewed, _preview = import_batch_create(
        kind="figures", content=xlsx(figure_rows(50)), filename="lon.xlsx", user=administrator
    )
    assert previewed.status == "previewed"
    task = (
        _model("Task")
        .objects.filter(terms_versions__schedule_kind="one_off", assignments__agency=agency_staff.agency)
        .first()
    )

    on_private_redis.stop()

    answers: dict[str, tuple[float, int]] = {}
    office, staff, admin = Client(raise_request_exception=False), Client(), Client()
    office.force_login(reviewer), staff.force_login(agency_staff), admin.force_login(administrator)
    _post_timed(office, "/tham-dinh/", {"action": "approve", "o": [to_approve.pk]}, answers, "approval")
    returning = {"return_o": to_return.pk, f"reason-o{to_return.pk}": "Thiếu minh chứng"}
    _post_timed(office, "/tham-dinh/", returning, answers, "return")
    _post_timed(
        office,
        "/bao-cao/dinh-ky/",
        {"kind": "quarter", "year": 2026, "number": 2, "as_of": "2026-06-20"},
        answers,
        "report request",
    )
    upload = io.BytesIO(xlsx(figure_rows(20, first_year=1990)))
    upload.name = "them.xlsx"
    _post_timed(admin, reverse("imports:index"), {"kind": "figures", "file": upload}, answers, "import upload")
    _post_timed(admin, reverse("imports:confirm", args=[previewed.pk]), {}, answers, "import confirm")
    _post_timed(
        staff,
        f"{reverse('task_update_edit', args=[task.number])}?ngay=2026-06-10",
        {"action": "submit", "progress": "in_progress", "percent_complete": 40, "work_done": "Đang triển khai"},
        answers,
        "task report",
    )
    print("answers with Redis stopped:", {label: f"{s:.2f} s → {code}" for label, (s, code) in answers.items()})
    for label, (seconds, code) in answers.items():
        assert code == 302, f"{label} answered {code}"
        assert seconds < 5, f"{label} took {seconds:.1f} s: it waited on the dead Redis"

    # the work is saved, and its follow-ups are recorded in the database with it
    to_approve.refresh_from_db(), to_return.refresh_from_db()
    assert (to_approve.status, to_return.status) == ("approved", "returned")
    assert TaskUpdate.objects.get(task=task, agency=agency_staff.agency).status == "submitted"
    report = PeriodicReport.objects.get()
    uploaded = ImportBatch.objects.get(original_name="them.xlsx")
    previewed.refresh_from_db()
    assert (report.generation, uploaded.status, previewed.status) == ("pending", "validating", "committing")
    assert RecomputeRequest.objects.filter(metric=to_approve.metric).exists()
    waiting = sorted((job.name, job.args) for job in PendingJob.objects.all())
    assert waiting == sorted(
        [
            ("reports.periodic_report_generate", [report.pk]),
            ("imports.batch_validate", [uploaded.pk]),
            ("imports.batch_write", [previewed.pk]),
        ]
    )
    # a batch whose job waits for Redis is not shown as failed, however long Redis stays away
    later = timezone.now() + timezone.timedelta(minutes=settings.IMPORT_JOB_STALE_MINUTES + 60)
    assert not previewed.is_stale(later) and previewed.shown_status(later) == "committing"

    # Redis is back: a real worker, and what beat sends every few minutes
    on_private_redis.start()
    from celery.contrib.testing.worker import start_worker

    from core.jobs import send_pending_jobs
    from indicators.jobs import recompute_pending

    with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
        send_pending_jobs.delay()
        recompute_pending.delay()

        def all_done() -> bool:
            report.refresh_from_db(), uploaded.refresh_from_db(), previewed.refresh_from_db()
            return (
                report.generation == "ready"
                and uploaded.status == "previewed"
                and previewed.status == "committed"
                and not RecomputeRequest.objects.exists()
                and not PendingJob.objects.exists()
            )

        wait_for(all_done, seconds=120, what="every follow-up to run once Redis is back")
    assert report.docx and Observation.objects.filter(period__year=2001).count() == 50
    assert _model("TargetStatus").objects.filter(parsed_target__metric=to_approve.metric).exists()


@pytest.mark.django_db
def test_the_nightly_recompute_clears_the_pending_requests_it_covered(plan):
    RecomputeRequest = _model("RecomputeRequest")
    metric = _model("Metric").objects.order_by("pk").first()
    RecomputeRequest.objects.create(metric=metric, requested_at=timezone.now())
    from indicators.jobs import recompute_all

    recompute_all()
    assert not RecomputeRequest.objects.exists()


@pytest.mark.celery_worker
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs the PostgreSQL test database")
def test_a_lock_held_by_a_worker_killed_with_sigkill_is_free_again_within_one_lease(on_private_redis, loaded_plan):
    """The nightly recompute's lock is renewed while its job runs and not a moment longer: a worker killed in the
    middle (SIGKILL: no clean-up) blocks the catch-up for one lease, not for an hour."""
    from core.jobs import job_lock_held
    from indicators.jobs import LOCK, recompute_all, recompute_pending
    from tests.parts import WorkerProcess

    lease = 2  # seconds (JOB_LOCK_SECONDS); 60 in production
    metric = _model("Metric").objects.order_by("pk").first()
    _model("RecomputeRequest").objects.create(metric=metric, requested_at=timezone.now())
    # the recompute's snapshot table held by this test: the worker's job waits inside its lock until released
    params = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    blocker = psycopg2.connect(**params)
    blocker.cursor().execute("LOCK TABLE indicators_targetstatus IN ACCESS EXCLUSIVE MODE")
    worker = WorkerProcess(on_private_redis.url, JOB_LOCK_SECONDS=str(lease), PGAPPNAME="killed-worker")
    worker.start()
    try:
        recompute_all.delay()
        wait_for(lambda: job_lock_held(LOCK), seconds=90, what="the worker to take the recompute's lock")
        taken = time.monotonic()
        while time.monotonic() - taken < 3 * lease:  # renewed: held while the job runs, well past one lease
            assert job_lock_held(LOCK), "the lock expired while its job was still running"
            time.sleep(0.1)
        worker.kill()
        killed = time.monotonic()
    finally:
        worker.stop()
        blocker.rollback()
        with blocker.cursor() as cursor:  # the dead worker's session, whose client is gone
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'killed-worker'"
            )
        blocker.close()
    wait_for(lambda: not job_lock_held(LOCK), seconds=lease + 10, what="the dead worker's lock to expire")
    print(f"lock free {time.monotonic() - killed:.1f} s after SIGKILL (lease {lease} s)")
    assert recompute_pending() == 1, "the catch-up runs instead of skipping"
    assert not _model("RecomputeRequest").objects.exists()


def _wsgi_get(path: str) -> int:
    """One request through the real WSGI handler, with its request_started/finished connection handling."""
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "127.0.0.1"
    status = []
    body = application(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(body)
    body.close()
    return int(status[0].split()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_terminated_database_connection_does_not_give_the_next_request_a_500():
    assert connection.settings_dict["CONN_MAX_AGE"] > 0, "persistent connections are what this is about"
    assert _wsgi_get("/readyz") == 200  # reads the database: the worker's connection is open
    pid = connection.connection.get_backend_pid()  # the worker's persistent connection, still open
    params = connection.get_connection_params()
    killer = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    killer.autocommit = True
    with killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    killer.close()
    time.sleep(0.2)
    assert _wsgi_get("/readyz") == 200
    assert _wsgi_get("/cong-khai/") in (200, 302)


def test_clearing_the_cache_forgets_only_this_sites_keys(redis_server):
    from core.cache import TolerantRedisCache

    ours = TolerantRedisCache(redis_server.url, {"KEY_PREFIX": "site-a"})
    theirs = TolerantRedisCache(redis_server.url, {"KEY_PREFIX": "site-b"})
    for n in range(1200):  # more than one SCAN page and one delete batch
        ours.set(f"k{n}", n)
    theirs.set("throttle", [1, 2, 3])

    ours.clear()

    assert ours.get("k0") is None and ours.get("k1199") is None
    assert theirs.get("throttle") == [1, 2, 3]


def test_a_log_out_redis_cannot_confirm_answers_a_clear_503_not_a_500(client, steering, settings):
    """With Redis unreachable, a log-out refuses to go on (core/sessions.py) and says why on the site's page."""
    port = free_port()  # nothing listens there
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    settings.SESSION_ENGINE = "core.sessions"
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client.raise_request_exception = False
    client.force_login(steering)

    response = client.post(reverse("logout"))

    assert response.status_code == 503
    page = response.content.decode()
    assert "Tạm thời chưa thực hiện được" in page and "Redis" in page
    caches["default"].close()

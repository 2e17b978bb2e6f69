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
import os
import shutil
import socket
import subprocess
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

REDIS_SERVER = shutil.which("redis-server")


def _model(name: str):
    return next(model for model in apps.get_models() if model.__name__ == name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProcess:
    """A private redis-server, started and stopped by the test."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    if REDIS_SERVER is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required in CI")
        pytest.skip("redis-server is not installed")
    server = RedisProcess()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_private_redis(redis_server, settings):
    """The cache and the Celery broker on the private Redis; jobs queued, not run in-process."""
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": redis_server.url},
    }
    settings.OPEN_DATA_THROTTLE_ANON = "1000/min"
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = redis_server.url
    celery_app._pool = None  # fresh pools for the private broker (pools are keyed by URL)
    celery_app.amqp._producer_pool = None
    yield redis_server
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
    # drop every pool holding connections to the private broker, or later tests queue jobs to a dead port
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    caches["default"].close()


@pytest.mark.django_db
def test_with_redis_stopped_pages_and_api_answer_and_an_approval_is_quick_and_its_recompute_is_kept(
    on_private_redis, plan, reviewer, agency_staff, django_capture_on_commit_callbacks
):
    Observation = _model("Observation")
    Metric = _model("Metric")
    RecomputeRequest = _model("RecomputeRequest")
    client = Client()
    assert client.get("/api/figures/").status_code == 200  # Redis up: the throttle counts in it

    metric = Metric.objects.filter(kind__in=["stock", "flow"], reporters=agency_staff.agency).order_by("pk").first()
    period = _model("Period").objects.create(
        kind="year", year=2025, number=1, starts_on="2025-01-01", ends_on="2025-12-31", due_on="2026-01-20"
    )
    figure = Observation.objects.create(
        metric=metric, agency=agency_staff.agency, period=period, value=Decimal(7), status="submitted"
    )

    on_private_redis.stop()

    for url in ("/api/figures/", "/api/", "/cong-khai/"):
        started = time.monotonic()
        response = client.get(url)
        assert response.status_code == 200, url
        assert time.monotonic() - started < 5, url

    client.force_login(reviewer)
    assert client.get("/tong-quan/").status_code == 200  # "/" sends a reviewer to the review queue
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tham-dinh/", {"action": "approve", "o": [figure.pk]})
    assert response.status_code == 302
    assert time.monotonic() - started < 5, "an approval must not wait for a dead broker"
    figure.refresh_from_db()
    assert figure.status == "approved"
    assert RecomputeRequest.objects.filter(metric=metric).exists(), "the pending recompute is recorded"

    # Redis is back: the catch-up job finds the pending recompute, runs it and clears it
    on_private_redis.start()
    celery_app.conf.task_always_eager = True
    from indicators.jobs import recompute_pending

    assert recompute_pending() == 1
    assert not RecomputeRequest.objects.exists()
    assert _model("TargetStatus").objects.filter(parsed_target__metric=metric).exists()


@pytest.mark.django_db
def test_the_nightly_recompute_clears_the_pending_requests_it_covered(plan):
    RecomputeRequest = _model("RecomputeRequest")
    metric = _model("Metric").objects.order_by("pk").first()
    RecomputeRequest.objects.create(metric=metric, requested_at=timezone.now())
    from indicators.jobs import recompute_all

    recompute_all()
    assert not RecomputeRequest.objects.exists()


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
    port = _free_port()  # nothing listens there
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

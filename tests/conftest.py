"""Shared fixtures: the loaded plan, one persona per role, and a real headless Chromium."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from django.core.management import call_command
from django.test import override_settings

from agencies.models import Agency, User
from indicators.models import Plan

PASSWORD = "Kiem-tra-65!"


@pytest.fixture(scope="session", autouse=True)
def passwords_hashed_fast():
    """Passwords hashed with MD5 in tests, as Django advises for test speed: PBKDF2's million rounds took a quarter
    of a second for every persona created and every log-in, minutes of the suite. Logging in still checks the
    password; no test looks at the algorithm. Processes a test starts (gunicorn, Celery, the multi-node run) keep
    the settings' hashers and hash their own users."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load Plan 65-KH/TU once into the test database; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        call_command("load_plan", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def jobs_in_process():
    """Celery jobs run in-process in tests even where REDIS_URL points at a broker with no worker.

    tests/test_celery_worker.py turns this off to use a real worker.
    """
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def dashboard_cache_off(settings, monkeypatch):
    """Dashboard pages are built on every request in tests: a test's writes never commit, so the snapshot
    generation they bump would never move. tests/test_dashboard_cache.py turns the cache on. So is each request's
    user (agencies/backends.py), so that query counts do not depend on the test before; and what this process
    noted of the pages read (core/prebuild.py), which a test that turns the cache on starts without. A recompute
    builds ahead without its one-second budget: on a loaded test machine a second is a handful of pages, and which
    ones would depend on the machine (the budget has its own test)."""
    from core import prebuild

    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.USER_CACHE_SECONDS = 0
    prebuild._touched.clear()
    monkeypatch.setattr(prebuild, "BUILD_SECONDS", 600)


@pytest.fixture
def plan(db) -> Plan:
    return Plan.objects.get(code="65-KH/TU")


@pytest.fixture
def loaded_plan(transactional_db) -> Plan:
    """The plan for tests that commit (browser, Celery): the transactional flush removes the session load."""
    if not Plan.objects.filter(code="65-KH/TU").exists():
        call_command("load_plan", stdout=io.StringIO())
    return Plan.objects.get(code="65-KH/TU")


def _user(username: str, role: str, agency_code: str | None = None, **extra) -> User:
    agency = Agency.objects.get(code=agency_code) if agency_code else None
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, agency=agency, email=f"{username}@example.invalid", **extra
    )
    return user


# Personas, one per role (see docs/architecture.md): Steering Committee member, standing-office reviewer,
# staff of two different agencies, and the administrator.
@pytest.fixture
def steering(db) -> User:
    return _user("an.bcd", User.Role.STEERING)


@pytest.fixture
def reviewer(db) -> User:
    return _user("binh.vptu", User.Role.REVIEWER, "vp-tu")


@pytest.fixture
def agency_staff(db) -> User:
    return _user("chi.khcn", User.Role.AGENCY_STAFF, "so-khcn")


@pytest.fixture
def other_agency_staff(db) -> User:
    return _user("dung.congan", User.Role.AGENCY_STAFF, "cong-an")


@pytest.fixture
def administrator(db) -> User:
    return _user("em.quantri", User.Role.ADMIN, None, is_staff=True, is_superuser=True)


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """A throwaway PKI with an OCSP responder, CRLs and a TSA served on 127.0.0.1 (tests/pki.py)."""
    from tests.pki import pki_create

    return pki_create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def softhsm(pki, tmp_path_factory):
    """A SoftHSM token holding Sở KH&CN's key; missing softhsm2 skips locally and fails in CI."""
    from tests.pki import SOFTHSM_MODULE, softhsm_token

    if not (shutil.which("softhsm2-util") and os.path.exists(SOFTHSM_MODULE)):
        if os.environ.get("CI"):
            pytest.fail("SoftHSM is required in CI (apt-get install softhsm2)")
        pytest.skip("SoftHSM is not installed: apt-get install softhsm2")
    return softhsm_token(tmp_path_factory.mktemp("softhsm"), pki, "khcn")


# --- real parts that fail (tests/parts.py): a private Redis, a worker process -------------------------------------


@pytest.fixture
def redis_server():
    """A private redis-server for this test, stopped, paused or restarted at will. Missing: skipped locally,
    failed in CI."""
    from tests.parts import REDIS_SERVER, RedisProcess

    if REDIS_SERVER is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required in CI")
        pytest.skip("redis-server is not installed")
    server = RedisProcess()
    server.start()
    yield server
    server.stop()


def _celery_pools_dropped(app) -> None:
    app._pool = None  # fresh pools for the broker now configured (pools are keyed by URL)
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.backend = None


@pytest.fixture
def on_private_redis(redis_server, settings):
    """The cache, the Celery broker and its result store on the private Redis; jobs queued, not run in-process."""
    from django.core.cache import caches

    from config.celery import app as celery_app

    settings.CACHES = {
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": redis_server.url, "KEY_PREFIX": "faults"},
    }
    settings.OPEN_DATA_THROTTLE_ANON = "1000/min"
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app.conf.result_backend
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = redis_server.url
    celery_app.conf.result_backend = redis_server.url
    _celery_pools_dropped(celery_app)
    yield redis_server
    celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app.conf.result_backend = saved
    # drop every pool holding connections to the private broker, or later tests queue jobs to a dead port
    _celery_pools_dropped(celery_app)
    caches["default"].close()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing Chromium skips locally and fails in CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
    # synchronous and safe, so let Django allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()


def login(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/tai-khoan/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server, one per test process (tests/s3.py), with the bucket the tests store into."""
    from tests.s3 import s3_server_start

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    server = s3_server_start(offset=int(worker) if worker.isdigit() else 0)
    server.bucket_create("plan65-test")
    yield server
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, request):
    """The default storage on the S3 server, each test under a prefix of its own; gives the keys stored."""
    import uuid

    from tests.s3 import storage_options

    prefix = f"t-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {**settings.STORAGES, "default": storage_options(s3_server, "plan65-test", prefix)}
    settings.AWS_STORAGE_BUCKET_NAME = "plan65-test"

    class Bucket:
        name = "plan65-test"
        server = s3_server

        @staticmethod
        def keys() -> list[str]:
            return [key.removeprefix(f"{prefix}/") for key in s3_server.keys("plan65-test", f"{prefix}/")]

    return Bucket

"""The project as operators meet it: production settings, the compose file, health check, i18n formats."""

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import yaml
from django.conf import settings
from django.utils import formats, translation

ROOT = settings.BASE_DIR


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in env.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for the browser tests only
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_values(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE": "true",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        "DJANGO_ALLOWED_HOSTS": "kh65.hungyen.gov.vn",
        "DJANGO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_an_unsafe_configuration(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DJANGO_SECURE": "false",
        "DJANGO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on in deployment


def test_without_environment_the_embedded_default_is_used(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_", "DJANGO_"))}
    env["DJANGO_VAR_DIR"] = str(tmp_path)
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
        "len(s.SECRET_KEY) > 40)"
    )
    result = _manage("shell", "-v", "0", "-c", code, env=env)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "memory://", "True"], result.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_postgres_and_redis_urls_select_the_full_stack(tmp_path):
    env = {
        **os.environ,
        "DJANGO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u:p@db.example:5432/plan65",
        "REDIS_URL": "redis://cache.example:6379/0",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])"
    )
    result = _manage("shell", "-v", "0", "-c", code, env=env)
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.example",
        "False",
        "redis://cache.example:6379/0",
        "core.cache.TolerantRedisCache",  # Redis, failing soft (core/cache.py)
    ], result.stderr


def test_docker_compose_runs_the_whole_stack_with_the_ci_commands():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "s3", "migrate", "web", "worker", "beat", "lb"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    # the same scripts .ci/run starts without Docker
    assert services["web"]["command"] == ["scripts/serve"]
    assert services["worker"]["command"] == ["scripts/worker"]
    assert services["beat"]["command"] == ["scripts/beat"]
    ci = (ROOT / ".ci" / "run").read_text()
    for script in ("scripts/serve", "scripts/worker", "scripts/beat", "scripts/test"):
        assert script in ci
        assert os.access(ROOT / script, os.X_OK)
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
        assert "?" in env["DJANGO_SECRET_KEY"]  # required from the environment, never written in the file
    assert "gunicorn" in (ROOT / "scripts" / "serve").read_text()


def test_docker_compose_scales_web_and_workers_behind_the_load_balancer():
    """`docker compose up --scale web=3 --scale worker=2`: nothing ties a web node or a worker to a host port, a
    container name or a disk of its own; the load balancer is the one published port and finds them by name."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("migrate", "web", "worker", "beat"):
        service = services[name]
        assert "ports" not in service and "container_name" not in service and "volumes" not in service, name
        env = service["environment"]
        assert env["AWS_STORAGE_BUCKET_NAME"] and env["AWS_S3_ENDPOINT_URL"] == "${AWS_S3_ENDPOINT_URL:-http://s3:8333}"
        assert env["DJANGO_MIGRATE"] == "false"  # migrations run once, in `migrate`
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["lb"]["ports"] == ["${HTTP_PORT:-8000}:8000"]
    haproxy = (ROOT / "deploy" / "haproxy.cfg").read_text()
    assert "server-template web 20 web:8000" in haproxy and "uri /readyz" in haproxy
    assert "http-request deny deny_status 404 if { path /readyz }" in haproxy  # not for the public
    assert services["s3"]["command"][0] == "mini"


def test_vietnamese_number_and_date_formats():
    with translation.override("vi"):
        assert formats.date_format(date(2026, 4, 22), "SHORT_DATE_FORMAT") == "22/04/2026"
        assert formats.number_format(Decimal("1200.5"), 1, use_l10n=True, force_grouping=True) == "1.200,5"
        assert formats.number_format(Decimal("0.75"), 2, use_l10n=True) == "0,75"
    assert settings.LANGUAGE_CODE == "vi" and settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert ("en", "English") in [(code, str(name)) for code, name in settings.LANGUAGES]


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_every_periodic_job_names_a_registered_task():
    """Celery beat sends the task by name: a misspelt name would be sent every night and run by no worker."""
    from config.celery import app

    app.loader.import_default_modules()
    names = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert "imports.expire_unconfirmed" in names
    assert [name for name in names if name not in app.tasks] == []

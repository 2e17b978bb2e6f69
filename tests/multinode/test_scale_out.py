"""Scale-out, for real: two web nodes and two Celery workers (and two beats), each with its own empty
DJANGO_VAR_DIR, on one PostgreSQL primary with a streaming replica made by pg_basebackup, one Redis and an S3
server (moto). Run by .ci/run after the main suite (PLAN65_MULTINODE=1; root, PostgreSQL's binaries and Redis
needed); skipped otherwise.

What it shows: an import uploaded on node A is checked by a worker and confirmed on node B; a report built by
a worker downloads alike from both nodes; an approval made on node A is seen on node B's next request; exactly
one beat holds the schedule; no file appears under any var dir; with the replica stopped mid-run, pages keep
answering from the primary and /readyz says so.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg2
import pytest
import requests

pytestmark = pytest.mark.skipif(
    os.environ.get("PLAN65_MULTINODE") != "1", reason="the multi-node test runs in .ci/run (PLAN65_MULTINODE=1)"
)

ROOT = Path(__file__).resolve().parents[2]
PORTS = os.environ.get("MULTINODE_PORTS", "12450-12499")
PASSWORD = "Kiem-tra-65!"
BUCKET = "plan65-nodes"


def _free_ports(count: int) -> list[int]:
    import socket

    first, last = (int(part) for part in PORTS.split("-"))
    found = []
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError(f"not {count} free ports in {PORTS}")


def _pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not versions:
        pytest.fail("PostgreSQL's server binaries are needed (apt-get install postgresql)")
    return versions[-1].parent


def _as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ("runuser", "-u", "postgres", "--", *command)
    done = subprocess.run(command, check=False, capture_output=True, text=True, **kwargs)
    if done.returncode:
        logs = "".join(
            f"--- {log}\n{log.read_text()[-2000:]}"
            for log in Path(tempfile.gettempdir()).glob("plan65-nodes-*/pglogs/*")
        )
        pytest.fail(f"{' '.join(command)}: {done.stdout}{done.stderr}\n{logs}")
    return done


class Cluster:
    """What the test started, to stop it all at the end, by process id."""

    def __init__(self, base: Path):
        self.base = base
        self.processes: dict[str, subprocess.Popen] = {}
        self.pg_dirs: list[Path] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.base / "logs" / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self.processes[name]

    def log(self, name: str) -> str:
        return (self.base / "logs" / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for data in self.pg_dirs:
            prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
            subprocess.run(
                [*prefix, str(_pg_bin() / "pg_ctl"), "-D", str(data), "stop", "-m", "immediate"], check=False
            )


def _wait(what: str, check, seconds: float = 90, cluster: Cluster | None = None, logs=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
        except (requests.RequestException, psycopg2.Error):
            result = None
        if result:
            return result
        time.sleep(0.3)
    detail = "\n".join(f"--- {name}\n{cluster.log(name)[-3000:]}" for name in logs) if cluster else ""
    pytest.fail(f"waited {seconds} s for {what}\n{detail}")


@pytest.fixture(scope="module")
def nodes():
    if shutil.which("runuser") is None and os.geteuid() == 0:
        pytest.fail("runuser is needed to run PostgreSQL as the postgres user")
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.fail("REDIS_URL is needed (one Redis for every node)")
    base = Path(tempfile.mkdtemp(prefix="plan65-nodes-"))
    base.chmod(0o755)
    (base / "logs").mkdir()
    (base / "pglogs").mkdir()
    if os.geteuid() == 0:
        shutil.chown(base / "pglogs", "postgres")
    cluster = Cluster(base)
    primary_port, replica_port, s3_port, port_a, port_b = _free_ports(5)
    pg = _pg_bin()
    try:
        # PostgreSQL: a primary, and a streaming replica made from it with pg_basebackup
        primary, standby = base / "primary", base / "replica"
        for folder in (primary, standby):
            folder.mkdir()
            folder.chmod(0o700)
            shutil.chown(folder, "postgres") if os.geteuid() == 0 else None
        cluster.pg_dirs = [primary]
        _as_postgres(str(pg / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        options = f"-p {primary_port} -k {base / 'pglogs'} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(
            str(pg / "pg_ctl"),
            "-D",
            str(primary),
            "-o",
            options,
            "-l",
            str(base / "pglogs" / "primary.log"),
            "-w",
            "start",
        )
        _as_postgres(
            str(pg / "psql"), "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres", "-q", "-c",
            "CREATE ROLE plan65 LOGIN SUPERUSER PASSWORD 'plan65'", "-c", "CREATE DATABASE plan65 OWNER plan65",
        )  # fmt: skip
        _as_postgres(
            str(pg / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
            "-D", str(standby), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        cluster.pg_dirs.append(standby)
        options = f"-p {replica_port} -k {base / 'pglogs'} -c listen_addresses=127.0.0.1"
        _as_postgres(
            str(pg / "pg_ctl"),
            "-D",
            str(standby),
            "-o",
            options,
            "-l",
            str(base / "pglogs" / "replica.log"),
            "-w",
            "start",
        )

        # the S3 server, and its bucket
        sys.path.insert(0, str(ROOT))
        os.environ["S3_TEST_PORTS"] = f"{s3_port}-{s3_port}"
        from tests.s3 import ACCESS_KEY, REGION, SECRET_KEY, s3_server_start

        s3 = s3_server_start(log=base / "logs" / "s3.log")
        cluster.processes["s3"] = s3.process
        s3.bucket_create(BUCKET)

        tag = uuid.uuid4().hex[:8]  # this run's keys in the shared Redis
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_", "PYTEST", "CELERY_"))},
            "DATABASE_URL": f"postgres://plan65:plan65@127.0.0.1:{primary_port}/plan65",
            "DATABASE_REPLICA_URL": f"postgres://plan65:plan65@127.0.0.1:{replica_port}/plan65",
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": f"nodes-{tag}",
            "REDBEAT_KEY_PREFIX": f"redbeat-{tag}:",
            "CELERY_QUEUE": f"nodes-{tag}",
            "DJANGO_SECRET_KEY": f"multinode-{tag}",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": s3.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION,
            "REPLICA_CHECK_SECONDS": "1",
            # a paused replay must not leave the replica aside before the test has looked (below)
            "REPLICA_MAX_LAG_SECONDS": "60",
            "REPLICA_STICKY_SECONDS": "90",
            "IMPORT_BACKGROUND_BYTES": "0",  # every import is checked and written by a worker
            "REPORT_PDF_ENABLED": "false",  # LibreOffice is not what this is about; .docx and .xlsx are built
            "DJANGO_MIGRATE": "false",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "2",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        python = str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else sys.executable
        setup = {**env, "DJANGO_VAR_DIR": str(base / "setup")}
        for command in (
            ["migrate", "--no-input", "-v", "0"],
            ["load_plan"],
            ["shell", "-v", "0", "-c", USERS],
        ):
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=setup, check=True, capture_output=True)

        var = {name: base / "var" / name for name in ("a", "b", "worker-a", "worker-b", "beat-a", "beat-b")}
        for folder in var.values():
            folder.mkdir(parents=True)
        for name, port in (("a", port_a), ("b", port_b)):
            node = {**env, "DJANGO_VAR_DIR": str(var[name]), "GUNICORN_BIND": f"127.0.0.1:{port}"}
            cluster.start(name, ["scripts/serve"], node)
        for name in ("worker-a", "worker-b"):
            worker = {**env, "DJANGO_VAR_DIR": str(var[name])}
            cluster.start(name, ["scripts/worker", "--concurrency", "1", "-n", f"{name}@%h"], worker)
        for name in ("beat-a", "beat-b"):
            cluster.start(name, ["scripts/beat"], {**env, "DJANGO_VAR_DIR": str(var[name])})
        urls = {"a": f"http://127.0.0.1:{port_a}", "b": f"http://127.0.0.1:{port_b}"}
        for name, url in urls.items():
            _wait(f"node {name}", lambda url=url: requests.get(f"{url}/readyz", timeout=5).ok, 60, cluster, [name])
        db = psycopg2.connect(env["DATABASE_URL"])
        db.autocommit = True
        yield {"urls": urls, "var": var, "cluster": cluster, "db": db, "env": env, "python": python, "s3": s3}
        db.close()
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


USERS = """
from agencies.models import Agency, User
User.objects.create_user("quantri", password="Kiem-tra-65!", role="admin", is_staff=True, is_superuser=True)
office = Agency.objects.get(code="vp-tu")
User.objects.create_user("thuongtruc", password="Kiem-tra-65!", role="reviewer", agency=office)
"""


def _session(url: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/tai-khoan/login/", timeout=10)
    answer = session.post(
        f"{url}/tai-khoan/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page.text)},
        timeout=10,
    )
    assert answer.ok and "sessionid" in session.cookies, answer.text[:500]
    return session


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _one(db, sql: str, *params):
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_two_nodes_two_workers_one_primary_and_its_replica(nodes):
    a, b = nodes["urls"]["a"], nodes["urls"]["b"]
    db, cluster = nodes["db"], nodes["cluster"]
    ready = requests.get(f"{b}/readyz", timeout=10).json()
    assert ready["status"] == "ready", ready
    assert ready["checks"]["replica"]["ok"] and ready["checks"]["storage"]["detail"].startswith(f"bucket {BUCKET}")

    # an import uploaded on node A, checked by a worker, confirmed on node B, written by a worker
    from tests.test_import_figures import GOOD, xlsx

    admin = _session(a, "quantri")
    page = admin.get(f"{a}/nhap-du-lieu/", timeout=10)
    upload = admin.post(
        f"{a}/nhap-du-lieu/",
        {"kind": "figures", "csrfmiddlewaretoken": _csrf(page.text)},
        files={"file": ("so-lieu.xlsx", io.BytesIO(xlsx(GOOD)))},
        timeout=30,
        allow_redirects=False,
    )
    assert upload.status_code == 302, upload.text[:1000]
    batch = int(re.search(r"/nhap-du-lieu/(\d+)/", upload.headers["Location"]).group(1))
    _wait(
        "the worker's check",
        lambda: _one(db, "SELECT status FROM imports_importbatch WHERE id = %s", batch)[0] == "previewed",
        cluster=cluster,
        logs=["worker-a", "worker-b", "a"],
    )
    preview = admin.get(f"{b}/nhap-du-lieu/{batch}/", timeout=10)
    assert "so-khcn · coverage_5g · 2026-Q1" in preview.text
    confirm = admin.post(
        f"{b}/nhap-du-lieu/{batch}/xac-nhan/", {"csrfmiddlewaretoken": _csrf(preview.text)}, timeout=30
    )
    assert confirm.ok
    _wait(
        "the worker's write",
        lambda: _one(db, "SELECT status FROM imports_importbatch WHERE id = %s", batch)[0] == "committed",
        cluster=cluster,
        logs=["worker-a", "worker-b", "b"],
    )
    workers = cluster.log("worker-a") + cluster.log("worker-b")
    assert workers.count("imports.batch_validate") >= 1 and workers.count("imports.batch_write") >= 1
    assert _one(db, "SELECT count(*) FROM indicators_observation WHERE status = 'submitted'")[0] == 2

    # an approval made on node A is seen on node B's next request. The replica's replay is paused meanwhile,
    # so that it is behind for sure: B's API reads the replica, except for the one who has just written.
    reviewer = _session(a, "thuongtruc")
    assert len(requests.get(f"{b}/api/figures/", timeout=10).json()["results"]) == 0
    observation = _one(db, "SELECT id FROM indicators_observation ORDER BY id LIMIT 1")[0]
    standby_db = psycopg2.connect(nodes["env"]["DATABASE_REPLICA_URL"])
    standby_db.autocommit = True
    _one(standby_db, "SELECT pg_wal_replay_pause()")
    queue = reviewer.get(f"{a}/tham-dinh/", timeout=10)
    approved = reviewer.post(
        f"{a}/tham-dinh/",
        {"action": "approve", "o": [observation], "csrfmiddlewaretoken": _csrf(queue.text)},
        timeout=30,
    )
    assert approved.ok
    # another reader, on the replica behind the approval, does not see it yet (and the page built from it is
    # not kept in the cache under the approval's generation)...
    assert len(requests.get(f"{b}/api/figures/", timeout=10).json()["results"]) == 0
    # ...the reviewer does, on the other node
    assert len(reviewer.get(f"{b}/api/figures/", timeout=10).json()["results"]) == 1
    _one(standby_db, "SELECT pg_wal_replay_resume()")
    standby_db.close()
    everyone = lambda: len(requests.get(f"{b}/api/figures/", timeout=10).json()["results"]) == 1  # noqa: E731
    _wait("the replica to replay the approval", everyone, 30)

    # a report built by a worker downloads alike from both nodes
    today = date.today()
    reports = reviewer.get(f"{a}/bao-cao/dinh-ky/", timeout=10)
    requested = reviewer.post(
        f"{a}/bao-cao/dinh-ky/",
        {
            "kind": "quarter",
            "year": today.year,
            "number": (today.month - 1) // 3 + 1,
            "as_of": today.isoformat(),
            "csrfmiddlewaretoken": _csrf(reports.text),
        },
        timeout=30,
        allow_redirects=False,
    )
    assert requested.status_code == 302, requested.text[:1000]
    report = int(re.search(r"/bao-cao/dinh-ky/(\d+)/", requested.headers["Location"]).group(1))
    _wait(
        "the worker's report",
        lambda: _one(db, "SELECT generation FROM reports_periodicreport WHERE id = %s", report)[0] == "ready",
        cluster=cluster,
        logs=["worker-a", "worker-b"],
    )
    files = {
        node: reviewer.get(f"{url}/bao-cao/dinh-ky/{report}/tai/docx/", timeout=30)
        for node, url in nodes["urls"].items()
    }
    assert files["a"].status_code == files["b"].status_code == 200
    assert files["a"].content == files["b"].content and files["a"].content[:2] == b"PK"
    assert "periodic_report_generate" in workers + cluster.log("worker-a") + cluster.log("worker-b")

    # exactly one beat holds the schedule
    _wait("a beat to take the lock", lambda: "Acquired lock" in cluster.log("beat-a") + cluster.log("beat-b"), 30)
    time.sleep(2)
    assert (cluster.log("beat-a") + cluster.log("beat-b")).count("beat: Acquired lock") == 1

    # the replica stopped mid-run: pages keep answering from the primary, and /readyz says so
    standby = cluster.pg_dirs[1]
    _as_postgres(str(_pg_bin() / "pg_ctl"), "-D", str(standby), "stop", "-m", "fast")
    reader = requests.Session()
    for url in (a, b):
        for path in ("/cong-khai/", "/api/figures/", "/api/tasks/"):
            answer = reader.get(f"{url}{path}", timeout=30)
            assert answer.status_code == 200, (url, path, answer.text[:500])
        assert len(reader.get(f"{url}/api/figures/", timeout=30).json()["results"]) == 1
    for url in (a, b):
        answer = requests.get(f"{url}/readyz", timeout=30)
        assert answer.status_code == 200
        assert answer.json()["status"] == "degraded"
        assert answer.json()["checks"]["replica"]["ok"] is False
        assert answer.json()["checks"]["replica"]["reads_from"] == "primary"
    assert reviewer.get(f"{b}/chi-tieu/", timeout=30).status_code == 200

    # no node kept a file of its own: everything went to the bucket
    stored = [path for folder in nodes["var"].values() for path in folder.rglob("*") if path.is_file()]
    assert stored == []
    keys = nodes["s3"].keys(BUCKET)
    assert any(key.startswith("imports/") for key in keys) and any(key.startswith("reports/") for key in keys)

"""The web process's gunicorn worker (``config.gunicorn_worker``): kept-alive connections are spread evenly over the
workers, with a real gunicorn serving a WSGI application that answers with the process it ran in."""

from __future__ import annotations

import collections
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4


def application(environ, start_response):
    """Answers with the id of the worker process that served the request, a few milliseconds later."""
    time.sleep(0.005)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers_answering(port: int) -> set[str]:
    """The worker processes that answer 40 requests on connections of their own."""
    seen = set()
    for _ in range(40):
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        probe.request("GET", "/", headers={"Connection": "close"})
        seen.add(probe.getresponse().read().decode())
        probe.close()
    return seen


def _until_every_worker_answers(port: int) -> set[str]:
    deadline = time.monotonic() + 30
    while True:
        try:
            seen = _workers_answering(port)
            if len(seen) == WORKERS:
                return seen
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"gunicorn did not run its {WORKERS} workers within 30 s")
        time.sleep(0.2)


@pytest.fixture
def serve():
    """Start gunicorn with a worker class; yields its port."""
    servers = []

    def start(worker_class: str) -> int:
        port = _free_port()
        servers.append(
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "tests.test_gunicorn_worker:application"),
                    *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--threads", "2"),
                    *("--worker-class", worker_class, "--keep-alive", "30"),
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _until_every_worker_answers(port)
        return port

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)


def connections_per_worker(port: int, clients: int) -> collections.Counter:
    """Open ``clients`` kept-alive connections at once, as clients arriving together do, then ask once on each:
    which worker holds each."""
    connections = []
    try:
        held = collections.Counter()
        for _ in range(clients):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.connect()  # waiting for a worker to accept it
            connections.append(connection)
        for connection in connections:
            connection.request("GET", "/")
            held[connection.getresponse().read().decode()] += 1
        # still the same worker on the next request: the connection was kept alive
        connection = connections[0]
        connection.request("GET", "/")
        assert connection.getresponse().read().decode() in held
        return held
    finally:
        for connection in connections:
            connection.close()


def test_kept_alive_connections_are_spread_evenly_over_the_workers(serve):
    held = connections_per_worker(serve("config.gunicorn_worker.ThreadWorker"), clients=40)
    assert len(held) == WORKERS, held
    assert max(held.values()) - min(held.values()) <= 2, held


def test_a_worker_killed_is_replaced_and_the_connections_spread_over_the_new_one_too(serve):
    port = serve("config.gunicorn_worker.ThreadWorker")
    killed = connections_per_worker(port, clients=8).most_common(1)[0][0]
    os.kill(int(killed), signal.SIGKILL)  # as gunicorn's master does to a worker past its timeout
    deadline = time.monotonic() + 30
    while killed in (seen := _until_every_worker_answers(port)):
        assert time.monotonic() < deadline, "the killed worker still answers"
    held = connections_per_worker(port, clients=40)
    assert set(held) == seen, held  # the new worker holds connections; the dead one's share is not counted
    assert max(held.values()) - min(held.values()) <= 2, held


def test_the_served_application_loads_every_view_at_start_and_leaves_them_out_of_the_collectors_passes():
    """config/wsgi.py, as a gunicorn worker loads it: the views are imported before the first request, and what is
    loaded then is frozen, so a full pass of the garbage collector does not walk it while the worker's threads wait."""
    probe = (
        "import gc, sys\n"
        "import config.wsgi\n"
        "print(gc.get_freeze_count(), 'dashboards.views' in sys.modules, 'entry.views' in sys.modules,"
        " len(gc.get_objects()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=os.environ, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    frozen, dashboards_loaded, entry_loaded, walked = int(out[0]), out[1], out[2], int(out[3])
    assert (dashboards_loaded, entry_loaded) == ("True", "True")
    assert frozen > 50_000  # the application, its libraries and every view module
    assert walked < frozen / 10  # what a full pass still walks right after loading

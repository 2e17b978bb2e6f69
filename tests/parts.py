"""Real parts for fault tests: a private ``redis-server`` that a test stops, pauses (SIGSTOP) and brings back, and
a Celery worker in a process of its own that a test can kill (SIGKILL).

Ports: ``TEST_PORTS=first-last`` (an engineer's or a CI job's own range) is searched for a free one; else the
system picks one.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

REDIS_SERVER = shutil.which("redis-server")
WORKER = [sys.executable, "-m", "celery", "-A", "config", "worker", "--without-gossip"]


def free_port() -> int:
    wanted = os.environ.get("TEST_PORTS", "")
    if wanted:
        first, last = (int(n) for n in wanted.split("-"))
        for port in range(first, last + 1):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise RuntimeError(f"no free port in TEST_PORTS={wanted}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], object], *, seconds: float, what: str, every: float = 0.05):
    """Poll ``condition`` until it is true, for at most ``seconds``: what a fault test waits on, never a sleep."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {seconds} s: {what}")
        time.sleep(every)


class RedisProcess:
    """A private redis-server: started, stopped, paused with SIGSTOP and resumed by the test, on one port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, seconds=20, what="redis-server to answer")

    def stop(self) -> None:
        if self.process is not None:
            if self.paused:
                self.resume()
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def pause(self) -> None:
        """The process stops answering but keeps its connections and data: a hung Redis."""
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.paused = False


class WorkerProcess:
    """``celery -A config worker`` in a process (and session) of its own, on the test's database and a broker."""

    def __init__(self, broker_url: str, **environment: str) -> None:
        db = connection.settings_dict
        database = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        self.environment = {
            **os.environ,
            "DATABASE_URL": database,
            "REDIS_URL": broker_url,
            "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "DJANGO_LOG_LEVEL": "WARNING",
            **environment,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*WORKER, "--pool", "solo", "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle"],
            cwd=Path(settings.BASE_DIR),
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL: no clean-up, no lock released, the job it holds left unacknowledged."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

"""Throughput and latency of the real stack under 50 logged-in clients (not a test: figures go to
docs/performance.md).

Usage, against the database in DATABASE_URL and the Redis in REDIS_URL (both on this machine):

    export DATABASE_URL=postgres://plan65:plan65@127.0.0.1:5432/plan65_bench REDIS_URL=redis://127.0.0.1:6379/3
    .venv/bin/python benchmarks/load.py --seed-scale 2054 --label now
    # the full page mix while a department saves drafts (5 a second) and the office approves (1 a second)
    .venv/bin/python benchmarks/load.py --mix full --drafts-per-second 5 --approvals-per-second 1 --label busy

What it does, in order:

1. Reuses the database if it holds a plan and figures; an empty one is built first with ``migrate``,
   ``load_plan`` and ``seed_demo --scale YEAR`` (``--seed-scale``; 2054 gives the 2 million figures of the
   issue, ~9 minutes of one core), and the snapshots are computed (``recompute``) if there are none.
2. Creates (or resets the password of) one Steering Committee account, ``bench.load``; with writes, also one
   agency-staff account per commune that writes (``bench.writer.<code>``, ``--writer-agencies``) and one
   standing-office account (``bench.approver``), and deletes the figures those accounts entered in a previous run
   (so that each run has the same rows to fill and send).
3. Starts the production web process, ``scripts/serve`` (migrations, then gunicorn, ``--workers`` 4), bound to
   127.0.0.1 only, with the cache on ``REDIS_URL``; waits for ``/healthz``.
4. Logs in through the log-in form like a browser, and requests every page of the mix once (a warm-up that
   also checks each answers 200 and not the log-in page); then runs the mix unmeasured for ``--warm-seconds``
   (5), so that every worker has served every page once.
5. Runs ``wrk -t2 -c50 -d60s`` with a Lua script that sends the mix round-robin with the session cookie,
   counts every answer that is not a 200 as an error, and prints req/s, p50/p95/p99 and the errors; then the
   same for ``/healthz`` alone (``--healthz-seconds``, 0 to skip) as the ceiling of the stack. ``--mix lists`` is
   issue 13's mix (overview, lists, two indicator pages, API lists); ``--mix full`` (the default) every kind of
   page a reader opens: overview, plan, indicator, agency and task pages, the task board, the public pages, API
   lists.
6. Meanwhile, with ``--drafts-per-second`` or ``--approvals-per-second``, a department and the standing office
   work through the same server as browsers do: the writer opens its entry form (``/so-lieu/``) once per commune
   and posts one figure at a time as a draft (``action=draft``), round-robin over the communes' rows, and sends
   one figure to review as often as approvals are asked (``action=submit``); the approver opens the review queue
   (``/tham-dinh/``) and approves the oldest figure waiting (``action=approve``): ``--approvers`` reviewers (2)
   share the approvals, each taking the oldest figure no other has taken. A Celery worker
   (``scripts/worker``, one process) runs the recomputes the approvals ask for (``--no-celery`` to leave them
   queued). Each side prints how many it did a second and its own latency.
7. Stops gunicorn (and the worker). Results are kept in ``var/bench-load-LABEL.json``.

The open-data API's per-user throttle (600/min by default) is raised for the run: the benchmark measures the
server, not the rate limit. Traffic goes to 127.0.0.1 only, for a bounded time.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

#: the logged-in page mix of issue 13: the dashboards and the API lists, requested in turn
LISTS = [
    "/",
    "/chi-tieu/",
    "/chi-tieu/V.1/",
    "/co-quan/",
    "/nhiem-vu/",
    "/api/figures/",
    "/api/province-figures/",
    "/api/target-statuses/",
    "/api/tasks/",
]
#: every kind of page a reader opens (issue 23), requested in turn
FULL = [
    "/",
    "/chi-tieu/",
    "/chi-tieu/I.1/",
    "/chi-tieu/V.1/",
    "/co-quan/",
    "/co-quan/so-khcn/",
    "/co-quan/dvhc-11980/",
    "/nhiem-vu/",
    "/nhiem-vu/8/",
    "/nhiem-vu/19/",
    "/nhiem-vu/3/",
    "/cong-khai/",
    "/cong-khai/chi-tieu/I.1/",
    "/api/figures/",
    "/api/province-figures/",
    "/api/target-statuses/",
    "/api/tasks/",
]
MIXES = {"lists": LISTS, "full": FULL}
USERNAME = "bench.load"
WRITER = "bench.writer."
APPROVER = "bench.approver"

LUA = r"""
local paths = {PATHS}
local cookie = "COOKIE"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
  statuses = ""
  counter = math.random(1, #paths)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Cookie"] = cookie})
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if #statuses < 200 then statuses = statuses .. status .. " " end
  end
end

function done(summary, latency, requests)
  local bad, seen = 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("errors")
    seen = seen .. thread:get("statuses")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, ' ..
    '"max_ms": %.1f, "non_200": %d, "socket_errors": %d, "timeouts": %d, "statuses": "%s"}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, bad, e.connect + e.read + e.write, e.timeout, seen))
end
"""


def _django():
    import django

    django.setup()


def database_prepare(*, seed_scale: int | None) -> int:
    """The figures count; builds the data set first when the database holds no plan."""
    _django()
    from django.core.management import call_command

    from indicators.models import Observation, TargetStatus
    from indicators.selectors import plan_current

    call_command("migrate", verbosity=0)
    if plan_current() is None:
        if not seed_scale:
            sys.exit("The database holds no plan: pass --seed-scale 2054 to build the data set.")
        call_command("load_plan")
        started = time.monotonic()
        call_command("seed_demo", scale=seed_scale)
        print(f"seed_demo --scale {seed_scale}: {time.monotonic() - started:.0f} s")
    if not TargetStatus.objects.exists():
        call_command("recompute")
    return Observation.objects.count()


def _account(username: str, role: str, password: str, agency=None) -> None:
    from agencies.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
    user.role, user.agency, user.is_active = role, agency, True
    user.set_password(password)
    user.save()


def user_prepare() -> str:
    from agencies.models import User

    password = secrets.token_urlsafe(16)
    _account(USERNAME, User.Role.STEERING, password)
    return password


def writers_prepare(*, agencies: int, password: str) -> list[str]:
    """The communes that write (the first ``agencies`` by code with four rows or more to fill today), an account for
    each and one for the approver; the figures they entered in a previous run deleted. Returns the writers' names."""
    from django.utils import timezone

    from agencies.models import Agency, User
    from core.snapshots import snapshots_changed
    from entry.selectors import entry_rows
    from indicators.models import Observation
    from indicators.services import metrics_recompute_after_commit

    today = timezone.localdate()
    old = Observation.objects.filter(entered_by__username__startswith=WRITER)
    metrics = sorted(set(old.values_list("metric_id", flat=True)))
    old.delete()
    snapshots_changed()
    metrics_recompute_after_commit(metrics)
    _account(APPROVER, User.Role.REVIEWER, password, Agency.objects.filter(code="vp-tu").first())
    names = []
    for agency in Agency.objects.filter(kind=Agency.Kind.LOCALITY, is_active=True).order_by("code"):
        rows = entry_rows(agency=agency, as_of=today)
        if sum(1 for r in rows if r.editable) < 4:
            continue
        name = f"{WRITER}{agency.code}"
        _account(name, User.Role.AGENCY_STAFF, password, agency)
        names.append(name)
        if len(names) == agencies:
            break
    from django.db import connections

    connections.close_all()
    return names


def server_start(
    *, port: int, workers: int, log: Path, worker_class: str, worker_threads: int, trace: bool = True
) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_WORKER_CLASS=worker_class,
        GUNICORN_THREADS=str(worker_threads),
        DJANGO_DEBUG="false",
        DJANGO_LOG_LEVEL="WARNING",
        OPEN_DATA_THROTTLE_USER="1000000/min",
        OPEN_DATA_THROTTLE_ANON="1000000/min",
        # what the run's requests cost on the server, and which cached blocks they built (``server_log_summary``)
        SNAPSHOT_BUILD_LOG="DEBUG" if trace else "WARNING",
        REQUEST_COST_LOG="true" if trace else "false",
        GUNICORN_CMD_ARGS="--access-logformat 'ACCESS %(m)s %(U)s %(s)s %(M)s'",
    )
    process = subprocess.Popen(  # noqa: S603 - the project's own script, no shell
        [str(ROOT / "scripts" / "serve")],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so that stopping it stops every worker
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"scripts/serve exited ({process.returncode}); see {log}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server_stop(process)
    sys.exit(f"gunicorn did not answer /healthz within 120 s; see {log}")


def server_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def log_in(base: str, password: str, username: str = USERNAME) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/tai-khoan/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if token is None:
        sys.exit("No CSRF token on the log-in page.")
    answer = session.post(
        f"{base}/tai-khoan/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/tai-khoan/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        sys.exit(f"Log-in failed ({answer.status_code}).")
    return session


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ROW = re.compile(r'<tr id="chi-so-[^"]*"(?P<ratio> data-ratio)?[^>]*>.*?</tr>', re.S)
_VALUE = re.compile(r'name="(m\d+)-value"')
_WAITING = re.compile(r'name="o" value="(\d+)"')


@dataclass
class Side:
    """What one side of the writes did: how many, how long each took (ms), what went wrong."""

    name: str
    # appended to by several threads (list.append is atomic)
    failed: list[str] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    behind: int = 0

    def summary(self, seconds: float) -> dict:
        ms = sorted(self.ms)
        done = len(ms) - len(self.failed)
        return {
            "done": done,
            "per_second": done / seconds if seconds else 0.0,
            "failed": len(self.failed),
            "failures": self.failed[:5],
            "behind_schedule": self.behind,
            "p50_ms": statistics.median(ms) if ms else None,
            "p95_ms": ms[int(len(ms) * 0.95)] if ms else None,
        }


def _paced(rate: float, stop: threading.Event, side: Side, act) -> None:
    """Call ``act()`` ``rate`` times a second until ``stop``; a call that starts late is not made up for."""
    interval, due = 1 / rate, time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        if now < due:
            stop.wait(due - now)
            continue
        if now - due > interval:
            side.behind += 1
            due = now
        due += interval
        started = time.perf_counter()
        try:
            ok, why = act()
        except requests.RequestException as error:
            ok, why = False, type(error).__name__
        if not ok:
            side.failed.append(why)
        side.ms.append((time.perf_counter() - started) * 1000)


class Department:
    """Communes' staff saving figures through the entry form, each logged in as itself (``writers_prepare``)."""

    def __init__(self, base: str, names: list[str], password: str):
        self.base = base
        self.forms = []  # (session, csrf token, the rows' field prefixes): drafts round-robin, sends from the end
        for name in names:
            session = log_in(base, password, name)
            page = session.get(f"{base}/so-lieu/", timeout=30)
            rows = [(m.group(0), bool(m.group("ratio"))) for m in _ROW.finditer(page.text)]
            prefixes = [(found.group(1), ratio) for row, ratio in rows if (found := _VALUE.search(row))]
            self.forms.append((session, _TOKEN.search(page.text).group(1), prefixes))
        self.drafts = self.sends = 0
        self.lock = threading.Lock()

    def _post(self, session, token: str, row: tuple[str, bool], action: str) -> tuple[bool, str]:
        prefix, ratio = row
        number = str(10 + secrets.randbelow(90))
        data = {
            "csrfmiddlewaretoken": token,
            "action": action,
            f"{prefix}-note": "Số liệu thử tải (benchmarks/load.py)",
        }
        if ratio:  # a share: how many of a hundred
            data.update({f"{prefix}-numerator": number, f"{prefix}-denominator": "100"})
        else:
            data[f"{prefix}-value"] = number
        answer = session.post(f"{self.base}/so-lieu/", data=data, allow_redirects=False, timeout=30)
        return answer.status_code == 302, f"{action} {answer.status_code}"

    def save_draft(self) -> tuple[bool, str]:
        with self.lock:
            n = self.drafts
            self.drafts += 1
        session, token, prefixes = self.forms[n % len(self.forms)]
        # the first rows of each commune take the drafts, saved again and again; the last ones are sent
        row = prefixes[(n // len(self.forms)) % max(1, len(prefixes) // 2)]
        return self._post(session, token, row, "draft")

    def send(self) -> tuple[bool, str]:
        with self.lock:
            n = self.sends
            self.sends += 1
        session, token, prefixes = self.forms[n % len(self.forms)]
        sendable = prefixes[len(prefixes) // 2 :]
        k = n // len(self.forms)
        if k >= len(sendable):
            return False, "no row left to send"
        return self._post(session, token, sendable[k], "submit")


class Office:
    """The standing office approving through the review queue, each reviewer in a session of their own: the oldest
    figure waiting that no other reviewer of the office has taken."""

    def __init__(self, base: str, password: str, *, taken: set[str], lock: threading.Lock):
        self.base = base
        self.session = log_in(base, password, APPROVER)
        self.taken, self.lock = taken, lock

    def approve(self) -> tuple[bool, str]:
        queue = self.session.get(f"{self.base}/tham-dinh/", timeout=30)
        token = _TOKEN.search(queue.text).group(1)
        with self.lock:
            waiting = sorted(set(_WAITING.findall(queue.text)) - self.taken, key=int)
            if not waiting:
                return False, "queue empty"
            self.taken.add(waiting[0])
        data = {"csrfmiddlewaretoken": token, "action": "approve", "o": waiting[0]}
        answer = self.session.post(f"{self.base}/tham-dinh/", data=data, allow_redirects=False, timeout=30)
        return answer.status_code == 302, f"approve {answer.status_code}"


def warm_up(base: str, session: requests.Session, pages: list[str]) -> dict[str, float]:
    """Each page once (twice for the timing): it must answer 200 with the page, not the log-in form."""
    single = {}
    for page in pages:
        answer = session.get(base + page, allow_redirects=False, timeout=60)
        if answer.status_code != 200:
            sys.exit(f"{page} answered {answer.status_code} on the warm-up.")
        started = time.perf_counter()
        session.get(base + page, allow_redirects=False, timeout=60)
        single[page] = (time.perf_counter() - started) * 1000
    return single


_ACCESS = re.compile(r"^ACCESS (\S+) (\S+) (\d+) (\d+)$")
_BUILT = re.compile(r"^built (\S+) ([\d.]+) ([\d.]+)$")
_COST = re.compile(r"^cost (\S+) (\S+) ([\d.]+)$")
#: a full pass of the garbage collector in a gunicorn worker, with its time (the worker's threads wait for it)
_GC_FULL = re.compile(r"^gc-full ([\d.]+)$")
_MOVED = re.compile(r"(?:^|\] )moved (\S+)$")  # the worker's lines carry Celery's prefix
#: a page built ahead by the recompute in the worker (core/prebuild.py)
_AHEAD = re.compile(r"(?:^|\] )built-ahead (\S+) ([\d.]+) ([\d.]+)$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _block_name(key: str) -> str:
    """A cached block's name, with its path for a page (``block:overview:<day>:<language>:/:<query>:…``)."""
    parts = key.split(":")
    if len(parts) > 4 and _DAY.match(parts[2]):
        return f"{parts[1]} {parts[4]}"
    return parts[1]


def _log_lines(log: Path, start: int, end: int) -> list[str]:
    with log.open("rb") as f:
        f.seek(start)
        return f.read(end - start).decode("utf-8", "replace").splitlines()


def server_log_summary(log: Path, start: int, end: int, worker_lines: list[str]) -> dict:
    """From the server's log between two offsets (the run) and the worker's: each path's requests with their time on
    the server (gunicorn's access log), each cached block's builds with their time, and how often each kind of
    dependency moved (``metric:12`` counted as ``metric``)."""
    paths: dict[str, list[float]] = {}
    paths_cpu: dict[str, list[float]] = {}
    builds: dict[str, list[float]] = {}
    builds_cpu: dict[str, list[float]] = {}
    moves: dict[str, int] = {}
    full_passes: list[float] = []
    for line in [*_log_lines(log, start, end), *worker_lines]:
        if match := _GC_FULL.match(line):
            full_passes.append(float(match[1]))
        elif match := _ACCESS.match(line):
            paths.setdefault(f"{match[1]} {match[2]}", []).append(int(match[4]))
        elif match := _COST.match(line):
            paths_cpu.setdefault(f"{match[1]} {match[2]}", []).append(float(match[3]))
        elif match := _BUILT.match(line):
            builds.setdefault(_block_name(match[1]), []).append(float(match[2]))
            builds_cpu.setdefault(_block_name(match[1]), []).append(float(match[3]))
        elif match := _AHEAD.search(line):
            builds.setdefault(f"ahead: {_block_name(match[1])}", []).append(float(match[2]))
            builds_cpu.setdefault(f"ahead: {_block_name(match[1])}", []).append(float(match[3]))
        elif match := _MOVED.search(line):
            for kind in {key.split(":")[0] for key in match[1].split(",")}:
                moves[kind] = moves.get(kind, 0) + 1

    def summary(times: list[float]) -> dict:
        times = sorted(times)
        return {
            "n": len(times),
            "p50_ms": times[len(times) // 2],
            "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
            "total_ms": sum(times),
        }

    return {
        "paths": {path: summary(times) for path, times in sorted(paths.items())},
        "paths_cpu": {path: summary(times) for path, times in sorted(paths_cpu.items())},
        "builds": {name: summary(times) for name, times in sorted(builds.items())},
        "builds_cpu": {name: summary(times) for name, times in sorted(builds_cpu.items())},
        "moves": dict(sorted(moves.items())),
        "gc_full_passes": summary(full_passes) if full_passes else {"n": 0},
    }


def drain(base: str) -> None:
    """Wait until the workers have answered what the previous run left queued (/healthz quick again)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            requests.get(f"{base}/healthz", timeout=10)
        except requests.RequestException:
            continue
        if time.perf_counter() - started < 0.2:
            return
        time.sleep(1)


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of the live processes of a process group: gunicorn's master and workers."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # after the name: state, ppid, pgrp, …, utime (12th), stime (13th)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk_run(base: str, *, pages: list[str], cookie: str, threads: int, connections: int, seconds: int) -> dict:
    script = ROOT / "var" / "bench-load.lua"
    paths = "{" + ", ".join(json.dumps(p) for p in pages) + "}"
    script.write_text(LUA.replace("{PATHS}", paths).replace("COOKIE", cookie))
    command = [
        shutil.which("wrk") or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base + "/",
    ]
    output = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["req_per_s"] = result["requests"] / result["seconds"]
    result["errors"] = result["non_200"] + result["socket_errors"] + result["timeouts"]
    return result


def worker_start(log: Path) -> subprocess.Popen:
    """One Celery worker process (``scripts/worker``) for the recomputes the approvals ask for."""
    env = dict(os.environ, CELERY_CONCURRENCY="1", CELERY_LOG_LEVEL="WARNING", SNAPSHOT_BUILD_LOG="DEBUG")
    return subprocess.Popen(  # noqa: S603 - the project's own script, no shell
        [str(ROOT / "scripts" / "worker")],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def writes_run(
    base: str,
    *,
    names: list[str],
    password: str,
    drafts: float,
    approvals: float,
    approvers: int,
    stop: threading.Event,
):
    """The department's and the office's threads, started; with what each side did, filled in as they go."""
    department = Department(base, names, password) if drafts or approvals else None
    taken, lock = set(), threading.Lock()
    offices = [Office(base, password, taken=taken, lock=lock) for _ in range(approvers if approvals else 0)]
    sides, threads = {}, []
    if drafts:
        sides["drafts"] = Side("draft saves")
        threads.append((drafts, sides["drafts"], department.save_draft))
    if approvals:
        sides["sends"] = Side("figures sent")
        sides["approvals"] = Side("approvals")
        threads.append((approvals, sides["sends"], department.send))
    # several at once where one would fall behind (a save takes longer than its share of the second), as several
    # people of a department would; the office's reviewers (``--approvers``) share its approvals
    started = [
        threading.Thread(target=_paced, args=(rate / math.ceil(rate), stop, side, act), daemon=True)
        for rate, side, act in threads
        for _ in range(math.ceil(rate))
    ]
    started += [
        threading.Thread(
            target=_paced, args=(approvals / len(offices), stop, sides["approvals"], office.approve), daemon=True
        )
        for office in offices
    ]
    for thread in started:
        thread.start()
    return sides, started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-scale", type=int, metavar="YEAR", help="build an empty database to this year")
    parser.add_argument("--label", default="run")
    parser.add_argument("--mix", choices=sorted(MIXES), default="full")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--worker-class",
        default="config.gunicorn_worker.ThreadWorker",
        help="gunicorn's: scripts/serve's (the default), gthread (gunicorn's own threaded worker) or sync",
    )
    parser.add_argument("--worker-threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--healthz-seconds", type=int, default=15)
    parser.add_argument("--warm-seconds", type=int, default=5, help="the mix run unmeasured first, for every worker")
    parser.add_argument("--drafts-per-second", type=float, default=0.0, help="draft saves through the entry form")
    parser.add_argument(
        "--approvals-per-second", type=float, default=0.0, help="figures sent and approved through the review queue"
    )
    parser.add_argument("--writer-agencies", type=int, default=40, help="communes whose staff save and send")
    parser.add_argument(
        "--approvers", type=int, default=2, help="reviewers of the office sharing the approvals, each in a session"
    )
    parser.add_argument("--no-celery", action="store_true", help="start no Celery worker for the recomputes")
    parser.add_argument(
        "--no-trace", action="store_true", help="log no request's CPU time nor block built (their cost left out)"
    )
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        print("warning: REDIS_URL is not set; each gunicorn worker gets its own in-memory cache")
    pages = MIXES[args.mix]
    writes = bool(args.drafts_per_second or args.approvals_per_second)

    figures = database_prepare(seed_scale=args.seed_scale)
    password = user_prepare()
    names = writers_prepare(agencies=args.writer_agencies, password=password) if writes else []
    log = ROOT / "var" / f"bench-load-{args.label}-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    base = f"http://127.0.0.1:{args.port}"
    process = server_start(
        port=args.port,
        workers=args.workers,
        log=log,
        worker_class=args.worker_class,
        worker_threads=args.worker_threads,
        trace=not args.no_trace,
    )
    worker = None
    worker_log = ROOT / "var" / f"bench-load-{args.label}-celery.log"
    if writes and not args.no_celery:
        worker = worker_start(worker_log)
    stop = threading.Event()
    try:
        session = log_in(base, password)
        single = warm_up(base, session, pages)
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        # wrk with the run's clients: the mix as the logged-in reader, unless told otherwise (``/healthz``)
        clients = functools.partial(
            wrk_run, base, pages=pages, cookie=cookie, threads=args.threads, connections=args.connections
        )
        if args.warm_seconds:
            # the mix, unmeasured, so that every worker has served every page once: a worker's first requests load
            # its templates and connections, seconds of queueing that would otherwise be the run's p99
            clients(seconds=args.warm_seconds)
        sides, threads = writes_run(
            base,
            names=names,
            password=password,
            drafts=args.drafts_per_second,
            approvals=args.approvals_per_second,
            approvers=args.approvers,
            stop=stop,
        )
        started = time.monotonic()
        log_start = log.stat().st_size
        worker_start_at = worker_log.stat().st_size if worker is not None else 0
        cpu_before = group_cpu_seconds(process.pid)
        worker_cpu_before = group_cpu_seconds(worker.pid) if worker is not None else 0.0
        mix = clients(seconds=args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
        writes_done = {name: side.summary(elapsed) for name, side in sides.items()}
        # the machine is shared: its load over the run's last minute says what the figures are worth; the CPU
        # gunicorn spent per request does not depend on it (much)
        mix["load_average_1min"] = os.getloadavg()[0]
        mix["server_cpu_ms_per_request"] = (group_cpu_seconds(process.pid) - cpu_before) * 1000 / mix["requests"]
        # the recomputes and the pages they build ahead (core/prebuild.py) run in the worker, on the same cores
        if worker is not None:
            mix["worker_cpu_seconds"] = group_cpu_seconds(worker.pid) - worker_cpu_before
        worker_lines = _log_lines(worker_log, worker_start_at, worker_log.stat().st_size) if worker is not None else []
        server = server_log_summary(log, log_start, log.stat().st_size, worker_lines)
        healthz = None
        if args.healthz_seconds:
            drain(base)
            healthz = clients(pages=["/healthz"], cookie="", seconds=args.healthz_seconds)
    finally:
        stop.set()
        server_stop(process)
        if worker is not None:
            server_stop(worker)

    out = ROOT / "var" / f"bench-load-{args.label}.json"
    result = {
        "figures": figures,
        "mix": mix,
        "healthz": healthz,
        "single_ms": single,
        "writes": writes_done,
        "server": server,
    }
    out.write_text(json.dumps(result, indent=2))
    print(
        f"\n{args.label}: {figures:,} figures, {args.workers} gunicorn {args.worker_class} workers"
        f"{f' × {args.worker_threads} threads' if args.worker_class == 'gthread' else ''}, wrk -t{args.threads} "
        f"-c{args.connections} -d{args.seconds}s over {len(pages)} pages ({args.mix} mix); load average (1 min) at "
        f"the end of the mix: {mix['load_average_1min']:.1f} on {os.cpu_count()} cores\n"
    )
    print("| run | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for name, r in (("page mix", mix), ("/healthz", healthz)):
        if r:
            print(
                f"| {name} | {r['req_per_s']:.0f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | "
                f"{r['errors']} ({r['non_200']} non-200 {r['statuses'].strip()}, {r['timeouts']} timeouts) |"
            )
    if writes_done:
        office = f"{args.approvers} reviewers approving"
        print(f"\n| writes ({office}) | done | a second | p50 ms | p95 ms | failed | late |")
        print("|---|---|---|---|---|---|---|")
        for side in sides.values():
            r = side.summary(elapsed)
            p50 = f"{r['p50_ms']:.0f}" if r["p50_ms"] is not None else "—"
            p95 = f"{r['p95_ms']:.0f}" if r["p95_ms"] is not None else "—"
            failures = f" {', '.join(sorted(set(r['failures'])))}" if r["failed"] else ""
            print(
                f"| {side.name} | {r['done']} | {r['per_second']:.2f} | {p50} | {p95} | {r['failed']}{failures} | "
                f"{r['behind_schedule']} |"
            )
    print(f"\ngunicorn's CPU per request of the mix: {mix['server_cpu_ms_per_request']:.2f} ms")
    if passes := server["gc_full_passes"]["n"]:
        full = server["gc_full_passes"]
        print(
            f"full garbage-collection passes in gunicorn's workers: {passes}, p50 {full['p50_ms']:.0f} ms, "
            f"{full['total_ms'] / 1000:.1f} s in all (each stops its worker's threads)"
        )
    if "worker_cpu_seconds" in mix:
        worker_cpu = mix["worker_cpu_seconds"]
        print(f"the Celery worker's CPU during the mix (recomputes, pages built ahead): {worker_cpu:.1f} s")
    print(
        "\n| on the server, during the run | requests | p50 ms | p95 ms | CPU p50 ms | CPU total s | built "
        "| build p50 ms | build CPU p50 ms | build CPU total s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    builds, cpu = server["builds"], server["builds_cpu"]

    def block_of(path: str) -> str | None:
        path = path.split(" ", 1)[1]
        return next((name for name in builds if name.endswith(" " + path) and not name.startswith("ahead: ")), None)

    def cost(name: str | None) -> str:
        if name is None:
            return "0 | — | — | —"
        b, c = builds[name], cpu[name]
        return f"{b['n']} | {b['p50_ms']:.0f} | {c['p50_ms']:.0f} | {c['total_ms'] / 1000:.1f}"

    for path, r in server["paths"].items():
        c = server["paths_cpu"].get(path)
        spent = f"{c['p50_ms']:.0f} | {c['total_ms'] / 1000:.1f}" if c else "— | —"
        print(f"| {path} | {r['n']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {spent} | {cost(block_of(path))} |")
    shown = {block_of(path) for path in server["paths"]}
    for name in builds:
        if name not in shown:
            kind = "(built ahead by the worker)" if name.startswith("ahead: ") else "(block)"
            print(f"| {kind} {name.removeprefix('ahead: ')} | | | | | | {cost(name)} |")
    print("dependencies moved: " + ", ".join(f"{kind} {n}×" for kind, n in server["moves"].items()))
    print(
        "\none client, one request each after the warm-up (ms): "
        + ", ".join(f"{page} {ms:.0f}" for page, ms in single.items())
    )


if __name__ == "__main__":
    main()

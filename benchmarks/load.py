"""Throughput and latency of the real stack under 50 logged-in clients (not a test: figures go to
docs/performance.md).

Usage, against the database in DATABASE_URL and the Redis in REDIS_URL (both on this machine):

    export DATABASE_URL=postgres://plan65:plan65@127.0.0.1:5432/plan65_bench REDIS_URL=redis://127.0.0.1:6379/3
    .venv/bin/python benchmarks/load.py --seed-scale 2054 --label now

What it does, in order:

1. Reuses the database if it holds a plan and figures; an empty one is built first with ``migrate``,
   ``load_plan`` and ``seed_demo --scale YEAR`` (``--seed-scale``; 2054 gives the 2 million figures of the
   issue, ~9 minutes of one core), and the snapshots are computed (``recompute``) if there are none.
2. Creates (or resets the password of) one Steering Committee account, ``bench.load``.
3. Starts the production web process, ``scripts/serve`` (migrations, then gunicorn, ``--workers`` 4), bound to
   127.0.0.1 only, with the cache on ``REDIS_URL``; waits for ``/healthz``.
4. Logs in through the log-in form like a browser, and requests every page of the mix once (a warm-up that
   also checks each answers 200 and not the log-in page).
5. Runs ``wrk -t2 -c50 -d60s`` with a Lua script that sends the mix round-robin with the session cookie,
   counts every answer that is not a 200 as an error, and prints req/s, p50/p95/p99 and the errors; then the
   same for ``/healthz`` alone (``--healthz-seconds``, 0 to skip) as the ceiling of the stack.
6. Stops gunicorn. Results are kept in ``var/bench-load-LABEL.json``.

The open-data API's per-user throttle (600/min by default) is raised for the run: the benchmark measures the
server, not the rate limit. Traffic goes to 127.0.0.1 only, for a bounded time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

#: the logged-in page mix of issue 13: the dashboards and the API lists, requested in turn
PAGES = [
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
USERNAME = "bench.load"

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


def user_prepare() -> str:
    from agencies.models import User

    password = secrets.token_urlsafe(16)
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"role": User.Role.STEERING})
    user.role = User.Role.STEERING
    user.is_active = True
    user.set_password(password)
    user.save()
    from django.db import connections

    connections.close_all()
    return password


def server_start(*, port: int, workers: int, log: Path, worker_class: str, worker_threads: int) -> subprocess.Popen:
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


def log_in(base: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/tai-khoan/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if token is None:
        sys.exit("No CSRF token on the log-in page.")
    answer = session.post(
        f"{base}/tai-khoan/login/",
        data={"username": USERNAME, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/tai-khoan/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        sys.exit(f"Log-in failed ({answer.status_code}).")
    return session


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-scale", type=int, metavar="YEAR", help="build an empty database to this year")
    parser.add_argument("--label", default="run")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", help="gunicorn's: gthread (scripts/serve's) or sync")
    parser.add_argument("--worker-threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--healthz-seconds", type=int, default=15)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        print("warning: REDIS_URL is not set; each gunicorn worker gets its own in-memory cache")

    figures = database_prepare(seed_scale=args.seed_scale)
    password = user_prepare()
    log = ROOT / "var" / f"bench-load-{args.label}-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    base = f"http://127.0.0.1:{args.port}"
    process = server_start(
        port=args.port,
        workers=args.workers,
        log=log,
        worker_class=args.worker_class,
        worker_threads=args.worker_threads,
    )
    try:
        session = log_in(base, password)
        single = warm_up(base, session, PAGES)
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        cpu_before = group_cpu_seconds(process.pid)
        mix = wrk_run(
            base,
            pages=PAGES,
            cookie=cookie,
            threads=args.threads,
            connections=args.connections,
            seconds=args.seconds,
        )
        # the machine is shared: its load over the run's last minute says what the figures are worth; the CPU
        # gunicorn spent per request does not depend on it (much)
        mix["load_average_1min"] = os.getloadavg()[0]
        mix["server_cpu_ms_per_request"] = (group_cpu_seconds(process.pid) - cpu_before) * 1000 / mix["requests"]
        healthz = None
        if args.healthz_seconds:
            drain(base)
            healthz = wrk_run(
                base,
                pages=["/healthz"],
                cookie="",
                threads=args.threads,
                connections=args.connections,
                seconds=args.healthz_seconds,
            )
    finally:
        server_stop(process)

    out = ROOT / "var" / f"bench-load-{args.label}.json"
    out.write_text(json.dumps({"figures": figures, "mix": mix, "healthz": healthz, "single_ms": single}, indent=2))
    print(
        f"\n{args.label}: {figures:,} figures, {args.workers} gunicorn {args.worker_class} workers"
        f"{f' × {args.worker_threads} threads' if args.worker_class == 'gthread' else ''}, wrk -t{args.threads} "
        f"-c{args.connections} -d{args.seconds}s over {len(PAGES)} pages; load average (1 min) at the end of the "
        f"mix: {mix['load_average_1min']:.1f} on {os.cpu_count()} cores\n"
    )
    print("| run | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for name, r in (("page mix", mix), ("/healthz", healthz)):
        if r:
            print(
                f"| {name} | {r['req_per_s']:.0f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | "
                f"{r['errors']} ({r['non_200']} non-200 {r['statuses'].strip()}, {r['timeouts']} timeouts) |"
            )
    print(f"\ngunicorn's CPU per request of the mix: {mix['server_cpu_ms_per_request']:.2f} ms")
    print(
        "\none client, one request each after the warm-up (ms): "
        + ", ".join(f"{page} {ms:.0f}" for page, ms in single.items())
    )


if __name__ == "__main__":
    main()

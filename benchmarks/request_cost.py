"""CPU cost of one request of the logged-in page mix, end to end through the WSGI application (not a test:
figures go to docs/performance.md).

Throughput on a shared machine is noisy; the CPU a request costs in the web process is not. This script calls
``config.wsgi.application`` — the object gunicorn serves, with every middleware — in one process, with a real
session cookie of a Steering Committee member, ``DEBUG`` off as in production, and measures per page the
process CPU time (``time.process_time``) and wall time, with the database queries and cache round trips each
request makes. The database's and Redis's own CPU is not in the figure (other processes); their round trips are
counted instead.

    export DATABASE_URL=postgres://plan65:plan65@127.0.0.1:5432/plan65_bench REDIS_URL=redis://127.0.0.1:6379/5
    .venv/bin/python benchmarks/request_cost.py --label after
    .venv/bin/python benchmarks/request_cost.py --label after --compare before
    .venv/bin/python benchmarks/request_cost.py --profile 500      # cProfile over 500 requests of the mix

On a machine shared with other jobs, compare two trees by alternating their runs with ``--accumulate`` (each
keeps its best figure per page), e.g. the tree before the change checked out in another worktree:

    for i in 1 2 3 4; do (cd ../before && python benchmarks/request_cost.py --rounds 1 --label before --accumulate)
                         python benchmarks/request_cost.py --rounds 1 --label after --accumulate; done

Results are kept in ``var/bench-cost-LABEL.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
# the benchmark measures the server, not the open-data rate limit
os.environ.setdefault("OPEN_DATA_THROTTLE_USER", "1000000/min")

import django  # noqa: E402

django.setup()

import load  # noqa: E402  (benchmarks/load.py, beside this script)
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from agencies.models import User  # noqa: E402
from config.wsgi import application  # noqa: E402  (what gunicorn serves)

#: the full page mix of benchmarks/load.py (every kind of page), plus /healthz as the floor of the stack
PAGES = [*load.FULL, "/healthz"]
USERNAME = "bench.cost"


def session_cookie() -> str:
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"role": User.Role.STEERING})
    client = Client()
    client.force_login(user)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    # a browser that has seen a form sends its CSRF cookie back (the log-in page set it)
    cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def environ_for(path: str, cookie: str) -> dict:
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_COOKIE": cookie,
        "HTTP_ACCEPT": "text/html,application/json",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


class Counter:
    """Counts the database queries (an execute wrapper) and the cache client's round trips."""

    def __init__(self):
        self.queries = 0
        self.cache_calls = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def _count_cache_calls(counter: Counter) -> None:
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return
    get_client = backend.get_client

    def counting(*args, **kwargs):
        counter.cache_calls += 1
        return get_client(*args, **kwargs)

    backend.get_client = counting


def request(path: str, cookie: str) -> int:
    status = []
    body = application(environ_for(path, cookie), lambda s, headers, exc=None: status.append(s))
    try:
        for _chunk in body:
            pass
    finally:
        body.close()  # request_finished: what gunicorn does after each answer
    return int(status[0].split()[0])


def measure(runs: int, rounds: int, cookie: str) -> dict:
    """Per page, the median of ``runs`` requests in each of ``rounds`` rounds over the mix; the best round is
    kept: on a machine shared with other jobs, a round that ran beside them only measures them."""
    counter = Counter()
    _count_cache_calls(counter)
    results = {}
    with connection.execute_wrapper(counter):
        for path in PAGES:
            for _ in range(3):
                code = request(path, cookie)
                if code != 200:
                    sys.exit(f"{path} answered {code}")
        for _ in range(rounds):
            for path in PAGES:
                cpu, wall = [], []
                counter.queries = counter.cache_calls = 0
                for _ in range(runs):
                    c0, w0 = time.process_time(), time.perf_counter()
                    request(path, cookie)
                    cpu.append((time.process_time() - c0) * 1000)
                    wall.append((time.perf_counter() - w0) * 1000)
                best = results.get(path)
                if best is None or statistics.median(cpu) < best["cpu_ms"]:
                    results[path] = {
                        "cpu_ms": statistics.median(cpu),
                        "wall_ms": statistics.median(wall),
                        "queries": counter.queries / runs,
                        "cache_calls": counter.cache_calls / runs,
                    }
    return results


def profile(total: int, cookie: str, sort: str) -> None:
    for path in PAGES:
        request(path, cookie)
    profiler = cProfile.Profile()
    mix = [p for p in PAGES if p != "/healthz"]
    profiler.enable()
    for i in range(total):
        request(mix[i % len(mix)], cookie)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats(sort).print_stats(45)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="requests per page in each round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--label", default="run")
    parser.add_argument("--compare", help="label of an earlier run to show beside this one")
    parser.add_argument(
        "--accumulate",
        action="store_true",
        help="keep, per page, the best of this run and the label's earlier ones (alternate two trees' runs)",
    )
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile N requests of the mix instead")
    parser.add_argument("--sort", default="cumulative", help="pstats order for --profile (cumulative, tottime)")
    args = parser.parse_args()
    cookie = session_cookie()
    if args.profile:
        profile(args.profile, cookie, args.sort)
        return
    results = measure(args.runs, args.rounds, cookie)
    out = ROOT / "var" / f"bench-cost-{args.label}.json"
    out.parent.mkdir(exist_ok=True)
    if args.accumulate and out.exists():
        kept = json.loads(out.read_text())
        results = {p: min(r, kept.get(p, r), key=lambda x: x["cpu_ms"]) for p, r in results.items()}
    out.write_text(json.dumps(results, indent=2))
    earlier = json.loads((ROOT / "var" / f"bench-cost-{args.compare}.json").read_text()) if args.compare else {}
    print(
        f"{args.label}: CPU ms of the web process per request, median of {args.runs} requests, best of "
        f"{args.rounds} rounds; DEBUG={settings.DEBUG}, cache {settings.CACHES['default']['BACKEND']}\n"
    )
    if earlier:
        print(f"| page | CPU ms {args.compare} | CPU ms {args.label} | queries | cache calls | wall ms |")
    else:
        print("| page | CPU ms | queries | cache calls | wall ms |")
    print("|---|---|---|---|---|" + ("---|" if earlier else ""))
    for path, r in results.items():
        cells = [f"`{path}`"]
        if earlier:
            e = earlier[path]
            cells += [f"{e['cpu_ms']:.2f}", f"{r['cpu_ms']:.2f}"]
            cells += [f"{e['queries']:.0f} → {r['queries']:.0f}", f"{e['cache_calls']:.0f} → {r['cache_calls']:.0f}"]
            cells += [f"{e['wall_ms']:.2f} → {r['wall_ms']:.2f}"]
        else:
            cells += [f"{r['cpu_ms']:.2f}", f"{r['queries']:.0f}", f"{r['cache_calls']:.0f}", f"{r['wall_ms']:.2f}"]
        print("| " + " | ".join(cells) + " |")
    mix = statistics.mean(r["cpu_ms"] for p, r in results.items() if p != "/healthz")
    print(f"\nmix: {mix:.2f} CPU ms per request in the web process (at most {2000 / mix:.0f} req/s on 2 cores)")
    if earlier:
        before = statistics.mean(r["cpu_ms"] for p, r in earlier.items() if p != "/healthz")
        print(f"{args.compare}: {before:.2f} CPU ms per request")


if __name__ == "__main__":
    main()

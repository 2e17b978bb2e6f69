"""How long a page takes to build when its data changed (a "cold" build), read-only (figures go to
docs/performance.md, "Cold builds").

    DATABASE_URL=postgres://…/demo .venv/bin/python benchmarks/cold_builds.py --runs 10 --label small
    DATABASE_URL=postgres://…/large .venv/bin/python benchmarks/cold_builds.py --runs 10 --label large
    DATABASE_URL=… REDIS_URL=… .venv/bin/python benchmarks/cold_builds.py --runs 10 --warm --label large-warm

The pages a reader finds rebuilt after an approval (overview, plan, two agency pages, an indicator, the public page
and a public indicator, the statuses API) are asked as a Steering Committee member, the review queue
(``/tham-dinh/``, never cached) as the standing office; ``latest-statuses`` is the statuses block those pages share
(``dashboards.selectors.latest_statuses`` → ``indicators.statuses.target_statuses_at``), timed alone.

By default every request builds everything (``DASHBOARD_CACHE_SECONDS`` 0: the page's body, the shared blocks, the
reader's user and badges). With ``--warm`` (Redis needed) the page's own body (``cached_page_block``) is built on
every request and the blocks it shares with other pages come from the cache, as after an approval once the first page
has rebuilt the statuses block: the reader's user and badges, the occurrence counts (an approval does not move
them) and the statuses (an approval moves them: their build is the ``latest-statuses`` line, paid once for all
pages). Its cache entries live under a key prefix of their own.

It writes nothing to the database: its connection is read-only (``default_transaction_read_only``), the session is
a signed cookie, and it logs in as an existing user of each role (``--steering``, ``--reviewer``: a user name). So it
may measure a database someone else owns. It prints each page's median and best time, its query count and the time
PostgreSQL and Python's garbage collector took of it; ``--profile N`` prints the N costliest functions of each
page (cProfile, cumulative; PROFILE_SORT=tottime for their own time).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
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

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--runs", type=int, default=10)
parser.add_argument("--label", default="run")
parser.add_argument("--warm", action="store_true", help="the page's body built, the blocks it shares from the cache")
parser.add_argument("--steering", help="user name of a Steering Committee member (default: the first)")
parser.add_argument("--reviewer", help="user name of the standing office (default: the first)")
parser.add_argument("--only", help="measure the pages whose name contains this")
parser.add_argument("--skip", help="leave out the pages whose name begins with this")
parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions of each page")
args = parser.parse_args()
if args.warm:
    if not os.environ.get("REDIS_URL"):
        sys.exit("--warm reads the shared blocks from the cache: set REDIS_URL")
    os.environ["DASHBOARD_CACHE_SECONDS"] = "600"
    os.environ["CACHE_KEY_PREFIX"] = f"bench-cold-{os.getpid()}"  # nothing from another database or run
else:
    os.environ["DASHBOARD_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.contrib.auth import user_logged_in  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from agencies.models import User  # noqa: E402
from core.workflow import SubmissionStatus  # noqa: E402
from indicators.models import Observation  # noqa: E402
from indicators.selectors import plan_current  # noqa: E402
from indicators.statuses import target_statuses_at  # noqa: E402

READER_PAGES = {
    "overview /": "/",
    "plan /chi-tieu/": "/chi-tieu/",
    "agency so-khcn": "/co-quan/so-khcn/",
    "agency dvhc-11980": "/co-quan/dvhc-11980/",
    "indicator I.1": "/chi-tieu/I.1/",
    "public page": "/cong-khai/",
    "public indicator I.1": "/cong-khai/chi-tieu/I.1/",
    "API target statuses": "/api/target-statuses/",
}
OFFICE_PAGES = {"review queue /tham-dinh/": "/tham-dinh/"}


def _read_only(sender, connection, **kwargs) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")


def _client(username: str) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=username))
    return client


def _user(role: str, wanted: str | None) -> str:
    if wanted:
        return wanted
    user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
    if user is None:
        sys.exit(f"No active user with the role {role}: name one (--{role})")
    return user.username


def _body_always_built(name, path, query, *parts, depends=(), build):
    return build()


def main() -> None:
    if args.warm:
        import dashboards.pages
        import opendata.api

        dashboards.pages.cached_page_block = _body_always_built
        opendata.api.cached_page_block = _body_always_built

    connection_created.connect(_read_only)
    connection.close()  # the next query opens a read-only connection
    # nothing written on log-in (the last log-in, django-axes' log); the session is a signed cookie
    user_logged_in.receivers.clear()
    user_logged_in.sender_receivers_cache.clear()

    plan = plan_current()
    if plan is None:
        sys.exit("No plan loaded")
    waiting = Observation.objects.filter(status=SubmissionStatus.SUBMITTED).count()
    figures = Observation.objects.count()
    queries: list[float] = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - start) * 1000)

    collected: list[float] = []  # Python's garbage collections during a request, in ms
    began = [0.0]

    def collecting(phase, info):
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            collected.append((time.perf_counter() - began[0]) * 1000)

    gc.callbacks.append(collecting)

    def measure(name: str, call) -> dict:
        for _ in range(2):
            call()
        times, sql, collecting = [], [], []
        for _ in range(args.runs):
            queries.clear()
            collected.clear()
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
            sql.append(sum(queries))
            collecting.append(sum(collected))
        result = {
            "median_ms": statistics.median(times),
            "best_ms": min(times),
            "queries": len(queries),
            "sql_ms": statistics.median(sql),
            "gc_ms": statistics.median(collecting),
        }
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.runs):
                call()
            profile.disable()
            print(f"\n== {name}")
            pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.profile)
        return result

    def page(client: Client, url: str):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    sessions = "django.contrib.sessions.backends.signed_cookies"
    results = {}
    with (
        override_settings(SESSION_ENGINE=sessions, OPEN_DATA_THROTTLE_USER="1000000/min"),
        connection.execute_wrapper(timed),
    ):
        reader, office = _client(_user("steering", args.steering)), _client(_user("reviewer", args.reviewer))
        wanted = [
            *((name, page(reader, url)) for name, url in READER_PAGES.items()),
            *((name, page(office, url)) for name, url in OFFICE_PAGES.items()),
            ("block latest-statuses", lambda: target_statuses_at(plan=plan)),
        ]
        for name, call in wanted:
            if (args.only and args.only not in name) or (args.skip and name.startswith(args.skip)):
                continue
            results[name] = measure(name, call)

    out = ROOT / "var" / f"bench-cold-{args.label}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"figures": figures, "waiting": waiting, "runs": args.runs, "pages": results}, indent=2))
    mode = "page bodies built, shared blocks cached" if args.warm else "everything built"
    print(f"\n{args.label}: {figures:,} figures ({waiting} waiting for review), {args.runs} runs per page, {mode}\n")
    print("| page | median ms | best ms | queries | SQL ms (median) | garbage collection ms (median) |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['median_ms']:.1f} | {r['best_ms']:.1f} | {r['queries']} | {r['sql_ms']:.1f} "
            f"| {r['gc_ms']:.1f} |"
        )


if __name__ == "__main__":
    main()

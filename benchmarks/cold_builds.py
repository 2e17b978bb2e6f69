"""How long a page takes to build when its data changed (a "cold" build), read-only (figures go to
docs/performance.md, "Cold builds").

    DATABASE_URL=postgres://…/demo .venv/bin/python benchmarks/cold_builds.py --runs 10 --label small
    DATABASE_URL=postgres://…/large .venv/bin/python benchmarks/cold_builds.py --runs 10 --label large

Every page is built on every request (``DASHBOARD_CACHE_SECONDS`` 0, nothing cached: the page's body, the shared
statuses block, the reader's user and badges), as the first reader after an approval finds it at worst. The pages a
reader finds rebuilt after an approval (overview, plan, two agency pages, an indicator, the public page and a public
indicator, the statuses API) are asked as a Steering Committee member, the review queue (``/tham-dinh/``, never
cached) as the standing office; ``latest-statuses`` is the statuses block every page shares
(``dashboards.selectors.latest_statuses`` → ``indicators.statuses.target_statuses_at``), timed alone.

It writes nothing: its database connection is read-only (``default_transaction_read_only``), the session is a signed
cookie, and it logs in as an existing user of each role (``--steering``, ``--reviewer``: a user name). So it may
measure a database someone else owns. It prints each page's median and best time, its query count and the time
PostgreSQL took of it; ``--profile N`` prints the N costliest functions of each page (cProfile, cumulative).
"""

from __future__ import annotations

import argparse
import cProfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--label", default="run")
    parser.add_argument("--steering", help="user name of a Steering Committee member (default: the first)")
    parser.add_argument("--reviewer", help="user name of the standing office (default: the first)")
    parser.add_argument("--only", help="measure the pages whose name contains this")
    parser.add_argument("--skip", help="leave out the pages whose name contains this")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions of each page")
    args = parser.parse_args()

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

    def measure(name: str, call) -> dict:
        for _ in range(2):
            call()
        times, sql = [], []
        for _ in range(args.runs):
            queries.clear()
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
            sql.append(sum(queries))
        result = {
            "median_ms": statistics.median(times),
            "best_ms": min(times),
            "queries": len(queries),
            "sql_ms": statistics.median(sql),
        }
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.runs):
                call()
            profile.disable()
            print(f"\n== {name}")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
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
            if (args.only and args.only not in name) or (args.skip and args.skip in name):
                continue
            results[name] = measure(name, call)

    out = ROOT / "var" / f"bench-cold-{args.label}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"figures": figures, "waiting": waiting, "runs": args.runs, "pages": results}, indent=2))
    print(f"\n{args.label}: {figures:,} figures ({waiting} waiting for review), {args.runs} runs per page\n")
    print("| page | median ms | best ms | queries | SQL ms (median) |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['median_ms']:.1f} | {r['best_ms']:.1f} | {r['queries']} | {r['sql_ms']:.1f} |")


if __name__ == "__main__":
    main()

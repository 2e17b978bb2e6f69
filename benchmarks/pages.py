"""Server time and page weight of the dashboards (not a test: figures go to docs/performance.md).

Usage, against the database in DATABASE_URL: the small demo data, then the large data set of
``seed_demo --scale``, each with its snapshots computed (``python manage.py recompute --as-of DAY``):

    DATABASE_URL=postgres://…/small .venv/bin/python benchmarks/pages.py --runs 30 --label small
    DATABASE_URL=postgres://…/large .venv/bin/python benchmarks/pages.py --runs 30 --label large --compare small

Each page is requested ``--runs`` times through Django's test client as a Steering Committee member (after two
warm-up requests, ``DEBUG`` off as in production); the script prints median and 95th percentile server time, the
query count, and the first-load weight (HTML + the page's JS and CSS, raw and gzip-compressed as whitenoise serves
them). Results are kept in ``var/bench-pages-LABEL.json``; with ``--compare`` the table puts both runs side by side
with the ratio of the medians. With ``REDIS_URL`` set, pages and API lists come from the snapshot cache after the
warm-up (what readers get between two writes); ``DASHBOARD_CACHE_SECONDS=0`` measures building them. If no progress
snapshot exists yet, plausible snapshot rows are written first with tests/factories.py (the province values from
the real figures).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import User  # noqa: E402
from indicators.models import Observation, TargetStatus  # noqa: E402
from indicators.selectors import plan_current  # noqa: E402

PAGES = {
    "overview /": "/",
    "overview, 2045, communes": "/?moc=2045&loai=locality",
    "indicator I.1": "/chi-tieu/I.1/",
    "indicator III.3": "/chi-tieu/III.3/",
    "indicator II.2 (per commune)": "/chi-tieu/II.2/",
    "agency so-khcn": "/co-quan/so-khcn/",
    "agency, a commune": "/co-quan/dvhc-11980/",
    "agency scorecard": "/co-quan/",
    "task board": "/nhiem-vu/",
    "task board, filtered": "/nhiem-vu/?thoi_han=recurring&trang_thai=overdue",
    "plan /chi-tieu/": "/chi-tieu/",
    "task 8 (118 agencies)": "/nhiem-vu/8/",
    "task 19": "/nhiem-vu/19/",
    "task 3": "/nhiem-vu/3/",
    "public page": "/cong-khai/",
    "public indicator I.1": "/cong-khai/chi-tieu/I.1/",
    "API figures, first page": "/api/figures/",
    "API figures, one metric": "/api/figures/?metric=coverage_5g",
    "API figures, one agency, deep": "/api/figures/?agency=so-khcn&after=1900000",
    "API province figures": "/api/province-figures/",
}
_ASSET = re.compile(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"')


def _asset_bytes(html: str) -> tuple[int, int]:
    raw = compressed = 0
    for url in set(_ASSET.findall(html)):
        path = ROOT / "static" / url.removeprefix(settings.STATIC_URL)
        data = path.read_bytes()
        raw += len(data)
        compressed += len(gzip.compress(data, 6))
    return raw, compressed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--label", default="run")
    parser.add_argument("--compare", help="label of an earlier run to divide by (large/small)")
    args = parser.parse_args()

    plan = plan_current()
    if plan is None:
        sys.exit("No plan loaded: python manage.py load_plan && python manage.py seed_demo")
    if not TargetStatus.objects.exists():
        from tests.factories import snapshots_fill

        snapshots_fill(plan, as_of=timezone.localdate(), size=2, figures=False)
    user, _ = User.objects.get_or_create(username="bench.bcd", defaults={"role": User.Role.STEERING})
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    observations = Observation.objects.count()

    results = {}
    queries = []

    def counting(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # DEBUG off, as in production (queries counted by a wrapper); the open-data throttle raised (this measures
    # the server, not the rate limit)
    with override_settings(OPEN_DATA_THROTTLE_USER="1000000/min"), connection.execute_wrapper(counting):
        for name, url in PAGES.items():
            for _ in range(2):
                client.get(url)
            times = []
            for _ in range(args.runs):
                queries.clear()
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            html = response.content.decode()
            assets_raw, assets_gzip = _asset_bytes(html)
            results[name] = {
                "median_ms": statistics.median(times),
                "p95_ms": _percentile(times, 0.95),
                "queries": len(queries),
                "html_bytes": len(response.content),
                "first_load_bytes": len(response.content) + assets_raw,
                "first_load_gzip_bytes": len(gzip.compress(response.content, 6)) + assets_gzip,
            }

    out = ROOT / "var" / f"bench-pages-{args.label}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"observations": observations, "runs": args.runs, "pages": results}, indent=2))
    print(f"{args.label}: {observations:,} observations, {connection.vendor}, {args.runs} runs per page\n")
    if args.compare:
        earlier = json.loads((ROOT / "var" / f"bench-pages-{args.compare}.json").read_text())
        _print_comparison(results, earlier, args.label, args.compare)
        return
    header = "| page | median ms | p95 ms | queries | HTML KB | first load KB (gzip) |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name, r in results.items():
        print(
            f"| {name} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['queries']} | {r['html_bytes'] / 1024:.0f} | "
            f"{r['first_load_bytes'] / 1024:.0f} ({r['first_load_gzip_bytes'] / 1024:.0f}) |"
        )


def _print_comparison(results: dict, earlier: dict, label: str, other: str) -> None:
    """Both runs side by side (the earlier one first), with the ratio of the medians."""
    print(f"{other}: {earlier['observations']:,} observations\n")
    header = (
        f"| page | median ms {other} | p95 ms {other} | median ms {label} | p95 ms {label} | "
        f"ratio median {label}/{other} | queries {other} / {label} | first load KB {label} (gzip) |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name, r in results.items():
        e = earlier["pages"][name]
        print(
            f"| {name} | {e['median_ms']:.1f} | {e['p95_ms']:.1f} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | "
            f"{r['median_ms'] / e['median_ms']:.2f} | {e['queries']} / {r['queries']} | "
            f"{r['first_load_bytes'] / 1024:.0f} ({r['first_load_gzip_bytes'] / 1024:.0f}) |"
        )


if __name__ == "__main__":
    main()

"""The data explorer's queries (/tra-cuu/) on a large database (not a test: figures go to docs/performance.md).

Usage, against the database in DATABASE_URL (``seed_demo --scale YEAR``, then ``recompute --as-of DAY`` so that the
province values cover the scaled years):

    DATABASE_URL=postgres://…/plan65_25 .venv/bin/python benchmarks/explorer.py --runs 20 --today 2041-12-31

Each case is a query string as the page's form makes it. Per case the script reads what the page reads for its
table — the query's metrics and agencies, the periods of its years, the figures (``dashboards.selectors``) — and
builds the pivot (``dashboards.explorer.pivot``), ``--runs`` times after two warm-up runs, as a Steering Committee
member (and, for one case, as agency staff, whose reads are scoped). It prints the median and 95th percentile of
the time PostgreSQL spent on the queries (as Django measures each one), of the whole read-and-pivot, the number of
queries, the figures read and the table's cells; then the page itself, built (no cache), through the test client,
as if on ``--today`` (the scaled data fill the years up to it).
Results go to ``var/bench-explorer.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from agencies.models import Agency, User  # noqa: E402
from dashboards import explorer, selectors  # noqa: E402
from indicators.models import Observation  # noqa: E402
from indicators.selectors import plan_current  # noqa: E402

CASES = {
    "province, group V's 13 metrics, by quarter, 3 years": (
        "steering",
        "&".join(f"chi_tieu=V.{n}" for n in range(1, 14)) + "&theo=quy&tu={y2}&den={y}",
    ),
    "one monthly metric, 104 communes × 12 months": (
        "steering",
        "chi_so=online_admin_dossiers&loai=locality&theo=thang&tu={y}&den={y}&hang=co-quan&cot=ky",
    ),
    "one metric, 118 agencies × 20 quarters": (
        "steering",
        "chi_so=digitized_admin_records&theo=quy&tu={y4}&den={y}&hang=co-quan&cot=ky",
    ),
    "5 metrics, the departments together, by year, 5 years": (
        "steering",
        "chi_so=online_admin_dossiers&chi_so=digitized_admin_records&chi_so=full_online_public_services"
        "&chi_so=civil_servants_digital_skills&chi_so=business_procedures_online&loai=department&theo=nam"
        "&tu={y4}&den={y}",
    ),
    "3 monthly metrics, every figure seen (not only approved), 3 years": (
        "steering",
        "chi_so=online_admin_dossiers&chi_so=digitized_admin_records&chi_so=vneid_accounts&theo=thang"
        "&tu={y2}&den={y}&trang_thai=tat-ca",
    ),
    "agency staff, every figure they may see, 104 communes × 12 months": (
        "staff",
        "chi_so=online_admin_dossiers&loai=locality&theo=thang&tu={y}&den={y}&hang=co-quan&cot=ky&trang_thai=tat-ca",
    ),
    "at the cap: 2 monthly metrics × 118 agencies × 7 years (19 824 figures), agencies on the rows": (
        "steering",
        "chi_so=online_admin_dossiers&chi_so=digitized_admin_records&theo=nam&tu={y6}&den={y}&hang=co-quan&cot=chi-so",
    ),
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _reader(kind: str) -> User:
    if kind == "staff":
        agency = Agency.objects.get(code="so-khcn")
        user, _ = User.objects.get_or_create(
            username="bench.explorer.staff", defaults={"role": User.Role.AGENCY_STAFF, "agency": agency}
        )
    else:
        user, _ = User.objects.get_or_create(username="bench.explorer", defaults={"role": User.Role.STEERING})
    user.set_password("bench-Explorer-65")
    user.save()
    return user


def _read(plan, query, viewer):
    selection = selectors.explorer_selection(plan=plan, query=query)
    figures = selectors.explorer_figures(query=query, selection=selection, viewer=viewer)
    table = explorer.pivot(
        figures,
        query=query,
        metrics=[explorer.MetricInfo(m.pk, m.code, m.name, m.unit, m.kind, m.ratio_scale) for m in selection.metrics],
        agencies=[explorer.Member(a.pk, a.display_name) for a in selection.agencies],
    )
    return figures, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(), help="the last year asked")
    parser.add_argument("--only", default="", help="cases whose name contains this")
    args = parser.parse_args()
    plan = plan_current()
    year = args.today.year
    years = {"y": year, "y2": year - 2, "y4": year - 4, "y6": year - 6}
    print(f"{Observation.objects.count():,} figures; cases up to {year}; {args.runs} runs each\n")
    results = {}
    client = Client()
    for name, (reader, text) in CASES.items():
        if args.only and args.only not in name:
            continue
        viewer = _reader(reader)
        query, errors = explorer.query_from(QueryDict(text.format(**years)), today=args.today, plan_year=2026)
        assert not errors, errors
        sql, wall, queries = [], [], 0
        for run in range(args.runs + 2):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                figures, table = _read(plan, query, viewer)
                elapsed = time.perf_counter() - started
            if run >= 2:
                sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
                wall.append(elapsed * 1000)
            queries = len(captured)
        client.force_login(viewer)
        # the page as if on --today, whose years the scaled data fill (the form admits years up to next year)
        with (
            override_settings(DASHBOARD_CACHE_SECONDS=0, DEBUG=False, ALLOWED_HOSTS=["testserver"]),
            mock.patch("dashboards.views._today", return_value=args.today),
        ):
            page = []
            for run in range(min(args.runs, 10) + 1):
                started = time.perf_counter()
                response = client.get("/tra-cuu/?" + text.format(**years))
                if run:
                    page.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200 and b"pivot" in response.content, name
        results[name] = {
            "sql_median_ms": statistics.median(sql),
            "sql_p95_ms": _percentile(sql, 0.95),
            "read_and_pivot_median_ms": statistics.median(wall),
            "queries": queries,
            "figures": len(figures),
            "cells": table.cell_count,
            "page_median_ms": statistics.median(page),
        }
        r = results[name]
        print(
            f"{name}\n  SQL {r['sql_median_ms']:.1f} ms (p95 {r['sql_p95_ms']:.1f}) · read + pivot "
            f"{r['read_and_pivot_median_ms']:.1f} ms · {queries} queries · {r['figures']} rows · "
            f"{r['cells']} cells · page built {r['page_median_ms']:.0f} ms"
        )
    out = ROOT / "var" / "bench-explorer.json"
    out.write_text(json.dumps({"load": os.getloadavg(), "results": results}, indent=1), encoding="utf-8")
    print(f"\nload average {os.getloadavg()}; kept in {out}")


if __name__ == "__main__":
    main()

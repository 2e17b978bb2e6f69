"""Benchmark of the progress engine on the ``seed_demo --scale YEAR`` data set (not a test).

    export DATABASE_URL=postgres://plan65:plan65@127.0.0.1:5432/plan65_bench
    python manage.py migrate && python manage.py load_plan
    python manage.py seed_demo --scale 2054      # 118 agencies × 47 metrics × 360 months ≈ 2,0 million figures
    python benchmarks/recompute.py [--as-of 2054-12-31] [--repeat 3]

Reports the time of a full recompute (every target, the grouped queries, the province values stored for the
pages) and of a single-approval recompute (one metric's targets and values), best of ``--repeat`` runs, each
run's time listed above it (the first full run writes the province values of a new as-of date; the next ones
find them unchanged). The figures measured go to docs/performance.md. It leaves the statuses as of
``--as-of`` behind: undo them as docs/performance.md shows.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from indicators.models import Metric, Observation, ParsedTarget, ProvinceValue  # noqa: E402
from indicators.selectors import province_series  # noqa: E402
from indicators.services import target_statuses_recompute  # noqa: E402


def best_of(repeat: int, run) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    print("  runs: " + ", ".join(f"{t:.2f} s" for t in times))
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2054, 12, 31))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    figures = Observation.objects.count()
    first = (ParsedTarget.objects.values("metric_id").order_by("metric_id").first() or {"metric_id": None})["metric_id"]
    metric = Metric.objects.get(pk=first)  # any metric: each has about the same number of figures
    print(f"database: {connection.vendor} · figures: {figures:,} · parsed targets: {ParsedTarget.objects.count()}")

    def grouped():
        with transaction.atomic():  # as in the recompute: its work_mem and jit settings last a transaction
            return province_series(as_of=args.as_of)

    seconds, series = best_of(args.repeat, grouped)
    print(f"grouped query (province series, all metrics): {seconds:.2f} s, {sum(map(len, series.values())):,} points")
    seconds, rows = best_of(args.repeat, lambda: target_statuses_recompute(as_of=args.as_of))
    values = ProvinceValue.objects.count()
    print(f"full recompute: {seconds:.2f} s ({rows} target statuses and {values:,} province values written)")
    seconds, rows = best_of(args.repeat, lambda: target_statuses_recompute(as_of=args.as_of, metric_ids=[metric.pk]))
    print(f"single-approval recompute (metric {metric.code}): {seconds:.3f} s ({rows} target statuses written)")


if __name__ == "__main__":
    main()

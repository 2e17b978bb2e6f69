"""Benchmark: import N figure rows (default 100 000) on PostgreSQL, against PostgreSQL COPY of the same rows.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/import_figures.py [--rows 100000]

Reports the preview (read + validate, no writes) and the commit (read + validate + bulk write with audit
history), each beside COPY of the same rows into a scratch copy of the figures table. Not a test: run by
hand, figures go to docs/performance.md. Leaves the database as it found it (imported rows are deleted).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from imports.batches import import_preview, import_run  # noqa: E402
from imports.models import ImportBatch  # noqa: E402
from indicators.models import Metric, Observation, Period  # noqa: E402
from indicators.periods import period_code, periods_between  # noqa: E402
from indicators.selectors import plan_current  # noqa: E402
from indicators.services import period_get_or_create  # noqa: E402


def build_rows(count: int) -> list[tuple]:
    """(agency code, metric code, period code, value, numerator, denominator) for reporter pairs over the years."""
    from datetime import date

    plan = plan_current()
    pairs = list(
        Metric.reporters.through.objects.filter(metric__plan=plan).values_list(
            "metric__code", "agency__code", "metric__frequency", "metric__kind"
        )
    )
    kinds = {"monthly": "month", "quarterly": "quarter", "half_yearly": "half_year", "yearly": "year"}
    rows = []
    year = 2000
    while len(rows) < count:
        for metric, agency, frequency, kind in pairs:
            for bounds in periods_between(kinds[frequency], date(year, 1, 1), date(year, 12, 31)):
                code = period_code(bounds.kind, bounds.year, bounds.number)
                if kind == "ratio":
                    rows.append((agency, metric, code, "", "45", "60"))
                elif kind == "index":
                    rows.append((agency, metric, code, "0,75", "", ""))
                elif kind in ("stock", "flow"):
                    rows.append((agency, metric, code, "1.200", "", ""))
                else:
                    rows.append((agency, metric, code, "12,5", "", ""))
                if len(rows) == count:
                    return rows
        year += 1
    return rows


def as_csv(rows) -> bytes:
    lines = ["Mã cơ quan,Mã chỉ số,Kỳ báo cáo,Giá trị,Tử số,Mẫu số"]
    lines += [",".join(f'"{c}"' if "," in c else c for c in row) for row in rows]
    return "\n".join(lines).encode()


def copy_time(rows) -> float:
    """COPY of the same rows, already resolved to ids, into a scratch copy of the figures table."""
    from decimal import Decimal

    agencies = dict(Observation._meta.get_field("agency").related_model.objects.values_list("code", "pk"))
    metrics = dict(Metric.objects.filter(plan=plan_current()).values_list("code", "pk"))
    from indicators.periods import parse_period_code

    periods = {}
    for _, _, code, *_ in rows:
        if code not in periods:
            periods[code] = period_get_or_create(
                **dict(zip(("kind", "year", "number"), parse_period_code(code), strict=True))
            ).pk
    buffer = io.StringIO()
    null = "\\N"
    now = "2026-05-01 00:00:00+07"

    def number(text: str) -> str:
        return str(Decimal(text.replace(".", "").replace(",", "."))) if text else null

    for agency, metric, code, value, numerator, denominator in rows:
        fields = [
            metrics[metric],
            agencies[agency],
            periods[code],
            number(value),
            number(numerator),
            number(denominator),
        ]
        fields += ["submitted", "", "", "", "", "", now, now, now]
        buffer.write("\t".join(map(str, fields)) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_observation_copy")
        cursor.execute(
            "CREATE TABLE bench_observation_copy (LIKE indicators_observation "
            "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING INDEXES)"
        )
        started = time.perf_counter()
        cursor.cursor.copy_expert(
            "COPY bench_observation_copy (metric_id, agency_id, period_id, value, numerator, denominator, status, "
            "note, evidence, review_note, correction_status, proposed_note, created_at, updated_at, submitted_at) "
            "FROM STDIN",
            buffer,
        )
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_observation_copy")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    if plan_current() is None:
        call_command("load_plan", stdout=io.StringIO())
    settings.IMPORT_MAX_BYTES = 1 << 31
    # every period the run creates (the COPY baseline's and the import's) is removed at the end
    before_periods = set(Period.objects.values_list("pk", flat=True))
    rows = build_rows(args.rows)
    content = as_csv(rows)
    print(f"{len(rows)} rows, {len(content) / 1e6:.1f} MB CSV")
    started = time.perf_counter()
    preview = import_preview(kind="figures", content=content, filename="bench.csv")
    preview_time = time.perf_counter() - started
    assert preview.is_valid, preview.errors[:5]
    copy_seconds = copy_time(rows)
    started = time.perf_counter()
    preview, batch = import_run(kind="figures", content=content, filename="bench.csv")
    commit_time = time.perf_counter() - started
    assert preview.counts["new"] == len(rows), preview.summary_text()
    # leave the database as it was
    created = batch.changes["created"]
    Observation.history.model.objects.filter(id__in=created).delete()
    Observation.objects.filter(pk__in=created)._raw_delete(connection.alias)
    Period.objects.exclude(pk__in=before_periods).delete()
    batch.file.delete(save=False)
    ImportBatch.objects.filter(pk=batch.pk).delete()
    print(f"COPY:                {copy_seconds:7.2f} s")
    print(f"preview (dry run):   {preview_time:7.2f} s  = {preview_time / copy_seconds:5.1f} × COPY")
    print(f"commit (with history): {commit_time:5.2f} s  = {commit_time / copy_seconds:5.1f} × COPY")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process (preview and commit): {peak:.0f} MB")


if __name__ == "__main__":
    main()

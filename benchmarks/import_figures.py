"""Benchmark: import N figure rows (default 100 000) on PostgreSQL, against PostgreSQL COPY of the same rows.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/import_figures.py [--rows 100000] [--rows 25000,50000,100000]
        [--repeat 7]

For each size: builds a CSV of N valid figure rows, then runs the import the way the site does, each step in a
process of its own (so that its peak memory is its own):

- the preview (``import_batch_create``: read + validate every row, keep the upload and its validated rows),
- the commit (``import_batch_commit`` of the stored batch, as the confirm button does: re-check what may have
  moved since the preview, write the figures and their audit history),

and beside them PostgreSQL ``COPY`` (psycopg2 ``copy_expert``) of the same rows, already resolved to ids, into a
scratch copy of the figures table with its indexes (no foreign keys: the issue's baseline), and into the figures
table itself with its foreign keys checked (rolled back). The file is uploaded by an administrator, as on the site
(his id is written on every figure and its history). Prints the times, the ratios to COPY and each process's peak
resident memory (VmHWM; a Django process that only started is given for reference); with ``--repeat``, each
round in turn and the medians (the disks of these machines are shared: one round can be twice another).
Not a test: run by hand, figures go to docs/performance.md. Leaves the database as it found it (and vacuumed: a
table that took and lost 100 000 rows a round would otherwise slow every later round).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# the site's limits (20 000 rows, 20 MB) would refuse the benchmark's files: lift them in every process
os.environ.update(IMPORT_MAX_ROWS="10000000", IMPORT_MAX_BYTES=str(1 << 31), IMPORT_MAX_CELLS="100000000")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Min  # noqa: E402

from indicators.models import Metric, Observation, Period  # noqa: E402
from indicators.periods import parse_period_code, period_code, periods_between  # noqa: E402
from indicators.selectors import plan_current  # noqa: E402
from indicators.services import period_get_or_create  # noqa: E402


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM of its own address space. (``ru_maxrss`` of a child on Linux
    starts at its parent's peak at the fork: the parent holding a large CSV would inflate every child.)"""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_rows(count: int) -> list[tuple]:
    """(agency code, metric code, period code, value, numerator, denominator) for reporter pairs over the years
    before the earliest figure stored (an import refuses periods not begun yet)."""
    from datetime import date

    plan = plan_current()
    pairs = list(
        Metric.reporters.through.objects.filter(metric__plan=plan).values_list(
            "metric__code", "agency__code", "metric__frequency", "metric__kind"
        )
    )
    kinds = {"monthly": "month", "quarterly": "quarter", "half_yearly": "half_year", "yearly": "year"}
    rows = []
    # years no stored figure has: every row is new (the database may hold a seeded data set)
    earliest = Observation.objects.aggregate(earliest=Min("period__year"))["earliest"]
    year = (earliest or date.today().year) - 1
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
        year -= 1
    return rows


def as_csv(rows) -> bytes:
    lines = ["Mã cơ quan,Mã chỉ số,Kỳ báo cáo,Giá trị,Tử số,Mẫu số"]
    lines += [",".join(f'"{c}"' if "," in c else c for c in row) for row in rows]
    return "\n".join(lines).encode()


def copy_time(rows) -> dict[str, float]:
    """COPY of the same rows, already resolved to ids: into a scratch copy of the figures table (its indexes, no
    foreign keys), and into the figures table itself (foreign keys checked, rolled back)."""
    from decimal import Decimal

    agencies = dict(Observation._meta.get_field("agency").related_model.objects.values_list("code", "pk"))
    metrics = dict(Metric.objects.filter(plan=plan_current()).values_list("code", "pk"))
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
    columns = (
        "metric_id, agency_id, period_id, value, numerator, denominator, status, note, evidence, review_note, "
        "correction_status, proposed_note, created_at, updated_at, submitted_at"
    )
    times = {}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_observation_copy")
        cursor.execute(
            "CREATE TABLE bench_observation_copy (LIKE indicators_observation "
            "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING INDEXES)"
        )
        buffer.seek(0)
        started = time.perf_counter()
        cursor.cursor.copy_expert(f"COPY bench_observation_copy ({columns}) FROM STDIN", buffer)
        times["scratch"] = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_observation_copy")
    # the same rows into the figures table itself, its foreign keys checked as the import's are, then rolled back
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        buffer.seek(0)
        started = time.perf_counter()
        cursor.cursor.copy_expert(f"COPY indicators_observation ({columns}) FROM STDIN", buffer)
        times["table"] = time.perf_counter() - started
        transaction.set_rollback(True)
    return times


def child(step: str, argument: str) -> None:
    """One step in this process: prints a JSON line with its time and the process's peak memory."""
    from imports import figures  # noqa: F401 - loaded before the start is measured
    from imports.batches import import_batch_commit, import_batch_create
    from imports.models import ImportBatch

    started_mb = peak_mb()
    if step == "idle":  # started, with the import's modules loaded
        print(json.dumps({"peak_mb": started_mb}))
        return
    if step == "preview":
        from agencies.models import User

        content = Path(argument).read_bytes()
        user = User.objects.get(username=UPLOADER)
        started = time.perf_counter()
        batch, preview = import_batch_create(kind="figures", content=content, filename="bench.csv", user=user)
        elapsed = time.perf_counter() - started
        assert preview.is_valid, preview.errors[:5]
        result = {"batch": batch.pk, "counts": preview.counts}
    else:
        batch = ImportBatch.objects.get(pk=int(argument))
        started = time.perf_counter()
        preview = import_batch_commit(batch=batch)
        elapsed = time.perf_counter() - started
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.COMMITTED, (batch.status, preview.errors[:5])
        result = {"counts": preview.counts}
    print(json.dumps({**result, "seconds": elapsed, "peak_mb": peak_mb(), "started_mb": started_mb}))


def run_child(step: str, argument: str = "") -> dict:
    done = subprocess.run(  # noqa: S603 - this script itself, no shell
        [sys.executable, __file__, "--child", step, argument], capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"{step} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


UPLOADER = "bench-import"


def cleanup(batch_id: int, before_periods: set[int]) -> None:
    from imports.figures import ValidatedFigures
    from imports.models import ImportBatch

    batch = ImportBatch.objects.get(pk=batch_id)
    created = batch.changes.get("created", [])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM indicators_historicalobservation WHERE id = ANY(%s)", [created])
        cursor.execute("DELETE FROM indicators_observation WHERE id = ANY(%s)", [created])
    Period.objects.exclude(pk__in=before_periods).delete()
    batch.file.storage.delete(ValidatedFigures.name_for(batch))  # deleted at the commit; not if it failed
    batch.file.delete(save=False)
    ImportBatch.objects.filter(pk=batch.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE indicators_observation, indicators_historicalobservation")


def one_round(size: int) -> dict:
    """COPY, preview and commit of ``size`` new rows; every period and row the round creates is removed."""
    before_periods = set(Period.objects.values_list("pk", flat=True))
    rows = build_rows(size)
    content = as_csv(rows)
    copies = copy_time(rows)
    Period.objects.exclude(pk__in=before_periods).delete()  # the import creates its own
    with tempfile.NamedTemporaryFile(suffix=".csv") as upload:
        upload.write(content)
        upload.flush()
        preview = run_child("preview", upload.name)
    assert preview["counts"]["new"] == size, preview
    try:
        commit = run_child("commit", str(preview["batch"]))
        assert commit["counts"]["new"] == size, commit
    finally:
        cleanup(preview["batch"], before_periods)
    return {"megabytes": len(content) / 1e6, "copies": copies, "preview": preview, "commit": commit}


def report(size: int, result: dict) -> None:
    copy_seconds, table_seconds = result["copies"]["scratch"], result["copies"]["table"]
    print(f"\n{size} rows, {result['megabytes']:.1f} MB CSV")
    print(f"  COPY into a scratch copy of the table:  {copy_seconds:7.2f} s (its indexes, no foreign keys)")
    print(f"  COPY into the figures table itself:     {table_seconds:7.2f} s (foreign keys checked; rolled back)")
    steps = (("preview (read + validate)", result["preview"]), ("commit (re-check + write)", result["commit"]))
    for label, step in steps:
        ratio, ratio_table = step["seconds"] / copy_seconds, step["seconds"] / table_seconds
        print(
            f"  {label:28} {step['seconds']:7.2f} s = {ratio:4.1f} × COPY ({ratio_table:4.1f} × into the table)"
            f"   peak memory {step['peak_mb']:4.0f} MB (started at {step['started_mb']:.0f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="100000", help="rows per file; several sizes separated by commas")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per size; the medians are printed")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    if plan_current() is None:
        call_command("load_plan", stdout=io.StringIO())
    from agencies.models import User

    uploader, created = User.objects.get_or_create(username=UPLOADER, defaults={"role": User.Role.ADMIN})
    try:
        idle = run_child("idle")["peak_mb"]
        print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
        print(f"a Django process that only started, the import loaded: {idle:.0f} MB")
        for size in (int(n) for n in args.rows.split(",")):
            rounds = []
            for _ in range(args.repeat):
                rounds.append(one_round(size))
                report(size, rounds[-1])
            if args.repeat > 1:
                ratios = [r["commit"]["seconds"] / r["copies"]["scratch"] for r in rounds]
                print(
                    f"\n{size} rows, {args.repeat} rounds: commit median "
                    f"{statistics.median(r['commit']['seconds'] for r in rounds):.2f} s, COPY median "
                    f"{statistics.median(r['copies']['scratch'] for r in rounds):.2f} s; "
                    f"commit / COPY by round: {', '.join(f'{x:.1f}' for x in sorted(ratios))} "
                    f"(median {statistics.median(ratios):.1f} ×)"
                )
    finally:
        if created:
            uploader.delete()


if __name__ == "__main__":
    main()

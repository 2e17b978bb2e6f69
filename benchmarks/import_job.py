"""Benchmark: what an import job costs at the row cap (default 20 000 figure rows in an .xlsx), and how often
it writes its progress down.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/import_job.py [--rows 20000]

Times the check as a plain dry run (no batch, no progress), the upload request's part (store the file,
create the batch), the check job (read + validate with progress) and the write job (check again +
one-transaction write), as `imports.batches` runs them, and counts the UPDATEs of the batch's progress.
Not a test: run by hand, figures go to docs/performance.md.
Leaves the database as it found it (the batch is undone and deleted).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from imports.batches import (  # noqa: E402
    import_batch_store,
    import_batch_undo,
    import_batch_validate,
    import_batch_write,
    import_preview,
)
from imports.models import ImportBatch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_figures import build_rows  # noqa: E402

HEADERS = ["Mã cơ quan", "Mã chỉ số", "Kỳ báo cáo", "Giá trị", "Tử số", "Mẫu số"]


def as_xlsx(rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Số liệu")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def progress_updates(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "progress_done" in q["sql"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    rows = build_rows(parser.parse_args().rows)
    content = as_xlsx(rows)
    print(f"{len(rows)} rows, {len(content) / 1e6:.2f} MB xlsx, {connection.vendor}")

    started = time.perf_counter()
    import_preview(kind="figures", content=content, filename="benchmark.xlsx")
    print(f"the same check without a job or progress: {time.perf_counter() - started:6.2f} s")
    started = time.perf_counter()
    batch = import_batch_store(kind="figures", content=content, filename="benchmark.xlsx")
    print(f"upload request (store, create batch): {time.perf_counter() - started:6.2f} s")
    try:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            import_batch_validate(batch_id=batch.pk)
            elapsed = time.perf_counter() - started
        batch.refresh_from_db()
        print(f"check job:  {elapsed:6.2f} s, {progress_updates(queries)} progress updates, {batch.status}")
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTING)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            import_batch_write(batch_id=batch.pk)
            elapsed = time.perf_counter() - started
        batch.refresh_from_db()
        print(f"write job:  {elapsed:6.2f} s, {progress_updates(queries)} progress updates, {batch.status}")
    finally:
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.COMMITTED:
            import_batch_undo(batch=batch)
        batch.file.delete(save=False)
        batch.delete()


if __name__ == "__main__":
    main()

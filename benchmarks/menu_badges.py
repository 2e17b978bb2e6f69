"""Server time of cached pages for each role: the menu badges (work list, review queue) sit on every page.

Not a test: figures go to docs/performance.md. Against the demo data in DATABASE_URL, with REDIS_URL set:

    DJANGO_ALLOWED_HOSTS=127.0.0.1 .venv/bin/python benchmarks/menu_badges.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agencies.models import User  # noqa: E402

READERS = ("sokhcn", "thuongtruc", "bcd.thanhvien")  # the demo's agency staff, standing office, Steering Committee
PAGES = ("/chi-tieu/", "/co-quan/")
RUNS = 30


def main() -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    for username in READERS:
        client.force_login(User.objects.get(username=username))
        for path in PAGES:
            for _warm_up in range(2):
                client.get(path)
            times = []
            for _ in range(RUNS):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
            median = statistics.median(times)
            print(f"{username:14} {path:12} {response.status_code} median {median:6.1f} ms  queries {len(queries)}")


if __name__ == "__main__":
    main()

"""Server time of cached pages for each role: the menu badges (work list, review queue) sit on every page.

Not a test: figures go to docs/performance.md. Against the demo data in DATABASE_URL, with REDIS_URL set:

    DJANGO_ALLOWED_HOSTS=127.0.0.1 .venv/bin/python benchmarks/menu_badges.py
"""

import os
import statistics
import sys
import time

import django

sys.path.insert(0, ".")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agencies.models import User

c = Client(HTTP_HOST="127.0.0.1")
for name in ("sokhcn", "thuongtruc", "bcd.thanhvien"):
    c.force_login(User.objects.get(username=name))
    for path in ("/chi-tieu/", "/co-quan/"):
        c.get(path)
        c.get(path)
        times = []
        for _ in range(30):
            with CaptureQueriesContext(connection) as q:
                t = time.perf_counter()
                r = c.get(path)
                times.append((time.perf_counter() - t) * 1000)
        print(f"{name:14} {path:12} {r.status_code} median {statistics.median(times):6.1f} ms  queries {len(q)}")

"""Run the periodic jobs in this process, on their schedule (the beat schedule of ``config/celery.py``).

The full stack has Celery beat for this. The embedded default (SQLite, no Redis) has no beat: without this
command nothing there locks the periods past their deadline, recomputes the statuses overnight or sends the
reminders, and a period of 2023 still reads "Đang mở" years later. ``scripts/start`` runs it beside the server.

Each job runs in-process, as the embedded default runs every job. When each job last ran is kept in a small JSON
file, so a restart catches up what fell due meanwhile (once, not once per missed day) and runs nothing twice.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

logger = logging.getLogger(__name__)

#: how long the loop sleeps at most between two looks at the schedule
NAP_SECONDS = 60
#: on the first run ever, jobs are caught up as if they had last run this long ago (the daily ones run once)
FIRST_LOOK_BACK = timedelta(days=1)


class Command(BaseCommand):
    help = (
        "Chạy các công việc định kỳ (khóa kỳ quá hạn, tính lại trạng thái, nhắc việc…) ngay trong tiến trình này,"
        " theo lịch của Celery beat: dùng cho bản chạy nhúng (không có Redis)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Chạy những việc đã đến giờ (kể cả bù) rồi dừng.")
        parser.add_argument("--only", action="append", default=[], help="Chỉ việc có tên này (lặp lại được).")
        parser.add_argument(
            "--state", type=Path, default=None, help="Tệp ghi lần chạy gần nhất (mặc định var/schedule.json)."
        )

    def handle(self, *args, **options):
        current_app.loader.import_default_modules()  # the apps' jobs.py, as a worker loads them
        schedule = current_app.conf.beat_schedule
        unknown = set(options["only"]) - set(schedule)
        if unknown:
            raise CommandError(f"Không có việc định kỳ: {', '.join(sorted(unknown))}.")
        names = options["only"] or list(schedule)
        state_path = options["state"] or Path(settings.VAR_DIR) / "schedule.json"
        while True:
            wait = self._run_due(schedule, names, state_path)
            if options["once"]:
                return
            time.sleep(max(1.0, min(wait, NAP_SECONDS)))

    def _run_due(self, schedule: dict, names: list[str], state_path: Path) -> float:
        """Run every job of ``names`` that is due; return the seconds until the next one falls due."""
        state = _read(state_path)
        now = timezone.now()
        wait = float(NAP_SECONDS)
        for name in names:
            entry = schedule[name]
            last = datetime.fromisoformat(state[name]) if name in state else now - FIRST_LOOK_BACK
            due, next_in = entry["schedule"].is_due(last)
            if due:
                self.stdout.write(f"{timezone.localtime():%d/%m/%Y %H:%M} · {name}")
                try:
                    current_app.tasks[entry["task"]].apply(args=entry.get("args", ()), throw=True)
                except Exception:  # a failed job must not stop the others; it runs again when next due
                    logger.exception("Periodic job %s failed", name)
                state[name] = timezone.now().isoformat()
                _write(state_path, state)
                due, next_in = entry["schedule"].is_due(timezone.now())
            wait = min(wait, next_in)
        return wait


def _read(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write(path: Path, state: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=1), encoding="utf-8")
    temporary.replace(path)

"""The Celery app. Job functions live in each app's ``jobs.py`` (not ``tasks.py``: ``tasks`` is the app for
the plan's Appendix II tasks)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")

# The periodic schedule, in Asia/Ho_Chi_Minh time (CELERY_TIMEZONE). Entries are added by the apps' jobs.
app.conf.beat_schedule = {
    # jobs asked for by writes while the broker was down (core/jobs.py): sent as soon as it answers again
    "send-pending-jobs": {"task": "core.send_pending_jobs", "schedule": crontab()},
    # progress engine (indicators/jobs.py): every target's status, after the day's approvals
    "recompute-target-statuses-nightly": {"task": "indicators.recompute_all", "schedule": crontab(hour=1, minute=0)},
    # recomputes requested by approvals but not done (broker down at the time, worker lost): caught up
    "recompute-pending": {"task": "indicators.recompute_pending", "schedule": crontab(minute="*/5")},
    # reporting periods (indicators/jobs.py): lock those past their deadline and grace days
    "lock-past-due-periods": {"task": "indicators.lock_past_due_periods", "schedule": crontab(hour=0, minute=30)},
    # imports (imports/jobs.py): uploads left unwritten for IMPORT_UNCONFIRMED_DAYS are deleted
    "expire-unconfirmed-imports": {"task": "imports.expire_unconfirmed", "schedule": crontab(hour=2, minute=30)},
    # tasks and reports (tasks/jobs.py): overdue flags before the working day, then reminders, weekly digest
    "overdue-scan-early-morning": {"task": "tasks.overdue_scan", "schedule": crontab(hour=5, minute=30)},
    "reminders-morning": {"task": "tasks.send_reminders", "schedule": crontab(hour=6, minute=30)},
    "steering-digest-monday": {
        "task": "tasks.weekly_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}

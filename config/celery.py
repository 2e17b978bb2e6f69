"""The Celery app. Job functions live in each app's ``jobs.py`` (not ``tasks.py``: ``tasks`` is the app for
the plan's Appendix II tasks)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")

# The periodic schedule, in Asia/Ho_Chi_Minh time (CELERY_TIMEZONE). Entries are added by the apps' jobs.
app.conf.beat_schedule = {}

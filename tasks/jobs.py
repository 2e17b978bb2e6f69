"""Celery jobs for tasks and reports: the daily overdue scan, reminders and the weekly digest. Thin."""

from __future__ import annotations

import logging

from celery import shared_task

from core.jobs import JOB_OPTIONS, as_of_date, job_lock

from .services import reminders_send, report_timeliness_recompute, steering_digest_send, task_occurrences_recompute

logger = logging.getLogger(__name__)


@shared_task(name="tasks.overdue_scan", **JOB_OPTIONS)
def overdue_scan(as_of: str | None = None) -> dict | None:
    """Early morning: task occurrences and report timeliness as of ``as_of`` (default today)."""
    with job_lock("tasks.overdue_scan") as acquired:
        if not acquired:
            logger.info("overdue_scan skipped: already running")
            return None
        day = as_of_date(as_of)
        return {
            "occurrences": task_occurrences_recompute(as_of=day),
            "reports": report_timeliness_recompute(as_of=day),
        }


@shared_task(name="tasks.send_reminders", **JOB_OPTIONS)
def send_reminders(as_of: str | None = None) -> int | None:
    """Reminders of what falls due soon or became overdue; a reminder once sent is never sent again."""
    with job_lock("tasks.reminders") as acquired:
        if not acquired:
            logger.info("send_reminders skipped: already running")
            return None
        return reminders_send(as_of=as_of_date(as_of))


@shared_task(name="tasks.weekly_digest", **JOB_OPTIONS)
def weekly_digest(as_of: str | None = None) -> int | None:
    """Monday morning: the Steering Committee's digest, once per week."""
    with job_lock("tasks.digest") as acquired:
        if not acquired:
            return None
        return steering_digest_send(as_of=as_of_date(as_of))

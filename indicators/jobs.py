"""Celery jobs of the progress engine: thin, they take ids and dates and call the service."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.jobs import JOB_OPTIONS, as_of_date, job_lock

from .services import (
    periods_lock_past_due,
    recompute_requests_clear,
    recompute_requests_pending,
    target_statuses_recompute,
)

logger = logging.getLogger(__name__)

#: the recompute jobs share one lock: a single-metric recompute waits for the nightly one to finish
LOCK = "indicators.recompute"


@shared_task(name="indicators.recompute_all", **JOB_OPTIONS)
def recompute_all(as_of: str | None = None) -> int | None:
    """Nightly: the status of every target as of ``as_of`` (ISO date; default today). Skipped if running."""
    with job_lock(LOCK) as acquired:
        if not acquired:
            logger.info("recompute_all skipped: another recompute is running")
            return None
        started = timezone.now()
        written = target_statuses_recompute(as_of=as_of_date(as_of))
        recompute_requests_clear(before=started)
        return written


@shared_task(bind=True, name="indicators.recompute_metric", **JOB_OPTIONS)
def recompute_metric(self, metric_id: int, as_of: str | None = None) -> int:
    """After an approval: the status of one metric's targets. Waits (retries) while a recompute runs."""
    with job_lock(LOCK) as acquired:
        if not acquired:
            raise self.retry(countdown=30)
        started = timezone.now()
        written = target_statuses_recompute(as_of=as_of_date(as_of), metric_ids=[metric_id])
        recompute_requests_clear(before=started, metric_ids=[metric_id])
        return written


@shared_task(name="indicators.recompute_pending", **JOB_OPTIONS)
def recompute_pending() -> int | None:
    """Every few minutes: the recomputes requested but never done (the broker was down, a worker died).
    Returns how many metrics it recomputed; skipped while another recompute runs."""
    with job_lock(LOCK) as acquired:
        if not acquired:
            return None
        metric_ids = recompute_requests_pending()
        if metric_ids:
            started = timezone.now()
            target_statuses_recompute(as_of=as_of_date(None), metric_ids=metric_ids)
            recompute_requests_clear(before=started, metric_ids=metric_ids)
        return len(metric_ids)


@shared_task(name="indicators.lock_past_due_periods", **JOB_OPTIONS)
def lock_past_due_periods(as_of: str | None = None) -> int:
    """Daily: lock the reporting periods whose deadline passed more than PERIOD_LOCK_GRACE_DAYS ago."""
    return periods_lock_past_due(as_of=as_of_date(as_of) - timedelta(days=settings.PERIOD_LOCK_GRACE_DAYS))

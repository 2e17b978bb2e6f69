"""Celery jobs of the progress engine: thin, they take ids and dates and call the service."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from core.jobs import JOB_OPTIONS, as_of_date, coalesced_started, job_lock, job_lock_held

from .services import (
    periods_lock_past_due,
    recompute_requests_pending,
    recompute_requests_run,
    target_statuses_recompute,
)

logger = logging.getLogger(__name__)

#: the full recomputes (nightly, catch-up) take turns on this lock; an approval's recompute does not wait for it
#: (it holds its metric's own lock: indicators.services.target_statuses_recompute)
LOCK = "indicators.recompute"


@shared_task(name="indicators.recompute_all", **JOB_OPTIONS)
def recompute_all(as_of: str | None = None) -> int | None:
    """Nightly: the status of every target as of ``as_of`` (ISO date; default today). Skipped if running."""
    with job_lock(LOCK) as acquired:
        if not acquired:
            logger.info("recompute_all skipped: another recompute is running")
            return None
        return target_statuses_recompute(as_of=as_of_date(as_of))


@shared_task(name="indicators.recompute_metric", **JOB_OPTIONS)
def recompute_metric(metric_id: int, as_of: str | None = None) -> int:
    """The status of one metric's targets, at once, even while the nightly recompute runs (approvals queue
    ``recompute_requested``).

    A day with no complete set yet is completed here, unless a full recompute under way does it."""
    return target_statuses_recompute(
        as_of=as_of_date(as_of), metric_ids=[metric_id], complete_day=not job_lock_held(LOCK)
    )


@shared_task(name="indicators.recompute_requested", **JOB_OPTIONS)
def recompute_requested(as_of: str | None = None) -> int:
    """After approvals (queued by ``metrics_recompute_after_commit``, coalesced): every metric whose recompute was
    requested, in one run, even while the nightly recompute runs. Returns the status rows written."""
    coalesced_started("indicators.recompute_requested")  # an approval committed after this queues the next run
    return recompute_requests_run(as_of=as_of_date(as_of), complete_day=not job_lock_held(LOCK))


@shared_task(name="indicators.recompute_pending", **JOB_OPTIONS)
def recompute_pending() -> int | None:
    """Every few minutes: the recomputes requested but never done (the broker was down, a worker died).
    Returns how many metrics it recomputed; skipped while another recompute runs."""
    with job_lock(LOCK) as acquired:
        if not acquired:
            return None
        metric_ids = recompute_requests_pending()
        if metric_ids:
            target_statuses_recompute(as_of=as_of_date(None), metric_ids=metric_ids)
        return len(metric_ids)


@shared_task(name="indicators.lock_past_due_periods", **JOB_OPTIONS)
def lock_past_due_periods(as_of: str | None = None) -> int:
    """Daily: lock the reporting periods whose deadline passed more than PERIOD_LOCK_GRACE_DAYS ago."""
    return periods_lock_past_due(as_of=as_of_date(as_of) - timedelta(days=settings.PERIOD_LOCK_GRACE_DAYS))

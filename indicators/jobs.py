"""Celery jobs of the progress engine: thin, they take ids and dates and call the service."""

from __future__ import annotations

import logging

from celery import shared_task

from config.jobs import JOB_OPTIONS, as_of_date, job_lock

from .services import target_statuses_recompute

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
        return target_statuses_recompute(as_of=as_of_date(as_of))


@shared_task(bind=True, name="indicators.recompute_metric", **JOB_OPTIONS)
def recompute_metric(self, metric_id: int, as_of: str | None = None) -> int:
    """After an approval: the status of one metric's targets. Waits (retries) while a recompute runs."""
    with job_lock(LOCK) as acquired:
        if not acquired:
            raise self.retry(countdown=30)
        return target_statuses_recompute(as_of=as_of_date(as_of), metric_ids=[metric_id])

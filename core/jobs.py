"""What every Celery job shares: a lock so that two runs of one job never overlap, and the retry policy.

The lock is a cache key taken with ``cache.add`` (atomic on Redis, and within one process on the LocMem
cache of the embedded default), released by its owner, and expiring after ``JOB_LOCK_SECONDS`` should a
worker die holding it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: the broker cannot be reached
BROKER_UNAVAILABLE = (BrokerError, RedisConnectionError, RedisTimeoutError, OSError)

#: errors worth retrying: the database or the broker was briefly unreachable
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, RedisConnectionError, RedisTimeoutError)

#: options for every job: acknowledged only once done, retried with exponential back-off on transient errors
JOB_OPTIONS = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Hold the lock ``name`` for the duration of the block; yields False when another run holds it."""
    key = f"job-lock:{name}"
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, settings.JOB_LOCK_SECONDS)
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)


def job_lock_held(name: str) -> bool:
    """Whether a run holds the lock ``name`` now (False when the cache cannot be reached)."""
    return cache.get(f"job-lock:{name}") is not None


def as_of_date(value: str | None) -> date:
    """A job's as-of date: the ISO date it was given, else today in the project's time zone."""
    return date.fromisoformat(value) if value else timezone.localdate()


def enqueue(name: str, *args) -> bool:
    """Queue the job registered as ``name`` (services name their jobs, the jobs import the services: one arrow).

    On the embedded default the job runs in-process (``task_always_eager``); on the full stack a worker takes
    it from Redis. With the broker down the job is not queued and this returns at once: jobs whose work must
    not be lost record it in the database first (``RecomputeRequest``) and are caught up by a periodic job.
    Returns whether the job was run or queued.
    """
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()  # runs autodiscovery: every app's jobs.py
    task = current_app.tasks[name]
    if current_app.conf.task_always_eager:
        task.delay(*args)
        return True
    try:
        # one quick attempt: a user's action must not wait on a dead broker (Celery would retry for ~20 s)
        task.apply_async(args, retry=False)
    except BROKER_UNAVAILABLE as error:
        logger.warning("Broker unavailable, job %s%r not queued: %s", name, args, error)
        return False
    return True

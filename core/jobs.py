"""What every Celery job shares: a lock so that two runs of one job never overlap, the retry policy, and the way
a write asks for a job.

The lock is a cache key taken with ``cache.add`` (atomic on Redis, and within one process on the LocMem cache of
the embedded default) for a short lease, ``JOB_LOCK_SECONDS``, which a thread of the holder renews while the job
runs. A worker killed while holding it (SIGKILL, the machine lost) renews nothing: its lock is free again within
one lease, and the next run goes ahead instead of skipping for an hour.

A write asks for its follow-up with ``enqueue_after_commit``: the job is recorded in the write's own transaction
(``PendingJob``) and sent once it commits. With Redis down the user's request does not wait (one quick attempt,
no result store to reach), and ``send_pending_jobs`` (beat, every minute) sends what is waiting once it is back.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import partial

from celery import current_app, shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .models import PendingJob

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

#: a job asked for less than this long ago, and not yet refused by the broker, is still being sent by the
#: process whose write asked for it: the catch-up leaves it alone
SEND_GRACE = timedelta(seconds=30)


class _LeaseRenewal(threading.Thread):
    """Keeps a held lock alive: every third of the lease, extends it while it is still ours (taken again if it
    expired meanwhile and nobody else took it; given up if another run holds it)."""

    def __init__(self, key: str, token: str, lease: int):
        super().__init__(name=f"renew {key}", daemon=True)
        self.key, self.token, self.lease = key, token, lease
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.lease / 3):
            holder = cache.get(self.key)
            if holder == self.token:
                cache.touch(self.key, self.lease)
            elif holder is not None or not cache.add(self.key, self.token, self.lease):
                logger.warning("Lock %s lost to another run", self.key)
                return

    def stop(self) -> None:
        self.stopped.set()
        self.join()


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Hold the lock ``name`` for the duration of the block; yields False when another run holds it."""
    key = f"job-lock:{name}"
    token = uuid.uuid4().hex
    lease = settings.JOB_LOCK_SECONDS
    if not cache.add(key, token, lease):
        yield False
        return
    renewal = _LeaseRenewal(key, token, lease)
    renewal.start()
    try:
        yield True
    finally:
        renewal.stop()
        if cache.get(key) == token:
            cache.delete(key)


def job_lock_held(name: str) -> bool:
    """Whether a run holds the lock ``name`` now (False when the cache cannot be reached)."""
    return cache.get(f"job-lock:{name}") is not None


def as_of_date(value: str | None) -> date:
    """A job's as-of date: the ISO date it was given, else today in the project's time zone."""
    return date.fromisoformat(value) if value else timezone.localdate()


def _task(name: str):
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()  # runs autodiscovery: every app's jobs.py
    return current_app.tasks[name]


def enqueue(name: str, *args, countdown: float | None = None) -> bool:
    """Queue the job registered as ``name`` now, or to start in ``countdown`` seconds (services name their jobs,
    the jobs import the services: one arrow), or run it in-process at once on the embedded default
    (``task_always_eager``). Returns whether it was run or queued: with the broker down it gives up at once and
    returns False.

    For a job that a write asks for, use ``enqueue_after_commit``, which cannot lose it.
    """
    task = _task(name)
    if current_app.conf.task_always_eager:
        task.delay(*args)
        return True
    try:
        _publish(task, args, countdown=countdown)
    except BROKER_UNAVAILABLE as error:
        logger.warning("Broker unavailable, job %s%r not queued: %s", name, args, error)
        return False
    return True


def _publish(task, args, countdown: float | None = None) -> None:
    # one quick attempt: a user's action must not wait on a dead broker (Celery would retry for ~20 s); and no
    # result is kept (task_ignore_result), so nothing reaches Celery's result store, which retries 20 × 1 s
    task.apply_async(args, retry=False, countdown=countdown)


#: how long a coalesced job's "queued" mark outlives its start at the latest: a job lost or late past this (its
#: worker died, the queue is long) no longer holds the writes after it back, the next write queues another
COALESCED_MARK_SECONDS = 60


def enqueue_coalesced(name: str, *, seconds: float) -> bool:
    """Queue the job ``name`` (without arguments) to start in ``seconds``, unless one queued so has not started
    yet: the writes of those seconds are then done by one run. Only for a job that reads what is asked of it from
    the database (``indicators.recompute_requested`` reads the recompute requests) and calls
    ``coalesced_started(name)`` before it reads them: a write that finds the job queued has committed before the
    job's read. On the embedded default, or with ``seconds`` 0, it is ``enqueue``: at once. Returns whether the
    job was run or queued (or is queued already)."""
    if current_app.conf.task_always_eager or seconds <= 0:
        return enqueue(name)
    key = f"job-queued:{name}"
    if not cache.add(key, 1, seconds + COALESCED_MARK_SECONDS):
        return True
    if not enqueue(name, countdown=seconds):
        cache.delete(key)  # never queued: the next write tries again (the catch-up does these requests)
        return False
    return True


def coalesced_started(name: str) -> None:
    """Called by a coalesced job (``enqueue_coalesced``) before it reads what it was asked: a write committed
    after this queues the next run."""
    cache.delete(f"job-queued:{name}")


def enqueue_after_commit(name: str, *args) -> None:
    """Queue the job ``name`` once the current transaction commits, recorded in that transaction.

    The ``PendingJob`` row commits with the write that asked for the job; it is deleted once the broker has
    taken the job. If the broker is down, or this process dies before sending, the row stays and
    ``send_pending_jobs`` sends the job when the broker answers again. On the embedded default the job runs
    in-process after the commit."""
    if current_app.conf.task_always_eager:
        transaction.on_commit(partial(enqueue, name, *args))
        return
    _task(name)  # an unknown name fails here, in the write, not later in the catch-up
    pending = PendingJob.objects.create(name=name, args=list(args))
    transaction.on_commit(partial(_send, pending), robust=True)


def _send(pending: PendingJob) -> bool:
    """Hand one waiting job to the broker; forget it once taken, count the failure otherwise."""
    try:
        _publish(_task(pending.name), pending.args)
    except BROKER_UNAVAILABLE as error:
        logger.warning("Broker unavailable, job %s kept to be sent later: %s", pending, error)
        PendingJob.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1, error=str(error)[:300])
        return False
    PendingJob.objects.filter(pk=pending.pk).delete()
    return True


def pending_jobs_send(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Send the jobs that writes asked for and the broker never took, oldest first; stop at the first the broker
    refuses (the rest wait for the next run). Returns how many were sent."""
    cutoff = (now or timezone.now()) - SEND_GRACE
    sent = 0
    for pending in PendingJob.objects.filter(Q(created_at__lte=cutoff) | Q(attempts__gt=0))[:limit]:
        if not _send(pending):
            break
        sent += 1
    return sent


def job_waiting(name: str, *args) -> bool:
    """Whether a job asked for by a write is still waiting for the broker to take it."""
    return PendingJob.objects.filter(name=name, args=list(args)).exists()


@shared_task(name="core.send_pending_jobs", **JOB_OPTIONS)
def send_pending_jobs() -> int | None:
    """Every minute: send the jobs that writes asked for while the broker was down. Skipped if running."""
    with job_lock("core.send_pending_jobs") as acquired:
        if not acquired:
            return None
        return pending_jobs_send()

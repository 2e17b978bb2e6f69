"""The snapshot generation: one number, bumped by every write that changes what the dashboards show, under which
rendered page blocks are cached (Django's cache: Redis on the full stack).

A block is stored under the generation read *before* it is built, and the generation is bumped only *after* the
writing transaction commits. So a block built from data older than a commit sits under the generation before
the bump, which no reader asks for again: no page is ever older than the last approval, recompute, plan load or
correction. Nothing is deleted; old blocks expire. The generation starts from the clock, not from zero, so one
evicted or lost with a Redis restart never comes back to a number that old blocks were stored under.

Two ways in: services whose writes skip ``save()`` (upserts, ``bulk_create``, ``update()``, COPY) call
``snapshots_changed()``; every ``save()`` and ``delete()`` of a model of ``WATCHED_APPS`` bumps it through the
signal receivers connected in ``CoreConfig.ready`` (the admin, the entry forms, the review: anything).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core import replica

GENERATION_KEY = "snapshots:generation"
#: Redis down: pages are built as if there were no cache, rather than failing
CACHE_DOWN = (RedisConnectionError, RedisTimeoutError)
logger = logging.getLogger(__name__)
#: apps whose rows the dashboards show; their users' log-ins (``last_login``) are not a change of the plan's data
WATCHED_APPS = {"agencies", "indicators", "tasks", "imports", "oversight"}
UNWATCHED_MODELS = {"agencies.user"}
#: rows deleted in bulk by the services that own them, which call ``snapshots_changed()`` themselves: a
#: post_delete receiver would make Django load and signal every row of ``QuerySet.delete()`` one by one
BULK_DELETED_MODELS = {
    "indicators.observation",
    "indicators.targetstatus",
    "indicators.provincevalue",
    "tasks.taskoccurrence",
    "tasks.reporttimeliness",
    "tasks.reminder",
}
#: a query string longer than this is not worth a cache entry of its own (the page is built as usual)
MAX_KEY_QUERY = 300

T = TypeVar("T")


#: the generation read once per request (the user and the page's blocks are keyed on it): see ``request_began``
_request = Local()


def snapshot_generation() -> int:
    """The current generation (one cache read; one per request while a request runs)."""
    generation = getattr(_request, "generation", None)
    if generation is not None:
        return generation
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    if getattr(_request, "running", False):
        _request.generation = generation
    return generation


def request_began(**kwargs) -> None:
    """request_started: the request reads the generation once. A request is short, and a block it builds after
    another process's bump is stored under the older number, which no later request reads; its own writes
    forget the number (``snapshot_generation_bump``). Jobs and commands, outside requests, read it every time."""
    _request.running = True
    _request.generation = None


def request_ended(**kwargs) -> None:
    _request.running = False
    _request.generation = None


def snapshot_generation_bump() -> None:
    _request.generation = None
    try:
        generation = cache.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted, cleared): start again from the clock, past every old number
        generation = time.time_ns()
        cache.set(GENERATION_KEY, generation, timeout=None)
    # with a read replica: where the primary's WAL stood once this write committed (core/replica.py)
    position = replica.primary_wal_position()
    if position is not None:
        cache.set(_wal_key(generation), position, timeout=settings.DASHBOARD_CACHE_SECONDS or None)


def _wal_key(generation: int) -> str:
    return f"{GENERATION_KEY}:wal:{generation}"


def _may_keep(generation: int) -> bool:
    """A block read from the replica is kept only once the replica has replayed the write that made this
    generation: built before, it would show every later reader the page as it was before that write."""
    return not replica.reading_from_replica() or replica.replica_has_replayed(cache.get(_wal_key(generation)))


def snapshots_changed() -> None:
    """Bump the generation once the current transaction commits (at once outside one)."""
    transaction.on_commit(snapshot_generation_bump, robust=True)


def is_watched(model) -> bool:
    return model._meta.app_label in WATCHED_APPS and model._meta.label_lower not in UNWATCHED_MODELS


def is_watched_on_delete(model) -> bool:
    meta = model._meta
    bulk = meta.label_lower in BULK_DELETED_MODELS or meta.model_name.startswith("historical")
    return is_watched(model) and not bulk


def watched_model_changed(sender, **kwargs) -> None:
    """post_save / post_delete / m2m_changed receiver: a row the dashboards may show has changed."""
    if is_watched(sender):
        snapshots_changed()


def cached_block(name: str, *parts: object, build: Callable[[], T]) -> T:
    """``build()``, cached under the generation, today's date, the language and ``parts`` (every other input).

    With ``DASHBOARD_CACHE_SECONDS`` 0 (the embedded default: its in-memory cache is not shared with a command
    run in another process) nothing is cached.
    """
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return build()
    try:
        generation = snapshot_generation()
        key = ":".join(
            [
                "block",
                name,
                str(generation),
                timezone.localdate().isoformat(),
                translation.get_language() or "",
                *map(str, parts),
            ]
        )
        value = cache.get(key)
    except CACHE_DOWN:
        logger.warning("cache unreachable: page built without it", exc_info=True)
        return build()
    if value is None:
        value = build()
        try:
            if _may_keep(generation):
                cache.set(key, value, seconds)
        except CACHE_DOWN:
            logger.warning("cache unreachable: page not kept", exc_info=True)
    return value

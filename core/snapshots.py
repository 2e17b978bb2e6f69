"""The snapshot generation: one number, moved on by every commit that changes what the dashboards show, under which
rendered page blocks are cached (Django's cache: Redis on the full stack).

A block is stored under the generation read *before* it is built, and the generation moves only *after* the
writing transaction commits. So a block built from data older than a commit sits under the generation before
the move, which no reader asks for again: no page is ever older than the last approval, recompute, plan load or
correction. Nothing is deleted; old blocks expire.

The number lives in PostgreSQL (``core.models.SnapshotGeneration``, one row), not in Redis: the commit that moves
it is never lost, whether Redis is down, hung or restarted meanwhile. (In Redis, a move dropped while it hung left
the old pages served once it answered again, until the next write or the hour's expiry.) A request reads it once,
a primary-key read; a move is one ``UPDATE`` after the commit, however many rows the transaction changed. It never
goes back to a number used before, not even after the database is restored from a backup: a move takes the
clock's microseconds when they are ahead.

With a read replica (core/replica.py) the generation is still the primary's; each move notes where the primary's
WAL stood, and a block built from the replica is kept only once the replica has replayed past that point.

Two ways in: services whose writes skip ``save()`` (upserts, ``bulk_create``, ``update()``, COPY) call
``snapshots_changed()``; every ``save()`` and ``delete()`` of a model of ``WATCHED_APPS`` moves it through the
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
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import replica
from .models import SnapshotGeneration

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
#: query strings of one page kept per generation, beyond the page without one: a crawl of made-up queries (4 330
#: entries after one) fills no more than this; the others are built on every request, as without a cache
MAX_QUERIES_KEPT = 40

T = TypeVar("T")


#: the generation read once per request (the user and the page's blocks are keyed on it): see ``request_began``
_request = Local()
#: moves asked for since the last one made, in this thread (see ``snapshots_changed``)
_asked = Local()


_READ = f"SELECT value FROM {SnapshotGeneration._meta.db_table} WHERE id = 1"  # noqa: S608 - the model's own table


def _clock() -> int:
    return time.time_ns() // 1000


def snapshot_generation() -> int:
    """The current generation (one primary-key read; one per request while a request runs)."""
    generation = getattr(_request, "generation", None)
    if generation is not None:
        return generation
    # SQL of its own: the ORM's building of this one query cost 0,4 ms of CPU on every page view, the read ~0,06
    with connection.cursor() as cursor:
        cursor.execute(_READ)
        row = cursor.fetchone()
    if row is None:  # the row is gone (a test database flushed): nothing may be served from the cache
        return _clock()
    generation = row[0]
    if getattr(_request, "running", False):
        _request.generation = generation
    return generation


def request_began(**kwargs) -> None:
    """request_started: the request reads the generation once. A request is short, and a block it builds after
    another process's move is stored under the older number, which no later request reads; its own writes
    forget the number (``snapshot_generation_bump``). Jobs and commands, outside requests, read it every time."""
    _request.running = True
    _request.generation = None


def request_ended(**kwargs) -> None:
    _request.running = False
    _request.generation = None


def snapshot_generation_bump() -> None:
    """Move the generation on, now (a write's own moves wait for its commit: ``snapshots_changed``)."""
    _request.generation = None
    moved = SnapshotGeneration.objects.filter(pk=1).update(value=Greatest(F("value") + 1, Value(_clock())))
    if not moved:
        SnapshotGeneration.objects.get_or_create(pk=1, defaults={"value": _clock()})
    # with a read replica: where the primary's WAL stood once this write committed (core/replica.py)
    position = replica.primary_wal_position()
    if position is not None:
        generation = SnapshotGeneration.objects.using(replica.PRIMARY).values_list("value", flat=True).get(pk=1)
        cache.set(_wal_key(generation), position, timeout=settings.DASHBOARD_CACHE_SECONDS or None)


def _wal_key(generation: int) -> str:
    return f"snapshots:wal:{generation}"


def _replayed(generation: int) -> bool:
    """A block read from the replica is kept only once the replica has replayed the write that made this
    generation (read from the primary): built before, it would show every later reader the page as it was before
    that write."""
    return not replica.reading_from_replica() or replica.replica_has_replayed(cache.get(_wal_key(generation)))


def bump_after_commit() -> None:
    """The on-commit callback of ``snapshots_changed``: one UPDATE per commit. The first of a transaction's
    callbacks moves the generation; the others find nothing asked since (a callback dropped with a rolled-back
    savepoint leaves its ask behind, which costs one move more at the next commit, never one less)."""
    if getattr(_asked, "count", 0):
        _asked.count = 0
        snapshot_generation_bump()


def snapshots_changed() -> None:
    """Move the generation on once the current transaction commits (at once outside one)."""
    _asked.count = getattr(_asked, "count", 0) + 1
    transaction.on_commit(bump_after_commit, robust=True)


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


def _key(name: str, generation: int, parts: tuple) -> str:
    day, language = timezone.localdate().isoformat(), translation.get_language() or ""
    return ":".join(["block", name, str(generation), day, language, *map(str, parts)])


def cached_block(name: str, *parts: object, build: Callable[[], T]) -> T:
    """``build()``, cached under the generation, today's date, the language and ``parts`` (every other input).

    With ``DASHBOARD_CACHE_SECONDS`` 0 (the embedded default: its in-memory cache is not shared with a command
    run in another process) nothing is cached.
    """
    return _cached(name, parts, build, keep=lambda: True)


def cached_page_block(name: str, path: str, query: str, *parts: object, build: Callable[[], T]) -> T:
    """``cached_block`` for the page at ``path`` asked with the query string ``query``: the page without a query is
    always kept, and at most ``MAX_QUERIES_KEPT`` query strings of it per generation; any other is built."""
    if len(query) > MAX_KEY_QUERY:
        return build()

    def place_left() -> bool:
        if not query:
            return True
        counter = f"queries-kept:{name}:{snapshot_generation()}:{path}"
        cache.add(counter, 0, settings.DASHBOARD_CACHE_SECONDS)
        try:
            return cache.incr(counter) <= MAX_QUERIES_KEPT
        except ValueError:  # expired between the two calls
            return False

    return _cached(name, (path, query, *parts), build, keep=place_left)


def _cached(name: str, parts: tuple, build: Callable[[], T], *, keep: Callable[[], bool]) -> T:
    """The value under the block's key, else ``build()``, stored when ``keep()`` allows it."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return build()
    try:
        generation = snapshot_generation()
        key = _key(name, generation, parts)
        value = cache.get(key)
    except CACHE_DOWN:
        logger.warning("cache unreachable: page built without it", exc_info=True)
        return build()
    if value is None:
        value = build()
        try:
            if keep() and _replayed(generation):
                cache.set(key, value, seconds)
        except CACHE_DOWN:
            logger.warning("cache unreachable: page not kept", exc_info=True)
    return value

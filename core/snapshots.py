"""Cached page blocks and what each depends on: a write makes stale only the blocks that show what it changed.

A block (a page's rendered body, an API list, a request's user, a menu badge) is cached with the names of what it
depends on — ``plan``, ``figures``, ``metric:12``, ``agency:7``, ``task:8``… (the vocabulary is below) — and the
snapshot *stamp* read before it was built. Each dependency has a version, moved after every commit that changes
it: a block is served only while none of its dependencies moved after its stamp, else built again. So a draft
saved by one agency leaves every reader's page cached, and an approval refreshes the pages of its metric, its
agency and the province's figures, not the task pages.

Why no page is ever older than the last commit: the stamp is read before the block is built, and a dependency's
version moves only once the writing transaction has committed (after it, or with it), to a number above every
stamp read before. A block built from data older than a commit therefore carries a stamp below that commit's
version, and no reader is served it again. Nothing is deleted; a stale entry is overwritten by the next build,
entries expire.

The versions live in PostgreSQL (``core.models.SnapshotVersion``, one row per dependency, and the stamp clock
``core.models.SnapshotGeneration``), not in Redis: a move is never lost, whether Redis is down, hung or restarted
meanwhile. Serving a cached block costs one query, its dependencies' newest version with the clock, whatever the
number of dependencies; a commit's moves are one transaction after it, however many rows it changed. The clock never
goes back to a number used before, not even after the database is restored from a backup (it takes the clock's
microseconds when they are ahead), and a block stamped after the clock (a backup restored under a live cache) is
not served.

With a read replica (core/replica.py) a block built from the replica is kept only once the replica has replayed
what the primary had committed when the block's stamp was read.

Two ways writes announce what they change, after their commit: services whose writes skip ``save()`` (upserts,
``bulk_create``, ``update()``, COPY) call ``snapshots_changed(...)`` with the dependencies they changed (nothing
named: everything); every ``save()`` and ``delete()`` of a model of ``WATCHED_APPS`` goes through the signal
receivers connected in ``CoreConfig.ready``, which ask ``CHANGES`` (filled by ``dashboards/dependencies.py``, the
one map from a saved row to what it changes) and fall back to everything for a model the map does not know.

The recompute of statuses, which makes the most read pages stale, moves its dependencies *with* its commit instead
(``snapshots_publish``): it first builds the pages read lately that show them, from its own rows, and stores them
once committed, stamped with its version (core/prebuild.py) — their readers never wait for a build.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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

from . import prebuild, replica
from .models import SnapshotGeneration, SnapshotVersion

#: Redis down: pages are built as if there were no cache, rather than failing
CACHE_DOWN = (RedisConnectionError, RedisTimeoutError)
logger = logging.getLogger(__name__)
#: one line per block built ("built <key> <ms> <CPU ms>") and per move ("moved <keys>"), at DEBUG
#: (``SNAPSHOT_BUILD_LOG=DEBUG``): benchmarks/load.py counts them
builds_logger = logging.getLogger("core.snapshots.builds")

# --- the vocabulary of dependencies (docs/performance.md, "What a page depends on") ------------------------------

#: every block depends on it: moved by a write that names nothing (a full recompute, an import, an unknown model)
EVERYTHING = "all"
#: the plan's structure: indicators, targets, metrics and who reports them, tasks and assignments, agencies,
#: periods, the central mapping
PLAN = "plan"
#: what is computed from approved figures province-wide: target statuses, province values, the overview's counts —
#: moved by the recompute that follows an approval, not by the approval itself
FIGURES = "figures"
#: every approved figure as entered (the API's figures, the explorer, the datasets' dates): moved by an approval
APPROVED = "approved"
#: the task board's counts: task occurrences and their triggers across the plan, report timeliness
TASKS = "tasks"
#: the reporting periods: which exist, which are open (what agencies still have to enter)
PERIODS = "periods"
#: what waits for review: the review queue and its badge, the scorecards' "waiting" column
REVIEW = "review"
#: every agency's unapproved work (drafts, figures sent, returns): only a page asked for every state shows it (the
#: data explorer's "tất cả"); the others list approved work, and agency staff's own (``agency-drafts:<id>``)
UNAPPROVED = "unapproved"
#: inspections, their recommendations and the agencies' reports on them
OVERSIGHT = "oversight"
#: users and agencies as a request's user is read with them (agencies/backends.py)
DIRECTORY = "directory"


def metric(pk: int) -> str:
    """What is computed for a metric: its province values, its targets' statuses, the agencies' self-assessments
    (its indicator pages, public ones included, and the agency pages whose targets it measures)."""
    return f"metric:{pk}"


def metric_figures(pk: int) -> str:
    """A metric's approved figures as entered (its indicator page's figures by agency and latest figures): moved by
    an approval, before the recompute moves ``metric``."""
    return f"metric-figures:{pk}"


def period_sent(pk: int) -> str:
    """Who has sent a reporting period's figures (the overview's count of who has not sent the quarter last due):
    moved when a figure of that period is sent, returned or approved, not by a draft. Figures sent for the quarter
    being entered leave the count of the quarter last due as it was."""
    return f"period-sent:{pk}"


def indicator(pk: int) -> str:
    """What belongs to one indicator's cells only: the standing office's qualitative assessments."""
    return f"indicator:{pk}"


def agency(pk: int) -> str:
    """An agency's approved work as its page shows it: figures, task reports."""
    return f"agency:{pk}"


def agency_drafts(pk: int) -> str:
    """An agency's unapproved work (drafts, submissions, returns): what only its own staff see on the pages."""
    return f"agency-drafts:{pk}"


def task(pk: int) -> str:
    """A task's page: its approved reports, its triggers."""
    return f"task:{pk}"


def comments(subject: str, pk: int) -> str:
    """The readers' comments on an indicator or a task (``subject``: "indicator" or "task")."""
    return f"comments:{subject}:{pk}"


#: apps whose rows the pages show; their users' log-ins (``last_login``) are not a change of the plan's data
WATCHED_APPS = {"agencies", "indicators", "tasks", "imports", "oversight", "comments"}
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
#: model label → what a saved or deleted row of it changes: ``changes(instance) -> iterable of dependencies`` (an
#: empty one: nothing a page shows). Filled by dashboards/dependencies.py; a watched model missing here changes
#: everything.
CHANGES: dict[str, Callable[[object], Iterable[str]]] = {}

#: a query string longer than this is not worth a cache entry of its own (the page is built as usual)
MAX_KEY_QUERY = 300
#: query strings of one page kept at once, beyond the page without one: a crawl of made-up queries (4 330 entries
#: after one) fills no more than this an hour; the others are built on every request, as without a cache
MAX_QUERIES_KEPT = 40
#: how long a build may hold the "being built" mark (a process killed while building leaves it this long)
BUILD_MARK_SECONDS = 10
#: how long a reader waits for another process building the same block before building it too: as long as the
#: mark lasts, a build that is still going finishes sooner than a second one started beside it (with 2 s, a loaded
#: server's slow builds were each made twice or three times, which made them slower still)
BUILD_WAIT_SECONDS = BUILD_MARK_SECONDS
#: how long ``snapshots_publish`` marks the pages it built as being built, between its commit and their store (a
#: commit that fails leaves them no longer than this)
PUBLISH_MARK_SECONDS = 2

T = TypeVar("T")

#: dependencies asked to move since the last move made, in this thread (see ``snapshots_changed``)
_asked = Local()
#: what the request running in this thread has read of the versions (see ``request_began``)
_request = Local()
#: the dependencies of the blocks being built, innermost last (see ``depends_on``)
_building = Local()
#: inside ``snapshots_publish``: what it moves (``moved``) and the blocks built ahead (``built``: key → entry)
_publishing = Local()

_GENERATION = SnapshotGeneration._meta.db_table
_VERSIONS = SnapshotVersion._meta.db_table


def _clock() -> int:
    return time.time_ns() // 1000


def snapshot_generation() -> int:
    """The stamp clock now: the version the next move will pass (one primary-key read)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {_GENERATION} WHERE id = 1")  # noqa: S608 - the model's own table
        row = cursor.fetchone()
    # the row is gone (a test database flushed): a number no block was stamped with
    return row[0] if row else _clock()


def snapshot_versions_bump(keys: Iterable[str]) -> int:
    """Move these dependencies on, now, to one new version past every stamp read so far (a write's own moves wait
    for its commit: ``snapshots_changed``). Returns the new version."""
    keys = sorted(set(keys))
    if getattr(_request, "read", None) is not None:
        _request.read = _Read(url=_request.read.url)  # this request's own write: read again after it
    with transaction.atomic():
        version = _clock_advance()
        _versions_set(keys, version)
    if builds_logger.isEnabledFor(logging.DEBUG):
        builds_logger.debug("moved %s", ",".join(keys))
    return version


def _clock_advance() -> int:
    """Move the stamp clock past every stamp read so far, holding its row until the transaction ends: the clock's
    row first, always, so that two moves queue on it and never wait for each other's versions."""
    moved = SnapshotGeneration.objects.filter(pk=1).update(value=Greatest(F("value") + 1, Value(_clock())))
    if not moved:
        SnapshotGeneration.objects.get_or_create(pk=1, defaults={"value": _clock()})
    return SnapshotGeneration.objects.values_list("value", flat=True).get(pk=1)


def _versions_set(keys: Iterable[str], version: int) -> None:
    SnapshotVersion.objects.bulk_create(
        [SnapshotVersion(key=key, value=version) for key in sorted(keys)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["value"],
    )


def snapshot_generation_bump() -> None:
    """Move everything on, now."""
    snapshot_versions_bump([EVERYTHING])


def bump_after_commit() -> None:
    """The on-commit callback of ``snapshots_changed``: one move per commit with every dependency asked. The first
    of a transaction's callbacks moves them; the others find nothing asked since (a callback dropped with a
    rolled-back savepoint leaves its ask behind, which costs a move more at the next commit, never one less)."""
    keys = getattr(_asked, "keys", None)
    if keys:
        _asked.keys = set()
        snapshot_versions_bump(keys)


def snapshots_changed(*keys: str) -> None:
    """Move these dependencies on (none named: everything) once the current transaction commits (at once outside
    one)."""
    asked = getattr(_asked, "keys", None)
    if asked is None:
        asked = _asked.keys = set()
    asked.update(keys or (EVERYTHING,))
    transaction.on_commit(bump_after_commit, robust=True)


def is_watched(model) -> bool:
    return model._meta.app_label in WATCHED_APPS and model._meta.label_lower not in UNWATCHED_MODELS


def is_watched_on_delete(model) -> bool:
    meta = model._meta
    bulk = meta.label_lower in BULK_DELETED_MODELS or meta.model_name.startswith("historical")
    return is_watched(model) and not bulk


def changed_by(model, instance) -> list[str]:
    """What a saved or deleted row changes on the pages (``CHANGES``; everything for a model it does not know)."""
    if model._meta.model_name.startswith("historical"):
        return []  # the audit trail: the row it records was saved too, and says what changed
    changes = CHANGES.get(model._meta.label_lower)
    if changes is None:
        return [EVERYTHING]
    return list(changes(instance)) if instance is not None else [EVERYTHING]


def watched_model_changed(sender, instance=None, **kwargs) -> None:
    """post_save / post_delete / m2m_changed receiver: a row the pages may show has changed."""
    if not is_watched(sender):
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed: once, after the change
    keys = changed_by(sender, instance) if "action" not in kwargs else changed_by_m2m(sender, instance)
    if keys:
        snapshots_changed(*keys)


def changed_by_m2m(through, instance) -> list[str]:
    """A many-to-many change (who reports a metric, who leads an indicator): its owner's model says what it
    changes, as if saved."""
    owner = type(instance)
    return changed_by(owner, instance) if is_watched(owner) else []


# --- cached blocks ----------------------------------------------------------------------------------------------


def depends_on(*keys: str) -> None:
    """Inside a block's build: the block also depends on these (known only once built, e.g. an agency's id)."""
    stack = getattr(_building, "stack", None)
    if stack:
        stack[-1].update(keys)


def block_key(name: str, *parts: object) -> str:
    """The cache key of a block (to forget one: agencies/backends.py)."""
    return ":".join(["block", name, *map(str, parts)])


def cached_block(
    name: str,
    *parts: object,
    depends: Iterable[str] = (),
    seconds: int | None = None,
    inherit: bool = True,
    build: Callable[[], T],
) -> T:
    """``build()``, cached under ``name`` and ``parts`` (every other input: the day and the language too where the
    value depends on them) until one of ``depends`` (and of what the build declares with ``depends_on``) moves;
    kept ``seconds`` at most (default ``DASHBOARD_CACHE_SECONDS``).

    A block built inside another depends on what this one depends on, unless ``inherit`` is False: the enclosing
    block then declares itself what of this value it shows (a page showing the statuses of its own metrics out of
    every target's: ``dashboards.selectors.latest_statuses``).

    With 0 seconds (the embedded default: its in-memory cache is not shared with a command run in another process)
    nothing is cached.
    """
    if inherit:
        return _cached(block_key(name, *parts), depends, build, keep_new=lambda: True, seconds=seconds)
    enclosing = getattr(_building, "stack", None)
    _building.stack = []
    try:
        return _cached(block_key(name, *parts), depends, build, keep_new=lambda: True, seconds=seconds)
    finally:
        _building.stack = enclosing


def cached_page_block(
    name: str, path: str, query: str, *parts: object, depends: Iterable[str] = (), build: Callable[[], T]
) -> T:
    """``cached_block`` for the page at ``path`` asked with the query string ``query``, on today's date and in the
    request's language: the page without a query is always kept, and at most ``MAX_QUERIES_KEPT`` query strings of
    it an hour; any other is built on every request."""
    if len(query) > MAX_KEY_QUERY:
        with _declaring(depends):  # an enclosing block still learns what this one depends on
            return build()
    day, language = timezone.localdate().isoformat(), translation.get_language() or ""

    def place_left() -> bool:
        if not query:
            return True
        counter = f"queries-kept:{name}:{path}"
        cache.add(counter, 0, settings.DASHBOARD_CACHE_SECONDS)
        try:
            return cache.incr(counter) <= MAX_QUERIES_KEPT
        except ValueError:  # expired between the two calls
            return False

    return _cached(block_key(name, day, language, path, query, *parts), depends, build, keep_new=place_left, page=True)


class _declaring:
    """Collect the dependencies a build declares (``depends_on``), and pass them on to an enclosing build."""

    def __init__(self, depends: Iterable[str]):
        self.keys = set(depends)

    def __enter__(self) -> set[str]:
        stack = getattr(_building, "stack", None)
        if stack is None:
            stack = _building.stack = []
        stack.append(self.keys)
        return self.keys

    def __exit__(self, *exc) -> None:
        stack = _building.stack
        stack.pop()
        if stack:
            stack[-1].update(self.keys)


@dataclass
class _Read:
    """What a request has read of the versions: the clock (and the primary's WAL position with it), and each
    dependency's version, so that its blocks cost one query between them."""

    url: str = ""  # the request's path (PATH_INFO)
    clock: int | None = None
    position: int | None = None
    versions: dict[str, int] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)


#: path → the dependencies a request of it asked last (read with the first ones: one query per page served)
_LIKELY: dict[str, frozenset[str]] = {}
_LIKELY_PATHS = 5000


def request_began(environ=None, **kwargs) -> None:
    """request_started: the request reads the versions once, those of the blocks a request of the same path served
    last with the first ones asked. A request is short; a block it builds after another process's move carries the
    older stamp, which that move makes stale, and its own writes forget what it read
    (``snapshot_versions_bump``). Jobs and commands, outside requests, read every time."""
    _request.read = _Read(url=(environ or {}).get("PATH_INFO", ""))


def request_ended(**kwargs) -> None:
    read = getattr(_request, "read", None)
    _request.read = None
    if read is not None and read.asked and read.url:
        if len(_LIKELY) >= _LIKELY_PATHS:
            _LIKELY.clear()  # made-up paths: start again rather than grow
        # what it asked this time with what a request of it asked before: a page served from the cache does not ask
        # for the blocks it would read when built again (``cached_block(..., inherit=False)``)
        _LIKELY[read.url] = _LIKELY.get(read.url, frozenset()) | read.asked


def _query(keys: set[str], *, position: bool) -> tuple[int | None, dict[str, int], int | None]:
    """One query on the primary: the clock, the versions of ``keys`` (0 for those never moved) and, if
    ``position``, the primary's WAL position. The clock is None when its row is gone (a flushed test database)."""
    ordered = sorted(keys)
    marks = ", ".join(["%s"] * len(ordered))
    wal = "pg_current_wal_lsn()::text" if position else "NULL"
    sql = (
        f"SELECT g.value, {wal}, v.key, v.value FROM {_GENERATION} g "  # noqa: S608 - the models' own tables
        f"LEFT JOIN {_VERSIONS} v ON v.key IN ({marks}) WHERE g.id = 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ordered)
        rows = cursor.fetchall()
    if not rows:
        return None, {}, None
    versions = dict.fromkeys(ordered, 0)
    versions.update((key, value) for _clock_value, _wal, key, value in rows if key is not None)
    return rows[0][0], versions, replica.lsn(rows[0][1]) if position else None


def _position_wanted() -> bool:
    return replica.replica_configured() and connection.vendor == "postgresql"


def _read_again(read: _Read) -> None:
    """Read the clock and every version this request has read again, in one query."""
    keys = {*read.versions, *_LIKELY.get(read.url, frozenset()), EVERYTHING}
    clock, versions, wal = _query(keys, position=_position_wanted())
    read.clock, read.position, read.versions = clock, wal, versions


def _read(keys: Iterable[str], *, now: bool = False) -> tuple[int | None, int, int | None]:
    """(the clock, the newest version of ``keys`` and of everything, the primary's WAL position when a replica is
    configured): from what this request read already, else one query (``now``: one query in any case)."""
    keys = {*keys, EVERYTHING}
    position = _position_wanted()
    read = getattr(_request, "read", None)
    if read is None or now:  # a job or a command: now
        clock, versions, wal = _query(keys, position=position)
        return clock, max(versions.values()), wal
    read.asked |= keys
    missing = keys - read.versions.keys()
    if missing or read.clock is None:
        likely = _LIKELY.get(read.url, frozenset()) - read.versions.keys()
        clock, versions, wal = _query(missing | likely, position=position)
        read.versions.update(versions)
        if read.clock is None:
            read.clock, read.position = clock, wal
    return read.clock, max(read.versions[key] for key in keys), read.position


def _fresh(entry, *, now: bool = False) -> tuple[bool, int | None, int | None]:
    """Whether a cached entry may be served; with the clock and the WAL position read (a build's stamp)."""
    if entry is None:
        clock, _newest, position = _read((), now=now)
        return False, clock, position
    stamp, keys, _value = entry
    clock, newest, position = _read(keys, now=now)
    if clock is not None and stamp > clock and not now:
        # built by a request that began after this one: ask again rather than build it once more over it
        return _fresh(entry, now=True)
    return clock is not None and newest <= stamp <= clock, clock, position


def _in_transaction() -> bool:
    # a block built inside a transaction may show rows that are never committed (the blocks a test case opens
    # around each test stand for autocommit)
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _cached(
    key: str,
    depends: Iterable[str],
    build: Callable[[], T],
    *,
    keep_new: Callable[[], bool],
    seconds: int | None = None,
    page: bool = False,
) -> T:
    """The entry under ``key`` while it is fresh, else ``build()``, stored with its stamp and dependencies; a page's
    (``page``) served or stored at the top of a request is noted for the recomputes to build ahead
    (core/prebuild.py)."""
    if seconds is None:
        seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        with _declaring(depends):
            return build()
    moved = getattr(_publishing, "moved", None)
    if moved is not None:
        return _built_ahead(key, depends, build, moved)
    top = page and not getattr(_building, "stack", None)
    wal = replica.reading_from_replica()
    try:
        entry = cache.get(key)
        fresh, stamp, position = _fresh(entry)
    except CACHE_DOWN:
        logger.warning("cache unreachable: page built without it", exc_info=True)
        with _declaring(depends):
            return build()
    if fresh:
        depends_on(*entry[1])
        if top:
            prebuild.touched(key)
        return entry[2]
    # another process is building it already: wait for its result rather than build it again in every process
    mark = f"building:{key}"
    try:
        building = not cache.add(mark, 1, BUILD_MARK_SECONDS)
        found = _wait_for(key, mark, entry) if building else None
    except CACHE_DOWN:
        building, found = False, None
    if found is not None:
        depends_on(*found[1])
        return found[2]
    # a build reads the clock again for its stamp (one query), not the one its request read first: a move made
    # meanwhile (a slow page, an enclosing build) would make the block stale as soon as stored, built again by
    # every reader that comes next
    read = getattr(_request, "read", None)
    if stamp is not None and read is not None:
        _read_again(read)  # the versions with it: what the build serves of other blocks is as new as its stamp
        stamp, position = read.clock, read.position
    # a build from the replica is kept only if the replica had replayed, before the build read anything, what the
    # primary had committed when the stamp was read
    keep = stamp is not None and (not wal or replica.replica_has_replayed(position))
    try:
        value, keys = _build(key, depends, build, "built")
        keep = keep and not _in_transaction()
        if read is not None:
            read.asked |= keys  # the next request of this path reads them with its first ones
        try:
            if keep and (entry is not None or keep_new()):
                cache.set(key, (stamp, tuple(sorted(keys)), value), seconds)
                if top:
                    prebuild.remember(key, tuple(sorted(keys)))
        except CACHE_DOWN:
            logger.warning("cache unreachable: page not kept", exc_info=True)
    finally:
        # the mark goes once the block is stored: a reader waiting for it (``_wait_for``) that found the mark gone
        # and nothing stored yet would build it again
        if not building:
            _forget(mark)
    return value


def _built_ahead(key: str, depends: Iterable[str], build: Callable[[], T], moved: set[str]) -> T:
    """A block asked for inside ``snapshots_publish``: built from the transaction's rows if it shows what moves (or
    is not fresh), and kept aside to be stored once the transaction commits; else served from the cache. A block
    several pages share (the statuses) is built once for all of them."""
    if key in _publishing.built:
        names, value = _publishing.built[key]
        depends_on(*names)
        return value
    try:
        entry = cache.get(key)
    except CACHE_DOWN:
        entry = None
    if entry is not None and not moved.intersection(entry[1]) and _fresh(entry, now=True)[0]:
        depends_on(*entry[1])
        return entry[2]
    value, keys = _build(key, depends, build, "built-ahead")
    _publishing.built[key] = tuple(sorted(keys)), value
    return value


def _build(key: str, depends: Iterable[str], build: Callable[[], T], verb: str) -> tuple[T, set[str]]:
    """``build()``, with what it declared it depends on; logged with its time ("<verb> <key> <ms> <CPU ms>")."""
    started, cpu = time.perf_counter(), time.thread_time()
    with _declaring(depends) as keys:
        value = build()
    if builds_logger.isEnabledFor(logging.DEBUG):
        wall, cpu = (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000
        builds_logger.debug("%s %s %.1f %.1f", verb, key, wall, cpu)
    return value, keys


def _outermost_transaction() -> bool:
    blocks = [block for block in connection.atomic_blocks if not getattr(block, "_from_testcase", False)]
    return len(blocks) == 1


def snapshots_publish(*keys: str) -> None:
    """At the end of a writing transaction (a recompute's): move these dependencies (and what it asked to move with
    ``snapshots_changed``) in it, with the pages they make stale built ahead (core/prebuild.py).

    The pages read lately that show one of ``keys`` are built from the transaction's own rows before anything
    moves; then, holding the stamp clock's row (every other move waits), the versions move and each page is kept
    only if none of what it shows was moved by another commit since its build began — a build that may have missed
    that commit. Once the transaction commits the pages are stored with the new version as their stamp, so their
    readers never wait for a build and never see a page older than the commit. Without a shared cache, inside a
    longer transaction, or if anything fails, this is ``snapshots_changed``: the pages are built by their readers.
    """
    asked = getattr(_asked, "keys", None) or set()
    moved = set(keys) | asked
    if not settings.DASHBOARD_CACHE_SECONDS or not _outermost_transaction() or EVERYTHING in moved:
        snapshots_changed(*moved)
        return
    began = snapshot_generation()
    _publishing.moved, _publishing.built = moved, {}
    try:
        prebuild.build_ahead(moved)  # each page in a savepoint; one that fails is built by its readers
        built = _publishing.built
    finally:
        _publishing.moved = _publishing.built = None
    _asked.keys = set()
    with transaction.atomic():
        version = _clock_advance()
        shown = {name for names, _value in built.values() for name in names}
        since = set(
            SnapshotVersion.objects.filter(key__in=shown | {EVERYTHING}, value__gt=began).values_list("key", flat=True)
        )
        if EVERYTHING in since:
            built = {}
        built = {key: entry for key, entry in built.items() if not since.intersection(entry[0])}
        _versions_set(moved, version)
    if builds_logger.isEnabledFor(logging.DEBUG):
        builds_logger.debug("moved %s", ",".join(sorted(moved)))
    if built:
        # readers finding a page stale between the commit and the store wait for it rather than build it
        marks = [f"building:{key}" for key in built if _mark(f"building:{key}")]
        transaction.on_commit(lambda: _store_built(built, version, marks), robust=True)


def _mark(mark: str) -> bool:
    try:
        return cache.add(mark, 1, PUBLISH_MARK_SECONDS)
    except CACHE_DOWN:
        return False


def _store_built(built: dict, version: int, marks: list[str]) -> None:
    try:
        entries = {key: (version, names, value) for key, (names, value) in built.items()}
        cache.set_many(entries, settings.DASHBOARD_CACHE_SECONDS)
    except CACHE_DOWN:
        logger.warning("cache unreachable: pages built ahead not kept", exc_info=True)
    finally:
        for mark in marks:
            _forget(mark)


def _forget(mark: str) -> None:
    try:
        cache.delete(mark)
    except CACHE_DOWN:
        pass


def _wait_for(key: str, mark: str, stale):
    """The entry another process is building, once stored and fresh; None once it has stopped building without
    storing one (Redis down, a query string not kept, a write meanwhile), or after ``BUILD_WAIT_SECONDS``."""
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    pause = 0.005
    seen = stale[0] if stale else None
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.04)
        found = cache.get_many([key, mark])
        entry = found.get(key)
        if entry is not None and entry[0] != seen:
            seen = entry[0]
            if _fresh(entry, now=True)[0]:
                return entry
        if mark not in found:
            return None
    return None

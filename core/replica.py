"""The read replica: where a query reads, and whether the replica may be read at all.

With ``DATABASE_REPLICA_URL`` set (a PostgreSQL streaming replica of the primary), a request that only reads
(a GET of a dashboard, the open-data API or the public pages: ``config.middleware.ReplicaReadsMiddleware``)
reads from the alias ``replica``; everything else, every write, and every job read ``default``, the primary.
The choice is made once per request, so that one page never mixes the two.

The replica is read only while it keeps up: each process asks it, at most every ``REPLICA_CHECK_SECONDS``,
whether it is a standby that is streaming from the primary and how far behind its replay is. One that lags
more than ``REPLICA_MAX_LAG_SECONDS``, is cut off from the primary or does not answer is left aside until the
next check finds it well; reads go to the primary meanwhile and ``/readyz`` names the reason.
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"

#: the alias this request reads from: set by the middleware for the whole of a request that may use the replica
_reading_from: ContextVar[str | None] = ContextVar("reading_from", default=None)

# How far behind the replica is, measured by the replica itself: nothing to replay when all the WAL received has
# been replayed, else the age of the last transaction replayed. Its WAL receiver's process must be running
# (pg_stat_wal_receiver has a row; its pid is visible to any role): a standby cut off from the primary has
# nothing to replay and would otherwise look current.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       (SELECT pid FROM pg_stat_wal_receiver) IS NOT NULL,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@dataclass(frozen=True)
class ReplicaHealth:
    usable: bool
    reason: str = ""  # why not, in a few words for /readyz and the log
    lag_seconds: float | None = None


def replica_health_check() -> ReplicaHealth:
    """Ask the replica now (one short query)."""
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, receiving, lag = cursor.fetchone()
    except DatabaseError as exc:
        _close(connection)
        return ReplicaHealth(False, f"unreachable: {_first_line(exc)}")
    lag = float(lag)
    if not in_recovery:
        return ReplicaHealth(False, "not a standby (pg_is_in_recovery() is false)", lag)
    if not receiving:
        return ReplicaHealth(False, "not streaming from the primary", lag)
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        return ReplicaHealth(False, f"lagging {lag:.1f} s behind the primary", lag)
    return ReplicaHealth(True, "", lag)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [error.__class__.__name__])[0][:200]


def _close(connection) -> None:
    try:
        connection.close()
    except DatabaseError:
        pass


class ReplicaState:
    """What this process last learnt of the replica, asked again once it is ``REPLICA_CHECK_SECONDS`` old.

    One thread asks while the others go on with the last answer (at first: not usable, so the primary).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self.health = ReplicaHealth(False, "not checked yet")

    def usable(self) -> bool:
        if time.monotonic() - self._checked_at >= settings.REPLICA_CHECK_SECONDS and self._lock.acquire(blocking=False):
            try:
                self.observed(replica_health_check())
            finally:
                self._lock.release()
        return self.health.usable

    def failed(self, error: Exception) -> None:
        """A query on the replica failed mid-request: leave it aside until the next check."""
        _close(connections[REPLICA])
        self.observed(ReplicaHealth(False, f"failed during a request: {_first_line(error)}"))

    def forget(self) -> None:
        self._checked_at = float("-inf")
        self.health = ReplicaHealth(False, "not checked yet")

    def observed(self, health: ReplicaHealth) -> None:
        """Take ``health`` as the replica's state (a check made here, or by /readyz)."""
        if health.usable != self.health.usable or (not health.usable and health.reason != self.health.reason):
            if health.usable:
                logger.info("Read replica in use (lag %.1f s)", health.lag_seconds or 0)
            else:
                logger.warning("Read replica left aside, reads go to the primary: %s", health.reason)
        self.health = health
        self._checked_at = time.monotonic()


state = ReplicaState()


def read_from_replica() -> bool:
    """For the middleware: make the rest of this request read from the replica, if it may. Returns whether."""
    if replica_configured() and state.usable():
        _reading_from.set(REPLICA)
        return True
    return False


def reading_from_replica() -> bool:
    return _reading_from.get() == REPLICA


def read_from_primary() -> None:
    _reading_from.set(None)


def request_reads() -> object:
    """Start a request reading from the primary; the token given back ends it (``request_reads_end``)."""
    return _reading_from.set(None)


def request_reads_end(token) -> None:
    _reading_from.reset(token)


def _in_transaction(connection) -> bool:
    # the blocks a test case opens around each test stand for autocommit, not for a transaction of the code's
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class PrimaryReplicaRouter:
    """Reads go where the request reads (the replica, or the primary); writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading_from.get()
        if alias is None or _in_transaction(connections[PRIMARY]):  # a transaction reads what it writes
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, whichever copy they were read from

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


# Page caching (core/snapshots.py) serves a rendered block while none of its dependencies moved after the stamp read
# before it was built. A block built from a replica that had not yet replayed a write committed before that stamp
# would show every later reader the page as it was before that write. So the stamp is read with the primary's WAL
# position, and a block read from the replica is kept only once the replica has replayed past it.


def lsn(text: str | None) -> int | None:
    """A PostgreSQL WAL position ('16/B374D848') as a number, to compare."""
    if not text:
        return None
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def replica_has_replayed(position: int | None) -> bool:
    """Whether the replica has replayed the WAL up to ``position`` (False when not known)."""
    if position is None:
        return False
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
            replayed = lsn(cursor.fetchone()[0])
    except DatabaseError:
        return False
    return replayed is not None and replayed >= position

"""Reads from the read replica (core/replica.py, config.middleware.ReplicaReadsMiddleware).

The replica here is a second connection, ``replica``, to the test database (Django's ``TEST: MIRROR``): it sees
what is committed, like a replica that keeps up, so the queries each alias answers show where a page read. Its
health is the real check where the test is about the check (a mirror is no standby); where the test is about
routing, a replica that keeps up or lags is stood in for. tests/multinode/ does it all with a real standby.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.middleware import ReplicaReadsMiddleware
from core import replica, snapshots
from indicators.models import Observation

COOKIE = ReplicaReadsMiddleware.COOKIE


@pytest.fixture
def mirror(db, monkeypatch):
    """The alias ``replica``, a second connection to the test database."""
    from django.conf import settings

    monkeypatch.setitem(settings.DATABASES, "replica", {**connections.settings["default"]})
    connections.settings["replica"] = {**connections.settings["default"]}
    replica.state.forget()
    connection = connections["replica"]

    def ensure_connection():  # the test case allows "default" only: this alias connects for itself
        if connection.connection is None:
            with connection.wrap_database_errors:
                connection.connect()

    connection.ensure_connection = ensure_connection
    yield connection
    connections["replica"].close()
    del connections.settings["replica"]
    del connections["replica"]
    replica.state.forget()


@pytest.fixture
def keeping_up(mirror, monkeypatch):
    monkeypatch.setattr(replica, "replica_health_check", lambda: replica.ReplicaHealth(True, "", 0.2))
    return mirror


def _reads(client, url: str) -> tuple[int, int, int]:
    """(status, queries on the primary, queries on the replica) of one GET."""
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as rep:
        response = client.get(url)
    return response.status_code, len(primary), len(rep)


@pytest.mark.parametrize("url", ["/chi-tieu/", "/chi-tieu/V.1/", "/nhiem-vu/", "/api/tasks/", "/cong-khai/"])
def test_dashboards_the_api_and_public_pages_read_from_the_replica(client, steering, keeping_up, url):
    client.force_login(steering)
    status, _, on_replica = _reads(client, url)
    assert status == 200 and on_replica > 0


def test_other_pages_and_every_write_use_the_primary(client, agency_staff, keeping_up, plan):
    client.force_login(agency_staff)
    status, on_primary, on_replica = _reads(client, reverse("figure_entry"))
    assert status == 200 and on_primary > 0 and on_replica == 0
    assert replica.PrimaryReplicaRouter().db_for_write(Observation) == "default"
    assert replica.PrimaryReplicaRouter().allow_migrate("replica", "indicators") is False


def test_the_signed_in_user_is_read_before_the_switch(client, steering, keeping_up):
    client.force_login(steering)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get("/chi-tieu/").status_code == 200
    assert not any("agencies_user" in query["sql"] and "FROM" in query["sql"][:60] for query in on_replica)
    assert not any("django_session" in query["sql"] for query in on_replica)


def test_after_their_own_write_a_user_reads_the_primary_for_a_while(client, steering, keeping_up, settings):
    client.force_login(steering)
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/chi-tieu/"})
    cookie = response.cookies[COOKIE]
    assert cookie["max-age"] == settings.REPLICA_STICKY_SECONDS and cookie["httponly"]

    _, on_primary, on_replica = _reads(client, "/chi-tieu/")
    assert on_replica == 0 and on_primary > 0

    del client.cookies[COOKIE]  # the cookie expired
    assert _reads(client, "/chi-tieu/")[2] > 0


def test_a_lagging_replica_is_left_aside(client, steering, mirror, monkeypatch, settings):
    settings.REPLICA_CHECK_SECONDS = 0
    monkeypatch.setattr(replica, "replica_health_check", lambda: replica.ReplicaHealth(False, "lagging 9.0 s", 9.0))
    client.force_login(steering)
    status, on_primary, on_replica = _reads(client, "/chi-tieu/")
    assert status == 200 and on_replica == 0 and on_primary > 0
    assert replica.state.health.reason == "lagging 9.0 s"


def test_a_replica_failing_mid_request_gives_the_page_from_the_primary(client, steering, keeping_up):
    client.force_login(steering)

    def dead(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with keeping_up.execute_wrapper(dead):
        status, on_primary, _ = _reads(client, "/chi-tieu/")
    assert status == 200 and on_primary > 0
    assert not replica.state.health.usable and "server closed" in replica.state.health.reason
    assert _reads(client, "/chi-tieu/")[2] == 0  # left aside until the next check


@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="pg_is_in_recovery() is PostgreSQL's")
def test_readyz_says_the_replica_is_not_a_standby_and_the_node_still_serves(client, mirror):
    response = client.get("/readyz")
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "degraded"
    assert answer["checks"]["replica"] == {
        "ok": False,
        "lag_seconds": 0.0,
        "error": "not a standby (pg_is_in_recovery() is false)",
        "reads_from": "primary",
    }
    assert replica.state.health.usable is False


def test_readyz_without_a_replica_names_every_part(client, db):
    answer = client.get("/readyz").json()
    assert answer["status"] == "ready"
    assert set(answer["checks"]) == {"database", "replica", "redis", "storage"}
    assert answer["checks"]["replica"]["detail"].startswith("not configured")
    assert client.get("/healthz").json() == {"status": "ok"}


def test_a_block_read_from_the_replica_is_kept_only_once_it_has_replayed_the_write(mirror, settings, monkeypatch):
    """A block built from the replica is kept only once the replica has replayed what the primary had committed
    when the block's stamp was read (the primary's WAL position, read with the stamp)."""
    settings.DASHBOARD_CACHE_SECONDS = 60
    snapshots.snapshot_generation_bump()
    built, positions = [], []

    def build():
        built.append(1)
        return "block"

    def replayed(answer):
        return lambda position: positions.append(position) or answer

    replica._reading_from.set(replica.REPLICA)
    try:
        monkeypatch.setattr(replica, "replica_has_replayed", replayed(False))
        snapshots.cached_block("t", "a", build=build)
        snapshots.cached_block("t", "a", build=build)
        assert len(built) == 2  # built from a replica behind the write: not kept
        monkeypatch.setattr(replica, "replica_has_replayed", replayed(True))
        snapshots.cached_block("t", "a", build=build)
        snapshots.cached_block("t", "a", build=build)
        assert len(built) == 3
    finally:
        replica.read_from_primary()
    if connections["default"].vendor == "postgresql":  # the position asked is where the primary's WAL stood
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            now = replica.lsn(cursor.fetchone()[0])
        assert positions[0] == pytest.approx(now, abs=1 << 20)


def test_wal_positions_compare_as_numbers():
    assert replica.lsn("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert replica.lsn("0/FF") < replica.lsn("1/0")
    assert replica.lsn(None) is None

"""Health endpoints for a load balancer or an orchestrator.

``/healthz`` (liveness): the process answers; it touches nothing else, so a database or Redis outage never gets
every node restarted at once. ``/readyz`` (readiness): whether this node can serve, each part named — the
database (the primary), the read replica, Redis, the file storage. 200 when the node can serve, else 503. A
replica that lags or does not answer does not stop the node serving (reads go to the primary): the answer stays
200 and says so. Both answer JSON, never cached, never logged in.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from redis.exceptions import RedisError

from core import replica
from core.storage import storage_check


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:  # any failure is the answer, named
        result = {"ok": False, "error": f"{exc.__class__.__name__}: {str(exc).strip()[:300]}"}
    else:
        result = {"ok": True, **(detail or {})}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> None:
    with connections[replica.PRIMARY].cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> dict | None:
    if not settings.REDIS_URL:
        return {"detail": "not configured: jobs run in-process, cache in memory"}
    # the cache's own client, not the tolerant cache (which would call a dead Redis a miss)
    client = cache._cache.get_client(write=True)
    try:
        client.ping()
    except RedisError as exc:
        raise ConnectionError(str(exc)) from exc
    return None


def _storage() -> dict:
    return {"detail": storage_check(default_storage)}


@never_cache
def readyz(request):
    checks = {"database": _timed(_database)}
    if replica.replica_configured():
        health = replica.replica_health_check()
        replica.state.observed(health)
        checks["replica"] = {
            "ok": health.usable,
            "lag_seconds": None if health.lag_seconds is None else round(health.lag_seconds, 1),
            **({} if health.usable else {"error": health.reason, "reads_from": "primary"}),
        }
    else:
        checks["replica"] = {"ok": True, "detail": "not configured: every read goes to the primary"}
    checks["redis"] = _timed(_redis)
    checks["storage"] = _timed(_storage)
    ready = all(checks[name]["ok"] for name in ("database", "redis", "storage"))
    if ready and not checks["replica"]["ok"]:
        status = "degraded"
    else:
        status = "ready" if ready else "unavailable"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)

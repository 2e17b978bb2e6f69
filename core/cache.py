"""The cache on Redis, tolerant of Redis being down.

The cache only ever holds what can be lost: API throttle counters, job locks, memoised pages. When Redis does
not answer, a read is a miss and a write is dropped (logged once a minute), so pages and the open-data API go
on answering — unthrottled until Redis is back, which is the lesser harm than answering every reader 500.
Short socket timeouts keep a dead Redis from holding each request for seconds.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_last_warning = 0.0


def _warn(operation: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("Redis cache unavailable (%s): %s; carrying on without it", operation, error)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool instead of building one per operation.

    Building one fills ~200 response callbacks: 0,2 ms of CPU on every cache call, several per page view. A
    ``redis.Redis`` takes a pooled connection for each command, so one object serves every thread.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    """Django's Redis cache whose operations fail soft: a miss on read, nothing on write."""

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def delete_strict(self, key, version=None) -> bool:
        """``delete`` that raises when Redis does not answer: for what must be forgotten (a logged-out session)."""
        return super().delete(key, version)

    def _soft(self, operation: str, default, *args, **kwargs):
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except UNAVAILABLE as error:
            _warn(operation, error)
            return default

    def get(self, key, default=None, version=None):
        return self._soft("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._soft("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # a lock that cannot be taken is not held: the job runs (jobs are idempotent), rather than never
        return self._soft("add", True, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft("delete", False, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._soft("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._soft("incr", delta, key, delta, version)

    def clear(self):
        """Forget this site's keys only: with a KEY_PREFIX, other sites (or test processes) on the Redis keep theirs."""
        if not self.key_prefix:
            return self._soft("clear", None)
        try:
            client = self._cache.get_client(write=True)
            for batch in _batches(client.scan_iter(match=f"{self.key_prefix}:*", count=1000), 500):
                client.delete(*batch)
        except UNAVAILABLE as error:
            _warn("clear", error)


def _batches(keys, size):
    batch = []
    for key in keys:
        batch.append(key)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch

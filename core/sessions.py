"""The session engine of the full stack: Django's ``cached_db`` (a page view reads its session from Redis, not
PostgreSQL; every write still goes to the database first), with the log-out made strict.

The cache fails soft (core/cache.py), which is right for reads: Redis down, the session comes from the
database. But a log-out whose cache delete was dropped would leave the session readable in Redis once it
answers again: the user still logged in after logging out. Here a log-out (``flush``) whose delete Redis does
not answer raises instead (a 500: the user sees it did not work). Log-ins go on working with Redis down: the
pre-log-in session they drop holds no log-in, and a password change's old session no longer matches the
password's hash.
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db


class SessionStore(cached_db.SessionStore):
    def flush(self):
        key = self.session_key
        super().flush()
        strict = getattr(self._cache, "delete_strict", None)
        if key and strict:
            strict(self.cache_key_prefix + key)

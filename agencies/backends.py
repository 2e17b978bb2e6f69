"""The user of each request, read from the cache instead of the database.

Every request of a logged-in reader loads its user (``AuthenticationMiddleware``); on a cached dashboard page
that was one of the two database round trips left. The user row (with its agency) is kept under the snapshot
generation (core/snapshots.py), so any write to an agency, or a bulk change of users (the directory import calls
``snapshots_changed()``), makes every cached user stale; a ``save()`` or ``delete()`` of a user forgets that
user's entry at once and again after the commit (``user_cache_forget``, connected in ``AgenciesConfig``).
Deactivation, a role or agency change and a password change (the session's hash) therefore count from the next
request. Only the row is cached: permissions are read as before.

Off without a shared cache (``USER_CACHE_SECONDS`` 0: an in-memory cache is per process and a change in one
could not reach the others).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

from core.snapshots import CACHE_DOWN, snapshot_generation

from .models import User


class CacheUnreachable(RuntimeError):
    pass


def _key(user_id) -> str:
    return f"auth-user:{user_id}:{snapshot_generation()}"


class UserBackend(ModelBackend):
    """Django's ``ModelBackend`` (log-in, permissions) whose ``get_user`` reads the cache first."""

    def get_user(self, user_id):
        seconds = settings.USER_CACHE_SECONDS
        key = _key(user_id) if seconds else None
        try:
            user = cache.get(key) if key else None
        except CACHE_DOWN:
            user = key = None
        if user is None:
            try:
                user = User._default_manager.select_related("agency").get(pk=user_id)
            except User.DoesNotExist:
                return None
            if key:
                try:
                    cache.set(key, user, seconds)
                except CACHE_DOWN:
                    pass
        return user if self.user_can_authenticate(user) else None


def _forget(user_id) -> None:
    # strict: with Redis not answering, the save fails rather than a deactivated user staying logged in once
    # it answers again
    try:
        getattr(cache, "delete_strict", cache.delete)(_key(user_id))
    except CACHE_DOWN as error:
        raise CacheUnreachable("Redis does not answer: the change of this user cannot be made visible") from error


def user_cache_forget(sender, instance, update_fields=None, **kwargs) -> None:
    """post_save / post_delete of a user: now, and once committed (a reader between the two loaded the old row)."""
    if not settings.USER_CACHE_SECONDS or update_fields == frozenset({"last_login"}):
        return  # a log-in's own save changes nothing a request reads, and must work with Redis down
    _forget(instance.pk)
    transaction.on_commit(lambda: _forget(instance.pk), robust=True)

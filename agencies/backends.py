"""The user of each request, read from the cache instead of the database.

Every request of a logged-in reader loads its user (``AuthenticationMiddleware``); on a cached dashboard page
that was one of the two database round trips left. The user row (with its agency) is a cached block that depends
on ``directory`` (core/snapshots.py), so any write to an agency, or a bulk change of users (the directory import
calls ``snapshots_changed()``), makes every cached user stale; a ``save()`` or ``delete()`` of a user forgets that
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

from core.snapshots import CACHE_DOWN, DIRECTORY, block_key, cached_block, snapshots_changed

from .models import User


class CacheUnreachable(RuntimeError):
    pass


#: the cached block of a user (core/snapshots.py): its key, to forget one user
BLOCK = "auth-user"


def _user(user_id) -> User | None:
    return User._default_manager.select_related("agency").filter(pk=user_id).first()


class UserBackend(ModelBackend):
    """Django's ``ModelBackend`` (log-in, permissions) whose ``get_user`` reads the cache first."""

    def get_user(self, user_id):
        seconds = settings.USER_CACHE_SECONDS
        user = cached_block(BLOCK, user_id, depends=[DIRECTORY], seconds=seconds, build=lambda: _user(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None


def _forget(user_id) -> None:
    # strict: with Redis not answering, the save fails rather than a deactivated user staying logged in once
    # it answers again
    try:
        getattr(cache, "delete_strict", cache.delete)(block_key(BLOCK, user_id))
    except CACHE_DOWN as error:
        raise CacheUnreachable("Redis does not answer: the change of this user cannot be made visible") from error


def user_cache_forget(sender, instance, update_fields=None, **kwargs) -> None:
    """post_save / post_delete of a user: now, and once committed (a reader between the two loaded the old row)."""
    if update_fields == frozenset({"last_login"}):
        return  # a log-in's own save changes nothing a request reads, and must work with Redis down
    snapshots_changed(DIRECTORY)  # their name and agency beside the comments they wrote
    if not settings.USER_CACHE_SECONDS:
        return
    _forget(instance.pk)
    transaction.on_commit(lambda: _forget(instance.pk), robust=True)

"""Pages built before they are stale: the recompute that changes what a page shows builds it again first.

After an approval the recompute moves ``figures`` and its metrics (core/snapshots.py): the overview, the plan page,
the public page, the agency pages and the API's lists are stale at once, and their next readers would each wait
for a build (100–500 ms on a busy server) while holding a thread. So the pages read lately are rebuilt inside the
recompute's own transaction, from the rows it has just written, before anything moves: ``snapshots_publish`` then
moves the versions in that transaction and stores the pages once it commits, stamped with the new version. A reader
never waits for them, and never sees a page older than the last commit (docs/performance.md, "Pages built before
they are stale").

How a page is built again: a page block stored while a request was being answered remembers that request — its
path and query string, the signed-in user (the page's body depends only on the reader's scope), the language, the
host, the scheme and the accepted media type — as a ``Recipe``. The recompute calls the same view with the same
request again (``render``). Only pages read within ``READ_SECONDS`` are built ahead, those without a query string
first, the page read last first, and for ``BUILD_SECONDS`` at most; the others wait for a reader, as before.
Recipes live in the cache with the pages: losing them costs only builds by readers.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass

from asgiref.local import Local
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.urls import resolve
from django.utils import translation

logger = logging.getLogger(__name__)

#: the cache entry holding every recipe: ``{block key: (Recipe, dependencies, last read)}``
RECIPES = "prebuild-recipes"
#: recipes kept at most (the ones read longest ago go first)
RECIPES_KEPT = 300
#: a page read within this long is built ahead by the recompute that makes it stale
READ_SECONDS = 300
#: how often a process notes that a page was read again (one cache write per page and process at most)
TOUCH_SECONDS = 30
#: how long a recompute builds pages ahead at most, the pages read last first (about 20 pages on a busy node)
BUILD_SECONDS = 1.0

_local = Local()
#: block key → when this process last noted it read
_touched: dict[str, float] = {}


@dataclass(frozen=True)
class Recipe:
    """The request a page block was built for: enough to call its view again the same way."""

    path_info: str
    query: str
    user_id: int | None
    language: str
    host: str
    secure: bool
    accept: str


class RequestsRemembered:
    """Middleware: the request being answered, for ``remember`` (after the authentication middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _local.request = request
        try:
            return self.get_response(request)
        finally:
            _local.request = None


def _recipe() -> Recipe | None:
    request = getattr(_local, "request", None)
    if request is None or request.method != "GET" or getattr(request, "built_ahead", False):
        return None
    user = getattr(request, "user", None)
    return Recipe(
        path_info=request.path_info,
        query=request.META.get("QUERY_STRING", ""),
        user_id=user.pk if user is not None and user.is_authenticated else None,
        language=translation.get_language() or "",
        host=request.get_host(),
        secure=request.is_secure(),
        accept=request.META.get("HTTP_ACCEPT", ""),
    )


def _save(recipes: dict) -> None:
    if len(recipes) > RECIPES_KEPT:
        newest = sorted(recipes.items(), key=lambda item: item[1][2], reverse=True)[:RECIPES_KEPT]
        recipes = dict(newest)
    cache.set(RECIPES, recipes, None)


def remember(key: str, depends: tuple[str, ...]) -> None:
    """A page block was stored while a request was answered: remember how to build it again (a page this process
    remembered or saw read within ``TOUCH_SECONDS`` is remembered already)."""
    recipe = _recipe()
    if recipe is not None:
        _note(key, lambda _known: (recipe, depends))


def touched(key: str) -> None:
    """A page block was served: note that it is read, at most once every ``TOUCH_SECONDS`` in this process."""
    if getattr(_local, "request", None) is not None:
        _note(key, lambda known: known and known[:2])


def _note(key: str, entry) -> None:
    """Write ``key``'s recipe as read now: ``entry(known)`` gives its (recipe, dependencies) from what was known of
    it (None: nothing to note); at most once every ``TOUCH_SECONDS`` per page in this process."""
    now = time.time()
    if now - _touched.get(key, 0) < TOUCH_SECONDS:
        return
    _touched[key] = now
    recipes = cache.get(RECIPES) or {}
    noted = entry(recipes.get(key))
    if noted:
        recipes[key] = (*noted, now)
        _save(recipes)


def recipes_for(moved: set[str]) -> list[Recipe]:
    """The requests to answer again so that every page read lately and showing one of ``moved`` is built: the pages
    without a query string first (a crawl of made-up queries does not take their turn), each the page read last
    first."""
    since = time.time() - READ_SECONDS
    found: dict[Recipe, float] = {}
    for recipe, depends, read in (cache.get(RECIPES) or {}).values():
        if read >= since and moved.intersection(depends):
            found[recipe] = max(read, found.get(recipe, 0))
    return sorted(found, key=lambda recipe: (not recipe.query, found[recipe]), reverse=True)


def build_ahead(moved: set[str]) -> int:
    """Answer again the requests of the pages read lately that show one of ``moved``, the page read last first,
    for at most ``BUILD_SECONDS`` (the recompute holds its transaction meanwhile; the pages left are built by their
    readers). Returns how many were answered."""
    deadline = time.monotonic() + BUILD_SECONDS
    answered = 0
    users: dict[int | None, object] = {None: AnonymousUser()}  # each reader read once, however many pages
    for recipe in recipes_for(moved):
        if time.monotonic() > deadline:
            break
        if recipe.user_id not in users:
            users[recipe.user_id] = get_user_model().objects.filter(pk=recipe.user_id, is_active=True).first()
        answered += render(recipe, users[recipe.user_id])
    return answered


def render(recipe: Recipe, user) -> bool:
    """Answer the recipe's request again as ``user`` (None: no longer active), in a savepoint (a failure leaves the
    caller's transaction as it was); the response is thrown away: what counts is the blocks built meanwhile. False if
    it could not be answered."""
    if user is None:
        return False
    host, _colon, port = recipe.host.partition(":")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": recipe.path_info,
        "QUERY_STRING": recipe.query,
        "SCRIPT_NAME": "",
        "HTTP_HOST": recipe.host,
        "SERVER_NAME": host,
        "SERVER_PORT": port or ("443" if recipe.secure else "80"),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https" if recipe.secure else "http",
        "wsgi.input": io.BytesIO(b""),
    }
    if recipe.accept:
        environ["HTTP_ACCEPT"] = recipe.accept
    request = WSGIRequest(environ)
    request.user = user
    request.session = SessionBase()
    request.LANGUAGE_CODE = recipe.language
    request.built_ahead = True
    try:
        with transaction.atomic(), translation.override(recipe.language):
            match = resolve(recipe.path_info)
            response = match.func(request, *match.args, **match.kwargs)
            return response.status_code == 200
    except Exception:  # a page that fails here is built by its next reader, as before
        logger.warning("page not built ahead: %s", recipe.path_info, exc_info=True)
        return False

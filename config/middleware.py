import gc
import logging
import time

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils import translation

from agencies.backends import CacheUnreachable
from core import replica
from core.snapshots import CACHE_DOWN

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class ChosenLanguageMiddleware:
    """Vietnamese unless the user picked another language with the switcher (the language cookie).

    Django's LocaleMiddleware would also follow the browser's Accept-Language; many office computers here
    run English browsers, and their users expect the Vietnamese interface.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()  # nothing after the request (tests, jobs in-process) inherits its language
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class RefuseNulMiddleware:
    """A NUL byte in the path, the query string or a form field is refused with a 400 before any view runs.

    No input of this site can contain one (PostgreSQL text cannot even store it), so it is only ever a probe
    or a broken client; refusing it here closes the whole class instead of each view finding out as a 500.
    Uploaded files are not looked at: their content is checked by the import pipeline.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in _fields(request)):
            raise SuspiciousOperation("NUL byte in the request")
        return self.get_response(request)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _fields(request):
    for key, values in request.GET.lists():
        for value in values:
            yield key, value
    if request.method == "POST" and request.content_type in FORM_TYPES:
        for key, values in request.POST.lists():
            for value in values:
                yield key, value


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (settings.PERMISSIONS_POLICY): camera, microphone, location… all off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class CacheRequiredMiddleware:
    """A change that must reach Redis and cannot (a log-out, a change to a user) answers a clear 503.

    Those two refuse to go on without Redis rather than leave an old session or user readable in it once it
    answers again (core/sessions.py, agencies/backends.py). The reader is told what happened and to try
    again, on the site's own error page, instead of a bare "Lỗi 500"; a user's change is rolled back with the
    admin's transaction.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (CacheUnreachable, *CACHE_DOWN)):
            return None
        logger.warning("Refused for want of Redis: %s %s (%s)", request.method, request.path, exception)
        return render(request, "503.html", status=503)


class ReplicaReadsMiddleware:
    """Reads a request from the read replica when it may (core/replica.py), and keeps a writer on the primary.

    A GET or HEAD of a page of ``REPLICA_READ_APPS`` (dashboards, the open-data API, the public pages) reads from
    the replica while the replica keeps up. A request that may write (POST and the like) leaves a cookie
    that keeps its sender's reads on the primary for ``REPLICA_STICKY_SECONDS``, whichever node serves them:
    they see at once what they have just done. The signed-in user and the session are read before the switch,
    from the primary (or the cache), so a log-out or a deactivation counts at once. A replica that fails in the
    middle of a request is left aside and the page is built again from the primary: a GET never writes, so
    building it twice is safe.
    """

    COOKIE = "doc_chinh"  # "read the primary": its value is only a marker

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = replica.request_reads()
        try:
            response = self.get_response(request)
        finally:
            replica.request_reads_end(token)
        if request.method not in SAFE_METHODS and replica.replica_configured():
            response.set_cookie(
                self.COOKIE,
                "1",
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            request.method in ("GET", "HEAD")
            and self.COOKIE not in request.COOKIES
            and view_func.__module__.split(".")[0] in settings.REPLICA_READ_APPS
            and replica.replica_configured()
        ):
            request.user.is_authenticated  # noqa: B018 - the session and the user, read before the switch
            request.reads_replica = replica.read_from_replica()
        return None

    def process_exception(self, request, exception):
        if not (getattr(request, "reads_replica", False) and isinstance(exception, (OperationalError, InterfaceError))):
            return None
        logger.warning("Read replica failed during %s %s, built again from the primary", request.method, request.path)
        replica.state.failed(exception)
        replica.read_from_primary()
        request.reads_replica = False
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


cost_logger = logging.getLogger("config.requests")
_pass_started = 0.0


def _full_passes_logged(phase: str, info: dict) -> None:
    """``gc.callbacks``: a full pass's time (passes never overlap: they hold the interpreter)."""
    global _pass_started
    if phase == "start":
        _pass_started = time.perf_counter()
    elif info["generation"] == 2:
        cost_logger.debug("gc-full %.1f", (time.perf_counter() - _pass_started) * 1000)


class RequestCostMiddleware:
    """One line per request with the CPU time its thread spent ("cost GET /path 12.3"), and one per full pass of the
    garbage collector with its time ("gc-full 61.2": every thread of the process waits for it), at DEBUG; in the
    middleware only when ``REQUEST_COST_LOG`` is set (benchmarks/load.py: what each kind of request costs the
    server)."""

    def __init__(self, get_response):
        self.get_response = get_response
        if _full_passes_logged not in gc.callbacks:  # once per process, however many handlers are built
            gc.callbacks.append(_full_passes_logged)

    def __call__(self, request):
        started = time.thread_time()
        response = self.get_response(request)
        cost_logger.debug("cost %s %s %.1f", request.method, request.path, (time.thread_time() - started) * 1000)
        return response

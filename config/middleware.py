import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import render
from django.utils import translation

from agencies.backends import CacheUnreachable
from core.snapshots import CACHE_DOWN

logger = logging.getLogger(__name__)


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

"""Who is asking: the client's address, the one rule for every limit that counts by address (django-axes' log-in
lockout, the open-data API's throttle), and the user name a log-in attempt is recorded under."""

from __future__ import annotations

import ipaddress

from django.conf import settings

#: django-axes' ``AccessAttempt.username`` column
ATTEMPT_USERNAME_MAX = 255


def client_address(request) -> str | None:
    """The address of the client: ``REMOTE_ADDR``, or behind ``NUM_PROXIES`` proxies of our own
    (``DJANGO_NUM_PROXIES``) the ``X-Forwarded-For`` entry written by the outermost of them, the address it saw.

    Entries further left were written by the client and prove nothing. Behind one proxy every request's
    ``REMOTE_ADDR`` is that proxy: counting by it locked everyone out together (five wrong passwords from one
    address, then the right one from another, answered 429). An entry that is not an address (a proxy set up
    wrong) counts as the proxy's own.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    entries = forwarded.split(",")
    candidate = entries[-min(proxies, len(entries))].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def attempted_username(request, credentials) -> str | None:
    """The user name a log-in attempt gave, as django-axes records it: cut to its column (a name of 256
    characters or more ended the log-in in a 500)."""
    if credentials:
        name = credentials.get("username")
    else:
        name = getattr(request, "data", request.POST).get("username") if request is not None else None
    return name[:ATTEMPT_USERNAME_MAX] if isinstance(name, str) else name

"""``{% topbar %}``: the top bar of every page (templates/includes/topbar.html), rendered once per kind of reader
and page and then kept in this process's memory.

It was a third of a cached dashboard page's CPU: two menus of links (about twenty URL reversals), the language
forms and the user panel, the same for every view of the same reader on the same kind of page. The key holds
everything the template reads — the language, the reader's name, role, agency and badges, the page's URL name —
so nothing needs forgetting: a change makes a new key. The two things that differ on every request, the CSRF
token and the current path (the language forms' ``next``), are rendered as placeholders and put in afterwards,
escaped as the template would. Not kept with ``DEBUG`` (templates edited while the server runs).
"""

from __future__ import annotations

import secrets

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

TEMPLATE = "includes/topbar.html"
#: per process and unguessable, so that no name or path a user writes can be mistaken for one
CSRF_SLOT = f"csrfslot{secrets.token_hex(8)}"
PATH_SLOT = f"pathslot{secrets.token_hex(8)}"
#: bounded: readers × page kinds × languages; past it the memory starts again
KEEP_AT_MOST = 2000
_kept: dict[tuple, str] = {}


class _RequestWithPathSlot:
    """The request as the top bar reads it, its path a placeholder."""

    def __init__(self, request):
        self.resolver_match = getattr(request, "resolver_match", None)

    def get_full_path(self) -> str:
        return PATH_SLOT


def _key(context, request) -> tuple:
    match = getattr(request, "resolver_match", None)
    page = (match.url_name, match.app_name) if match else (None, None)
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ("anonymous", get_language(), page)
    agency = user.agency.display_name if user.agency_id else None
    badges = context.get("work_badges")
    return (
        user.pk,
        get_language(),
        page,
        user.username,
        user.get_full_name(),
        user.role,
        user.is_superuser,
        user.agency_id,
        agency,
        tuple(sorted(badges.items())) if badges else (),
    )


@register.simple_tag(takes_context=True)
def topbar(context) -> str:
    request = context.get("request")  # none on the 500 page (rendered without a request context)
    key = _key(context, request)
    html = _kept.get(key)
    if html is None:
        with context.push(csrf_token=CSRF_SLOT, request=_RequestWithPathSlot(request)):
            html = context.template.engine.get_template(TEMPLATE).render(context)
        if not settings.DEBUG:
            if len(_kept) >= KEEP_AT_MOST:
                _kept.clear()
            _kept[key] = html
    token = context.get("csrf_token")
    html = html.replace(CSRF_SLOT, escape(str(token)) if token else "")
    path = request.get_full_path() if request is not None else ""
    return mark_safe(html.replace(PATH_SLOT, escape(path)))  # noqa: S308 - rendered, escaped

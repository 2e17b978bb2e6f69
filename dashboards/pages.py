"""How a page is answered: its body rendered once and cached until what it shows changes, the parts that belong
to the reader (the top bar, messages, a comment form with its CSRF token) rendered on every request.

A page's template extends ``dashboards/_blocks.html``, which renders its title, head, content and scripts blocks
separated by a marker; ``page_response`` caches those strings (``core.snapshots.cached_page_block``: keyed by the
day, the language, the path, the query string and what the reader may see, a bounded number of query strings per
page) and puts them into ``dashboards/page.html``, which extends ``base.html``. A page's body may therefore show
nothing that depends on who reads it beyond their read scope.

What a page shows decides what it depends on (dashboards/dependencies.py): ``depends`` names what is known before
building it, and the build adds what it learns (``core.snapshots.depends_on``: an agency's id, an indicator's
metrics). Caching a new page is one call:

    return page_response(request, "plan", _plan_overview, depends=[PLAN, FIGURES])

``?format=csv|xlsx&bang=NAME`` builds the page's data and sends one of its tables instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from agencies.permissions import read_scope
from core.snapshots import agency_drafts, cached_page_block

from .tables import FORMATS, Table, table_response

#: what ``dashboards/_blocks.html`` puts between the blocks; escaped text can never contain it
BLOCK_MARKER = "<!--dashboards:block-->"
BLOCKS = ("title", "head", "content", "scripts")


@dataclass
class Page:
    """What a page's builder returns: its template and context, its downloadable tables, and ``keep`` — small
    plain values the per-request part needs (an indicator's id for its comments), cached with the body."""

    template: str
    context: dict
    tables: dict[str, Callable[[], Table]] = field(default_factory=dict)
    keep: dict = field(default_factory=dict)


def page_response(
    request,
    name: str,
    build: Callable[[], Page],
    *,
    depends: Iterable[str] = (),
    tail: Callable[[dict], str] | None = None,
    status: int = 200,
):
    """Answer with the page ``build()`` describes, cached until one of ``depends`` (or of what the build declares)
    moves; ``tail(keep)`` renders what follows the cached body."""
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        page = build()
        if page.tables:
            make = page.tables.get(request.GET.get("bang")) or next(iter(page.tables.values()))
            return table_response(make(), fmt)

    def render_blocks() -> dict:
        page = build()
        context = {**page.context, "tables": list(page.tables)}
        parts = render_to_string(page.template, context, request=request).split(BLOCK_MARKER)
        return {**dict(zip(BLOCKS, parts, strict=True)), "keep": page.keep}

    query = urlencode(sorted(request.GET.lists()), doseq=True)
    # what the page lists depends on what the reader may see: agency staff see their own agency's unapproved work
    # too (agencies.permissions.submissions_on_pages), which their saves move
    depends = list(depends)
    if request.user.is_authenticated and request.user.is_agency_staff and request.user.agency_id:
        depends.append(agency_drafts(request.user.agency_id))
    blocks = cached_page_block(
        name, request.path, query, read_scope(request.user), depends=depends, build=render_blocks
    )
    context = {name: mark_safe(blocks[name]) for name in BLOCKS}  # noqa: S308 - our own rendered templates
    context["tail"] = mark_safe(tail(blocks["keep"]) if tail else "")  # noqa: S308 - a rendered template
    return render(request, "dashboards/page.html", context, status=status)

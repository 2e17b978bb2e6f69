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

A part of a page that changes far more often than the rest (the overview's count of who has sent the quarter last
due, which every figure sent for it moves) is a ``Part``: cached on its own with its own dependencies (those it learns
while built too, ``depends_on``), and put into the cached body where the body's template writes ``{{ parts.NAME }}``.
A figure sent then rebuilds that sentence, not the overview's charts and tables:

    return page_response(request, "overview", build, depends=[PLAN, FIGURES],
                         parts={"reporting": Part([PLAN, PERIODS], render_reporting)})

A part does not depend on the page's query string: it is kept once per page, reader scope, day and language, and
every query string of the page (a sort, a filter, a milestone) is served the same.

``?format=csv|xlsx&bang=NAME`` builds the page's data and sends one of its tables instead.
"""

from __future__ import annotations

import re
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
class Part:
    """A piece of a page cached apart from its body: ``build()`` renders its HTML, shown in the body where its
    template writes ``{{ parts.NAME }}``; it is built again only when one of ``depends`` moves, and it may not
    depend on the query string (one is kept for every query string of the page).

    A part scattered over the body (a column of a table) returns ``{key: html}`` instead: each goes where the body
    wrote ``part_marker("NAME", key)``, and ``default`` where it has no entry for the key."""

    depends: Iterable[str]
    build: Callable[[], str | dict[str, str]]
    default: str = ""


def part_marker(name: str, key: object = None) -> str:
    return f"<!--dashboards:part:{name}-->" if key is None else f"<!--dashboards:part:{name}:{key}-->"


def _fill(content: str, name: str, part: Part, value: str | dict[str, str]) -> str:
    if isinstance(value, str):
        return content.replace(part_marker(name), value)
    pattern = re.compile(re.escape(part_marker(name, "KEY")).replace("KEY", "([^>]*?)"))
    return pattern.sub(lambda match: value.get(match[1], part.default), content)


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
    parts: dict[str, Part] | None = None,
    status: int = 200,
):
    """Answer with the page ``build()`` describes, cached until one of ``depends`` (or of what the build declares)
    moves; ``parts`` are cached on their own and put into the body; ``tail(keep)`` renders what follows it."""
    parts = parts or {}
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        page = build()
        if page.tables:
            make = page.tables.get(request.GET.get("bang")) or next(iter(page.tables.values()))
            return table_response(make(), fmt)

    def render_blocks() -> dict:
        page = build()
        markers = {name: mark_safe(part_marker(name)) for name in parts}  # noqa: S308 - a fixed comment
        context = {**page.context, "tables": list(page.tables), "parts": markers}
        rendered = render_to_string(page.template, context, request=request).split(BLOCK_MARKER)
        return {**dict(zip(BLOCKS, rendered, strict=True)), "keep": page.keep}

    query = urlencode(sorted(request.GET.lists()), doseq=True)
    # what the page lists depends on what the reader may see: agency staff see their own agency's unapproved work
    # too (agencies.permissions.submissions_on_pages), which their saves move
    own = []
    if request.user.is_authenticated and request.user.is_agency_staff and request.user.agency_id:
        own.append(agency_drafts(request.user.agency_id))
    scope = read_scope(request.user)
    blocks = cached_page_block(name, request.path, query, scope, depends=[*depends, *own], build=render_blocks)
    content = blocks["content"]
    for part_name, part in parts.items():
        value = cached_page_block(
            f"{name}.{part_name}", request.path, "", scope, depends=[*part.depends, *own], build=part.build
        )
        content = _fill(content, part_name, part, value)
    context = {name: mark_safe(blocks[name]) for name in BLOCKS}  # noqa: S308 - our own rendered templates
    context["content"] = mark_safe(content)  # noqa: S308 - our own rendered templates
    context["tail"] = mark_safe(tail(blocks["keep"]) if tail else "")  # noqa: S308 - a rendered template
    return render(request, "dashboards/page.html", context, status=status)

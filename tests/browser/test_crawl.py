"""Issue 25, case 1 and the gate of the whole issue: the five demo roles crawl every page of their menu, and a few
pages every role reaches from it (an indicator, the task every agency carries out, an agency, a view of the data
explorer), on the demo data, at 1366 and 390 px. On each: no serious or critical axe-core violation, no colour
contrast axe cannot decide (tests/browser/axe.py: a blue-on-blue button was only "incomplete"), no console error,
and on a phone no sideways scroll.

A page whose content (``<main>``) another role's visit already checked, word for word at the same width, has only
its header (the role's own menu) checked again: the same words in the same place pass or fail alike. What differs
between two visits of the same page without changing a word or a place is left out of that comparison (``_content``):
the CSRF token of a form and the identifiers Plotly draws each chart with, new at every drawing. Without that, every
page with a chart or a form was checked in full once per role (on the phone, the data explorer's wide table alone
took a minute of the crawl's three)."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.management import call_command

from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import login

pytestmark = pytest.mark.browser

ROLES = ["bcd.thanhvien", "thuongtruc", "sokhcn", "xaphuong", "quantri"]
DEMO_PASSWORD = "Demo@65KHTU"
WIDTHS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
#: pages reached from the menu's pages, the same for every role
EXTRA = [
    "/chi-tieu/V.10/",
    "/nhiem-vu/8/",
    "/co-quan/so-khcn/",
    "/tra-cuu/?chi_so=online_admin_dossiers&loai=locality&theo=quy&hang=co-quan&cot=ky",
]


#: the random identifiers Plotly gives a chart (its defs, clip paths…) and each of its traces at every drawing
PLOTLY_UID = re.compile(r'id="defs-([0-9a-f]{6})"|class="trace [a-z]+ trace([0-9a-f]{6})"')
CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


def _content(html: str) -> str:
    """A digest of a page's ``<main>`` that two visits showing the same words in the same place share."""
    for uid in {a or b for a, b in PLOTLY_UID.findall(html)}:
        html = html.replace(uid, "uid")
    return hashlib.sha256(CSRF_TOKEN.sub(r'\1"', html).encode()).hexdigest()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_of_every_role_is_accessible(browser, live_server, loaded_plan, width):
    call_command("seed_demo", stdout=io.StringIO())
    seen, checked = 0, set()
    for username in ROLES:
        context = browser.new_context(viewport=WIDTHS[width], locale="vi-VN")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        login(page, live_server, username, DEMO_PASSWORD)
        menu = page.eval_on_selector_all(
            ".mainnav a[href^='/'], .navmenu a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
        )
        paths = [p for p in dict.fromkeys(menu + EXTRA) if not p.startswith("/quan-tri/")]
        for path in paths:
            page.goto(live_server.url + path, wait_until="load")  # the charts are drawn by then (scripts at the end)
            where = f"{path} as {username} at {width}"
            content = _content(page.inner_html("main"))
            assert_accessible(page, where, scope="" if content not in checked else "header")
            checked.add(content)
            if width == "390":
                assert_no_sideways_scroll(page, where)
            seen += 1
        assert errors == [], (username, errors)
        context.close()
    assert seen >= 40

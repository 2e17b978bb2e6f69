"""Accessibility and layout checks for browser tests: axe-core injected into the page, and the phone rule that a
page never scrolls sideways.

axe-core is vendored under tests/browser/vendor/axe-core (see its README); the app never serves it.

Colour contrast counts twice: a violation fails, and so does a result axe leaves *incomplete* ("could not be
determined"): a button whose text had the colour of its background (1:1) was reported only as incomplete and
slipped through. Two kinds of incomplete result are not the page's fault and are settled here before judging:

- text covered where it was: in a box that scrolls (a wide table on a phone, a tall one) scrolled out of view, or
  under the sticky Save bar. Each such element is scrolled to the middle of the screen, as a reader would
  scroll to read it, and axe looks again;
- text inside an SVG drawing (the Plotly charts): axe treats the drawing as an image and never decides ("contains
  an image node", "overlapped"), whatever the colours. The charts' colours are checked where they are chosen,
  on the figures themselves (tests/unit/test_chart_contrast.py).
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

# The WCAG 2.1 A/AA rules plus axe's best practices; violations of impact "serious" or "critical" fail a test.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")

_RUN = """async ([tags, scope]) => {
    const r = await axe.run(scope ? document.querySelector(scope) : document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete'], elementRef: true,
    });
    const node = n => n.target.join(' ') + ' :: ' + (n.failureSummary || (n.any[0] && n.any[0].message) || '');
    const violations = r.violations.map(
        v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(node)}));
    // incomplete colour contrast, but for SVG text (see the module's docstring)
    const unsure = r.incomplete.filter(v => v.id === 'color-contrast')
        .flatMap(v => v.nodes.filter(n => !(n.element instanceof SVGElement)).map(n => n.element));
    window.__axeUnsure = unsure;
    return {violations, unsure: unsure.length};
}"""

# Elements left incomplete because something covered them where they were (a box that scrolls sideways clipped
# them, the sticky Save bar sat over them): each is scrolled to the middle of the screen, as a reader would
# scroll, and axe looks again at it and at whatever else is then well in view. What is still unsure (or fails)
# afterwards is returned.
_REVEAL = """async () => {
    const scroller = el => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const s = getComputedStyle(p);
            const wide = /(auto|scroll)/.test(s.overflowX) && p.scrollWidth > p.clientWidth + 1;
            const tall = /(auto|scroll)/.test(s.overflowY) && p.scrollHeight > p.clientHeight + 1;
            if (wide || tall) return p;
        }
        return null;
    };
    // nothing drawn over either end of it (a table's sticky first column over a cell scrolled beside it)
    const uncovered = el => {
        const r = el.getBoundingClientRect(), y = (r.top + r.bottom) / 2;
        return [r.left + 1, r.right - 1].every(x => {
            const at = document.elementFromPoint(x, y);
            return at && (at === el || el.contains(at));
        });
    };
    const wellInView = el => {
        const r = el.getBoundingClientRect(), h = window.innerHeight, box = scroller(el);
        // inside the box that scrolls (a wide or tall table), not clipped by it on any side
        const b = box ? box.getBoundingClientRect() : {left: 0, right: window.innerWidth, top: 0, bottom: h};
        return r.top >= Math.max(h * 0.2, b.top - 1) && r.bottom <= Math.min(h * 0.75, b.bottom + 1)
            && r.left >= b.left - 1 && r.right <= b.right + 1 && uncovered(el);
    };
    const describe = (el, why) => {
        const name = typeof el.className === 'string' ? el.className.trim() : '';
        const cls = name ? '.' + name.split(/\\s+/).join('.') : '';
        const text = (el.textContent || '').trim().slice(0, 40);
        return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + ' "' + text + '" :: ' + why;
    };
    let pending = window.__axeUnsure || [];
    const left = [];
    const rule = {
        runOnly: {type: 'rule', values: ['color-contrast']},
        resultTypes: ['violations', 'incomplete'], elementRef: true,
    };
    const message = n => n.failureSummary || (n.any[0] && n.any[0].message) || 'incomplete';
    const start = window.scrollY;
    while (pending.length) {
        const el = pending[0];
        el.scrollIntoView({block: 'center', inline: 'center'});
        const box = scroller(el);
        if (box && !uncovered(el)) {
            // centred under a sticky column: scroll on until the reader sees it beside that column
            const r = el.getBoundingClientRect();
            const at = document.elementFromPoint(r.left + 1, (r.top + r.bottom) / 2);
            const cover = at ? (at.closest('th, td') || at).getBoundingClientRect() : null;
            if (cover) box.scrollLeft -= cover.right - r.left + 8;
        }
        const seen = pending.filter(wellInView);
        const batch = seen.includes(el) ? seen : [el, ...seen];
        const r = await axe.run({include: batch}, rule);
        for (const v of [...r.violations, ...r.incomplete]) {
            for (const n of v.nodes) left.push(describe(n.element, message(n)));
        }
        pending = pending.filter(e => !batch.includes(e));
    }
    for (const box of document.querySelectorAll('*')) if (box.scrollLeft) box.scrollLeft = 0;
    window.scrollTo(0, start);
    return left;
}"""


def _inject(page) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol, not as an inline <script>: the site's CSP forbids those
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))


def axe_violations(page, *, impacts: tuple[str, ...] = FAILING_IMPACTS, scope: str = "") -> list[dict]:
    """Run axe-core on the page as it is now (or on the element ``scope`` selects); return the violations of the
    given impacts and, as one more entry (id ``color-contrast-incomplete``), the colour contrasts axe could not
    decide even with the text in view."""
    _inject(page)
    result = page.evaluate(_RUN, [AXE_TAGS, scope])
    found = [v for v in result["violations"] if v["impact"] in impacts]
    if result["unsure"]:
        left = page.evaluate(_REVEAL)
        if left:
            found.append(
                {
                    "id": "color-contrast-incomplete",
                    "impact": "serious",
                    "help": "Colour contrast axe could not decide (1:1, hidden behind another element, not text…)",
                    "nodes": left[:8] + ([f"… and {len(left) - 8} more"] if len(left) > 8 else []),
                }
            )
    return found


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


def assert_accessible(page, where: str = "", *, scope: str = "") -> None:
    """Fail on any serious or critical axe-core violation, or colour contrast left undecided, naming the rule and
    the first elements concerned (on the whole page, or on the element ``scope`` selects)."""
    violations = axe_violations(page, scope=scope)
    assert not violations, f"axe-core on {where or page.url}:\n{describe(violations)}"


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it does not scroll sideways)."""
    return page.evaluate(
        "Math.max(0, Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth)"
    )


def assert_no_sideways_scroll(page, where: str = "") -> None:
    overflow = horizontal_overflow(page)
    if overflow > 1:
        culprits = page.evaluate(
            """() => {
                const w = window.innerWidth, out = [];
                for (const el of document.querySelectorAll('body *')) {
                    const r = el.getBoundingClientRect();
                    if (r.right > w + 1 && getComputedStyle(el).position !== 'fixed') {
                        const cls = typeof el.className === 'string' ? el.className.trim() : '';
                        out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                                 + (cls ? '.' + cls.split(/\\s+/).join('.') : '') + ' right=' + Math.round(r.right));
                    }
                    if (out.length >= 8) break;
                }
                return out;
            }"""
        )
        raise AssertionError(f"{where or page.url} is {overflow}px wider than the viewport: {culprits}")

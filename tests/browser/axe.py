"""Accessibility and layout checks for browser tests: axe-core injected into the page, and the phone rule that a
page never scrolls sideways.

axe-core is vendored under tests/browser/vendor/axe-core (see its README); the app never serves it.
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

# The WCAG 2.1 A/AA rules plus axe's best practices; violations of impact "serious" or "critical" fail a test.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")


def axe_violations(page, *, impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[dict]:
    """Run axe-core on the page as it is now; return the violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol, not as an inline <script>: the site's CSP forbids those
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '')),
            }));
        }""",
        AXE_TAGS,
    )
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """Fail on any serious or critical axe-core violation, naming the rule and the first elements concerned."""
    violations = axe_violations(page)
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

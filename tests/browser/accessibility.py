"""Run axe-core (tests/browser/vendor, MPL-2.0) on the page a journey stands on, and report what it finds.

The app's Content-Security-Policy admits no inline script, so axe is evaluated
through the browser's debugging protocol, which the policy does not cover.
"""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def axe_violations(page: Page, impacts=("serious", "critical")) -> list[str]:
    """Return one line per axe violation of the given impacts on the current page (WCAG 2.x A and AA)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'wcag22aa']}})")
    assert result["passes"], "axe checked nothing"
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in impacts]

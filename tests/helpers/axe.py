"""Running axe-core on a page in the browser tests, with failures that read well.

axe-core comes bundled with ``axe-playwright-python``; its script is put into the
page with ``page.evaluate`` (the DevTools protocol, which the page's CSP does not
govern), so the portal needs no test-only script or CSP exception.
"""

from __future__ import annotations

from dataclasses import dataclass

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # the browser fixture skips (or fails on CI) with the reason
    Axe = None

#: every rule axe runs by default (WCAG 2.0-2.2 A and AA and its best practices);
#: only the results that fail are sent back
OPTIONS = {"resultTypes": ["violations"]}


@dataclass(frozen=True)
class Violation:
    """One element that breaks one axe rule."""

    rule: str
    impact: str
    target: str
    summary: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}) at {self.target}: {self.summary}"


def violations(page) -> list[Violation]:
    """Every element of ``page`` (as it is now) that breaks an axe rule, each with
    the rule's id, its impact, the element's selector and what is wrong with it."""
    assert Axe is not None, "axe-playwright-python is not installed: pip install -e '.[test]'"
    response = Axe().run(page, options=OPTIONS).response
    found = []
    for rule in response["violations"]:
        for node in rule["nodes"]:
            summary = node.get("failureSummary") or rule["help"]
            found.append(
                Violation(
                    rule=rule["id"],
                    impact=node.get("impact") or rule.get("impact") or "?",
                    target=" ".join(str(part) for part in node["target"]),
                    summary=" ".join(summary.split()),
                )
            )
    return found


def report(found: list[Violation]) -> str:
    """The violations one a line, for an assertion's message."""
    return "\n".join(str(violation) for violation in found)

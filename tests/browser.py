"""Shared setup for browser tests: Playwright driving Debian's Chromium."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


def require_browser():
    """Skip when Chromium is missing, unless REQUIRE_BROWSER is set (CI sets it)."""
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"Chromium not found at {CHROMIUM}")
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")


# What axe-core may find without failing the test: WCAG 2.1 AA asks for no serious or
# critical violation.
AXE_FAILING_IMPACTS = ("serious", "critical")


def axe_violations(page):
    """The serious and critical violations axe-core finds on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in AXE_FAILING_IMPACTS]


def assert_accessible(page, label=""):
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url} ({label}):\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} at {[node['target'] for node in v['nodes']][:5]}" for v in violations
    )


# The Content Security Policy: every page a browser test opens is watched (the browser
# fixture's contexts, and any context passed to watch_csp); whatever the policy blocks
# fails the test, so the policy never takes away something a page needs.
CSP_VIOLATIONS = []
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(
    [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber, location.pathname].join(" ")));"""


def watch_csp(context):
    context.expose_function("__cspViolation", lambda violation: CSP_VIOLATIONS.append(violation))
    context.add_init_script(CSP_LISTENER)
    context.on(
        "console",
        lambda message: "Content Security Policy" in message.text and CSP_VIOLATIONS.append(message.text),
    )
    return context


def assert_no_csp_violation(where=""):
    found, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
    assert not found, f"Content Security Policy violations {where}:\n" + "\n".join(found)


class WatchedBrowser:
    """The browser, whose every new context is watched for policy violations."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        return watch_csp(self._browser.new_context(**kwargs))

    def new_page(self, **kwargs):
        page = self._browser.new_page(**kwargs)
        watch_csp(page.context)
        return page


class Screens:
    """Keeps a screenshot of each step as a test artifact, and checks each step's page
    with axe-core."""

    def __init__(self, page, name):
        self.page = page
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0

    def shot(self, label):
        self.step += 1
        self.page.screenshot(path=self.folder / f"{self.step:02d}-{label}.png", full_page=True)
        assert_accessible(self.page, label)
        assert_no_csp_violation(f"on {self.page.url} ({label})")

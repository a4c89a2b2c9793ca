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

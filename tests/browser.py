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


class Screens:
    """Keeps a screenshot of each step as a test artifact."""

    def __init__(self, page, name):
        self.page = page
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0

    def shot(self, label):
        self.step += 1
        self.page.screenshot(path=self.folder / f"{self.step:02d}-{label}.png", full_page=True)

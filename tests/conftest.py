"""Fixtures of the cross-app tests."""

import os

import pytest

from tests.browser import ARGS, CHROMIUM, CSP_VIOLATIONS, WatchedBrowser, assert_no_csp_violation, require_browser


@pytest.fixture(scope="session")
def playwright():
    require_browser()
    # Playwright's sync API runs an event loop in this thread; the test itself still
    # talks to the database synchronously.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    yield WatchedBrowser(browser)
    browser.close()


@pytest.fixture(autouse=True)
def _no_csp_violation():
    """Whatever the Content Security Policy blocked on a page of the test fails it."""
    CSP_VIOLATIONS.clear()
    yield
    assert_no_csp_violation("in this test")

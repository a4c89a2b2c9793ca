"""The Content Security Policy in a real browser. Every browser test watches its pages
for violations (tests/browser.py); here: that the watch sees one, and that the policy
keeps the portal out of another site's frame; the back office's master data, Django's
admin with scripts of its own, needs nothing the policy blocks."""

import pytest

from conftest import PASSWORD
from tests.browser import CSP_VIOLATIONS, VIEWPORTS, assert_no_csp_violation
from tests.test_browser_accountbeheer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_watch_sees_what_the_policy_blocks(browser, live_server):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="nl-NL")
    page = context.new_page()
    page.goto(f"{live_server.url}/inloggen/")
    page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener("securitypolicyviolation", () => setTimeout(resolve, 50), { once: true });
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        })"""
    )
    assert page.evaluate("window.injected") is None  # blocked
    page.wait_for_timeout(100)
    assert any("script-src" in violation for violation in CSP_VIOLATIONS), CSP_VIOLATIONS
    CSP_VIOLATIONS.clear()  # seen on purpose
    context.close()


def test_no_other_site_shows_the_portal_in_a_frame(browser, live_server):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="nl-NL")
    page = context.new_page()
    # Another origin (localhost instead of 127.0.0.1) frames the login page.
    other = live_server.url.replace("127.0.0.1", "localhost")
    page.goto(f"{other}/offline/")
    page.evaluate(
        """(url) => new Promise((resolve) => {
            const frame = document.createElement("iframe");
            frame.src = url;
            frame.onload = resolve;
            document.body.append(frame);
            setTimeout(resolve, 2000);
        })""",
        f"{live_server.url}/inloggen/",
    )
    assert page.frames[1].url.startswith("chrome-error:")  # refused, not shown
    assert any("frame-ancestors 'none'" in violation for violation in CSP_VIOLATIONS), CSP_VIOLATIONS
    CSP_VIOLATIONS.clear()  # the frame's refusal is what this test wants
    context.close()


def test_the_master_data_pages_need_nothing_the_policy_blocks(browser, live_server, account_manager, locations):
    """Django's admin (Stamgegevens) with its own scripts: each list, each add form, a
    location with its addresses and departments (adding a row runs the inline script)."""
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, account_manager.email, PASSWORD, landing="/backoffice/")
    admin = f"{base}/backoffice/stamgegevens/"
    page.goto(admin)
    lists = page.locator("#content-main a[href$='/']").evaluate_all(
        "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    assert len(lists) >= 4, lists
    for href in lists:
        page.goto(base + href)
        add = page.locator("a.addlink")
        if add.count():
            page.goto(base + add.first.get_attribute("href"))
    page.goto(f"{admin}locations/location/{locations[0].pk}/change/")
    page.get_by_text("Afdeling toevoegen", exact=True).click()
    page.goto(f"{admin}ordering/category/add/")
    page.locator("#id_name").press_sequentially("Kassarollen")  # fills the slug as it is typed
    assert page.locator("#id_slug").input_value() == "kassarollen"
    assert_no_csp_violation("in the master data")
    context.close()

"""In a real browser: the administrator runs an access review from its start to the
printable evidence (a page sent as it is made: the page around the rows first, then the
rows)."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser import VIEWPORTS, Screens
from tests.test_browser_accountbeheer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_an_access_review_from_its_start_to_the_printed_evidence(browser, live_server, admin_user, employee, size):
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"review-{size}")

    log_in(page, base, admin_user.email, PASSWORD)
    page.goto(f"{base}/accountbeheer/toegangscontrole/")
    page.get_by_role("button", name="Toegangscontrole starten").click()
    page.wait_for_url(re.compile(r".*/toegangscontrole/\d+/$"))
    expect(page.get_by_text("0 van 2 accounts")).to_be_visible()
    screens.shot("started")

    for _ in range(2):
        page.get_by_role("button", name="Klopt", exact=True).first.click()
        page.wait_for_load_state()
    page.get_by_role("button", name="Toegangscontrole afronden").click()
    expect(page.get_by_role("link", name="Afdrukken")).to_be_visible()
    screens.shot("finished")

    page.get_by_role("link", name="Afdrukken").click()
    page.wait_for_url(re.compile(r".*/afdrukken/$"))
    table = page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("Klopt")
    expect(table).to_contain_text(employee.email)
    expect(page.get_by_text("Afgedrukt uit Mijn HartingBank.")).to_be_visible()  # the page's end came too
    # On a phone the table scrolls on its own; the page stays as wide as the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
    screens.shot("printable")
    context.close()

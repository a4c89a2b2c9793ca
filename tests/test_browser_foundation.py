"""In a real browser: log in, open Mijn account, change the password, log in with the new one."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser import VIEWPORTS, Screens

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_log_in_see_mijn_account_and_change_password(browser, live_server, employee, size):
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"foundation-{size}")

    page.goto(f"{live_server.url}/mijn-account/")
    assert page.url.startswith(f"{live_server.url}/inloggen/")
    screens.shot("login")
    page.get_by_label("E-mailadres").fill(employee.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()

    page.wait_for_url(f"{live_server.url}/mijn-account/")
    expect(page.get_by_role("heading", name="Mijn account")).to_be_visible()
    expect(page.locator("main dd").get_by_text("Erik Employee", exact=True)).to_be_visible()
    screens.shot("mijn-account")

    page.get_by_role("link", name="Wachtwoord wijzigen").click()
    page.get_by_label("Huidig wachtwoord").fill(PASSWORD)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("kort")
    page.get_by_label(re.compile("Nieuw wachtwoord \\(nogmaals\\)")).fill("kort")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    screens.shot("password-error")

    page.get_by_label("Huidig wachtwoord").fill(PASSWORD)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("Paarse-Fiets-Amersfoort")
    page.get_by_label(re.compile("Nieuw wachtwoord \\(nogmaals\\)")).fill("Paarse-Fiets-Amersfoort")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    page.wait_for_url(re.compile(r".*/mijn-account/.*"))
    expect(page.locator(".message").first).to_be_visible()
    screens.shot("password-changed")

    if size == "phone":
        page.locator(".menu-toggle summary").click()
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(r".*/inloggen/.*"))
    page.get_by_label("E-mailadres").fill(employee.email)
    page.get_by_label("Wachtwoord").fill("Paarse-Fiets-Amersfoort")
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name=re.compile("Welkom"))).to_be_visible()
    screens.shot("home")
    context.close()

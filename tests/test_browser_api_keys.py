"""Accountbeheer → API-sleutels in Chromium, at desktop and phone width: create a key
(shown once), see it listed, revoke it, choose accounts from SCIM without the invitation
mail; every step checked with axe-core and the Content Security Policy."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser import VIEWPORTS, Screens

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_create_see_once_and_revoke_a_key(browser, live_server, admin_user, size):
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"api-keys-{size}")
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill(admin_user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/accountbeheer/")
    page.get_by_role("link", name="API-sleutels").click()
    expect(page.get_by_text("Er zijn nog geen API-sleutels.")).to_be_visible()
    screens.shot("empty-list")

    page.get_by_role("link", name="Nieuwe sleutel").click()
    page.get_by_label("Naam").fill("Okta")
    page.get_by_label("SCIM-koppeling", exact=False).check()
    screens.shot("form")
    page.get_by_role("button", name="Sleutel aanmaken").click()
    if "/herauthenticatie" in page.url or page.get_by_label("Wachtwoord").count():  # the two-step login's re-authentication
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button").last.click()
    secret = page.locator("[data-api-key]").input_value().strip()
    assert re.fullmatch(r"hbk_[A-Za-z0-9_-]{43}", secret)
    # The whole key is readable on a phone: the field is as wide as the screen allows.
    box = page.locator("[data-api-key]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[size]["width"]
    screens.shot("shown-once")

    page.get_by_role("link", name="Klaar").click()
    expect(page.get_by_role("cell", name=re.compile(r"Okta aangemaakt"))).to_be_visible()
    assert secret not in page.content()
    screens.shot("listed")

    page.get_by_role("button", name=re.compile("Intrekken")).click()
    expect(page.get_by_text("is ingetrokken en werkt niet meer")).to_be_visible()
    expect(page.locator(".badge", has_text="Ingetrokken")).to_be_visible()
    screens.shot("revoked")

    # The organization's choice for accounts created through SCIM: invited, or active at once.
    choice = page.get_by_label("Accounts uit SCIM meteen actief, zonder uitnodiging")
    expect(choice).not_to_be_checked()
    choice.check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De instelling voor accounts uit SCIM is opgeslagen.")).to_be_visible()
    expect(page.get_by_label("Accounts uit SCIM meteen actief, zonder uitnodiging")).to_be_checked()
    screens.shot("scim-without-mail")
    context.close()

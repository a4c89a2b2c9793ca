"""In a real browser: an employee sets up an authenticator app from the QR code's key and
logs in with its code; adds a passkey through Chromium's virtual authenticator (the
DevTools protocol's WebAuthn domain) and then logs in with the passkey alone; an
organization that requires two-step login leads its people to the setup first."""

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, totp_code
from tests.browser import VIEWPORTS, Screens, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, base, email):
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_load_state()


def confirm_password(page):
    expect(page.get_by_role("heading", name="Bevestig je wachtwoord")).to_be_visible()
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Bevestigen").click()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_required_app_is_set_up_first_then_asked_at_login(browser, live_server, organization, employee, size):
    organization.mfa_required_at = organization.mfa_deadline = timezone.now()
    organization.save()
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"two-step-{size}")

    password_step(page, base, employee.email)
    expect(page).to_have_url(f"{base}/mijn-account/tweestapsverificatie/")
    expect(page.get_by_text("Je organisatie vereist tweestapsverificatie")).to_be_visible()
    screens.shot("required")
    assert_accessible(page, "two-step index")
    page.get_by_role("link", name="App instellen").click()
    confirm_password(page)
    expect(page.get_by_role("heading", name="Authenticator-app instellen")).to_be_visible()
    screens.shot("qr")
    assert_accessible(page, "activate app")
    secret = page.get_by_label("Sleutel").input_value()
    page.get_by_label("Code uit de app").fill(totp_code(secret))
    page.get_by_role("button", name="App instellen").click()
    expect(page.get_by_role("heading", name="Herstelcodes")).to_be_visible()
    assert page.locator(".codes li").count() == 10
    screens.shot("recovery-codes")
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/")  # the portal opens now

    other = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL").new_page()
    password_step(other, base, employee.email)
    expect(other).to_have_url(f"{base}/inloggen/code/")
    other.get_by_label("Code").fill("000000" if totp_code(secret) != "000000" else "111111")
    other.get_by_role("button", name="Inloggen", exact=True).click()
    expect(other.get_by_text("Deze code klopt niet")).to_be_visible()
    other.get_by_label("Code").fill(totp_code(secret))
    other.get_by_role("button", name="Inloggen", exact=True).click()
    expect(other).to_have_url(f"{base}/")
    context.close()
    other.context.close()


def test_a_passkey_is_added_and_then_logs_in_on_its_own(browser, live_server, employee):
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS["phone"] if "phone" in VIEWPORTS else None, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, "passkey")
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
    }})  # fmt: skip

    password_step(page, base, employee.email)
    page.goto(f"{base}/mijn-account/")
    page.get_by_role("link", name="Tweestapsverificatie instellen").click()
    page.get_by_role("link", name="Passkey toevoegen").click()
    confirm_password(page)
    expect(page.get_by_role("heading", name="Passkey toevoegen")).to_be_visible()
    page.get_by_label("Naam").fill("Telefoon")
    screens.shot("add")
    page.get_by_role("button", name="Passkey toevoegen").click()
    page.wait_for_url(f"{base}/mijn-account/tweestapsverificatie/herstelcodes/")
    passkey = Authenticator.objects.get(user=employee, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().is_passwordless

    page.get_by_role("button", name="Uitloggen").first.click()
    page.wait_for_url(f"{base}/inloggen/**")
    page.goto(f"{base}/inloggen/")
    page.get_by_role("button", name="Inloggen met een passkey").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", name="Welkom, Erik")).to_be_visible()
    screens.shot("logged-in-with-passkey")
    context.close()

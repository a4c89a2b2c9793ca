"""In a real browser, at desktop and phone width: the pages a customer meets on day one,
each kept as a screenshot and checked with axe-core: the home page that says what waits,
an administrator's Mijn account, a change of personal data carried out from the request,
two administrators saving the same account, and a session that ended elsewhere."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, make_account
from portal.changes import services as changes
from portal.changes.models import Kind
from portal.organizations.models import Invitation, Membership, Role, Status
from tests.browser import VIEWPORTS, Screens
from tests.test_browser_accountbeheer import log_in as accountbeheer_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_page(browser, size):
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def log_in(page, base, email, password=PASSWORD, landing="/"):
    accountbeheer_log_in(page, base, email, password, landing=landing)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_an_administrators_day_one(browser, live_server, organization, admin_user, employee, size):
    invited = make_account(organization, "nieuw@test.example", status=Status.INVITED, full_name="Nina Nieuw")
    Invitation.objects.create(membership=invited.membership, token_hash="a" * 64, expires_at=timezone.now() - timedelta(days=1))
    request = changes.change_request_create(
        actor=employee, kind=Kind.PERSONAL_DATA, description="", proposed={"job_title": "Bedrijfsleider"}
    )
    base = live_server.url
    context, page = open_page(browser, size)
    screens = Screens(page, f"day-one-admin-{size}")

    log_in(page, base, admin_user.email)
    expect(page.get_by_role("heading", name="Uitnodigingen die nog niet zijn geaccepteerd")).to_be_visible()
    expect(page.get_by_text("wacht op jou").first).to_be_visible()
    screens.shot("home")

    page.goto(f"{base}/mijn-account/")
    expect(page.get_by_role("heading", name="Locaties van je organisatie")).to_be_visible()
    assert "contact op met de administrator" not in page.content()
    screens.shot("my-account")

    page.goto(f"{base}/accountbeheer/?status=expired")
    expect(page.get_by_role("button", name="Opnieuw uitnodigen")).to_be_visible()
    screens.shot("expired-invitations")

    page.goto(f"{base}/wijzigingen/{request.pk}/")
    expect(page.get_by_role("cell", name="Bedrijfsleider")).to_be_visible()
    screens.shot("change-request")
    page.get_by_role("button", name="Wijziging doorvoeren").click()
    page.wait_for_url(re.compile(rf".*/wijzigingen/{request.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("doorgevoerd")
    employee.refresh_from_db()
    assert employee.job_title == "Bedrijfsleider"
    screens.shot("change-request-done")
    context.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_two_administrators_save_the_same_account(browser, live_server, organization, admin_user, employee, size):
    second = make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR, full_name="Bea Beheer")
    base = live_server.url
    context, page = open_page(browser, size)
    screens = Screens(page, f"day-one-concurrent-{size}")
    log_in(page, base, second.email)
    page.goto(f"{base}/accountbeheer/{employee.membership.pk}/wijzigen/")
    page.get_by_label("Functie").fill("Tweede")
    # Meanwhile the other administrator saves a phone number and a job title.
    Membership.objects.filter(pk=employee.membership.pk).update(version=employee.membership.version + 1)
    type(employee).objects.filter(pk=employee.pk).update(job_title="Eerste", phone="030 1234567")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Nu opgeslagen: Eerste")).to_be_visible()
    expect(page.get_by_text("Nu opgeslagen: 030 1234567")).to_be_visible()
    screens.shot("refused-and-marked")
    page.get_by_role("button", name="Opslaan").click()  # again, without choosing: still refused
    expect(page.get_by_text("Nu opgeslagen: Eerste")).to_be_visible()
    page.get_by_label("Mijn waarden opslaan in plaats van wat er nu staat").check()
    page.get_by_label("Telefoonnummer").fill("030 1234567")  # keeps the other's phone number
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/accountbeheer/\d+/$"))
    employee.refresh_from_db()
    assert (employee.job_title, employee.phone) == ("Tweede", "030 1234567")
    screens.shot("saved")
    context.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_session_ended_elsewhere_says_why(browser, live_server, employee, size):
    base = live_server.url
    phone_context, phone = open_page(browser, size)
    laptop_context, laptop = open_page(browser, size)
    screens = Screens(phone, f"day-one-session-ended-{size}")
    log_in(phone, base, employee.email)
    log_in(laptop, base, employee.email)
    laptop.goto(f"{base}/mijn-account/wachtwoord-wijzigen/")
    laptop.get_by_label("Huidig wachtwoord").fill(PASSWORD)
    laptop.get_by_label("Nieuw wachtwoord", exact=True).fill("Blauwe-Tulp-Gracht")
    laptop.get_by_label("Nieuw wachtwoord (nogmaals)").fill("Blauwe-Tulp-Gracht")
    laptop.get_by_role("button", name="Wachtwoord wijzigen").click()
    laptop.wait_for_url(f"{base}/mijn-account/")
    expect(laptop.locator(".messages")).to_have_text("Je wachtwoord is gewijzigd.")
    phone.goto(f"{base}/mijn-account/")
    phone.wait_for_url(re.compile(r".*/inloggen/.*"))
    expect(phone.locator(".messages")).to_contain_text("omdat je wachtwoord is gewijzigd")
    screens.shot("login-with-reason")
    phone_context.close()
    laptop_context.close()

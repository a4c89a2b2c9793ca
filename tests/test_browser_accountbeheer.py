"""In a real browser: the administrator invites an account, the invitee opens the link
from the mail, chooses a password and logs in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import PASSWORD, TOTP_SECRET, totp_code
from tests.browser import VIEWPORTS, Screens

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, email, password, landing="/", totp_secret=TOTP_SECRET):
    """Customers land on the home page, HartingBank's staff in the back office; an
    account with an authenticator app types its code in the second step."""
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_load_state()
    if page.url.startswith(f"{base}/inloggen/code/"):
        page.get_by_label("Code").fill(totp_code(totp_secret))
        page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(f"{base}{landing}")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_invite_accept_and_log_in(browser, live_server, admin_user, locations, size):
    base = live_server.url
    admin = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = admin.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"accountbeheer-{size}")

    log_in(page, base, admin_user.email, PASSWORD)
    page.goto(f"{base}/accountbeheer/")
    expect(page.get_by_role("heading", name="Accountbeheer")).to_be_visible()
    screens.shot("overview")

    page.get_by_role("link", name="Nieuw account").first.click()
    page.get_by_label("Naam").fill("Nina Nieuw")
    page.get_by_label("E-mailadres").fill("nina@test.example")
    page.get_by_label("Functie").fill("Verkoper")
    page.get_by_role("group", name="Gekoppelde locaties").get_by_label("Utrecht").check()
    screens.shot("invite-form")
    page.get_by_role("button", name="Uitnodigen").click()
    page.wait_for_url(re.compile(r".*/accountbeheer/\d+/$"))
    assert page.locator(".badge").first.inner_text() == "Uitgenodigd"
    screens.shot("invited")

    link = re.search(r"https?://\S+(/uitnodiging/\S+/)", mail.outbox[-1].body).group(1)
    invitee = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    other = invitee.new_page()
    other.set_default_timeout(10_000)
    other_screens = Screens(other, f"invitation-{size}")
    other.goto(base + link)
    expect(other.get_by_role("heading", name="Welkom bij Mijn HartingBank")).to_be_visible()
    other.get_by_label("Nieuw wachtwoord", exact=True).fill("Groene-Appel-Utrecht")
    other.get_by_label("Nieuw wachtwoord (nogmaals)").fill("Groene-Appel-Utrecht")
    other_screens.shot("choose-password")
    other.get_by_role("button", name="Wachtwoord opslaan").click()
    other.wait_for_url(f"{base}/")  # logged in at once
    expect(other.get_by_role("heading", name=re.compile("Welkom, Nina"))).to_be_visible()
    other_screens.shot("home")

    page.reload()
    assert page.locator(".badge").first.inner_text() == "Actief"
    admin.close()
    invitee.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_filters_fold_on_a_phone_and_select_all_ticks_the_page(browser, live_server, admin_user, employee, size):
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"accountbeheer-list-{size}")
    log_in(page, base, admin_user.email, PASSWORD)
    page.goto(f"{base}/accountbeheer/")
    search = page.get_by_label("Zoek op naam of e-mailadres")
    if size == "phone":
        expect(search).to_be_hidden()  # the list comes first
        page.get_by_text("Zoeken en filteren").click()
    expect(search).to_be_visible()
    screens.shot("filters")
    page.get_by_label("Alle accounts op deze pagina selecteren").check()
    boxes = page.locator('input[name="ids"]')
    assert boxes.count() == 2 and all(boxes.nth(n).is_checked() for n in range(boxes.count()))
    boxes.first.uncheck()
    assert page.get_by_label("Alle accounts op deze pagina selecteren").evaluate("box => box.indeterminate")
    screens.shot("selected")
    context.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_location_manager_invites_for_their_location_and_an_administrator_grants(
    browser, live_server, admin_user, employee, organization, locations, size
):
    """The administrator makes Erik location manager of Utrecht in the account form; Erik
    then sees Accountbeheer with the accounts of Utrecht only and invites a colleague for it."""
    from conftest import make_account
    from portal.organizations.models import Membership

    make_account(organization, "collega@test.example", locations=[locations[0]], full_name="Cor Collega")
    make_account(organization, "elders@test.example", locations=[locations[1]], full_name="Els Elders")
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"location-manager-{size}")

    log_in(page, base, admin_user.email, PASSWORD)
    page.goto(f"{base}/accountbeheer/{employee.membership.pk}/wijzigen/")
    page.get_by_role("group", name="Locatiebeheerder van").get_by_label("Utrecht").check()
    screens.shot("grant")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(f"{base}/accountbeheer/{employee.membership.pk}/")
    expect(page.get_by_text("Locatiebeheerder van")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, base, employee.email, PASSWORD)
    page.goto(f"{base}/accountbeheer/")
    expect(page.get_by_role("link", name="Cor Collega")).to_be_visible()
    expect(page.get_by_role("link", name="Els Elders")).to_have_count(0)
    screens.shot("manager-list")
    page.get_by_role("link", name="Nieuw account").first.click()
    page.get_by_label("Naam").fill("Nina Nieuw")
    page.get_by_label("E-mailadres").fill("nina@test.example")
    page.get_by_label("Utrecht").check()
    page.get_by_role("button", name="Uitnodigen").click()
    page.wait_for_url(re.compile(r".*/accountbeheer/\d+/$"))
    screens.shot("manager-invited")
    nina = Membership.objects.get(user__email="nina@test.example")
    assert list(nina.location_links.values_list("location__name", flat=True)) == ["Utrecht"]
    context.close()

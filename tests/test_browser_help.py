"""In a real browser: a visitor reads and searches the FAQ, follows the steps to put the
portal on a phone and writes to customer service; a logged-in customer writes and reads
the reply; every demo role walks its menu; and Chromium considers the portal
installable while its service worker keeps nothing personal."""

import re
import tempfile

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import PASSWORD, staff_roles_granted
from portal.contact import services as contact_services
from portal.contact.models import ContactMessage
from portal.site import demo
from tests.browser import ARGS, CHROMIUM, VIEWPORTS, Screens, assert_accessible, watch_csp
from tests.test_browser_accountbeheer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def migrated_data(db):
    """The staff groups and the FAQ's content come with data migrations, which an
    earlier test of the browser suite emptied from the database: added again the same
    way (each adds nothing that is there)."""
    from portal.help.tests.helpers import faq_content_added

    faq_content_added()
    staff_roles_granted()


def open_menu(page, size):
    if size == "phone":
        page.locator(".menu-toggle summary").click()
    return page.locator(".menu-toggle nav" if size == "phone" else ".mainnav")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_visitor_reads_searches_and_writes_to_customer_service(browser, live_server, settings, migrated_data, size):
    settings.CONTACT_FORM_MIN_SECONDS = 1
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"help-{size}")

    page.goto(f"{base}/inloggen/")
    # The first tab stop skips the menu, visibly.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    open_menu(page, size).get_by_role("link", name="Veelgestelde vragen").click()
    page.wait_for_url(f"{base}/veelgestelde-vragen/")
    screens.shot("faq")
    page.get_by_role("link", name="Account en accountbeheer").click()
    expect(page.get_by_role("heading", name="Hoeveel accounts kan mijn organisatie aanmaken?")).to_be_visible()
    screens.shot("faq-topic")

    page.get_by_label("Zoek in alle veelgestelde vragen").fill("WACHTWOÓRD vergeten")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url(re.compile(r".*/zoeken/\?q=.*"))
    page.get_by_role("link", name="Ik ben mijn wachtwoord vergeten. Wat nu?").click()
    expect(page.get_by_role("heading", name="Staat je vraag er niet bij?")).to_be_visible()
    screens.shot("faq-answer")

    page.goto(f"{base}/veelgestelde-vragen/")
    page.get_by_role("link", name="Snelkoppeling op je telefoon").click()
    for way in ("iPhone of iPad – Safari", "Android – Google Chrome", "iPhone – app Opdrachten met Google Chrome"):
        expect(page.get_by_role("heading", name=way)).to_be_visible()
    screens.shot("shortcut")

    page.get_by_role("link", name="Contact opnemen").click()
    page.get_by_label("Naam").fill("Vera Bezoeker")
    page.get_by_label("E-mailadres").fill("vera@voorbeeld.example")
    page.get_by_label("Onderwerp").fill("Toegang voor onze winkel")
    page.get_by_label("Je vraag of bericht").fill("Hoe krijgt onze winkel toegang tot Mijn HartingBank?")
    screens.shot("contact-form")
    page.wait_for_timeout(1000)  # people take a moment; the form refuses robots that do not
    page.get_by_role("button", name="Bericht versturen").click()
    page.wait_for_url(f"{base}/contact/verstuurd/")
    message = ContactMessage.objects.get()
    assert message.reference in page.locator("main").inner_text() and message.created_by is None
    assert any(m.to == ["vera@voorbeeld.example"] for m in mail.outbox)
    screens.shot("contact-sent")
    context.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_customer_writes_and_reads_the_reply(browser, live_server, employee, staff_user, size):
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"contact-{size}")
    log_in(page, base, employee.email, PASSWORD)

    open_menu(page, size).get_by_role("link", name="Contact").click()
    expect(page.locator("main").get_by_text("Erik Employee")).to_be_visible()
    page.get_by_label("Onderwerp").fill("Factuur van maart")
    page.get_by_label("Je vraag of bericht").fill("Ik kan de factuur van maart niet vinden.")
    page.get_by_role("button", name="Bericht versturen").click()
    page.wait_for_url(re.compile(r".*/contact/berichten/\d+/$"))
    message = ContactMessage.objects.get()
    assert message.created_by == employee
    screens.shot("contact-message")

    contact_services.contact_message_reply(actor=staff_user, contact_message=message, body="Je vindt hem onder Bestellingen.")
    page.reload()
    expect(page.get_by_text("Je vindt hem onder Bestellingen.")).to_be_visible()
    page.get_by_label("Je bericht").fill("Gevonden, dank je.")
    page.get_by_role("button", name="Bericht versturen").click()
    page.wait_for_url(re.compile(r".*/contact/berichten/\d+/$"))
    expect(page.get_by_text("Gevonden, dank je.")).to_be_visible()
    screens.shot("contact-thread")
    page.goto(f"{base}/contact/berichten/")
    expect(page.get_by_role("link", name=message.reference)).to_be_visible()
    screens.shot("contact-list")
    context.close()


# One account of each role: administrator, employee who may order, employee, and
# HartingBank's account manager and customer service.
DEMO_ROLES = [
    "beheerder@vandijk.example",
    "besteller@vandijk.example",
    "medewerker@vandijk.example",
    "accountmanager@hartingbank.example",
    "klantenservice@hartingbank.example",
]
# Pages that read the same for every role: walked with the first role only (the help
# journey above walks them too).
SAME_FOR_EVERY_ROLE = {"faq", "manual", "contact"}


@pytest.mark.parametrize("size", VIEWPORTS)
def test_every_demo_role_walks_its_menu(browser, live_server, migrated_data, size):
    """Log in as each demo role and open every page of its menu, with a screenshot and
    an axe check of each; at 360 px nothing is wider than the screen."""
    demo.load()
    base = live_server.url
    walked = set()
    for email in DEMO_ROLES:
        context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
        page = context.new_page()
        page.set_default_timeout(10_000)
        screens = Screens(page, f"roles-{size}/{email.split('@')[0]}-{email.split('@')[1].split('.')[0]}")
        log_in(page, base, email, demo.DEMO_PASSWORD, landing="/backoffice/" if email.endswith("@hartingbank.example") else "/")
        screens.shot("home")
        links = page.locator(".mainnav a").evaluate_all("links => links.map(a => [a.dataset.menu, a.getAttribute('href')])")
        assert links, email
        for key, href in links:
            if key in walked & SAME_FOR_EVERY_ROLE:
                continue
            walked.add(key)
            page.goto(base + href)
            screens.shot(key)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= VIEWPORTS[size]["width"], (email, href, width)
        context.close()


def test_chromium_can_install_it_and_nothing_personal_is_kept(playwright, live_server, employee):
    """Installability needs a profile that is not incognito: a persistent context."""
    base = live_server.url
    with tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True, viewport=VIEWPORTS["phone"], locale="nl-NL"
        )
        watch_csp(context)  # the service worker and the manifest under the policy
        page = context.new_page()
        page.set_default_timeout(10_000)
        screens = Screens(page, "installable")
        log_in(page, base, employee.email, PASSWORD)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        assert cdp.send("Page.getAppManifest")["errors"] == []
        for path in ("/mijn-account/", "/locaties/", "/serviceaanvragen/", "/contact/"):
            page.goto(base + path)
        screens.shot("logged-in")

        kept = page.evaluate(
            """async () => {
                const found = [];
                for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    for (const request of await cache.keys()) {
                        found.push([request.url, await (await cache.match(request)).text()]);
                    }
                }
                return found;
            }"""
        )
        urls = [url.removeprefix(base) for url, _body in kept]
        assert "/offline/" in urls
        assert all(url == "/offline/" or url.startswith("/static/") for url in urls), urls
        for _url, body in kept:
            assert employee.email not in body and employee.full_name not in body

        context.set_offline(True)
        page.goto(f"{base}/mijn-account/")
        expect(page.get_by_role("heading", name="Geen verbinding")).to_be_visible()
        assert employee.full_name not in page.content()
        screens.shot("offline")
        context.set_offline(False)
        context.close()


def test_no_double_submit_and_a_loading_notice(browser, live_server, employee):
    """While a form is on its way, the button and the top of the page say "Aan het
    laden", and a second click sends nothing."""
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, employee.email, PASSWORD)
    page.goto(f"{base}/contact/")
    page.get_by_label("Onderwerp").fill("Twee keer klikken")
    page.get_by_label("Je vraag of bericht").fill("Dit bericht mag maar één keer aankomen.")
    # Count the submits the page lets through, and hold each one back, so the page
    # stays as it is while it is on its way.
    page.evaluate(
        """window.sent = 0;
        window.addEventListener("submit", (event) => { if (!event.defaultPrevented) { window.sent++; event.preventDefault(); } });"""
    )
    button = page.locator("form[data-loading] button[type=submit]")
    button.click()
    button.click()
    assert page.evaluate("window.sent") == 1
    assert page.locator("[data-loading-indicator]").inner_text() == "Aan het laden…"
    assert button.get_attribute("aria-busy") == "true" and button.inner_text() == "Aan het laden…"
    assert_accessible(page, "loading")
    page.evaluate("document.querySelector('form[data-loading]').submit()")  # now let it go, once
    page.wait_for_url(re.compile(r".*/contact/berichten/\d+/$"))
    assert ContactMessage.objects.count() == 1
    context.close()

"""In a real browser: an account that may order finds a product, puts it in the cart,
places the order for its location, sees the confirmation and finds it in its history;
an administrator approves an order above the orderer's limit."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import PASSWORD, make_account
from portal.ordering.models import Category, Order, OrderStatus, Product
from tests.browser import VIEWPORTS, Screens
from tests.test_browser_accountbeheer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(db):
    category = Category.objects.create(name="Kassarollen en bonpapier", slug="kassarollen")
    Product.objects.create(
        category=category, code="ROL-57", name="Kassarol thermisch 57 mm", unit="doos van 50 rollen", price=Decimal("27.50")
    )
    Product.objects.create(
        category=category, code="ROL-80", name="Kassarol thermisch 80 mm", unit="doos van 30 rollen", price=Decimal("42.00")
    )


@pytest.mark.parametrize("size", VIEWPORTS)
def test_order_and_approve(browser, live_server, organization, locations, admin_user, catalogue, size):
    orderer = make_account(organization, "inkoop@test.example", may_order=True, locations=locations[:1], full_name="Ilse Inkoop")
    orderer.membership.order_limit = Decimal("100.00")
    orderer.membership.save()
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"ordering-{size}")

    log_in(page, base, orderer.email, PASSWORD)
    page.goto(f"{base}/bestellen/")
    page.get_by_label("Zoek een product").fill("57 mm")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("link", name="Kassarol thermisch 57 mm")).to_be_visible()
    assert page.get_by_role("link", name="Kassarol thermisch 80 mm").count() == 0
    screens.shot("search")
    page.get_by_role("link", name="Kassarol thermisch 57 mm").click()
    page.get_by_label("Aantal").fill("3")
    page.get_by_role("button", name="In winkelwagen").click()
    page.wait_for_url(re.compile(r".*/winkelwagen/$"))
    assert "€ 82,50" in page.locator(".totals").inner_text().replace("\u00a0", " ")
    screens.shot("cart")

    page.get_by_role("link", name="Verder naar bestellen").click()
    page.get_by_label("Afdeling").select_option(label="Winkel")
    page.get_by_label("Je referentie (optioneel)").fill("PO-4711")
    screens.shot("checkout")
    page.get_by_role("button", name="Bestelling plaatsen").click()
    page.wait_for_url(re.compile(r".*/bestellingen/\d+/$"))
    order = Order.objects.get()
    assert order.status == OrderStatus.RECEIVED and order.reference == "PO-4711"
    assert order.number in page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".messages").inner_text().startswith("Bedankt")
    screens.shot("confirmation")
    page.get_by_role("link", name="Bestellingen", exact=True).first.click()
    expect(page.get_by_role("link", name=order.number)).to_be_visible()
    screens.shot("history")

    # Above the limit: the order waits, the administrator approves it.
    page.goto(f"{base}/bestellen/artikel/{Product.objects.get(code='ROL-80').pk}/")
    page.get_by_label("Aantal").fill("3")
    page.get_by_role("button", name="In winkelwagen").click()
    page.get_by_role("link", name="Verder naar bestellen").click()
    page.get_by_label("Afdeling").select_option(label="Winkel")
    page.get_by_role("button", name="Bestelling plaatsen").click()
    page.wait_for_url(re.compile(r".*/bestellingen/\d+/$"))
    assert "Wacht op goedkeuring" in page.locator("h1").inner_text()
    screens.shot("waiting")
    waiting = Order.objects.get(status=OrderStatus.PENDING_APPROVAL)
    assert any(admin_user.email in m.to for m in mail.outbox)

    admin = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    admin_page = admin.new_page()
    admin_page.set_default_timeout(10_000)
    admin_screens = Screens(admin_page, f"approval-{size}")
    log_in(admin_page, base, admin_user.email, PASSWORD)
    admin_page.get_by_role("link", name="Beoordelen").click()  # from the home page's panel of what waits
    admin_screens.shot("approvals")
    admin_page.get_by_role("link", name=waiting.number).click()
    admin_page.get_by_role("button", name="Goedkeuren").click()
    admin_page.wait_for_url(re.compile(r".*/goedkeuren/$"))
    assert "goedgekeurd" in admin_page.locator(".messages").inner_text()
    admin_screens.shot("approved")
    waiting.refresh_from_db()
    assert waiting.status == OrderStatus.RECEIVED
    context.close()
    admin.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_checkout_offers_the_departments_of_the_chosen_location(
    browser, live_server, organization, locations, admin_user, catalogue, size
):
    from portal.locations.models import Department

    Department.objects.create(location=locations[0], name="Magazijn")  # Utrecht: Magazijn and Winkel
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"checkout-departments-{size}")
    log_in(page, base, admin_user.email, PASSWORD)
    page.goto(f"{base}/bestellen/artikel/{Product.objects.get(code='ROL-57').pk}/")
    page.get_by_role("button", name="In winkelwagen").click()
    page.get_by_role("link", name="Verder naar bestellen").click()
    department = page.get_by_label("Afdeling")

    def offered():
        return [text for text in department.locator("option").all_inner_texts() if text != "Kies een afdeling"]

    assert offered() == ["Winkel"]  # Amersfoort, the first location, has one
    page.get_by_label("Locatie").select_option(label="Utrecht")
    assert offered() == ["Magazijn", "Winkel"]  # one "Winkel", the chosen location's
    department.select_option(label="Magazijn")
    screens.shot("utrecht")
    page.get_by_role("button", name="Bestelling plaatsen").click()
    page.wait_for_url(re.compile(r".*/bestellingen/\d+/$"))
    order = Order.objects.get()
    assert (order.location, order.department.name) == (locations[0], "Magazijn")
    context.close()

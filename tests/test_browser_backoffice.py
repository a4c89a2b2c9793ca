"""In a real browser: online customer service opens a service request in the back
office and replies; the customer sees the reply on the request's page."""

import re

import pytest

from conftest import PASSWORD, make_staff
from portal.accounts.staff import CUSTOMER_SERVICE
from portal.service.models import Category
from portal.service.services import service_request_create
from tests.browser import VIEWPORTS, Screens
from tests.test_browser_accountbeheer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_customer_service_replies_and_the_customer_sees_it(browser, live_server, employee, locations, size):
    base = live_server.url
    staff = make_staff("ks@hartingbank.example", CUSTOMER_SERVICE, "Karim Klantenservice")
    request = service_request_create(
        actor=employee, location=locations[0], department=locations[0].departments.first(), category=Category.TERMINAL,
        subject="Pinautomaat kassa 2 defect", description="Geeft foutcode 12.",
    )  # fmt: skip

    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"backoffice-{size}")
    log_in(page, base, staff.email, PASSWORD, landing="/backoffice/")
    screens.shot("home")
    page.goto(f"{base}/backoffice/serviceaanvragen/")
    screens.shot("inbox")
    page.get_by_role("link", name=request.reference).click()
    page.wait_for_url(re.compile(r".*/backoffice/serviceaanvragen/\d+/$"))
    page.get_by_label("Reactie aan de klant").fill("We komen morgen tussen 9 en 12 uur langs.")
    page.get_by_label("Status daarna").select_option(label="In behandeling")
    screens.shot("reply")
    page.get_by_role("button", name="Reactie versturen").click()
    page.wait_for_url(re.compile(r".*/backoffice/serviceaanvragen/\d+/$"))
    assert "We komen morgen" in page.locator("body").inner_text()
    screens.shot("replied")
    context.close()

    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"backoffice-customer-{size}")
    log_in(page, base, employee.email, PASSWORD)
    page.goto(f"{base}/serviceaanvragen/{request.pk}/")
    body = page.locator("body").inner_text()
    assert "We komen morgen tussen 9 en 12 uur langs." in body and "In behandeling" in body
    screens.shot("customer-sees-reply")
    context.close()

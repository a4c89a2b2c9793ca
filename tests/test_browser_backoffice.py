"""In a real browser: online customer service opens a service request in the back
office and replies; the customer sees the reply on the request's page."""

import re

import pytest
from django.contrib.auth.models import Group, Permission

from conftest import PASSWORD
from portal.accounts.models import User
from portal.accounts.staff import CUSTOMER_SERVICE
from portal.service.models import Category
from portal.service.services import service_request_create
from tests.browser import VIEWPORTS, Screens

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def customer_service():
    """The role as the back office's migration grants it (a transactional test starts
    from an emptied database)."""
    group, _created = Group.objects.get_or_create(name=CUSTOMER_SERVICE)
    group.permissions.add(*Permission.objects.filter(codename__in=["view_servicerequest", "change_servicerequest"]))
    user = User.objects.create_user("ks@hartingbank.example", PASSWORD, full_name="Karim Klantenservice", is_staff=True)
    user.groups.add(group)
    return user


def log_in(page, base, email, landing):
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}{landing}")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_customer_service_replies_and_the_customer_sees_it(browser, live_server, employee, locations, size):
    base = live_server.url
    staff = customer_service()
    request = service_request_create(
        actor=employee, location=locations[0], department=locations[0].departments.first(), category=Category.TERMINAL,
        subject="Pinautomaat kassa 2 defect", description="Geeft foutcode 12.",
    )  # fmt: skip

    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"backoffice-{size}")
    log_in(page, base, staff.email, "/backoffice/")
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
    log_in(page, base, employee.email, "/")
    page.goto(f"{base}/serviceaanvragen/{request.pk}/")
    body = page.locator("body").inner_text()
    assert "We komen morgen tussen 9 en 12 uur langs." in body and "In behandeling" in body
    screens.shot("customer-sees-reply")
    context.close()

"""In a real browser: an employee files a service request with a photo for a linked
location and follows it; then asks, from a location's page, for a change of its
address, and finds the request in the list."""

import io
import re

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from conftest import PASSWORD
from portal.changes.models import ChangeRequest
from portal.service.models import ServiceRequest
from tests.browser import VIEWPORTS, Screens
from tests.test_browser_accountbeheer import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(tmp_path):
    path = tmp_path / "pinautomaat.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("size", VIEWPORTS)
def test_service_request_and_change_request(browser, live_server, employee, locations, tmp_path, size):
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[size], locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    screens = Screens(page, f"requests-{size}")
    log_in(page, base, employee.email, PASSWORD)

    page.goto(f"{base}/serviceaanvragen/")
    screens.shot("service-list")
    page.get_by_role("link", name="Nieuwe serviceaanvraag").click()
    page.get_by_label("Locatie").select_option(label=locations[0].name)
    page.get_by_label("Afdeling").select_option(label="Winkel")
    page.get_by_label("Soort probleem").select_option(index=1)
    page.get_by_label("Onderwerp").fill("Pinautomaat kassa 2 geeft geen verbinding")
    page.get_by_label("Omschrijving").fill(
        "Sinds vanochtend 9 uur: foutmelding 'geen verbinding'. Opnieuw opgestart, helpt niet."
    )
    page.locator("input[type=file]").set_input_files(str(photo(tmp_path)))
    screens.shot("service-form")
    page.get_by_role("button", name="Aanvraag indienen").click()
    page.wait_for_url(re.compile(r".*/serviceaanvragen/\d+/$"))
    request = ServiceRequest.objects.get()
    assert request.reference in page.locator("body").inner_text()
    assert page.get_by_role("link", name=re.compile("pinautomaat")).count() == 1  # the photo, as a download
    assert any(employee.email in m.to for m in mail.outbox)
    screens.shot("service-detail")

    page.goto(f"{base}/locaties/")
    page.get_by_role("link", name=locations[0].name).first.click()
    screens.shot("location")
    page.get_by_role("link", name="Wijziging doorgeven").first.click()
    page.get_by_label("Wat moet er veranderen?").fill("Het afleveradres wordt per 1 januari Achterstraat 5, 1234 AB Utrecht.")
    screens.shot("change-form")
    page.get_by_role("button", name="Versturen").click()
    page.wait_for_url(re.compile(r".*/wijzigingen/\d+/$"))
    change = ChangeRequest.objects.get()
    assert change.location == locations[0] and change.reference in page.locator("body").inner_text()
    screens.shot("change-detail")
    page.goto(f"{base}/wijzigingen/")
    expect(page.get_by_role("link", name=change.reference)).to_be_visible()
    screens.shot("change-list")
    context.close()

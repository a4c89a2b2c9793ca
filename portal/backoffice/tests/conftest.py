import pytest

from portal.changes.models import Kind
from portal.changes.services import change_request_create
from portal.contact.services import contact_message_create
from portal.service.models import Category
from portal.service.services import service_request_create


@pytest.fixture
def service_request(employee, locations):
    location = locations[0]
    return service_request_create(
        actor=employee, location=location, department=location.departments.first(), category=Category.TERMINAL,
        subject="Pinautomaat kassa 2 defect", description="Geeft foutcode 12.",
    )  # fmt: skip


@pytest.fixture
def change_request(employee):
    return change_request_create(actor=employee, kind=Kind.MY_LOCATIONS, description="Graag ook Amersfoort koppelen.")


@pytest.fixture
def contact_message(db):
    """From a visitor who was not logged in."""
    return contact_message_create(
        actor=None, subject="Vraag over mijn factuur", message="Waar vind ik de factuur?", name="Vera", email="vera@v.example"
    )


@pytest.fixture
def am_client(client, account_manager):
    client.force_login(account_manager)
    return client


@pytest.fixture
def cs_client(client, staff_user):
    client.force_login(staff_user)
    return client

import pytest

from portal.support import services
from portal.support.models import Kind


@pytest.fixture
def file_request(django_capture_on_commit_callbacks):
    """File a change request through the service, as ``user``."""

    def do(user, kind=Kind.PERSONAL_DATA, description="Mijn telefoonnummer is 06 12345678.", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.change_request_create(actor=user, kind=kind, description=description, **kwargs)

    return do


@pytest.fixture
def employee_request(file_request, employee):
    return file_request(employee)


@pytest.fixture
def send_contact(django_capture_on_commit_callbacks, media_root):
    """Send a contact message through the service, as ``actor`` (None: a visitor)."""
    from portal.support import contact_services

    def do(actor=None, subject="Vraag over mijn factuur", message="Waar vind ik de factuur van maart?", **kwargs):
        if actor is None or not actor.is_authenticated:
            kwargs.setdefault("name", "Vera Bezoeker")
            kwargs.setdefault("email", "vera@voorbeeld.example")
        with django_capture_on_commit_callbacks(execute=True):
            return contact_services.contact_message_create(actor=actor, subject=subject, message=message, **kwargs)

    return do

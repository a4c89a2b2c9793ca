import pytest

from portal.contact import services as contact_services


@pytest.fixture
def send_contact(django_capture_on_commit_callbacks, media_root):
    """Send a contact message through the service, as ``actor`` (None: a visitor)."""

    def do(actor=None, subject="Vraag over mijn factuur", message="Waar vind ik de factuur van maart?", **kwargs):
        if actor is None or not actor.is_authenticated:
            kwargs.setdefault("name", "Vera Bezoeker")
            kwargs.setdefault("email", "vera@voorbeeld.example")
        with django_capture_on_commit_callbacks(execute=True):
            return contact_services.contact_message_create(actor=actor, subject=subject, message=message, **kwargs)

    return do

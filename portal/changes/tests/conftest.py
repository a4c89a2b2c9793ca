import pytest

from portal.changes import services
from portal.changes.models import Kind


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

"""What the service-request tests share: attachments land in a temporary folder, and
requests of each kind of location to try every user on."""

import pytest

from .helpers import file_request


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Every service-request test stores its attachments in a folder of its own."""


@pytest.fixture
def sr(employee, locations):
    """A request of location L1, filed by the employee (linked to L1 only)."""
    return file_request(employee, locations[0])


@pytest.fixture
def sr_l2(admin_user, locations):
    """A request of location L2, filed by the administrator; the employee is not linked to L2."""
    return file_request(admin_user, locations[1], subject="Storing kaartlezer Amersfoort")


@pytest.fixture
def other_sr(other_admin, other_location):
    return file_request(other_admin, other_location, subject="Ander bedrijf")

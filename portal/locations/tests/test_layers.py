from portal.locations.views import MEMBERSHIP_DELETED
from portal.organizations.models import Status


def test_the_deleted_status_named_by_locations_is_the_identity_layers():
    assert MEMBERSHIP_DELETED == Status.DELETED

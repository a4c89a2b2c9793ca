import pytest
from django.contrib.auth.models import Group

from portal.accounts.models import User
from portal.accounts.staff import STAFF_GROUPS
from portal.changes import demo
from portal.changes.models import ChangeRequest, ChangeRequestMessage, Status
from portal.organizations.models import Organization
from portal.site import demo as site_demo


def demo_orgs():
    orgs = []
    for organization in Organization.objects.all():
        orgs.append(
            {
                "organization": organization,
                "locations": {loc.code: loc for loc in organization.locations.all()},
                "users": {m.user.email: m.user for m in organization.memberships.select_related("user")},
            }
        )
    return orgs


@pytest.mark.django_db
def test_demo_has_every_status_for_both_organizations_and_loads_once(django_capture_on_commit_callbacks):
    site_demo.load()
    staff = {name: User.objects.get(groups=Group.objects.get(name=name)) for name in STAFF_GROUPS}
    counter = site_demo._Counter()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(counter, demo_orgs(), staff)
    for organization in Organization.objects.all():
        statuses = set(ChangeRequest.objects.filter(organization=organization).values_list("status", flat=True))
        assert statuses == set(Status.values), organization
    replies = ChangeRequestMessage.objects.filter(from_staff=True)
    assert replies.exists() and {m.author for m in replies} == {staff["Online klantenservice"]}
    before = (ChangeRequest.objects.count(), ChangeRequestMessage.objects.count())

    again = site_demo._Counter()
    demo.load(again, demo_orgs(), staff)
    assert again.created == 0
    assert (ChangeRequest.objects.count(), ChangeRequestMessage.objects.count()) == before

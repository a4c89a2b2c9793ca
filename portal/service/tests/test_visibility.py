"""Who sees which request: users × locations × requests, and rights or links taken
away counting at the very next request."""

import pytest
from django.urls import reverse

from conftest import make_account
from portal.locations.models import LocationLink
from portal.organizations.models import Role, Status
from portal.service.models import ServiceRequest

from .helpers import file_request


@pytest.fixture
def world(organization, locations, other_organization, other_location, admin_user, employee, other_admin):
    """Requests on L1 (by employee and by admin), on L2 (by admin), and one of the other organization."""
    amersfoort = make_account(organization, "amersfoort@test.example", locations=locations[1:])
    unlinked = make_account(organization, "nergens@test.example")
    no_right = make_account(organization, "geenrecht@test.example", may_use_portal=False, locations=locations)
    admin_no_right = make_account(
        organization, "admin2@test.example", role=Role.ADMINISTRATOR, may_use_portal=False, locations=locations
    )
    deactivated_admin = make_account(organization, "admin3@test.example", role=Role.ADMINISTRATOR, status=Status.DEACTIVATED)
    requests = {
        "l1_by_employee": file_request(employee, locations[0], subject="a"),
        "l1_by_admin": file_request(admin_user, locations[0], subject="b"),
        "l2_by_admin": file_request(admin_user, locations[1], subject="c"),
        "other_org": file_request(other_admin, other_location, subject="d"),
    }
    users = {
        "admin": admin_user,
        "employee_l1": employee,
        "employee_l2": amersfoort,
        "unlinked": unlinked,
        "no_right": no_right,
        "admin_no_right": admin_no_right,
        "deactivated_admin": deactivated_admin,
        "other_admin": other_admin,
    }
    return users, requests


EXPECTED = {
    "admin": {"l1_by_employee", "l1_by_admin", "l2_by_admin"},
    "employee_l1": {"l1_by_employee", "l1_by_admin"},  # the location's, not only their own
    "employee_l2": {"l2_by_admin"},
    "unlinked": set(),
    "no_right": set(),
    "admin_no_right": set(),
    "deactivated_admin": set(),  # an administrator only while active; not linked either
    "other_admin": {"other_org"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_visibility_matrix(world, who):
    users, requests = world
    names = {pk: name for name, pk in ((n, r.pk) for n, r in requests.items())}
    visible = {names[pk] for pk in ServiceRequest.objects.visible_to(users[who]).values_list("pk", flat=True)}
    assert visible == EXPECTED[who]


@pytest.mark.django_db
def test_staff_and_anonymous_see_nothing(world, staff_user):
    from django.contrib.auth.models import AnonymousUser

    assert not ServiceRequest.objects.visible_to(staff_user).exists()
    assert not ServiceRequest.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.django_db
def test_list_shows_exactly_what_is_visible(client, world):
    users, requests = world
    client.force_login(users["employee_l1"])
    body = client.get(reverse("service:list")).content.decode()
    for name, sr in requests.items():
        assert (sr.reference in body) == (name in EXPECTED["employee_l1"]), name


@pytest.mark.django_db
def test_unlinked_location_counts_at_the_next_request(client, employee, locations, sr):
    client.force_login(employee)
    detail = reverse("service:detail", args=[sr.pk])
    assert client.get(detail).status_code == 200
    LocationLink.objects.filter(membership=employee.membership, location=locations[0]).delete()
    assert client.get(detail).status_code == 404
    assert sr.reference not in client.get(reverse("service:list")).content.decode()


@pytest.mark.django_db
def test_right_taken_away_counts_at_the_next_request(client, employee, sr):
    employee.membership.may_order = True  # so the account can still log in without the portal right
    employee.membership.save(update_fields=["may_order"])
    client.force_login(employee)
    assert client.get(reverse("service:list")).status_code == 200
    employee.membership.may_use_portal = False
    employee.membership.save(update_fields=["may_use_portal"])
    assert client.get(reverse("service:list")).status_code == 404
    assert client.get(reverse("service:detail", args=[sr.pk])).status_code == 404


@pytest.mark.django_db
def test_demoted_administrator_keeps_only_linked_locations(client, organization, locations, admin_user, employee, sr_l2):
    second = make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR, locations=locations[:1])
    client.force_login(second)
    detail = reverse("service:detail", args=[sr_l2.pk])
    assert client.get(detail).status_code == 200
    second.membership.role = Role.EMPLOYEE
    second.membership.save(update_fields=["role"])
    assert client.get(detail).status_code == 404

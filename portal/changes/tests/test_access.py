"""Every change-request URL: the requester and the organization's administrator reach
it; another employee, staff and other organizations get a 404."""

import pytest
from django.urls import reverse

from portal.changes.models import ChangeRequest, Status

# (url name, method, takes the id of a change request)
URLS = [
    ("changes:list", "get", False),
    ("changes:create", "get", False),
    ("changes:detail", "get", True),
    ("changes:withdraw", "post", True),
    ("changes:apply", "post", True),
]
WITH_ID = [u for u in URLS if u[2]]


def url_for(name, takes_id, change_request):
    return reverse(name, args=[change_request.pk]) if takes_id else reverse(name)


def test_every_support_url_is_listed_here():
    from portal.changes.urls import urlpatterns

    changes = {f"changes:{p.name}" for p in urlpatterns}
    assert changes == {name for name, *_ in URLS}


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes_id", URLS)
class TestWhoReachesChangeRequests:
    def test_requester_reaches_it(self, client, employee, employee_request, name, method, takes_id):
        client.force_login(employee)
        response = getattr(client, method)(url_for(name, takes_id, employee_request))
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response.url.startswith("/inloggen/")

    def test_administrator_reaches_it(self, client, admin_user, employee_request, name, method, takes_id):
        client.force_login(admin_user)
        response = getattr(client, method)(url_for(name, takes_id, employee_request))
        assert response.status_code in (200, 302)

    def test_staff_gets_404(self, client, staff_user, employee_request, name, method, takes_id):
        client.force_login(staff_user)
        assert getattr(client, method)(url_for(name, takes_id, employee_request)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes_id", WITH_ID)
def test_other_organizations_administrator_gets_404(client, other_admin, employee_request, name, method, takes_id):
    client.force_login(other_admin)
    assert getattr(client, method)(url_for(name, takes_id, employee_request)).status_code == 404
    assert ChangeRequest.objects.get().status == Status.NEW


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes_id", WITH_ID)
def test_another_employee_gets_404(client, organization, locations, employee_request, name, method, takes_id):
    from conftest import make_account

    colleague = make_account(organization, "collega@test.example", locations=locations)
    client.force_login(colleague)
    assert getattr(client, method)(url_for(name, takes_id, employee_request)).status_code == 404
    assert ChangeRequest.objects.get().status == Status.NEW


@pytest.mark.django_db
def test_a_customer_without_portal_rights_may_still_ask_for_a_change(client, organization):
    from conftest import make_account

    orderer = make_account(organization, "besteller@test.example", may_use_portal=False, may_order=True)
    client.force_login(orderer)
    assert client.get(reverse("changes:create")).status_code == 200
    assert client.get(reverse("changes:list")).status_code == 200

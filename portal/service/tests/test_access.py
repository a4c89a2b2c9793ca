"""Every Serviceaanvragen URL: a user who may use the portal and works for the
request's location gets the page; anyone else gets a 404 (never a 403), also for ids
that exist: an employee of another location of the same organization, a user without
the right "may use the portal", another organization's administrator, HartingBank staff."""

import pytest
from django.urls import reverse

from conftest import make_account
from portal.service.models import ServiceRequest

from .helpers import file_request, png_file

# (url name, method, what it takes: None, "request" or "attachment")
URLS = [
    ("service:list", "get", None),
    ("service:create", "get", None),
    ("service:detail", "get", "request"),
    ("service:close", "post", "request"),
    ("service:reopen", "post", "request"),
    ("service:attachment", "get", "attachment"),
]
WITH_ID = [u for u in URLS if u[2]]


def url_for(name, takes, service_request):
    if takes is None:
        return reverse(name)
    if takes == "request":
        return reverse(name, args=[service_request.pk])
    attachment = service_request.attachments.first()
    return reverse(name, args=[service_request.pk, attachment.pk])


@pytest.fixture
def l1_request(admin_user, locations):
    """Filed by the administrator for L1, with a picture: the employee (linked to L1)
    sees it although someone else filed it."""
    return file_request(admin_user, locations[0], files=[png_file()])


@pytest.fixture
def l2_request(admin_user, locations):
    return file_request(admin_user, locations[1], files=[png_file()])


def test_every_service_url_is_listed_here():
    from portal.service.urls import urlpatterns

    assert {f"service:{p.name}" for p in urlpatterns} == {name for name, *_ in URLS}


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes", URLS)
class TestWhoReachesServiceRequests:
    def test_user_of_the_location_reaches_it(self, client, employee, l1_request, name, method, takes):
        client.force_login(employee)
        response = getattr(client, method)(url_for(name, takes, l1_request))
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert response.url == reverse("service:detail", args=[l1_request.pk])

    def test_administrator_reaches_it(self, client, admin_user, l2_request, name, method, takes):
        client.force_login(admin_user)
        response = getattr(client, method)(url_for(name, takes, l2_request))
        assert response.status_code in (200, 302)

    def test_user_without_the_portal_right_gets_404(self, client, organization, locations, l1_request, name, method, takes):
        user = make_account(organization, "geenrecht@test.example", may_use_portal=False, may_order=True, locations=locations)
        client.force_login(user)
        assert getattr(client, method)(url_for(name, takes, l1_request)).status_code == 404

    def test_staff_gets_404(self, client, staff_user, l1_request, name, method, takes):
        client.force_login(staff_user)
        assert getattr(client, method)(url_for(name, takes, l1_request)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes", WITH_ID)
class TestIdsOutsideWhatOneSees:
    def test_employee_of_another_location_gets_404(self, client, employee, l2_request, name, method, takes):
        client.force_login(employee)  # linked to L1 only
        assert getattr(client, method)(url_for(name, takes, l2_request)).status_code == 404

    def test_other_organizations_administrator_gets_404(self, client, other_admin, l1_request, name, method, takes):
        client.force_login(other_admin)
        assert getattr(client, method)(url_for(name, takes, l1_request)).status_code == 404


@pytest.mark.django_db
def test_attachment_of_another_request_is_404_through_a_visible_one(client, employee, l1_request, l2_request):
    client.force_login(employee)
    foreign = l2_request.attachments.first()
    assert client.get(reverse("service:attachment", args=[l1_request.pk, foreign.pk])).status_code == 404


@pytest.mark.django_db
def test_nothing_changes_through_a_refused_post(client, employee, l2_request):
    client.force_login(employee)
    client.post(reverse("service:close", args=[l2_request.pk]))
    client.post(reverse("service:detail", args=[l2_request.pk]), {"body": "Hallo"})
    l2_request.refresh_from_db()
    assert l2_request.status == "new" and not l2_request.messages.exists()
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db
def test_menu_shows_serviceaanvragen_only_with_the_portal_right(client, employee, organization):
    client.force_login(employee)
    assert 'data-menu="service"' in client.get("/").content.decode()
    user = make_account(organization, "geenrecht@test.example", may_use_portal=False, may_order=True)
    client.force_login(user)
    assert 'data-menu="service"' not in client.get("/").content.decode()

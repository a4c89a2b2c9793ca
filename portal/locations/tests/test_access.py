"""Every Locaties URL: a customer account sees the locations it may see, staff and
other organizations get a 404."""

import pytest
from django.urls import reverse

URLS = [("locations:list", False), ("locations:detail", True)]


def url_for(name, takes_id, location):
    return reverse(name, args=[location.pk]) if takes_id else reverse(name)


def test_every_locations_url_is_listed_here():
    from portal.locations.urls import urlpatterns

    assert {f"locations:{p.name}" for p in urlpatterns} == {name for name, _ in URLS}


@pytest.mark.django_db
@pytest.mark.parametrize("name, takes_id", URLS)
class TestWhoReachesLocaties:
    def test_administrator_reaches_it(self, client, admin_user, locations, name, takes_id):
        client.force_login(admin_user)
        assert client.get(url_for(name, takes_id, locations[1])).status_code == 200

    def test_employee_reaches_a_linked_location(self, client, employee, locations, name, takes_id):
        client.force_login(employee)
        assert client.get(url_for(name, takes_id, locations[0])).status_code == 200

    def test_staff_gets_404(self, client, staff_user, locations, name, takes_id):
        client.force_login(staff_user)
        assert client.get(url_for(name, takes_id, locations[0])).status_code == 404

    def test_post_is_not_allowed(self, client, admin_user, locations, name, takes_id):
        client.force_login(admin_user)
        assert client.post(url_for(name, takes_id, locations[0])).status_code == 405


@pytest.mark.django_db
def test_other_organizations_administrator_gets_404_for_our_location(client, other_admin, locations):
    client.force_login(other_admin)
    for location in locations:
        assert client.get(reverse("locations:detail", args=[location.pk])).status_code == 404


@pytest.mark.django_db
def test_employee_gets_404_for_a_location_not_linked_to_them(client, employee, locations):
    client.force_login(employee)
    assert client.get(reverse("locations:detail", args=[locations[1].pk])).status_code == 404


@pytest.mark.django_db
def test_an_unknown_id_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("locations:detail", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_menu_shows_locaties_to_customers_only(client, employee, staff_user):
    client.force_login(employee)
    assert 'data-menu="locations"' in client.get("/").content.decode()
    client.force_login(staff_user)
    assert 'data-menu="locations"' not in client.get("/").content.decode()

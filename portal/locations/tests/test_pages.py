import pytest
from django.urls import reverse

from conftest import make_location
from portal.locations.models import LocationLink
from portal.organizations.models import Status

LIST = "/locaties/"


def detail(location):
    return reverse("locations:detail", args=[location.pk])


@pytest.mark.django_db
class TestList:
    def test_administrator_sees_all_and_which_are_linked_to_them(self, client, admin_user, locations, other_location):
        LocationLink.objects.filter(membership=admin_user.membership, location=locations[1]).delete()
        client.force_login(admin_user)
        response = client.get(LIST)
        rows = {loc.code: loc for loc in response.context["locations"]}
        assert set(rows) == {"L1", "L2"}
        assert rows["L1"].is_linked and not rows["L2"].is_linked
        assert rows["L1"].city == "Utrecht" and rows["L1"].department_count == 1
        page = response.content.decode()
        assert "Zwolle" not in page and "gekoppeld" in page and "niet gekoppeld" in page

    def test_employee_sees_only_linked_locations(self, client, employee, locations):
        client.force_login(employee)
        response = client.get(LIST)
        assert [loc.code for loc in response.context["locations"]] == ["L1"]
        assert "Amersfoort" not in response.content.decode()
        assert "Gekoppeld aan mijn account" not in response.content.decode()

    def test_employee_without_locations_is_told(self, client, employee):
        LocationLink.objects.filter(membership=employee.membership).delete()
        client.force_login(employee)
        assert "Er zijn nog geen locaties aan je account gekoppeld" in client.get(LIST).content.decode()

    @pytest.mark.parametrize("extra", [0, 12])
    def test_query_count_does_not_grow_with_locations(self, client, admin_user, organization, extra, django_assert_num_queries):
        for i in range(extra):
            location = make_location(organization, f"N{i}", f"Plaats{i}")
            LocationLink.objects.create(membership=admin_user.membership, location=location)
        client.force_login(admin_user)
        client.get(LIST)  # warm up the session
        with django_assert_num_queries(3):  # session, user with membership, the list
            response = client.get(LIST)
        assert len(response.context["locations"]) == 2 + extra

    @pytest.mark.parametrize("extra", [0, 12])
    def test_employee_query_count_does_not_grow(self, client, employee, organization, extra, django_assert_num_queries):
        for i in range(extra):
            location = make_location(organization, f"N{i}", f"Plaats{i}")
            LocationLink.objects.create(membership=employee.membership, location=location)
        client.force_login(employee)
        client.get(LIST)
        with django_assert_num_queries(3):
            client.get(LIST)


@pytest.mark.django_db
class TestDetail:
    def test_shows_addresses_departments_and_the_change_button(self, client, employee, locations):
        client.force_login(employee)
        page = client.get(detail(locations[0])).content.decode()
        for text in ("Utrecht", "L1", "Utrechtstraat 1", "Utrechtlaan 2", "1234 AC", "Winkel", "Wijziging doorgeven"):
            assert text in page
        assert f"{reverse('changes:create')}?soort=location_change&amp;locatie={locations[0].pk}" in page
        assert "Gekoppelde accounts" not in page  # only an administrator sees who is linked
        assert "admin@test.example" not in page and "Anna Admin" not in page

    def test_administrator_sees_the_linked_accounts(self, client, admin_user, employee, locations):
        client.force_login(admin_user)
        page = client.get(detail(locations[0])).content.decode()
        assert "Gekoppelde accounts" in page
        assert "Erik Employee" in page and "Anna Admin" in page
        assert reverse("accountbeheer:detail", args=[employee.membership.pk]) in page
        page = client.get(detail(locations[1])).content.decode()
        assert "Erik Employee" not in page

    def test_deleted_accounts_are_not_listed(self, client, admin_user, employee, locations):
        employee.membership.status = Status.DELETED
        employee.membership.save()
        client.force_login(admin_user)
        assert "Erik Employee" not in client.get(detail(locations[0])).content.decode()

    def test_unlinking_takes_effect_at_the_next_request(self, client, employee, locations):
        client.force_login(employee)
        assert client.get(detail(locations[0])).status_code == 200
        LocationLink.objects.filter(membership=employee.membership, location=locations[0]).delete()
        assert client.get(detail(locations[0])).status_code == 404
        assert list(client.get(LIST).context["locations"]) == []

    def test_linking_takes_effect_at_the_next_request(self, client, employee, locations):
        client.force_login(employee)
        assert client.get(detail(locations[1])).status_code == 404
        LocationLink.objects.create(membership=employee.membership, location=locations[1])
        assert client.get(detail(locations[1])).status_code == 200

    def test_query_count_does_not_grow_with_departments_and_links(
        self, client, admin_user, organization, locations, django_assert_max_num_queries
    ):
        from conftest import make_account
        from portal.locations.models import Department

        client.force_login(admin_user)
        client.get(detail(locations[0]))
        with django_assert_max_num_queries(7) as small:
            client.get(detail(locations[0]))
        for i in range(10):
            Department.objects.create(location=locations[0], name=f"Afdeling {i}")
            make_account(organization, f"m{i}@test.example", locations=[locations[0]])
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(detail(locations[0]))


@pytest.mark.django_db
def test_my_account_links_each_location_and_the_change_requests(client, employee, locations):
    client.force_login(employee)
    page = client.get("/mijn-account/").content.decode()
    assert detail(locations[0]) in page
    assert f"{reverse('changes:create')}?soort=personal_data" in page
    assert f"{reverse('changes:create')}?soort=my_locations" in page
    assert reverse("changes:list") in page
    assert "onlineklantenservice@harting-bank.nl" in page  # e-mail stays the alternative

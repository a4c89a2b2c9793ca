import pytest
from django.urls import reverse

URL = "/mijn-account/"


@pytest.mark.django_db
class TestMijnAccount:
    def test_shows_own_data_rights_and_linked_locations(self, client, employee, locations, other_location):
        client.force_login(employee)
        response = client.get(URL)
        page = response.content.decode()
        assert response.status_code == 200
        for text in (
            "Erik Employee",
            "employee@test.example",
            "Bakkerij Test B.V.",
            "Medewerker",
            "Utrecht",
            "Winkel",
            "Utrechtlaan 2",
        ):
            assert text in page
        assert [location["pk"] for location in response.context["locations"]] == [locations[0].pk]
        assert "Amersfoort" not in page  # a location of the organization not linked to this account
        assert "Zwolle" not in page  # another organization's location
        assert "onlineklantenservice@harting-bank.nl" in page
        assert reverse("account_change_password") in page

    def test_shows_nothing_of_another_account(self, client, employee, admin_user, other_admin):
        client.force_login(employee)
        page = client.get(URL).content.decode()
        assert "admin@test.example" not in page and "admin@other.example" not in page

    def test_is_read_only(self, client, employee):
        client.force_login(employee)
        page = client.get(URL).content.decode()
        main = page.split("<main", 1)[1].split("</main>", 1)[0]
        assert "<input" not in main and "<form" not in main
        response = client.post(URL, {"full_name": "Iemand Anders"})
        assert response.status_code == 405
        employee.refresh_from_db()
        assert employee.full_name == "Erik Employee"

    def test_query_count_does_not_grow_with_locations(self, client, admin_user, django_assert_max_num_queries):
        client.force_login(admin_user)
        client.get(URL)  # the session learns once whether its user has a second factor
        with django_assert_max_num_queries(8):
            client.get(URL)

    def test_locations_addresses_and_departments_are_three_queries(self, client, employee, locations, django_assert_num_queries):
        """Session, user, then the linked locations, their addresses and their departments."""
        client.force_login(employee)
        client.get(URL)  # the session learns once whether its user has a second factor
        with django_assert_num_queries(5):
            page = client.get(URL).content.decode()
        assert "Bezoekadres" in page and "Afleveradres" in page and "Utrechtlaan 2" in page

    def test_staff_sees_their_own_data(self, client, staff_user):
        client.force_login(staff_user)
        response = client.get(URL)
        assert response.status_code == 200
        assert "Medewerker HartingBank" in response.content.decode()


@pytest.mark.django_db
class TestMijnAccountOfAnAdministrator:
    def test_sees_every_location_of_the_organization_and_which_are_linked(self, client, admin_user, locations, other_location):
        admin_user.membership.location_links.all().delete()
        admin_user.membership.location_links.create(location=locations[0])
        client.force_login(admin_user)
        response = client.get(URL)
        shown = {location["pk"]: location["linked"] for location in response.context["locations"]}
        assert shown == {locations[0].pk: True, **{location.pk: False for location in locations[1:]}}
        assert other_location.pk not in shown  # another organization's
        assert "gekoppeld aan je account" in response.content.decode()

    def test_is_never_told_to_ask_the_administrator(self, client, admin_user):
        client.force_login(admin_user)
        page = client.get(URL).content.decode()
        assert "contact op met de administrator" not in page
        assert reverse("accountbeheer:change", args=[admin_user.membership.pk]) in page

    def test_without_a_linked_location_checkout_and_service_point_to_accountbeheer(self, client, admin_user):
        admin_user.membership.location_links.all().delete()
        type(admin_user.membership).objects.filter(pk=admin_user.membership.pk).update(may_order=True, may_use_portal=True)
        from decimal import Decimal

        from portal.ordering import services as ordering
        from portal.ordering.models import Category, Product

        category = Category.objects.create(name="Kassarollen", slug="kassarollen")
        product = Product.objects.create(category=category, code="ROL", name="Kassarol", unit="doos", price=Decimal("1.00"))
        admin_user.membership.refresh_from_db()
        ordering.cart_add(actor=admin_user, product=product, quantity=1)
        client.force_login(admin_user)
        own = reverse("accountbeheer:change", args=[admin_user.membership.pk])
        for url in (reverse("ordering:checkout"), reverse("service:create")):
            page = client.get(url).content.decode()
            assert own in page and "Vraag je administrator" not in page and "Vraag de administrator" not in page

"""The home page shows each person what they come for: what waits for them first, then
what is under way, each item linking to where it is handled; nothing of anyone else's
organization, in a few queries."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_account
from portal.changes import services as changes
from portal.ordering import services as ordering
from portal.ordering.models import Category, Order, OrderStatus, Product
from portal.organizations.models import Invitation, Membership, Role, Status
from portal.service import services as service
from portal.service.models import ServiceRequest
from portal.service.models import Status as RequestStatus


@pytest.fixture
def product(db):
    category = Category.objects.create(name="Kassarollen", slug="kassarollen")
    return Product.objects.create(category=category, code="ROL", name="Kassarol", unit="doos", price=Decimal("80.00"))


def place(user, location, product, quantity=1):
    ordering.cart_add(actor=user, product=product, quantity=quantity)
    order, _ = ordering.order_place(
        actor=user, location=location, department=location.departments.first(), submission_key=uuid.uuid4()
    )
    return order


def panels(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {panel.key: panel for panel in response.context["panels"]}, response


@pytest.fixture
def orderer(organization, locations):
    return make_account(organization, "orderer@test.example", may_order=True, locations=locations[:1], full_name="Olaf Orderer")


@pytest.mark.django_db
class TestHome:
    def test_an_employee_sees_the_requests_of_their_locations_waiting_ones_first(self, client, employee, locations):
        def file(subject):
            return service.service_request_create(
                actor=employee, location=locations[0], department=locations[0].departments.first(),
                category="terminal", subject=subject, description="Doet het niet.",
            )  # fmt: skip

        first, waiting = file("Pinautomaat"), file("Kassalade")
        ServiceRequest.objects.filter(pk=waiting.pk).update(status=RequestStatus.WAITING_FOR_CUSTOMER)
        shown, response = panels(client, employee)
        assert list(shown) == ["service"]  # it waits for them, so it comes first; no orders without the right
        panel = shown["service"]
        assert panel.attention and [item.url for item in panel.items] == [
            reverse("service:detail", args=[waiting.pk]),
            reverse("service:detail", args=[first.pk]),
        ]
        assert "wacht op jou" in response.content.decode()

    def test_an_orderer_sees_their_own_orders_still_under_way(self, client, orderer, admin_user, locations, product):
        open_order = place(orderer, locations[0], product)
        delivered = place(orderer, locations[0], product)
        Order.objects.filter(pk=delivered.pk).update(status=OrderStatus.DELIVERED)
        place(admin_user, locations[0], product)  # someone else's
        panel = panels(client, orderer)[0]["orders"]
        assert [item.label for item in panel.items] == [open_order.number]
        assert panel.items[0].url == reverse("ordering:order_detail", args=[open_order.pk])

    def test_an_orderer_without_orders_is_sent_to_the_products(self, client, orderer):
        panel = panels(client, orderer)[0]["orders"]
        assert panel.items == [] and panel.more_url == reverse("ordering:catalogue")

    def test_an_administrator_sees_what_waits_for_them(self, client, admin_user, orderer, organization, locations, product):
        Membership.objects.filter(pk=orderer.membership.pk).update(order_limit=Decimal("10.00"))
        waiting = place(orderer, locations[0], product)
        own = place(admin_user, locations[0], product)
        Membership.objects.filter(pk=admin_user.membership.pk).update(order_limit=Decimal("10.00"))
        invited = make_account(organization, "nieuw@test.example", status=Status.INVITED, full_name="Nina Nieuw")
        Invitation.objects.create(
            membership=invited.membership, token_hash="a" * 64, expires_at=timezone.now() - timedelta(days=1)
        )
        back_soon = make_account(organization, "terug@test.example", status=Status.DEACTIVATED, full_name="Tom Terug")
        Membership.objects.filter(pk=back_soon.membership.pk).update(deactivated_until=timezone.localdate() + timedelta(days=3))
        change = changes.change_request_create(actor=orderer, kind="personal_data", description="Nieuw telefoonnummer")

        shown = panels(client, admin_user)[0]
        assert list(shown)[:2] == ["approvals", "invitations"]  # both ask something of her
        assert [item.label for item in shown["approvals"].items] == [waiting.number]  # not her own order
        assert own.number not in [item.label for item in shown["approvals"].items]
        [invitation] = shown["invitations"].items
        assert invitation.label == "Nina Nieuw" and invitation.attention and str(invitation.status) == "Verlopen"
        assert [item.label for item in shown["reactivations"].items] == ["Tom Terug"]
        assert shown["changes"].items[0].url == reverse("changes:detail", args=[change.pk])

    def test_nothing_of_another_organization(self, client, other_admin, employee, locations, orderer, product):
        service.service_request_create(
            actor=employee, location=locations[0], department=locations[0].departments.first(),
            category="terminal", subject="Pinautomaat", description="Doet het niet.",
        )  # fmt: skip
        place(orderer, locations[0], product)
        shown = panels(client, other_admin)[0]
        assert all(not panel.items for panel in shown.values())

    def test_staff_land_in_the_back_office(self, client, staff_user):
        client.force_login(staff_user)
        assert client.get("/").url == reverse("backoffice:home")

    def test_an_administrators_home_is_one_query_a_panel(
        self, client, admin_user, orderer, locations, product, django_assert_num_queries
    ):
        """Session and user, then approvals, invitations, the open access review,
        reactivations, own orders, service requests and change requests: one query each,
        however many there are."""
        for _ in range(8):
            place(orderer, locations[0], product)
        client.force_login(admin_user)
        with django_assert_num_queries(9):
            client.get("/")

    def test_the_role_decides_the_panels(self, client, organization, locations):
        administrator = make_account(organization, "beheer@test.example", role=Role.ADMINISTRATOR, may_use_portal=False)
        shown = panels(client, administrator)[0]
        assert "service" not in shown and "orders" not in shown  # neither right, so neither panel

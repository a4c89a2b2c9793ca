"""/api/v1/orders and /api/v1/service-requests: read, cancel, add a message, through the
services the pages use."""

from decimal import Decimal

import pytest
from django.core import mail

from portal.core.models import AuditEvent
from portal.ordering.models import Category, OrderStatus, Product, VatRate
from portal.ordering.tests.conftest import place
from portal.service.tests.helpers import file_request


@pytest.fixture
def order(employee, organization, locations):
    from conftest import make_account

    orderer = make_account(
        organization, "orderer@test.example", may_order=True, locations=locations[:1], full_name="Olaf Orderer"
    )
    category = Category.objects.create(name="Kassarollen", slug="kassarollen")
    product = Product.objects.create(
        category=category, code="ROL-57", name="Kassarol", unit="doos", price=Decimal("27.50"), vat_rate=VatRate.HIGH
    )
    return place(orderer, locations[0], [(product, 2)])


@pytest.fixture
def service_request(employee, locations, media_root):
    return file_request(employee, locations[0])


@pytest.mark.django_db
class TestOrders:
    def test_list_and_read(self, api_for, organization, admin_user, order):
        api = api_for(organization, scopes=("orders",))
        body = api("get", "/api/v1/orders").json()
        assert [o["number"] for o in body["items"]] == [order.number]
        detail = api("get", f"/api/v1/orders/{order.pk}").json()
        assert detail["subtotal"] == "55.00" and detail["lines"][0]["quantity"] == 2
        assert detail["placed_by"] == order.placed_by.membership.pk

    def test_cancel_as_the_page_does(self, api_for, organization, admin_user, order, django_capture_on_commit_callbacks):
        api = api_for(organization, scopes=("orders",), name="Inkoop")
        with django_capture_on_commit_callbacks(execute=True):
            body = api("post", f"/api/v1/orders/{order.pk}/cancel").json()
        assert body["status"] == OrderStatus.CANCELLED
        assert any("orderer@test.example" in m.to for m in mail.outbox)
        assert str(AuditEvent.objects.get(action="order_cancelled").actor) == "API-sleutel Inkoop"
        response = api("post", f"/api/v1/orders/{order.pk}/cancel")
        assert response.status_code == 409 and response.json()["code"] == "already_ended"

    def test_order_started_on_cannot_be_cancelled(self, api_for, organization, admin_user, order):
        order.status = OrderStatus.PROCESSING
        order.save(update_fields=["status"])
        response = api_for(organization, scopes=("orders",))("post", f"/api/v1/orders/{order.pk}/cancel")
        assert response.status_code == 409 and response.json()["code"] == "not_cancellable"


@pytest.mark.django_db
class TestServiceRequests:
    def test_list_and_read(self, api_for, organization, admin_user, service_request):
        api = api_for(organization, scopes=("service",))
        assert [s["reference"] for s in api("get", "/api/v1/service-requests").json()["items"]] == [service_request.reference]
        assert api("get", f"/api/v1/service-requests/{service_request.pk}").json()["subject"] == service_request.subject

    def test_add_a_message(self, api_for, organization, admin_user, service_request):
        api = api_for(organization, scopes=("service",))
        response = api("post", f"/api/v1/service-requests/{service_request.pk}/messages", {"body": "Graag vóór vrijdag."})
        assert response.status_code == 201, response.content
        assert response.json()["messages"][-1]["body"] == "Graag vóór vrijdag."

    def test_a_message_with_a_control_character_is_422(self, api_for, organization, admin_user, service_request):
        response = api_for(organization, scopes=("service",))(
            "post", f"/api/v1/service-requests/{service_request.pk}/messages", {"body": "a\x07b"}
        )
        assert response.status_code == 422 and response.json()["errors"]["body"][0]["code"] == "control_character"

"""Placing an order and filing a service request through the API, for the account the
request names, with the Idempotency-Key header."""

from decimal import Decimal

import pytest
from django.core import mail

from conftest import make_account
from portal.api.models import IdempotentRequest
from portal.core.models import AuditEvent
from portal.ordering.models import CartItem, Category, Order, OrderStatus, Product, VatRate
from portal.organizations.models import Status
from portal.service.models import ServiceRequest


@pytest.fixture
def product(db):
    category = Category.objects.create(name="Kassarollen", slug="kassarollen")
    return Product.objects.create(
        category=category, code="ROL-57", name="Kassarol", unit="doos", price=Decimal("27.50"), vat_rate=VatRate.HIGH
    )


@pytest.fixture
def orderer(organization, locations):
    return make_account(organization, "orderer@test.example", may_order=True, locations=locations[:1], full_name="Olaf Orderer")


def order_body(orderer, location, product, quantity=2, **extra):
    return {"orderer_id": orderer.membership.pk, "location": location.pk, "department": location.departments.first().pk,
            "lines": [{"product": product.code, "quantity": quantity}], **extra}  # fmt: skip


@pytest.mark.django_db
class TestPlaceOrder:
    def test_placed_for_the_orderer_with_the_key_in_the_audit_trail(
        self, api_for, organization, admin_user, orderer, locations, product, django_capture_on_commit_callbacks
    ):
        api = api_for(organization, scopes=("orders",), name="Inkoop")
        with django_capture_on_commit_callbacks(execute=True):
            response = api(
                "post", "/api/v1/orders", order_body(orderer, locations[0], product, reference="PO-1"), HTTP_IDEMPOTENCY_KEY="k-1"
            )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == OrderStatus.RECEIVED and body["subtotal"] == "55.00" and body["reference"] == "PO-1"
        assert body["placed_by"] == orderer.membership.pk and body["number"].startswith("B")
        order = Order.objects.get()
        assert order.placed_by == orderer
        event = AuditEvent.objects.get(action="order_placed")
        assert str(event.actor) == "API-sleutel Inkoop" and event.target_user == orderer
        assert [m.to for m in mail.outbox] == [["orderer@test.example"]]

    def test_the_cart_of_the_orderer_is_left_alone(self, api_for, organization, admin_user, orderer, locations, product):
        from portal.ordering import services

        services.cart_add(actor=orderer, product=product, quantity=3)
        api = api_for(organization, scopes=("orders",))
        assert (
            api("post", "/api/v1/orders", order_body(orderer, locations[0], product, 1), HTTP_IDEMPOTENCY_KEY="k").status_code
            == 201
        )
        assert [(i.product_id, i.quantity) for i in CartItem.objects.all()] == [(product.pk, 3)]
        assert Order.objects.get().lines.get().quantity == 1

    def test_above_the_limit_it_waits_for_approval_and_the_administrators_are_mailed(
        self, api_for, organization, admin_user, orderer, locations, product, django_capture_on_commit_callbacks
    ):
        orderer.membership.order_limit = Decimal("50.00")
        orderer.membership.save(update_fields=["order_limit"])
        api = api_for(organization, scopes=("orders",))
        with django_capture_on_commit_callbacks(execute=True):
            response = api("post", "/api/v1/orders", order_body(orderer, locations[0], product, 2), HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 201 and response.json()["status"] == OrderStatus.PENDING_APPROVAL
        assert sorted(m.to[0] for m in mail.outbox) == ["admin@test.example", "orderer@test.example"]
        # Under the limit: received at once.
        response = api("post", "/api/v1/orders", order_body(orderer, locations[0], product, 1), HTTP_IDEMPOTENCY_KEY="k2")
        assert response.json()["status"] == OrderStatus.RECEIVED

    def test_an_administrator_above_their_limit_needs_another_administrator(
        self, api_for, organization, admin_user, locations, product
    ):
        admin_user.membership.order_limit = Decimal("10.00")
        admin_user.membership.save(update_fields=["order_limit"])
        api = api_for(organization, scopes=("orders",))
        response = api("post", "/api/v1/orders", order_body(admin_user, locations[0], product), HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 409 and response.json()["code"] == "no_approver"
        assert not Order.objects.exists()

    def test_the_orderers_linked_locations_only(self, api_for, organization, admin_user, orderer, locations, product):
        response = api_for(organization, scopes=("orders",))(
            "post", "/api/v1/orders", order_body(orderer, locations[1], product), HTTP_IDEMPOTENCY_KEY="k"
        )
        assert response.status_code == 409 and response.json()["code"] == "location_not_linked"

    def test_an_orderer_who_may_not_order_is_refused(self, api_for, organization, admin_user, employee, locations, product):
        response = api_for(organization, scopes=("orders",))(
            "post", "/api/v1/orders", order_body(employee, locations[0], product), HTTP_IDEMPOTENCY_KEY="k"
        )
        assert response.status_code == 409 and response.json()["code"] == "no_right"
        assert not Order.objects.exists()

    @pytest.mark.parametrize("status", [Status.INVITED, Status.DEACTIVATED])
    def test_an_orderer_who_is_not_active_is_refused(self, api_for, organization, admin_user, locations, product, status):
        person = make_account(organization, f"{status}@test.example", may_order=True, locations=locations, status=status)
        response = api_for(organization, scopes=("orders",))(
            "post", "/api/v1/orders", order_body(person, locations[0], product), HTTP_IDEMPOTENCY_KEY="k"
        )
        assert response.status_code == 409 and response.json()["code"] == "not_active"

    def test_an_orderer_of_another_organization_is_no_account_here(
        self, api_for, organization, admin_user, other_organization, other_location, locations, product
    ):
        stranger = make_account(other_organization, "koper@other.example", may_order=True, locations=[other_location])
        response = api_for(organization, scopes=("orders",))(
            "post", "/api/v1/orders", order_body(stranger, locations[0], product), HTTP_IDEMPOTENCY_KEY="k"
        )
        assert response.status_code == 422
        assert response.json()["errors"]["orderer_id"][0]["code"] == "invalid_choice"
        assert "koper" not in response.content.decode()

    def test_the_checkout_forms_rules(self, api_for, organization, admin_user, orderer, locations, product):
        api = api_for(organization, scopes=("orders",))
        saturday = "2099-01-03"
        response = api(
            "post",
            "/api/v1/orders",
            order_body(orderer, locations[0], product, wished_delivery_date=saturday, reference="a\nb"),
            HTTP_IDEMPOTENCY_KEY="k",
        )
        errors = response.json()["errors"]
        assert response.status_code == 422 and set(errors) == {"wished_delivery_date", "reference"}
        assert errors["reference"][0]["code"] == "line_break"
        other_department = locations[1].departments.first().pk
        response = api(
            "post",
            "/api/v1/orders",
            {**order_body(orderer, locations[0], product), "department": other_department},
            HTTP_IDEMPOTENCY_KEY="k",
        )
        assert response.json()["errors"]["department"][0]["code"] == "department_mismatch"

    def test_products_by_code(self, api_for, organization, admin_user, orderer, locations, product):
        api = api_for(organization, scopes=("orders",))
        body = order_body(orderer, locations[0], product)
        unknown = {**body, "lines": [{"product": "GEEN", "quantity": 1}]}
        assert (
            api("post", "/api/v1/orders", unknown, HTTP_IDEMPOTENCY_KEY="k").json()["errors"]["lines"][0]["code"]
            == "unknown_product"
        )
        twice = {**body, "lines": body["lines"] * 2}
        assert (
            api("post", "/api/v1/orders", twice, HTTP_IDEMPOTENCY_KEY="k").json()["errors"]["lines"][0]["code"]
            == "duplicate_product"
        )
        too_many = {**body, "lines": [{"product": product.code, "quantity": product.max_quantity + 1}]}
        assert api("post", "/api/v1/orders", too_many, HTTP_IDEMPOTENCY_KEY="k").json()["code"] == "quantity_too_high"
        product.is_archived = True
        product.save(update_fields=["is_archived"])
        assert api("post", "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="k").json()["code"] == "product_unavailable"
        assert not Order.objects.exists()


@pytest.mark.django_db
class TestIdempotencyKey:
    def test_required_for_an_order(self, api_for, organization, admin_user, orderer, locations, product):
        response = api_for(organization, scopes=("orders",))("post", "/api/v1/orders", order_body(orderer, locations[0], product))
        assert response.status_code == 422 and "Idempotency-Key" in response.json()["errors"]
        assert not Order.objects.exists()

    def test_the_same_key_and_body_answer_the_first_result_and_create_nothing(
        self, api_for, organization, admin_user, orderer, locations, product, django_capture_on_commit_callbacks
    ):
        api = api_for(organization, scopes=("orders",))
        body = order_body(orderer, locations[0], product)
        with django_capture_on_commit_callbacks(execute=True):
            first = api("post", "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="bestelling-42")
            again = api("post", "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="bestelling-42")
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first
        assert Order.objects.count() == 1 and AuditEvent.objects.filter(action="order_placed").count() == 1
        assert len(mail.outbox) == 1

    def test_the_same_key_with_another_body_is_refused(self, api_for, organization, admin_user, orderer, locations, product):
        api = api_for(organization, scopes=("orders",))
        api("post", "/api/v1/orders", order_body(orderer, locations[0], product, 1), HTTP_IDEMPOTENCY_KEY="k")
        response = api("post", "/api/v1/orders", order_body(orderer, locations[0], product, 2), HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "idempotency_key_reused"
        # ... also on another operation: a key is one request of the API key.
        api_service = api_for(organization, scopes=("orders", "service"), name="Beide")
        api_service("post", "/api/v1/orders", order_body(orderer, locations[0], product, 1), HTTP_IDEMPOTENCY_KEY="k")
        response = api_service("post", "/api/v1/service-requests", request_body(orderer, locations[0]), HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
        assert Order.objects.count() == 2 and not ServiceRequest.objects.exists()

    def test_keys_are_per_api_key(self, api_for, organization, admin_user, orderer, locations, product):
        body = order_body(orderer, locations[0], product)
        for name in ("Inkoop", "Magazijn"):
            assert (
                api_for(organization, scopes=("orders",), name=name)(
                    "post", "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="k"
                ).status_code
                == 201
            )
        assert Order.objects.count() == 2

    def test_a_refused_request_keeps_nothing(self, api_for, organization, admin_user, orderer, locations, product):
        api = api_for(organization, scopes=("orders",))
        orderer.membership.may_order = False
        orderer.membership.save(update_fields=["may_order"])
        assert (
            api("post", "/api/v1/orders", order_body(orderer, locations[0], product), HTTP_IDEMPOTENCY_KEY="k").json()["code"]
            == "no_right"
        )
        assert not IdempotentRequest.objects.exists()
        orderer.membership.may_order = True
        orderer.membership.save(update_fields=["may_order"])
        assert (
            api("post", "/api/v1/orders", order_body(orderer, locations[0], product), HTTP_IDEMPOTENCY_KEY="k").status_code == 201
        )

    def test_kept_for_24_hours_then_pruned(self, api_for, organization, admin_user, orderer, locations, product):
        from datetime import timedelta

        from django.utils import timezone

        from portal.api import idempotency

        api = api_for(organization, scopes=("orders",))
        body = order_body(orderer, locations[0], product)
        api("post", "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="k")
        idempotency.prune(now=timezone.now() + timedelta(hours=23))
        assert api("post", "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="k")["Idempotent-Replayed"] == "true"
        idempotency.prune(now=timezone.now() + timedelta(hours=24, minutes=1))
        assert not IdempotentRequest.objects.exists()
        assert api("post", "/api/v1/orders", body, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
        assert Order.objects.count() == 2

    def test_the_prune_job_is_registered(self):
        from portal.core.jobs import jobs

        assert "prune_idempotency_keys" in {job.name for job in jobs()}

    def test_a_key_that_is_no_visible_text_is_refused(self, api_for, organization, admin_user, orderer, locations, product):
        response = api_for(organization, scopes=("orders",))(
            "post", "/api/v1/orders", order_body(orderer, locations[0], product), HTTP_IDEMPOTENCY_KEY="a b"
        )
        assert response.status_code == 422 and "Idempotency-Key" in response.json()["errors"]

    def test_a_service_request_and_a_message_with_a_key(self, api_for, organization, admin_user, employee, locations):
        api = api_for(organization, scopes=("service",))
        body = request_body(employee, locations[0])
        first = api("post", "/api/v1/service-requests", body, HTTP_IDEMPOTENCY_KEY="sa-1")
        again = api("post", "/api/v1/service-requests", body, HTTP_IDEMPOTENCY_KEY="sa-1")
        assert again.json() == first.json() and ServiceRequest.objects.count() == 1
        path = f"/api/v1/service-requests/{first.json()['id']}/messages"
        api("post", path, {"body": "Nog iets"}, HTTP_IDEMPOTENCY_KEY="m-1")
        api("post", path, {"body": "Nog iets"}, HTTP_IDEMPOTENCY_KEY="m-1")
        assert ServiceRequest.objects.get().messages.count() == 1
        # Without a key, each request is a new one.
        api("post", path, {"body": "Nog iets"})
        api("post", path, {"body": "Nog iets"})
        assert ServiceRequest.objects.get().messages.count() == 3


def request_body(requester, location, **extra):
    return {"requester_id": requester.membership.pk, "location": location.pk, "department": location.departments.first().pk,
            "category": "terminal", "subject": "Pinautomaat kassa 2 defect", "description": "Geen verbinding.", **extra}  # fmt: skip


@pytest.mark.django_db
class TestFileServiceRequest:
    def test_filed_for_the_requester_with_the_key_in_the_audit_trail(
        self, api_for, organization, admin_user, employee, locations, django_capture_on_commit_callbacks, settings
    ):
        api = api_for(organization, scopes=("service",), name="Kassasysteem")
        with django_capture_on_commit_callbacks(execute=True):
            response = api("post", "/api/v1/service-requests", request_body(employee, locations[0]))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["reference"].startswith("SA") and body["status"] == "new" and body["requester"] == employee.membership.pk
        service_request = ServiceRequest.objects.get()
        assert service_request.created_by == employee
        event = AuditEvent.objects.get(action="service_request_created")
        assert str(event.actor) == "API-sleutel Kassasysteem" and event.target_user == employee
        assert sorted(m.to[0] for m in mail.outbox) == sorted(["employee@test.example", settings.CUSTOMER_SERVICE_EMAIL])

    def test_the_requesters_linked_locations_only(self, api_for, organization, admin_user, employee, locations):
        response = api_for(organization, scopes=("service",))(
            "post", "/api/v1/service-requests", request_body(employee, locations[1])
        )
        assert response.status_code == 409 and response.json()["code"] == "location_not_linked"

    def test_a_requester_without_the_right_or_not_active_is_refused(self, api_for, organization, admin_user, locations):
        api = api_for(organization, scopes=("service",))
        no_right = make_account(organization, "kassa@test.example", may_use_portal=False, may_order=True, locations=locations)
        assert api("post", "/api/v1/service-requests", request_body(no_right, locations[0])).json()["code"] == "no_portal_right"
        gone = make_account(organization, "weg@test.example", locations=locations, status=Status.DEACTIVATED)
        assert api("post", "/api/v1/service-requests", request_body(gone, locations[0])).json()["code"] == "not_active"
        assert not ServiceRequest.objects.exists()

    def test_the_forms_rules(self, api_for, organization, admin_user, employee, locations):
        api = api_for(organization, scopes=("service",))
        response = api("post", "/api/v1/service-requests", request_body(employee, locations[0], category="brand", subject=""))
        assert response.status_code == 422 and set(response.json()["errors"]) == {"category", "subject"}

    def test_an_administrator_files_for_themselves(self, api_for, organization, admin_user, locations):
        response = api_for(organization, scopes=("service",))(
            "post", "/api/v1/service-requests", request_body(admin_user, locations[1])
        )
        assert response.status_code == 201 and ServiceRequest.objects.get().created_by == admin_user


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_the_same_key_at_once_place_one_order(make_key, organization, locations, product, monkeypatch):
    """The second waits for the first's transaction (the key's unique row) and answers what
    it stored. PostgreSQL only: the test database of SQLite lives in memory, one writer."""
    import threading
    import time

    from django.db import connection, connections
    from django.test import Client

    from portal.ordering import services

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    admin = make_account(organization, "admin@test.example", role="administrator", may_order=True, locations=locations)
    _key, secret = make_key(organization, scopes=("orders",))
    original = services.order_place

    def slow(**kwargs):  # holds the first request's transaction open a moment
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(services, "order_place", slow)
    body = order_body(admin, locations[0], product)
    answers = []

    def send(delay):
        time.sleep(delay)
        try:
            response = Client().post("/api/v1/orders", data=body, content_type="application/json",
                                     HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_IDEMPOTENCY_KEY="tegelijk")  # fmt: skip
            answers.append((response.status_code, response.json().get("id"), response.get("Idempotent-Replayed")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(delay,)) for delay in (0, 0.2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a[0] for a in answers) == [201, 201] and len({a[1] for a in answers}) == 1
    assert sorted(str(a[2]) for a in answers) == ["None", "true"]
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_the_catalogue_lists_what_can_be_ordered(api_for, organization, admin_user, product):
    archived = Product.objects.create(
        category=product.category, code="OUD", name="Oud", unit="stuk", price=Decimal("1.00"), is_archived=True
    )
    api = api_for(organization, scopes=("orders",))
    body = api("get", "/api/v1/products").json()
    assert [p["code"] for p in body["items"]] == ["ROL-57"] and archived.code not in str(body)
    assert body["items"][0]["price"] == "27.50" and body["items"][0]["max_quantity"] == product.max_quantity
    Product.objects.create(category=product.category, code="ROL-80", name="Kassarol breed", unit="doos", price=Decimal("30.00"))
    first = api("get", "/api/v1/products?limit=1").json()
    assert [p["code"] for p in first["items"]] == ["ROL-57"]
    assert [p["code"] for p in api("get", f"/api/v1/products?limit=1&after={first['next']}").json()["items"]] == ["ROL-80"]
    assert api_for(organization, scopes=("service",))("get", "/api/v1/products").status_code == 404

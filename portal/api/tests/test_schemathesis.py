"""schemathesis over the OpenAPI document: with a key of every scope, every operation is
sent generated requests (Hypothesis); no answer may be a server error, and every answer
must match what the document says of it (status, content type, body). Generated ids
hardly ever name a row of the organization, so every operation on an id is also sent with
the ids of the key's organization: once as an example that must succeed, then with
generated bodies and parameters."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from portal.api import keys

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))


def _schema():
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def _operations():
    return [result.ok() for result in _schema().get_all_operations()]


@pytest.fixture
def secret(organization, admin_user, employee, other_admin, settings):
    settings.API_RATE_LIMIT = "100000/m"
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "accountbeheer_invite": "100000/m/user"}
    _key, value = keys.api_key_create(
        actor=None, organization=organization, name="fuzz", scopes=["accounts", "orders", "service"], days=1
    )
    return value


CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]  # fmt: skip


@pytest.fixture
def connection_kept():
    """The WSGI handler closes the database connection after each request, as Django's
    test client does not: kept open, so the test's transaction holds (PostgreSQL)."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
def test_api_conforms_to_its_own_document(secret, connection_kept):
    """(schemathesis's own pytest plugin does not run under this pytest; its strategies and
    checks are used directly, one Hypothesis run per operation.)"""
    operations = _operations()
    assert len(operations) >= 9
    statuses = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case):
            response = case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
            statuses.append(response.status_code)

        run()
    # Both kinds of answer were reached: accepted requests and refused ones.
    assert any(s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses), sorted(set(statuses))


def _operation(method, path):
    return next(op for op in _operations() if op.method.lower() == method and op.path == "/api/v1" + path)


@pytest.mark.django_db
def test_placing_and_filing_answer_as_documented(secret, connection_kept, admin_user, locations):
    """The writes whose bodies name the organization's accounts, locations and products,
    which generated ids hardly ever hit: sent with valid bodies too, first and again with
    the same Idempotency-Key (the replay as documented), and with another body."""
    from decimal import Decimal

    from portal.ordering.models import Category, Order, Product
    from portal.service.models import ServiceRequest

    category = Category.objects.create(name="Kassarollen", slug="kassarollen")
    Product.objects.create(category=category, code="ROL", name="Kassarol", unit="doos", price=Decimal("5.00"))
    department = locations[0].departments.first().pk
    headers = {"Authorization": f"Bearer {secret}"}
    order = {"orderer_id": admin_user.membership.pk, "location": locations[0].pk, "department": department,
             "lines": [{"product": "ROL", "quantity": 2}], "reference": "PO-7"}  # fmt: skip
    filed = {"requester_id": admin_user.membership.pk, "location": locations[0].pk, "department": department,
             "category": "terminal", "subject": "Pinautomaat", "description": "Geen verbinding."}  # fmt: skip
    for path, body in (("/orders", order), ("/service-requests", filed)):
        operation = _operation("post", path)
        key = f"sleutel{path}"  # a key belongs to one request, whatever the operation
        for sent, status in ((body, 201), (body, 201), ({**body, "location": locations[1].pk}, 422)):
            case = operation.Case(body=sent, headers={"Idempotency-Key": key}, media_type="application/json")
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            assert response.status_code == status, (path, response.text)
    assert Order.objects.count() == 1 and ServiceRequest.objects.count() == 1
    message = _operation("post", "/service-requests/{request_id}/messages").Case(
        path_parameters={"request_id": ServiceRequest.objects.get().pk}, body={"body": "Graag snel."},
        headers={"Idempotency-Key": "twee"}, media_type="application/json",
    )  # fmt: skip
    assert message.call_and_validate(headers=headers, checks=CHECKS).status_code == 201


@pytest.fixture
def real_ids(organization, admin_user, employee, locations, media_root):
    """Rows of the key's organization for every {id} of the document."""
    from decimal import Decimal

    from conftest import make_account
    from portal.ordering.models import Category, Product
    from portal.ordering.tests.conftest import place
    from portal.service.tests.helpers import file_request

    category = Category.objects.create(name="Kassarollen", slug="kassarollen")
    product = Product.objects.create(category=category, code="ROL", name="Kassarol", unit="doos", price=Decimal("5.00"))
    admin_user.membership.refresh_from_db()
    return {
        "employee": employee.membership.pk,
        "leaver": make_account(organization, "weg@test.example").membership.pk,
        "location": locations[0].pk,
        "order": place(admin_user, locations[0], [(product, 1)]).pk,
        "request": file_request(employee, locations[0]).pk,
    }


# (method, path, {parameter: row of real_ids}, body, status): an example of each operation on
# an id that succeeds, in this order (the account is deactivated, then reactivated).
SUCCEEDING = [
    ("get", "/accounts/{account_id}", {"account_id": "employee"}, None, 200),
    ("patch", "/accounts/{account_id}", {"account_id": "employee"}, {"may_order": True}, 200),
    ("post", "/accounts/{account_id}/deactivate", {"account_id": "employee"}, {}, 200),
    ("post", "/accounts/{account_id}/reactivate", {"account_id": "employee"}, None, 200),
    ("delete", "/accounts/{account_id}", {"account_id": "leaver"}, None, 204),
    ("get", "/locations/{location_id}", {"location_id": "location"}, None, 200),
    ("get", "/orders/{order_id}", {"order_id": "order"}, None, 200),
    ("post", "/orders/{order_id}/cancel", {"order_id": "order"}, None, 200),
    ("get", "/service-requests/{request_id}", {"request_id": "request"}, None, 200),
    ("post", "/service-requests/{request_id}/messages", {"request_id": "request"}, {"body": "Graag snel."}, 201),
]


@pytest.mark.django_db
def test_operations_on_real_ids_answer_as_documented(secret, connection_kept, real_ids):
    on_ids = {(op.method.lower(), op.path.removeprefix("/api/v1")) for op in _operations() if "{" in op.path}
    assert on_ids == {(method, path) for method, path, *_rest in SUCCEEDING}
    headers = {"Authorization": f"Bearer {secret}"}
    for method, path, parameters, body, status in SUCCEEDING:
        case = _operation(method, path).Case(
            path_parameters={name: real_ids[row] for name, row in parameters.items()},
            **({"body": body, "media_type": "application/json"} if body is not None else {}),
        )
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code == status, (method, path, response.text)
    # Then generated requests on the same rows: refusals and successes alike as documented.
    statuses = []
    for method, path, parameters, _body, _status in SUCCEEDING:
        operation = _operation(method, path)
        ids = {name: real_ids[row] for name, row in parameters.items()}

        @given(case=operation.as_strategy())
        @settings(max_examples=max(5, EXAMPLES // 5), deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case):
            case.path_parameters = {**(case.path_parameters or {}), **ids}
            statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

        run()
    assert any(s < 300 for s in statuses), sorted(set(statuses))

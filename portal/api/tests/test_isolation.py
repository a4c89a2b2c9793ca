"""A key of one organization sees and changes nothing of another, on every endpoint of
the REST API and of SCIM; a key without the scope an endpoint needs gets 404 there."""

import re

import pytest

from portal.api.models import Scope
from portal.api.rest import api
from portal.organizations.models import Membership, Status

ALL_SCOPES = tuple(Scope.values)
BODIES = {
    ("post", "/api/v1/accounts"): {"email": "x@test.example", "full_name": "X"},
    ("patch", "/api/v1/accounts/{account_id}"): {"role": "administrator"},
    ("post", "/api/v1/accounts/{account_id}/deactivate"): {},
    ("post", "/api/v1/service-requests/{request_id}/messages"): {"body": "Hallo"},
    # Our orderer and requester, our location and department (an other organization's key
    # must find none of them).
    ("post", "/api/v1/orders"): {"orderer_id": "{orderer_id}", "location": "{location_id}", "department": "{department_id}",
                                 "lines": [{"product": "ROL", "quantity": 1}]},
    ("post", "/api/v1/service-requests"): {"requester_id": "{account_id}", "location": "{location_id}",
                                           "department": "{department_id}", "category": "terminal", "subject": "Kapot",
                                           "description": "Kapot."},
}  # fmt: skip
# Every write is sent with an Idempotency-Key (placing an order requires one).
WRITE_HEADERS = {"HTTP_IDEMPOTENCY_KEY": "isolatie-1"}
SCIM_WITH_ID = [("get", "/scim/v2/Users/{id}"), ("put", "/scim/v2/Users/{id}"), ("patch", "/scim/v2/Users/{id}"),
                ("delete", "/scim/v2/Users/{id}")]  # fmt: skip
# The scope each REST path needs (locations: any of accounts, orders, service).
NEEDS = {"/api/v1/accounts": {"accounts"}, "/api/v1/locations": {"accounts", "orders", "service"},
         "/api/v1/orders": {"orders"}, "/api/v1/products": {"orders"}, "/api/v1/service-requests": {"service"}}  # fmt: skip


def rest_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, operations in schema["paths"].items():
        for method in operations:
            yield method, path


OPERATIONS = sorted(set(rest_operations()))


def test_every_operation_is_covered():
    assert len(OPERATIONS) >= 9
    for method, path in OPERATIONS:
        assert any(path.startswith(prefix) for prefix in NEEDS), path
        if method == "post" and "{" not in path:  # a write with a body of its own
            assert (method, path) in BODIES, path


def _fill(path, ids):
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def _body(method, path, ids):
    """The request's body with our ids filled in (None for a read)."""
    if method == "get":
        return None

    def filled(value):
        if isinstance(value, dict):
            return {key: filled(v) for key, v in value.items()}
        if isinstance(value, list):
            return [filled(v) for v in value]
        if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
            return ids[value[1:-1]]
        return value

    return filled(BODIES.get((method, path), {}))


@pytest.fixture
def product(db):
    from decimal import Decimal

    from portal.ordering.models import Category, Product

    category = Category.objects.create(name="Kassarollen", slug="kassarollen")
    return Product.objects.create(category=category, code="ROL", name="Kassarol", unit="doos", price=Decimal("5.00"))


@pytest.fixture
def ours(admin_user, employee, locations, media_root, product):
    from portal.ordering.tests.conftest import place
    from portal.service.tests.helpers import file_request

    admin_user.membership.refresh_from_db()
    order = place(admin_user, locations[0], [(product, 1)])
    service_request = file_request(employee, locations[0])
    return {"account_id": employee.membership.pk, "location_id": locations[0].pk, "id": employee.membership.pk,
            "order_id": order.pk, "request_id": service_request.pk, "orderer_id": admin_user.membership.pk,
            "department_id": locations[0].departments.first().pk}  # fmt: skip


def listed_ids(organization):
    """The ids each list endpoint should show a key of ``organization``: all its own, no other."""
    from portal.locations.models import Location
    from portal.ordering.models import Order, Product
    from portal.service.models import ServiceRequest

    accounts = set(Membership.objects.filter(organization=organization).values_list("pk", flat=True))
    return {
        "/api/v1/accounts": accounts,
        "/api/v1/locations": set(Location.objects.filter(organization=organization).values_list("pk", flat=True)),
        "/api/v1/orders": set(Order.objects.filter(organization=organization).values_list("pk", flat=True)),
        "/api/v1/service-requests": set(ServiceRequest.objects.filter(organization=organization).values_list("pk", flat=True)),
        # HartingBank's catalogue: the same for every organization, not scoped.
        "/api/v1/products": set(Product.objects.offered().values_list("code", flat=True)),
        "/scim/v2/Users": {str(pk) for pk in accounts},
    }


@pytest.fixture
def theirs(other_organization, other_admin, other_location, product):
    """The other organization's own data on every list endpoint: accounts, a location, an
    order and a service request."""
    from conftest import make_account
    from portal.ordering.tests.conftest import place
    from portal.service.tests.helpers import file_request

    orderer = make_account(
        other_organization, "inkoop@other.example", may_order=True, locations=[other_location], full_name="Otto Order"
    )
    place(orderer, other_location, [(product, 2)])
    file_request(other_admin, other_location)
    return listed_ids(other_organization)


def ids_in(path, response):
    assert response.status_code == 200, (path, response.content)
    body = response.json()
    if path.startswith("/scim/"):
        return {resource["id"] for resource in body["Resources"]}
    items = body if isinstance(body, list) else body["items"]
    return {item["code"] if path == "/api/v1/products" else item["id"] for item in items}


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", OPERATIONS)
def test_a_key_of_another_organization_sees_nothing_of_ours(api_for, other_organization, theirs, ours, method, path):
    from portal.ordering.models import Order, OrderStatus
    from portal.service.models import ServiceRequest

    other = api_for(other_organization, scopes=ALL_SCOPES)
    before = Order.objects.count(), ServiceRequest.objects.count()
    response = other(method, _fill(path, ours), _body(method, path, ours), **(WRITE_HEADERS if method != "get" else {}))
    assert (Order.objects.count(), ServiceRequest.objects.count()) == before
    if "{" in path:
        assert response.status_code == 404, (method, path, response.content)
    elif method == "get":
        # Exactly the other organization's own rows: each of its ids, none of ours.
        assert theirs[path], path
        assert ids_in(path, response) == theirs[path], (path, response.content)
    else:
        assert response.status_code in (200, 201, 409, 422), (method, path, response.content)
    employee = Membership.objects.get(pk=ours["account_id"])
    assert Order.objects.get(pk=ours["order_id"]).status == OrderStatus.RECEIVED
    assert employee.status == Status.ACTIVE and employee.role == "employee"


LISTS = sorted(path for method, path in OPERATIONS if method == "get" and "{" not in path)


@pytest.mark.django_db
@pytest.mark.parametrize("path", LISTS)
def test_a_key_lists_its_own_organization_only(api_for, organization, theirs, ours, path):
    """The other way round: our key's lists hold our ids and none of the other's."""
    seen = ids_in(path, api_for(organization, scopes=ALL_SCOPES)("get", path))
    assert seen == listed_ids(organization)[path]
    if path != "/api/v1/products":
        assert not seen & theirs[path]


SCIM_LISTS = [("get", "/scim/v2/Users"), ("post", "/scim/v2/.search"), ("post", "/scim/v2/Users/.search")]
SEARCH = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "startIndex": 1, "count": 100}


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", SCIM_LISTS)
def test_scim_lists_of_each_organization_hold_its_own_users_only(api_for, organization, other_organization, theirs, ours,
                                                                  method, path):  # fmt: skip
    body = SEARCH if method == "post" else None
    for owner, own, foreign in (
        (other_organization, theirs, listed_ids(organization)),
        (organization, listed_ids(organization), theirs),
    ):
        seen = ids_in("/scim/v2/Users", api_for(owner, scopes=("scim",))(method, path, body))
        assert seen == own["/scim/v2/Users"] and not seen & foreign["/scim/v2/Users"], (owner, path)


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", OPERATIONS)
def test_a_key_without_the_scope_gets_404(api_for, organization, ours, method, path):
    needs = next(scopes for prefix, scopes in NEEDS.items() if path.startswith(prefix))
    lacking = tuple(s for s in ALL_SCOPES if s not in needs)
    response = api_for(organization, scopes=lacking)(
        method, _fill(path, ours), _body(method, path, ours), **(WRITE_HEADERS if method != "get" else {})
    )
    assert response.status_code == 404, (method, path, response.content)


# Every SCIM endpoint, with a body that would work for the key's own organization.
SCIM_USER = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x@other.example",
             "emails": [{"value": "x@other.example", "type": "work", "primary": True}], "displayName": "X",
             "active": False}  # fmt: skip
SCIM_PATCH = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{"op": "replace", "path": "active", "value": False}]}  # fmt: skip
SCIM_BODIES = {"put": SCIM_USER, "patch": SCIM_PATCH, ("post", "/scim/v2/Users"): SCIM_USER}
SCIM_DISCOVERY = [("get", "/scim/v2/ServiceProviderConfig"), ("get", "/scim/v2/Schemas"),
                  ("get", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"), ("get", "/scim/v2/ResourceTypes"),
                  ("get", "/scim/v2/ResourceTypes/User")]  # fmt: skip
SCIM_ENDPOINTS = [*SCIM_DISCOVERY, *SCIM_LISTS, ("post", "/scim/v2/Users"), *SCIM_WITH_ID]


def _scim_body(method, path):
    return SCIM_BODIES.get((method, path)) or SCIM_BODIES.get(method) or (SEARCH if path.endswith(".search") else None)


def test_every_scim_endpoint_is_covered():
    from portal.scim.urls import urlpatterns

    covered = {path.removeprefix("/scim/v2/") for _method, path in SCIM_ENDPOINTS}
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        if route in ("", "<path:rest>"):  # the base and anything else: a SCIM 404
            continue
        route = route.replace("<str:user_id>", "{id}").replace("<str:name>", "User")
        route = route.replace("<str:schema_id>", "urn:ietf:params:scim:schemas:core:2.0:User")
        assert route in covered, route


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", [*SCIM_WITH_ID, ("post", "/scim/v2/Users")])
def test_scim_of_another_organization_sees_nothing_of_ours(api_for, organization, other_organization, other_admin, ours,
                                                           method, path):  # fmt: skip
    other = api_for(other_organization, scopes=("scim",))
    body = _scim_body(method, path)
    if method == "post":  # our employee's address: an account of the other organization, nothing of ours
        body = {**body, "userName": "employee@test.example", "emails": [{"value": "employee@test.example", "primary": True}]}
    ours_before = sorted(Membership.objects.filter(organization=organization).values_list("pk", "status", "role"))
    response = other(method, _fill(path, ours), body)
    if method == "post":
        assert response.status_code == 201, response.content
        created = Membership.objects.get(pk=response.json()["id"])
        assert created.organization == other_organization and created.pk != ours["id"]
    else:
        assert response.status_code == 404
    assert sorted(Membership.objects.filter(organization=organization).values_list("pk", "status", "role")) == ours_before
    assert Membership.objects.get(pk=ours["id"]).user.email == "employee@test.example"


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", SCIM_ENDPOINTS)
def test_a_key_without_the_scim_scope_gets_404_on_every_scim_endpoint(api_for, organization, ours, method, path):
    before = sorted(Membership.objects.values_list("pk", "status"))
    response = api_for(organization, scopes=tuple(s for s in ALL_SCOPES if s != "scim"))(
        method, _fill(path, ours), _scim_body(method, path)
    )
    assert response.status_code == 404 and response["Content-Type"] == "application/scim+json", (method, path)
    assert sorted(Membership.objects.values_list("pk", "status")) == before


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", [*OPERATIONS, *SCIM_ENDPOINTS])
def test_an_expired_or_revoked_key_is_refused_everywhere(make_key, client, organization, admin_user, ours, method, path):
    from datetime import timedelta

    from django.utils import timezone

    from portal.api import keys
    from portal.api.tests.conftest import Api

    expired, expired_secret = make_key(organization, scopes=ALL_SCOPES, name="oud")
    expired.expires_at = timezone.now() - timedelta(minutes=1)
    expired.save(update_fields=["expires_at"])
    revoked, revoked_secret = make_key(organization, scopes=ALL_SCOPES, name="weg")
    keys.api_key_revoke(actor=admin_user, key=revoked)
    before = sorted(Membership.objects.values_list("pk", "status"))
    body = _scim_body(method, path) if path.startswith("/scim/") else _body(method, path, ours)
    for secret in (expired_secret, revoked_secret):
        response = Api(client, secret)(method, _fill(path, ours), body, **(WRITE_HEADERS if method != "get" else {}))
        assert response.status_code == 401, (method, path)
    assert sorted(Membership.objects.values_list("pk", "status")) == before

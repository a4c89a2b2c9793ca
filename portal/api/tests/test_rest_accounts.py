"""/api/v1/accounts and /api/v1/locations: the same services, rules, audit trail and
mails as Accountbeheer; errors as problem+json with the portal's codes."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conftest import make_account
from portal.core.models import AuditEvent
from portal.organizations.models import Membership, Status


def problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and body["status"] == status
    return body


@pytest.mark.django_db
class TestRead:
    def test_list_shows_the_organizations_accounts(
        self, api_for, organization, admin_user, employee, other_admin, django_assert_max_num_queries
    ):
        api = api_for(organization)
        with django_assert_max_num_queries(8):
            body = api("get", "/api/v1/accounts").json()
        emails = {item["email"] for item in body["items"]}
        assert emails == {"admin@test.example", "employee@test.example"}
        assert body["next"] is None
        employee_item = next(i for i in body["items"] if i["email"] == "employee@test.example")
        assert employee_item["locations"] == [employee.membership.location_links.get().location_id]
        assert employee_item["role"] == "employee" and employee_item["status"] == "active"

    def test_keyset_pages(self, api_for, organization, admin_user):
        for n in range(5):
            make_account(organization, f"p{n}@test.example")
        api = api_for(organization)
        seen, after = [], None
        while True:
            body = api("get", "/api/v1/accounts?limit=2" + (f"&after={after}" if after else "")).json()
            seen += [i["id"] for i in body["items"]]
            after = body["next"]
            if after is None:
                break
        assert seen == sorted(seen) and len(seen) == 6 == len(set(seen))

    @pytest.mark.parametrize(
        "query, expected",
        [("role=administrator", {"admin@test.example"}), ("status=deactivated", {"oud@test.example"}),
         ("q=erik", {"employee@test.example"}), ("status=invited", {"nieuw@test.example"})],
    )  # fmt: skip
    def test_filters(self, api_for, organization, admin_user, employee, query, expected):
        make_account(organization, "oud@test.example", status=Status.DEACTIVATED)
        from portal.organizations import services

        services.account_invite(actor=admin_user, organization=organization, email="nieuw@test.example", full_name="Nieuw")
        body = api_for(organization)("get", f"/api/v1/accounts?{query}").json()
        assert {i["email"] for i in body["items"]} == expected

    def test_location_filter_of_another_organization_finds_nothing(self, api_for, organization, employee, other_location):
        body = api_for(organization)("get", f"/api/v1/accounts?location={other_location.pk}").json()
        assert body["items"] == []

    @pytest.mark.parametrize("query", ["limit=0", "limit=100000", "after=abc", "status=gone", "location=99999999999999999999999"])
    def test_bad_filters_are_422(self, api_for, organization, query):
        problem(api_for(organization)("get", f"/api/v1/accounts?{query}"), 422, "invalid")

    def test_read_one(self, api_for, organization, employee):
        body = api_for(organization)("get", f"/api/v1/accounts/{employee.membership.pk}").json()
        assert body["email"] == "employee@test.example" and body["version"] == employee.membership.version

    def test_locations(self, api_for, organization, locations, other_location):
        api = api_for(organization, scopes=("orders",))
        assert {loc["code"] for loc in api("get", "/api/v1/locations").json()} == {"L1", "L2"}
        detail = api("get", f"/api/v1/locations/{locations[0].pk}").json()
        assert detail["departments"][0]["name"] == "Winkel" and len(detail["addresses"]) == 2
        problem(api("get", f"/api/v1/locations/{other_location.pk}"), 404, "not_found")
        problem(api_for(organization, scopes=("scim",))("get", "/api/v1/locations"), 404, "not_found")


@pytest.mark.django_db
class TestWrite:
    def test_invite_mails_and_audits_with_the_keys_name(
        self, api_for, organization, admin_user, locations, django_capture_on_commit_callbacks
    ):
        api = api_for(organization, name="Inkoopsysteem")
        with django_capture_on_commit_callbacks(execute=True):
            response = api(
                "post",
                "/api/v1/accounts",
                {
                    "email": "Nieuw@Test.example",
                    "full_name": "Nina Nieuw",
                    "locations": [locations[0].pk],
                    "may_order": True,
                    "order_limit": "150.00",
                },
            )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "invited" and body["email"] == "nieuw@test.example" and body["order_limit"] == "150.00"
        assert body["locations"] == [locations[0].pk]
        assert [m.to for m in mail.outbox] == [["nieuw@test.example"]]
        event = AuditEvent.objects.get(action="account_invited")
        assert str(event.actor) == "API-sleutel Inkoopsysteem"
        assert event.organization == organization

    @pytest.mark.parametrize(
        "body, field, code",
        [({"email": "geen-adres", "full_name": "X"}, "email", "invalid"),
         ({"email": "a@test.example", "full_name": "X\nY"}, "full_name", "line_break"),
         ({"email": "a@test.example", "full_name": "X", "may_use_portal": False}, "may_use_portal", "no_rights"),
         ({"email": "a@test.example", "full_name": "X", "order_limit": "-1"}, "order_limit", "greater_than_equal"),
         ({"email": "a@test.example"}, "full_name", "missing")],
    )  # fmt: skip
    def test_invite_refuses_bad_input_with_codes(self, api_for, organization, admin_user, body, field, code):
        found = problem(api_for(organization)("post", "/api/v1/accounts", body), 422, "invalid")
        assert code in [e["code"] for e in found["errors"][field]]
        assert not Membership.objects.filter(user__email="a@test.example").exists()

    def test_invite_refuses_a_location_of_another_organization(self, api_for, organization, admin_user, other_location):
        found = problem(
            api_for(organization)(
                "post", "/api/v1/accounts", {"email": "a@test.example", "full_name": "A", "locations": [other_location.pk]}
            ),
            422,
            "invalid",
        )
        assert found["errors"]["locations"][0]["code"] == "invalid_choice"

    def test_address_in_use_in_the_organization_is_409(self, api_for, organization, admin_user, other_admin):
        problem(
            api_for(organization)("post", "/api/v1/accounts", {"email": admin_user.email, "full_name": "A"}), 409, "email_in_use"
        )
        # One in use elsewhere answers as a free one would (Accountbeheer's rule).
        assert (
            api_for(organization)("post", "/api/v1/accounts", {"email": other_admin.email, "full_name": "A"}).status_code == 201
        )

    def test_change_rights_and_locations(self, api_for, organization, employee, locations):
        api = api_for(organization)
        pk = employee.membership.pk
        body = api(
            "patch",
            f"/api/v1/accounts/{pk}",
            {"may_order": True, "order_limit": "99.50", "locations": [loc.pk for loc in locations]},
        ).json()
        assert (
            body["may_order"]
            and body["order_limit"] == "99.50"
            and sorted(body["locations"]) == sorted(loc.pk for loc in locations)
        )
        assert body["full_name"] == "Erik Employee"
        assert AuditEvent.objects.filter(action="account_updated", target_user=employee).exists()

    def test_change_with_a_stale_version_is_refused(self, api_for, organization, employee):
        found = problem(
            api_for(organization)("patch", f"/api/v1/accounts/{employee.membership.pk}", {"role": "administrator", "version": 0}),
            409,
            "concurrent_edit",
        )
        assert found["detail"]

    def test_last_administrator_rule_holds(self, api_for, organization, admin_user):
        api = api_for(organization)
        pk = admin_user.membership.pk
        problem(api("patch", f"/api/v1/accounts/{pk}", {"role": "employee"}), 409, "last_administrator")
        problem(api("post", f"/api/v1/accounts/{pk}/deactivate", {}), 409, "last_administrator")
        problem(api("delete", f"/api/v1/accounts/{pk}"), 409, "last_administrator")

    def test_deactivate_until_a_date_ends_sessions_and_reactivate(self, api_for, organization, employee, client):
        from django.test import Client

        browser = Client()
        browser.force_login(employee)
        api = api_for(organization)
        pk = employee.membership.pk
        until = (timezone.localdate() + timedelta(days=14)).isoformat()
        body = api("post", f"/api/v1/accounts/{pk}/deactivate", {"until": until}).json()
        assert body["status"] == "deactivated" and body["deactivated_until"] == until
        assert browser.get("/mijn-account/").status_code == 302  # the session ended
        problem(api("post", f"/api/v1/accounts/{pk}/deactivate", {}), 409, "not_active")
        assert api("post", f"/api/v1/accounts/{pk}/reactivate").json()["status"] == "active"
        problem(api("post", f"/api/v1/accounts/{pk}/reactivate"), 409, "not_deactivated")

    def test_deactivate_until_a_past_date_is_422(self, api_for, organization, employee):
        found = problem(
            api_for(organization)("post", f"/api/v1/accounts/{employee.membership.pk}/deactivate", {"until": "2020-01-01"}),
            422,
            "invalid",
        )
        assert found["errors"]["until"][0]["code"] == "until_not_future"

    def test_delete_as_accountbeheer_does(self, api_for, organization, employee):
        api = api_for(organization)
        pk = employee.membership.pk
        assert api("delete", f"/api/v1/accounts/{pk}").status_code == 204
        membership = Membership.objects.get(pk=pk)
        assert membership.status == Status.DELETED and membership.user.email is None
        problem(api("get", f"/api/v1/accounts/{pk}"), 404, "not_found")
        assert AuditEvent.objects.filter(action="account_deleted").get().actor.api_key.name == "Koppeling"


@pytest.mark.django_db
class TestKeys:
    def test_without_key_401(self, client):
        response = client.get("/api/v1/accounts")
        problem(response, 401, "unauthenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "header", ["Bearer hbk_unknown", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer hbk_" + "x" * 500, "Bearer hbk_\x00"]
    )
    def test_unknown_or_malformed_key_401(self, client, employee, header):
        problem(client.get("/api/v1/accounts", HTTP_AUTHORIZATION=header), 401, "unauthenticated")

    def test_expired_key_401(self, api_for, organization, admin_user, make_key):
        key, secret = make_key(organization)
        key.expires_at = timezone.now() - timedelta(seconds=1)
        key.save(update_fields=["expires_at"])
        problem(_get(secret), 401, "unauthenticated")

    def test_organization_without_access_401(self, make_key, organization, admin_user):
        _key, secret = make_key(organization)
        organization.portal_access = False
        organization.save()
        problem(_get(secret), 401, "unauthenticated")

    def test_key_without_scope_404(self, api_for, organization, employee):
        api = api_for(organization, scopes=("orders",))
        problem(api("get", "/api/v1/accounts"), 404, "not_found")
        problem(api("get", f"/api/v1/accounts/{employee.membership.pk}"), 404, "not_found")
        problem(api("delete", f"/api/v1/accounts/{employee.membership.pk}"), 404, "not_found")
        assert Membership.objects.get(pk=employee.membership.pk).status == Status.ACTIVE

    def test_rate_limit_per_key(self, settings, make_key, organization, admin_user):
        settings.API_RATE_LIMIT = "3/m"
        _a, first = make_key(organization, name="A")
        _b, second = make_key(organization, name="B")
        assert [_get(first).status_code for _ in range(3)] == [200, 200, 200]
        limited = problem(_get(first), 429, "rate_limited")
        assert _get(second).status_code == 200  # another key counts for itself
        assert limited


def _get(secret, path="/api/v1/accounts"):
    from django.test import Client

    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/accounts" in schema["paths"]
    responses = schema["paths"]["/api/v1/accounts"]["get"]["responses"]
    assert "application/problem+json" in responses["404"]["content"]


@pytest.mark.django_db
class TestErrorsOutsideTheOperations:
    """A wrong method, an unknown path and a body that is no JSON: problem+json too."""

    @pytest.mark.parametrize(
        "method, path, allowed",
        [("put", "/api/v1/accounts", "GET, POST"), ("delete", "/api/v1/orders", "GET, POST"),
         ("post", "/api/v1/locations/1", "GET"), ("get", "/api/v1/accounts/1/deactivate", "POST")],
    )  # fmt: skip
    def test_a_wrong_method_is_405_method_not_allowed(self, api_for, organization, method, path, allowed):
        response = api_for(organization)(method, path, None if method == "get" else {})
        problem(response, 405, "method_not_allowed")
        assert response["Allow"] == allowed

    @pytest.mark.parametrize(
        "path", ["/api/v1/", "/api/v1/nothing", "/api/v1/accounts/", "/api/v1/accounts/1/nothing", "/api/v1/docs/x"]
    )
    def test_an_unknown_path_is_404_not_found(self, api_for, organization, client, path):
        problem(api_for(organization)("get", path), 404, "not_found")
        problem(api_for(organization)("post", path, {}), 404, "not_found")
        problem(client.get(path), 401, "unauthenticated")  # without a key, as every operation

    def test_the_docs_page_stays_where_it_is(self, client):
        assert client.get("/api/v1/docs").status_code == 301

    def test_a_body_that_is_no_json_is_400_bad_request_and_documented(self, api_for, organization, client):
        api = api_for(organization)
        response = client.post("/api/v1/accounts", data="{geen json", content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {api.secret}")  # fmt: skip
        problem(response, 400, "bad_request")
        schema = client.get("/api/v1/openapi.json").json()
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                if "requestBody" in operation:
                    assert "application/problem+json" in operation["responses"]["400"]["content"], (method, path)


@pytest.mark.django_db
def test_docs_page_for_a_logged_in_user(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/api/v1/docs/").content.decode()
    assert "GET /api/v1/accounts" in page and "problem+json" in page

"""SCIM 2.0 Users as Entra ID and Okta send them: each change through Accountbeheer's
services (invitation mail, sessions ended, deletion, the last-administrator rule)."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.core.models import AuditEvent
from portal.organizations.models import Membership, Role, Status

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def scim(api_for, organization, admin_user):
    return api_for(organization, scopes=("scim",), name="Entra ID")


def entra_user(email="jan@test.example", external_id="ext-1"):
    """What Entra ID sends to create a user."""
    return {
        "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": external_id,
        "userName": email,
        "active": True,
        "displayName": "Jan Jansen",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "name": {"formatted": "Jan Jansen", "familyName": "Jansen", "givenName": "Jan"},
        "title": "Inkoper",
        "phoneNumbers": [{"type": "work", "value": "030 123 45 67"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Inkoop"},
    }


def scim_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and body["status"] == str(status)
    return body


@pytest.mark.django_db
class TestUsers:
    def test_create_invites_the_person(self, scim, organization, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = scim("post", "/scim/v2/Users", entra_user(), content_type=SCIM)
        assert response.status_code == 201, response.content
        body = response.json()
        membership = Membership.objects.get(user__email="jan@test.example")
        assert membership.organization == organization and membership.status == Status.INVITED
        assert membership.role == Role.EMPLOYEE and membership.user.job_title == "Inkoper"
        assert body["id"] == str(membership.pk) and body["externalId"] == "ext-1" and body["active"] is True
        assert response["Location"].endswith(f"/scim/v2/Users/{membership.pk}")
        assert [m.to for m in mail.outbox] == [["jan@test.example"]]
        assert str(AuditEvent.objects.get(action="account_invited").actor) == "API-sleutel Entra ID"

    def test_the_address_is_the_work_email_and_user_name_is_kept_beside_it(self, scim):
        """Entra ID's userName is the userPrincipalName, its work e-mail the person's mail."""
        user = entra_user("jan.jansen@test.example")
        user["userName"] = "jjansen@test.example"
        body = scim("post", "/scim/v2/Users", user).json()
        assert Membership.objects.get(pk=body["id"]).user.email == "jan.jansen@test.example"
        assert body["userName"] == "jjansen@test.example"
        expression = _q('userName eq "jjansen@test.example"')
        found = scim("get", f"/scim/v2/Users?filter={expression}").json()
        assert [r["id"] for r in found["Resources"]] == [body["id"]]

    def test_address_in_use_in_the_organization_is_409_uniqueness(self, scim, admin_user):
        body = scim_error(scim("post", "/scim/v2/Users", entra_user(admin_user.email)), 409)
        assert body["scimType"] == "uniqueness"

    def test_an_address_in_use_elsewhere_answers_as_a_free_one(self, scim, other_admin):
        """Whether another customer's person has an account is not the organization's to know."""
        assert scim("post", "/scim/v2/Users", entra_user("admin@other.example")).status_code == 201
        other_admin.refresh_from_db()
        assert other_admin.is_active and not other_admin.email_elsewhere

    def test_create_refuses_bad_values(self, scim):
        user = entra_user()
        user["name"] = {"formatted": "Jan\x07"}
        assert scim_error(scim("post", "/scim/v2/Users", user), 400)["scimType"] == "invalidValue"
        assert scim_error(scim("post", "/scim/v2/Users", "geen json"), 400)
        assert not Membership.objects.filter(user__email="jan@test.example").exists()

    @pytest.mark.parametrize(
        "expression",
        ['userName eq "employee@test.example"', 'emails[type eq "work"].value eq "employee@test.example"',
         'externalId eq "ext-9"', 'userName eq "EMPLOYEE@test.example" and active eq true'],
    )  # fmt: skip
    def test_filters_as_entra_and_okta_send_them(self, scim, employee, expression):
        from portal.scim.models import ExternalId

        ExternalId.objects.create(membership=employee.membership, organization=employee.membership.organization, value="ext-9")
        body = scim("get", f"/scim/v2/Users?filter={_q(expression)}").json()
        assert body["totalResults"] == 1 and body["Resources"][0]["userName"] == "employee@test.example"

    def test_user_name_is_looked_up_in_the_indexes_not_with_or_across_the_join(self, scim, employee, other_admin):
        """The question a client asks before every change: the address and the kept
        userName each read in an index, then the accounts by id (with OR across the join
        the database read every account of the organization)."""
        from portal.scim.models import ExternalId

        ExternalId.objects.create(
            membership=employee.membership, organization=employee.membership.organization, user_name="eemployee@idp.example"
        )
        ExternalId.objects.create(
            membership=other_admin.membership, organization=other_admin.membership.organization, user_name="elders@idp.example"
        )
        for name, found in (("eemployee@idp.example", ["employee@test.example"]), ("elders@idp.example", [])):
            expression = _q('userName eq "%s"' % name)
            with CaptureQueriesContext(connection) as captured:
                body = scim("get", f"/scim/v2/Users?filter={expression}").json()
            assert [r["emails"][0]["value"] for r in body.get("Resources", [])] == found
            assert not any(" OR " in q["sql"] for q in captured.captured_queries)

    def test_active_is_as_a_login_sees_it(self, scim, admin_user, employee, organization):
        """Deactivated until a date that has come counts as active (as the login does);
        an invitation that is open is no deactivated account either."""
        from datetime import timedelta

        from django.utils import timezone

        from conftest import make_account

        paused = make_account(organization, "pauze@test.example")
        back = make_account(organization, "terug@test.example")
        invited = make_account(organization, "uitgenodigd@test.example", status=Status.INVITED)
        today = timezone.localdate()
        Membership.objects.filter(user=paused).update(status=Status.DEACTIVATED, deactivated_until=today + timedelta(days=2))
        Membership.objects.filter(user=back).update(status=Status.DEACTIVATED, deactivated_until=today)

        def listed(expression):
            body = scim("get", f"/scim/v2/Users?filter={_q(expression)}").json()
            return {r["emails"][0]["value"] for r in body.get("Resources", [])}

        assert listed("active eq false") == {paused.email}
        assert listed("active eq true") == {admin_user.email, employee.email, back.email, invited.email}

    def test_filter_finds_nothing_of_another_organization(self, scim, other_admin):
        expression = _q('userName eq "admin@other.example"')
        body = scim("get", f"/scim/v2/Users?filter={expression}").json()
        assert body["totalResults"] == 0 and body.get("Resources", []) == []

    def test_unsupported_filter_is_400(self, scim):
        expression = _q('title co "x"')
        assert scim_error(scim("get", f"/scim/v2/Users?filter={expression}"), 400)["scimType"] == "invalidFilter"

    def test_list_pages(self, scim, organization, employee):
        body = scim("get", "/scim/v2/Users?startIndex=2&count=1").json()
        assert body["totalResults"] == 2 and body["startIndex"] == 2 and len(body["Resources"]) == 1

    def test_patch_active_false_as_entra_sends_it_ends_sessions(self, scim, employee):
        browser = Client()
        browser.force_login(employee)
        patch = {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]}
        body = scim("patch", f"/scim/v2/Users/{employee.membership.pk}", patch).json()
        assert body["active"] is False
        assert Membership.objects.get(pk=employee.membership.pk).status == Status.DEACTIVATED
        assert browser.get("/mijn-account/").status_code == 302
        assert str(AuditEvent.objects.get(action="account_deactivated").actor) == "API-sleutel Entra ID"

    def test_patch_as_okta_sends_it_reactivates(self, scim, employee):
        scim(
            "patch",
            f"/scim/v2/Users/{employee.membership.pk}",
            {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
        )
        body = scim(
            "patch",
            f"/scim/v2/Users/{employee.membership.pk}",
            {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]},
        ).json()
        assert body["active"] is True
        assert Membership.objects.get(pk=employee.membership.pk).status == Status.ACTIVE

    def test_patch_name_and_title(self, scim, employee):
        patch = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "name.formatted", "value": "Erik de Vries"},
                                                    {"op": "add", "path": "title", "value": "Filiaalleider"}]}  # fmt: skip
        body = scim("patch", f"/scim/v2/Users/{employee.membership.pk}", patch).json()
        assert body["name"]["formatted"] == "Erik de Vries" and body["title"] == "Filiaalleider"
        employee.refresh_from_db()
        assert employee.full_name == "Erik de Vries"

    @pytest.mark.parametrize("op", ["Add", "Replace"])
    def test_patch_gives_a_work_phone_to_a_user_without_one_as_entra_sends_it(self, scim, employee, op):
        """RFC 7644 3.5.2: a filter on a multi-valued attribute that matches nothing adds the
        value (for replace as well: what Entra ID relies on)."""
        assert employee.phone == ""
        patch = {"schemas": [PATCH],
                 "Operations": [{"op": op, "path": 'phoneNumbers[type eq "work"].value', "value": "030 765 43 21"}]}  # fmt: skip
        response = scim("patch", f"/scim/v2/Users/{employee.membership.pk}", patch)
        assert response.status_code == 200, response.content
        assert response.json()["phoneNumbers"] == [{"type": "work", "value": "030 765 43 21"}]
        employee.refresh_from_db()
        assert employee.phone == "030 765 43 21"

    def test_patch_replaces_the_work_phone_that_is_there(self, scim, employee):
        employee.phone = "030 111 11 11"
        employee.save(update_fields=["phone"])
        patch = {"schemas": [PATCH],
                 "Operations": [{"op": "Replace", "path": 'phoneNumbers[type eq "work"].value', "value": "030 222 22 22"}]}  # fmt: skip
        assert scim("patch", f"/scim/v2/Users/{employee.membership.pk}", patch).status_code == 200
        employee.refresh_from_db()
        assert employee.phone == "030 222 22 22"

    def test_patch_of_given_and_family_name_as_entra_sends_it_changes_the_name(self, scim, employee):
        patch = {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "name.givenName", "value": "Eric"},
                                                    {"op": "Replace", "path": "name.familyName", "value": "de Vries"}]}  # fmt: skip
        body = scim("patch", f"/scim/v2/Users/{employee.membership.pk}", patch).json()
        employee.refresh_from_db()
        assert employee.full_name == "Eric de Vries" and body["name"]["formatted"] == "Eric de Vries"
        event = AuditEvent.objects.get(action="account_updated")
        assert event.readable_changes()["full_name"] == ["Erik Employee", "Eric de Vries"]

    def test_patch_of_the_family_name_alone_keeps_the_given_name_entra_sent(self, scim, organization):
        """Entra ID sends what changed only; the given name it sent before stays."""
        from portal.accounts.models import User

        user = entra_user("jw@test.example")
        user["name"] = {"formatted": "Jan Willem de Boer", "givenName": "Jan Willem", "familyName": "de Boer"}
        pk = scim("post", "/scim/v2/Users", user).json()["id"]
        patch = {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "name.familyName", "value": "Visser"}]}
        assert scim("patch", f"/scim/v2/Users/{pk}", patch).json()["name"]["formatted"] == "Jan Willem Visser"
        # Without the parts sent before, the given name is the name's first word.
        patch["Operations"][0]["value"] = "Smit"
        User.objects.filter(membership__pk=pk).update(full_name="Jan Visser")  # renamed in Accountbeheer
        assert scim("patch", f"/scim/v2/Users/{pk}", patch).json()["name"]["formatted"] == "Jan Smit"

    def test_patch_of_the_formatted_name_wins_over_its_parts(self, scim, employee):
        patch = {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "name.givenName", "value": "Eric"},
                                                    {"op": "Replace", "path": "name.formatted", "value": "Eric E. Employee"}]}  # fmt: skip
        scim("patch", f"/scim/v2/Users/{employee.membership.pk}", patch)
        employee.refresh_from_db()
        assert employee.full_name == "Eric E. Employee"

    def test_patch_of_the_work_email_of_an_invitation_changes_the_address(self, scim, organization, admin_user,
                                                                          django_capture_on_commit_callbacks):  # fmt: skip
        from portal.organizations import services

        membership = services.account_invite(actor=admin_user, organization=organization, email="n@test.example", full_name="N")
        mail.outbox.clear()
        patch = {"schemas": [PATCH],
                 "Operations": [{"op": "Replace", "path": 'emails[type eq "work"].value', "value": "nieuw@test.example"}]}  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            body = scim("patch", f"/scim/v2/Users/{membership.pk}", patch).json()
        membership.user.refresh_from_db()
        assert membership.user.email == "nieuw@test.example"
        assert body["emails"][0]["value"] == "nieuw@test.example"
        assert body["userName"] == "n@test.example"  # the identity provider's name for the User, not changed
        assert [m.to for m in mail.outbox] == [["nieuw@test.example"]]  # the invitation goes to the new address

    def test_patch_of_the_work_email_of_an_active_account_asks_its_owner(self, scim, employee,
                                                                         django_capture_on_commit_callbacks):  # fmt: skip
        """As in Accountbeheer: the owner confirms the new address through a link sent there;
        the same change sent again (Entra ID sends it until it sees the new address) asks once."""
        from portal.organizations.models import EmailChange

        patch = {"schemas": [PATCH],
                 "Operations": [{"op": "Replace", "path": 'emails[type eq "work"].value', "value": "erik@test.example"}]}  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            assert scim("patch", f"/scim/v2/Users/{employee.membership.pk}", patch).status_code == 200
            assert scim("patch", f"/scim/v2/Users/{employee.membership.pk}", patch).status_code == 200
        change = EmailChange.objects.get(membership=employee.membership)
        assert change.new_email == "erik@test.example" and change.is_open
        assert sorted(m.to[0] for m in mail.outbox) == ["employee@test.example", "erik@test.example"]

    def test_put_replaces(self, scim, employee):
        user = entra_user("employee@test.example", "ext-2")
        user["active"] = False
        body = scim("put", f"/scim/v2/Users/{employee.membership.pk}", user).json()
        assert body["displayName"] == "Jan Jansen" and body["active"] is False and body["externalId"] == "ext-2"

    def test_last_administrator_rule_holds(self, scim, admin_user):
        pk = admin_user.membership.pk
        patch = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
        assert "last_administrator" in scim_error(scim("patch", f"/scim/v2/Users/{pk}", patch), 400)["detail"]
        assert "last_administrator" in scim_error(scim("delete", f"/scim/v2/Users/{pk}"), 400)["detail"]
        assert Membership.objects.get(pk=pk).status == Status.ACTIVE

    def test_delete_deletes_as_accountbeheer_does(self, scim, employee):
        pk = employee.membership.pk
        assert scim("delete", f"/scim/v2/Users/{pk}").status_code == 204
        assert Membership.objects.get(pk=pk).status == Status.DELETED
        scim_error(scim("get", f"/scim/v2/Users/{pk}"), 404)

    def test_delete_of_an_invitation_withdraws_it(self, scim, organization, admin_user):
        from portal.organizations import services

        membership = services.account_invite(actor=admin_user, organization=organization, email="n@test.example", full_name="N")
        assert scim("delete", f"/scim/v2/Users/{membership.pk}").status_code == 204
        assert Membership.objects.get(pk=membership.pk).status == Status.DELETED


@pytest.mark.django_db
class TestDiscovery:
    @pytest.mark.parametrize("path", ["ServiceProviderConfig", "Schemas", "ResourceTypes", "ResourceTypes/User",
                                      "Schemas/urn:ietf:params:scim:schemas:core:2.0:User"])  # fmt: skip
    def test_discovery(self, scim, path):
        response = scim("get", f"/scim/v2/{path}")
        assert response.status_code == 200 and response["Content-Type"] == SCIM

    def test_service_provider_config_says_patch_and_filter(self, scim):
        body = scim("get", "/scim/v2/ServiceProviderConfig").json()
        assert body["patch"]["supported"] and body["filter"]["supported"] and not body["bulk"]["supported"]


@pytest.mark.django_db
class TestErrorsOutsideTheEndpoints:
    @pytest.mark.parametrize(
        "method, path, allowed",
        [("put", "/scim/v2/Users", "GET, POST"), ("post", "/scim/v2/ServiceProviderConfig", "GET"),
         ("delete", "/scim/v2/Schemas", "GET"), ("patch", "/scim/v2/ResourceTypes/User", "GET"),
         ("get", "/scim/v2/Users/.search", "POST"), ("post", "/scim/v2/Users/1", "DELETE, GET, PATCH, PUT")],
    )  # fmt: skip
    def test_a_wrong_method_is_a_scim_405(self, scim, method, path, allowed):
        response = scim(method, path, None if method == "get" else {})
        scim_error(response, 405)
        assert response["Allow"] == allowed

    @pytest.mark.parametrize("path", ["/scim/v2/", "/scim/v2/Groups", "/scim/v2/Users/1/x", "/scim/v2/Bulk"])
    def test_an_unknown_path_is_a_scim_404(self, scim, client, path):
        scim_error(scim("get", path), 404)
        scim_error(scim("post", path, {}), 404)
        scim_error(client.get(path), 401)


@pytest.mark.django_db
class TestKeys:
    def test_without_scim_scope_404(self, api_for, organization, employee):
        api = api_for(organization, scopes=("accounts",))
        for path in ("/scim/v2/Users", f"/scim/v2/Users/{employee.membership.pk}", "/scim/v2/ServiceProviderConfig"):
            scim_error(api("get", path), 404)

    def test_without_key_401(self, client):
        response = client.get("/scim/v2/Users")
        scim_error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_revoked_key_401(self, make_key, organization, admin_user):
        from portal.api import keys

        key, secret = make_key(organization, scopes=("scim",))
        keys.api_key_revoke(actor=admin_user, key=key)
        scim_error(Client().get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {secret}"), 401)


def _q(text):
    from urllib.parse import quote

    return quote(text)

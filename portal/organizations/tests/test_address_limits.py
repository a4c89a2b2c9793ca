"""Every path that creates an account for an address or gives an account a new address
counts in one limit (``INVITE_RATE_LIMIT``): Accountbeheer's pages per administrator, and
an organization's API keys, REST and SCIM alike, together per organization."""

import pytest

from portal.api import keys
from portal.api.tests.conftest import Api
from portal.organizations.models import Membership

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def limit(settings):
    def set_to(rate):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "accountbeheer_invite": rate}

    return set_to


@pytest.fixture
def key(client, organization):
    def make(name, scopes=("accounts",), of=organization):
        return Api(client, keys.api_key_create(actor=None, organization=of, name=name, scopes=list(scopes), days=30)[1])

    return make


def scim_user(email):
    return {"schemas": [USER], "userName": email, "active": True, "name": {"formatted": "Jan Jansen"},
            "emails": [{"primary": True, "type": "work", "value": email}]}  # fmt: skip


def invite(api, email):
    return api("post", "/api/v1/accounts", {"email": email, "full_name": "Nina Nieuw"})


@pytest.mark.django_db
class TestTheApi:
    def test_invitations_count_per_organization_not_per_key(self, limit, key, admin_user):
        limit("2/h/user")
        first, second = key("A"), key("B")
        assert [invite(first, f"a{n}@nieuw.example").status_code for n in range(2)] == [201, 201]
        refused = invite(second, "b@nieuw.example")
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
        assert not Membership.objects.filter(user__email="b@nieuw.example").exists()

    def test_a_change_never_gives_a_new_address_so_counts_nothing(self, limit, key, admin_user, employee):
        """The REST change is of role, rights and locations only: an address sent is not read."""
        limit("1/h/user")
        api = key("A")
        url = f"/api/v1/accounts/{employee.membership.pk}"
        assert api("patch", url, {"email": "erik.nieuw@test.example", "may_order": True}).status_code == 200
        employee.refresh_from_db()
        assert employee.email == "employee@test.example" and not employee.membership.email_changes.exists()
        assert invite(api, "a@nieuw.example").status_code == 201

    def test_another_organizations_keys_count_for_themselves(self, limit, key, other_admin, admin_user):
        limit("1/h/user")
        assert invite(key("A"), "a@nieuw.example").status_code == 201
        assert invite(key("Z", of=other_admin.membership.organization), "z@nieuw.example").status_code == 201


@pytest.mark.django_db
class TestScim:
    def test_creating_a_user_counts_with_the_apis_invitations(self, limit, key, admin_user):
        limit("2/h/user")
        scim = key("Entra ID", scopes=("scim",))
        assert invite(key("A"), "a@nieuw.example").status_code == 201
        assert scim("post", "/scim/v2/Users", scim_user("jan@nieuw.example"), content_type=SCIM).status_code == 201
        refused = scim("post", "/scim/v2/Users", scim_user("piet@nieuw.example"), content_type=SCIM)
        assert refused.status_code == 429 and refused.json()["status"] == "429"
        assert not Membership.objects.filter(user__email="piet@nieuw.example").exists()

    def test_a_new_address_by_put_or_patch_counts(self, limit, key, admin_user, employee):
        limit("1/h/user")
        scim = key("Entra ID", scopes=("scim",))
        url = f"/scim/v2/Users/{employee.membership.pk}"
        title = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "title", "value": "Chef"}]}
        assert scim("patch", url, title).status_code == 200  # no address: not counted
        assert scim("put", url, scim_user("erik.nieuw@test.example")).status_code == 200
        again = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "userName", "value": "erik2@test.example"},
                 {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "erik2@test.example"}]}  # fmt: skip
        assert scim("patch", url, again).status_code == 429
        assert [c.new_email for c in employee.membership.email_changes.all()] == ["erik.nieuw@test.example"]


@pytest.mark.django_db
def test_hartingbank_inviting_an_administrator_counts_too(client, limit, account_manager):
    from django.urls import reverse

    from portal.organizations.models import Organization

    limit("1/h/user")
    organization = Organization.objects.create(name="Nieuw B.V.", customer_number="HB-1")
    client.force_login(account_manager)
    url = reverse("backoffice:administrator_invite", args=[organization.pk])
    assert client.post(url, {"full_name": "Ada Admin", "email": "ada@nieuw.example"}).status_code == 302
    assert client.post(url, {"full_name": "Bea Admin", "email": "bea@nieuw.example", "reason": "op verzoek"}).status_code == 429
    assert list(organization.memberships.values_list("user__email", flat=True)) == ["ada@nieuw.example"]


@pytest.mark.django_db
class TestResending:
    """A resent invitation mails its address again (for an address in use elsewhere, its
    owner): it counts like an invitation."""

    def test_in_accountbeheer(self, client, limit, admin_user, other_admin, mailoutbox, django_capture_on_commit_callbacks):
        from django.urls import reverse

        from .test_accountbeheer import invite_data

        limit("2/h/user")
        client.force_login(admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("accountbeheer:invite"), invite_data(email=other_admin.email)).status_code == 302
        invited = Membership.objects.get(user__email=other_admin.email, organization=admin_user.membership.organization)
        url = reverse("accountbeheer:invitation_resend", args=[invited.pk])
        with django_capture_on_commit_callbacks(execute=True):
            assert [client.post(url).status_code for _ in range(2)] == [302, 429]
        assert [m.to for m in mailoutbox] == [[other_admin.email]] * 2

    def test_by_customer_service(self, client, limit, staff_user, organization, mailoutbox, django_capture_on_commit_callbacks):
        from django.urls import reverse

        from conftest import make_account
        from portal.organizations.models import Status

        limit("1/h/user")
        invited = make_account(organization, "nina@test.example", status=Status.INVITED).membership
        client.force_login(staff_user)
        url = reverse("backoffice:account_action", args=[invited.pk, "resend"])
        with django_capture_on_commit_callbacks(execute=True):
            codes = [client.post(url, {"resend-reason": "gebeld"}).status_code for _ in range(2)]
        assert codes == [302, 429]
        assert [m.to for m in mailoutbox] == [["nina@test.example"]]

"""SCIM without the invitation mail, if the organization chooses so: the setting on the
API-sleutels page (an administrator only, after the password again, audited), and a User
created through SCIM as an active account without a password and without any mail,
whose owner sets a password with "Wachtwoord vergeten?"."""

import pytest
from django.core import mail
from django.urls import reverse

from conftest import make_account
from portal.accounts import reauth
from portal.core.models import AuditEvent
from portal.organizations.models import Membership, Status
from portal.scim import options
from portal.scim.tests.test_users import SCIM, entra_user


@pytest.fixture(autouse=True)
def _recently_authenticated(monkeypatch):
    monkeypatch.setattr(reauth, "recently_authenticated", lambda request: True)


@pytest.fixture
def scim(api_for, organization, admin_user):
    return api_for(organization, scopes=("scim",), name="Okta")


@pytest.fixture
def without_mail(organization, admin_user):
    options.scim_create_active_set(actor=admin_user, organization=organization, create_active=True)


@pytest.mark.django_db
class TestTheSetting:
    def test_the_administrator_turns_it_on_and_off_on_the_api_keys_page(self, client, admin_user, organization):
        client.force_login(admin_user)
        page = client.get(reverse("api_keys:list")).content.decode()
        assert "Accounts uit SCIM meteen actief, zonder uitnodiging" in page
        response = client.post(reverse("api_keys:scim_settings"), {"create_active": "on"}, follow=True)
        assert "is opgeslagen" in response.content.decode()
        assert options.creates_active(organization)
        assert client.get(reverse("api_keys:list")).context["scim_form"].initial["create_active"] is True
        client.post(reverse("api_keys:scim_settings"), {})
        assert not options.creates_active(organization)
        events = AuditEvent.objects.filter(action="scim_settings_changed").order_by("pk")
        assert [e.changes["scim_create_active"] for e in events] == [[False, True], [True, False]]
        assert all(e.actor == admin_user and e.organization == organization for e in events)

    def test_the_default_invites(self, organization):
        assert not options.creates_active(organization)

    def test_it_asks_for_the_password_again(self, client, admin_user, organization, monkeypatch):
        monkeypatch.setattr(reauth, "recently_authenticated", lambda request: False)
        client.force_login(admin_user)
        assert client.post(reverse("api_keys:scim_settings"), {"create_active": "on"}).status_code == 302
        assert not options.creates_active(organization)

    def test_nobody_else_changes_it(self, client, employee, other_admin, organization, admin_user):
        for user in (employee, other_admin):
            client.force_login(user)
            client.post(reverse("api_keys:scim_settings"), {"create_active": "on"})
        assert not options.creates_active(organization)
        with pytest.raises(options.ScimSettingsError):
            options.scim_create_active_set(actor=employee, organization=organization, create_active=True)

    def test_per_organization(self, organization, other_organization, other_admin, without_mail):
        assert options.creates_active(organization) and not options.creates_active(other_organization)


@pytest.mark.django_db
class TestCreateWithoutMail:
    def test_an_active_account_without_a_password_and_without_mail(
        self, scim, organization, without_mail, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = scim("post", "/scim/v2/Users", entra_user(), content_type=SCIM)
        assert response.status_code == 201, response.content
        membership = Membership.objects.select_related("user").get(user__email="jan@test.example")
        assert membership.status == Status.ACTIVE and membership.organization == organization
        assert not membership.user.has_usable_password() and not membership.invitations.exists()
        assert response.json()["active"] is True and response.json()["externalId"] == "ext-1"
        assert mail.outbox == []
        event = AuditEvent.objects.get(action="account_provisioned")
        assert str(event.actor) == "API-sleutel Okta" and event.target_user == membership.user
        assert event.changes["status"] == [None, Status.ACTIVE] and event.organization == organization
        assert not AuditEvent.objects.filter(action="account_invited").exists()

    def test_the_owner_sets_a_password_with_wachtwoord_vergeten(
        self, client, scim, without_mail, django_capture_on_commit_callbacks
    ):
        scim("post", "/scim/v2/Users", entra_user(), content_type=SCIM)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("account_reset_password"), {"email": "jan@test.example"})
        assert [m.to for m in mail.outbox] == [["jan@test.example"]]
        assert "/wachtwoord-vergeten/" in mail.outbox[0].body

    def test_the_rules_of_an_invitation_hold(self, scim, organization, employee, without_mail):
        response = scim("post", "/scim/v2/Users", entra_user(email="employee@test.example", external_id="x"), content_type=SCIM)
        assert response.status_code == 409 and response.json()["scimType"] == "uniqueness"
        assert Membership.objects.filter(organization=organization).count() == 2

    def test_the_rest_is_as_before(self, scim, without_mail, organization, admin_user):
        user_id = scim("post", "/scim/v2/Users", entra_user(), content_type=SCIM).json()["id"]
        patch = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        }
        assert scim("patch", f"/scim/v2/Users/{user_id}", patch, content_type=SCIM).json()["active"] is False
        assert scim("delete", f"/scim/v2/Users/{user_id}").status_code == 204

    def test_without_the_setting_the_person_is_invited(self, scim, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            scim("post", "/scim/v2/Users", entra_user(), content_type=SCIM)
        assert Membership.objects.get(user__email="jan@test.example").status == Status.INVITED
        assert [m.to for m in mail.outbox] == [["jan@test.example"]]


@pytest.mark.django_db
class TestProvisioningService:
    def test_only_the_organizations_administrator(self, organization, employee, other_admin):
        from portal.organizations import provisioning
        from portal.organizations.services import AccountRuleError

        for actor in (employee, other_admin):
            with pytest.raises(AccountRuleError) as refused:
                provisioning.account_provision(actor=actor, organization=organization, email="x@test.example", full_name="X")
            assert refused.value.code == "not_allowed"

    def test_locations_of_the_organization_only(self, organization, admin_user, other_location):
        from portal.organizations import provisioning
        from portal.organizations.services import AccountRuleError

        with pytest.raises(AccountRuleError) as refused:
            provisioning.account_provision(
                actor=admin_user, organization=organization, email="x@test.example", full_name="X", locations=[other_location]
            )
        assert refused.value.code == "foreign_location"

    def test_an_address_in_use_here_is_refused(self, organization, admin_user):
        from portal.organizations import provisioning
        from portal.organizations.services import AccountRuleError

        make_account(organization, "bezet@test.example")
        with pytest.raises(AccountRuleError) as refused:
            provisioning.account_provision(actor=admin_user, organization=organization, email="Bezet@Test.example", full_name="X")
        assert refused.value.code == "email_in_use"


@pytest.mark.django_db
def test_an_address_in_use_elsewhere_looks_as_a_free_one(
    scim, api_for, organization, other_admin, without_mail, django_capture_on_commit_callbacks
):
    """As an invitation does: the organization sees an active account, which never logs in
    and does not hold the address; its owner is told, and nothing changes for them."""
    with django_capture_on_commit_callbacks(execute=True):
        response = scim("post", "/scim/v2/Users", entra_user(email="admin@other.example"), content_type=SCIM)
    assert response.status_code == 201 and response.json()["active"] is True
    membership = Membership.objects.select_related("user").get(organization=organization, user__email="admin@other.example")
    assert membership.status == Status.ACTIVE and membership.user.email_elsewhere and not membership.user.is_active
    account = api_for(organization, scopes=("accounts",))("get", f"/api/v1/accounts/{membership.pk}").json()
    assert account["status"] == "active"
    other_admin.refresh_from_db()
    assert other_admin.is_active and not other_admin.email_elsewhere
    assert [m.to for m in mail.outbox] == [["admin@other.example"]]  # the owner's notice, no link
    assert "/uitnodiging/" not in mail.outbox[0].body

"""API keys: created in Accountbeheer (shown once, stored as a hash), listed with their
last use, revoked with one click, audited; the command; who reaches the pages."""

import hashlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.accounts import reauth
from portal.api.models import ApiKey
from portal.core.models import AuditEvent


@pytest.fixture(autouse=True)
def _recently_authenticated(monkeypatch):
    """Creating a key asks for the password again (the two-step login's re-authentication)
    unless the last one was recent: these tests count as recent."""
    monkeypatch.setattr(reauth, "recently_authenticated", lambda request: True)


URLS = [("api_keys:list", "get", False), ("api_keys:create", "get", False), ("api_keys:revoke", "post", True),
        ("api_keys:scim_settings", "post", False)]  # fmt: skip


def url_for(name, takes_id, key):
    return reverse(name, args=[key.pk]) if takes_id else reverse(name)


def test_every_api_key_url_is_listed_here():
    from portal.api.urls import urlpatterns

    assert {f"api_keys:{p.name}" for p in urlpatterns} == {name for name, *_ in URLS}


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes_id", URLS)
class TestWhoReachesApiKeys:
    def test_administrator_reaches_it(self, client, admin_user, organization, make_key, name, method, takes_id):
        key, _ = make_key(organization)
        client.force_login(admin_user)
        response = getattr(client, method)(url_for(name, takes_id, key))
        assert response.status_code in (200, 302)

    def test_employee_gets_404(self, client, employee, organization, make_key, name, method, takes_id):
        key, _ = make_key(organization)
        client.force_login(employee)
        assert getattr(client, method)(url_for(name, takes_id, key)).status_code == 404

    def test_staff_gets_404(self, client, staff_user, organization, make_key, name, method, takes_id):
        key, _ = make_key(organization)
        client.force_login(staff_user)
        assert getattr(client, method)(url_for(name, takes_id, key)).status_code == 404


@pytest.mark.django_db
def test_another_organizations_administrator_cannot_revoke_our_key(client, other_admin, organization, make_key):
    key, _ = make_key(organization)
    client.force_login(other_admin)
    assert client.post(reverse("api_keys:revoke", args=[key.pk])).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


@pytest.mark.django_db
def test_key_is_shown_once_and_stored_as_a_hash(client, admin_user, organization):
    client.force_login(admin_user)
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = client.post(reverse("api_keys:create"), {"name": "Okta", "scopes": ["scim", "accounts"], "expires_on": expires})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("hbk_") and secret in response.content.decode()
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiKey.objects.values().get())
    assert key.scopes == ["accounts", "scim"] and key.organization == organization
    assert timezone.localtime(key.expires_at).date() == timezone.localdate() + timedelta(days=90)
    listing = client.get(reverse("api_keys:list")).content.decode()
    assert "Okta" in listing and secret not in listing and "nog nooit" in listing
    event = AuditEvent.objects.get(action="api_key_created")
    assert event.actor == admin_user and event.changes["api_key"] == "Okta"
    # The principal is no account: not in Accountbeheer's overview, cannot log in.
    assert not key.principal.is_active and key.principal.email is None
    assert "API-sleutel Okta" not in client.get(reverse("accountbeheer:list")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"name": "", "scopes": ["accounts"]}, "name", "required"),
        ({"name": "A\nB", "scopes": ["accounts"]}, "name", "line_break"),
        ({"name": "A", "scopes": []}, "scopes", "required"),
        ({"name": "A", "scopes": ["admin"]}, "scopes", "invalid_choice"),
        ({"name": "A", "scopes": ["accounts"], "expires_on": "2000-01-01"}, "expires_on", "expiry_not_future"),
        ({"name": "A", "scopes": ["accounts"], "expires_on": "2099-01-01"}, "expires_on", "expiry_too_far"),
    ],
)
def test_bad_input_gets_a_dutch_error(client, admin_user, data, field, code):
    client.force_login(admin_user)
    data = {"expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(), **data}
    response = client.post(reverse("api_keys:create"), data)
    assert response.status_code == 200
    assert code in [e.code for e in response.context["form"].errors.as_data()[field]]
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_revoke_with_one_click(client, admin_user, organization, make_key):
    key, secret = make_key(organization, name="Inkoop")
    client.force_login(admin_user)
    response = client.post(reverse("api_keys:revoke", args=[key.pk]), follow=True)
    assert "is ingetrokken" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key_revoked", actor=admin_user, changes__api_key="Inkoop").exists()
    assert client.get("/api/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


@pytest.mark.django_db
def test_last_use_is_listed(client, admin_user, organization, make_key):
    key, secret = make_key(organization)
    client.get("/api/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {secret}")
    key.refresh_from_db()
    assert key.last_used_at is not None
    client.force_login(admin_user)
    assert "nog nooit" not in client.get(reverse("api_keys:list")).content.decode()


@pytest.mark.django_db
def test_command_prints_the_key_once(organization, capsys):
    call_command("api_key_create", organization=organization.name, name="CI", scopes="scim,accounts", days=7)
    secret = capsys.readouterr().out.strip()
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert key.scopes == ["accounts", "scim"]
    assert key.expires_at - timezone.now() > timedelta(days=6)
    call_command("api_key_create", organization=str(organization.pk), name="CI 2", scopes="orders")
    assert ApiKey.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options",
    [
        {"organization": "Onbekend", "name": "x", "scopes": "scim"},
        {"organization": "Bakkerij Test B.V.", "name": "x", "scopes": "root"},
        {"organization": "Bakkerij Test B.V.", "name": "x", "scopes": "scim", "days": 0},
        {"organization": "Bakkerij Test B.V.", "name": " ", "scopes": "scim"},
    ],
)
def test_command_refuses_bad_input(organization, options):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_key_create", **options)
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_creating_a_key_asks_for_the_password_again(client, admin_user, monkeypatch):
    monkeypatch.setattr(reauth, "recently_authenticated", lambda request: False)
    client.force_login(admin_user)
    expires = (timezone.localdate() + timedelta(days=9)).isoformat()
    response = client.post(reverse("api_keys:create"), {"name": "Okta", "scopes": ["scim"], "expires_on": expires})
    assert response.status_code == 302 and "secret" not in (response.context or {})
    assert not ApiKey.objects.exists()

"""A session that ended without its owner doing anything says why on the page it lands on."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from portal.organizations import services
from portal.organizations.models import Membership

LOGIN = reverse("account_login")


def log_in(email):
    client = Client()
    assert client.post(LOGIN, {"login": email, "password": PASSWORD}).status_code == 302
    return client


def reason_on_next_page(client, path="/mijn-account/"):
    """The codes of the session-ended message on the page the next request lands on."""
    response = client.get(path, follow=True)
    return {
        tag for message in response.context["messages"] for tag in message.extra_tags.split() if tag != "session-ended"
    }, response


@pytest.mark.django_db
class TestSessionEnded:
    def test_a_password_changed_elsewhere(self, employee):
        laptop, phone = log_in(employee.email), log_in(employee.email)
        assert (
            laptop.post(
                "/mijn-account/wachtwoord-wijzigen/",
                {"oldpassword": PASSWORD, "password1": "Blauwe-Tulp-Gracht", "password2": "Blauwe-Tulp-Gracht"},
            ).status_code
            == 302
        )
        reasons, response = reason_on_next_page(phone)
        assert reasons == {"password_changed"}
        assert response.redirect_chain[-1][0].startswith(LOGIN)
        assert "wachtwoord is gewijzigd" in response.content.decode()
        assert reason_on_next_page(phone)[0] == set()  # said once

    def test_a_password_changed_without_ending_the_session(self, employee):
        """Django's own check of the password's hash, for a session not remembered."""
        client = log_in(employee.email)
        employee.set_password("Blauwe-Tulp-Gracht")
        employee.save()
        assert reason_on_next_page(client)[0] == {"password_changed"}

    def test_a_deactivated_account(self, employee, admin_user):
        client = log_in(employee.email)
        services.account_deactivate(actor=admin_user, membership=employee.membership)
        assert reason_on_next_page(client)[0] == {"deactivated"}

    def test_a_deleted_account(self, employee, admin_user):
        client = log_in(employee.email)
        services.account_delete(actor=admin_user, membership=employee.membership)
        assert reason_on_next_page(client)[0] == {"deleted"}

    def test_an_organization_whose_access_is_turned_off(self, employee, organization):
        client = log_in(employee.email)
        type(organization).objects.filter(pk=organization.pk).update(portal_access=False)
        assert reason_on_next_page(client)[0] == {"access_off"}

    def test_rights_taken_away(self, employee):
        client = log_in(employee.email)
        Membership.objects.filter(pk=employee.membership.pk).update(may_use_portal=False, may_order=False)
        assert reason_on_next_page(client)[0] == {"no_rights"}

    def test_an_expired_session(self, employee):
        client = log_in(employee.email)
        Session.objects.all().delete()
        reasons, response = reason_on_next_page(client)
        assert reasons == {"expired"} and response.redirect_chain[-1][0].startswith(LOGIN)

    def test_a_living_session_and_a_visitor_hear_nothing(self, employee, client):
        assert reason_on_next_page(log_in(employee.email))[0] == set()
        assert reason_on_next_page(client)[0] == set()

    def test_the_reason_is_kept_under_a_hash_of_the_session_key(self, employee, admin_user, monkeypatch):
        from portal.accounts import middleware

        stored = {}
        real_set_many = middleware.cache.set_many
        monkeypatch.setattr(middleware.cache, "set_many", lambda data, **kw: stored.update(data) or real_set_many(data, **kw))
        client = log_in(employee.email)
        key = client.cookies["sessionid"].value
        services.account_deactivate(actor=admin_user, membership=employee.membership)
        assert list(stored.values()) == ["deactivated"]
        assert all(key not in cache_key for cache_key in stored)  # the session key itself is not kept
        assert reason_on_next_page(client)[0] == {"deactivated"}

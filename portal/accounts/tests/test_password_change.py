import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from portal.core.models import AuditEvent

URL = "/mijn-account/wachtwoord-wijzigen/"


def change(client, old=PASSWORD, new="Blauwe-Tulp-Gracht", again=None):
    return client.post(URL, {"oldpassword": old, "password1": new, "password2": again or new})


def field_codes(response, field):
    return {error.code for error in response.context["form"].errors.as_data().get(field, [])}


@pytest.fixture
def logged_in(client, employee):
    client.post("/inloggen/", {"login": employee.email, "password": PASSWORD})
    return client


@pytest.mark.django_db
class TestPasswordChangeRules:
    def test_page_is_linked_from_mijn_account(self, logged_in):
        assert URL in logged_in.get(reverse("accounts:my_account")).content.decode()
        assert logged_in.get(URL).status_code == 200

    def test_wrong_current_password(self, logged_in):
        response = change(logged_in, old="niet-het-goede")
        assert field_codes(response, "oldpassword") == {"enter_current_password"}
        # It was typed, and it was wrong: not allauth's "type your current password".
        assert "Dit is niet je huidige wachtwoord." in response.content.decode()

    def test_success_lands_on_mijn_account_with_one_message(self, logged_in):
        response = change(logged_in)
        assert response.status_code == 302 and response.url == reverse("accounts:my_account")
        page = logged_in.get(response.url).content.decode()
        assert page.count("Je wachtwoord is gewijzigd.") == 1

    def test_new_passwords_must_match(self, logged_in):
        response = change(logged_in, again="Andere-Tulp-Gracht")
        assert "password_mismatch" in field_codes(response, "password2")

    @pytest.mark.parametrize(
        "new, code",
        [
            ("Kort1!", "password_too_short"),
            ("password123", "password_too_common"),
            ("3141592653", "password_entirely_numeric"),
            ("employee@test.example", "password_too_similar"),
            ("Erik Employee", "password_too_similar"),
        ],
    )
    def test_new_password_rules(self, logged_in, new, code):
        response = change(logged_in, new=new)
        assert code in field_codes(response, "password1")

    def test_seven_characters_are_enough(self, logged_in):
        assert change(logged_in, new="Zq8#vLm").status_code == 302

    def test_failed_change_keeps_the_old_password(self, logged_in, employee):
        change(logged_in, new="Kort1!")
        employee.refresh_from_db()
        assert employee.check_password(PASSWORD)


@pytest.mark.django_db
class TestPasswordChangeSuccess:
    def test_success_keeps_this_session_and_ends_the_others(
        self, logged_in, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        other_device = Client()
        other_device.post("/inloggen/", {"login": employee.email, "password": PASSWORD})
        assert other_device.get(reverse("home")).status_code == 200

        with django_capture_on_commit_callbacks(execute=True):
            response = change(logged_in)
        assert response.status_code == 302
        assert logged_in.get(response.url).status_code == 200  # still logged in, with a confirmation
        assert other_device.get(reverse("home")).status_code == 302
        assert SESSION_KEY not in other_device.session

        employee.refresh_from_db()
        assert employee.check_password("Blauwe-Tulp-Gracht")
        assert [m.to for m in mailoutbox] == [[employee.email]]
        assert "Blauwe-Tulp-Gracht" not in mailoutbox[0].body
        assert AuditEvent.objects.filter(action="password_changed", target_user=employee).count() == 1

    def test_anonymous_cannot_reach_the_page(self, client, db):
        response = client.get(URL)
        assert response.status_code == 302 and response.url.startswith("/inloggen/")


@pytest.mark.django_db
def test_nobody_can_set_another_persons_password(client, admin_user, employee):
    """The only password form is the owner's own: no URL takes an account id."""
    from django.urls import get_resolver

    def patterns(resolver, prefix=""):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                yield from patterns(p, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p

    for route, pattern in patterns(get_resolver()):
        if "wachtwoord" in route or "password" in route:
            assert "pk" not in route and "id>" not in route, route
    client.force_login(admin_user)
    change(client, new="Nieuw-Voor-Erik-1")
    employee.refresh_from_db()
    assert employee.check_password(PASSWORD)

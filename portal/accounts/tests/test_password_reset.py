import re

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD
from portal.core.models import AuditEvent

URL = "/wachtwoord-vergeten/"


def request_link(client, email, capture):
    with capture(execute=True):
        return client.post(URL, {"email": email})


def link_from(mail):
    return re.search(r"http://testserver(/wachtwoord-vergeten/link/\S+)", mail.body).group(1)


def choose(client, link, password="Nieuw-Gekozen-Wachtwoord"):
    response = client.get(link, follow=True)  # allauth moves the key out of the URL
    if response.context.get("token_fail"):
        return response
    return client.post(response.redirect_chain[-1][0], {"password1": password, "password2": password})


@pytest.mark.django_db
class TestPasswordReset:
    def test_known_and_unknown_address_get_the_same_answer(
        self, client, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        known = request_link(client, "employee@test.example", django_capture_on_commit_callbacks)
        unknown = request_link(client, "niemand@test.example", django_capture_on_commit_callbacks)
        assert known.status_code == unknown.status_code == 302
        assert known.url == unknown.url
        assert [m.to for m in mailoutbox] == [["employee@test.example"]]

    def test_link_sets_a_new_password_once(self, client, employee, mailoutbox, django_capture_on_commit_callbacks):
        request_link(client, employee.email, django_capture_on_commit_callbacks)
        link = link_from(mailoutbox[0])
        with django_capture_on_commit_callbacks(execute=True):
            response = choose(client, link)
        assert response.status_code == 302
        employee.refresh_from_db()
        assert employee.check_password("Nieuw-Gekozen-Wachtwoord")
        assert AuditEvent.objects.filter(action="password_reset", target_user=employee).exists()
        assert mailoutbox[-1].to == [employee.email]  # told that the password was reset
        done = client.get(response.url)
        assert "Je wachtwoord is opgeslagen" in done.content.decode()
        assert not list(done.context["messages"])  # the page says it, not a message as well

        reused = choose(client, link, "Nog-Een-Ander-Wachtwoord")
        assert reused.context["token_fail"]
        employee.refresh_from_db()
        assert employee.check_password("Nieuw-Gekozen-Wachtwoord")

    def test_link_expires_after_one_day(self, client, employee, mailoutbox, django_capture_on_commit_callbacks):
        request_link(client, employee.email, django_capture_on_commit_callbacks)
        link = link_from(mailoutbox[0])
        # Two hours past the day, so that no time-zone offset can keep the link alive.
        with time_machine.travel(timezone.now() + timezone.timedelta(days=1, hours=2)):
            response = choose(client, link)
        assert response.context["token_fail"]
        employee.refresh_from_db()
        assert employee.check_password(PASSWORD)

    def test_new_password_follows_the_rules(self, client, employee, mailoutbox, django_capture_on_commit_callbacks):
        request_link(client, employee.email, django_capture_on_commit_callbacks)
        response = choose(client, link_from(mailoutbox[0]), "123456789")
        codes = {e.code for e in response.context["form"].errors.as_data()["password1"]}
        assert "password_entirely_numeric" in codes

    def test_reset_ends_open_sessions(self, client, employee, mailoutbox, django_capture_on_commit_callbacks):
        from django.test import Client

        other = Client()
        other.post("/inloggen/", {"login": employee.email, "password": PASSWORD})
        request_link(client, employee.email, django_capture_on_commit_callbacks)
        choose(client, link_from(mailoutbox[0]))
        assert other.get("/").status_code == 302

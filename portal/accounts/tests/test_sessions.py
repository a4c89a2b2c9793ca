"""The sessions a user has open are remembered at login, so that they can all be ended
at once (password change, deactivation); ended ones are forgotten at the next login."""

from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from portal.accounts.sessions import FORGET_AFTER, forget_ended_sessions

LOGIN = "/inloggen/"


def log_in(email, **headers):
    client = Client(**headers)
    assert client.post(LOGIN, {"login": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.django_db
class TestSessionsRememberedAtLogin:
    def test_a_login_remembers_its_session_with_address_and_browser(self, employee):
        client = log_in(employee.email, HTTP_USER_AGENT="Safari op iPhone", HTTP_X_FORWARDED_FOR="203.0.113.5")
        remembered = UserSession.objects.get(user=employee)
        assert remembered.session_key == client.session.session_key
        assert remembered.user_agent == "Safari op iPhone" and remembered.ip == "127.0.0.1"

    def test_the_daily_job_forgets_the_ended_sessions_and_keeps_the_open_ones(self, employee, admin_user):
        phone = log_in(employee.email)
        laptop = log_in(employee.email)
        logged_out = log_in(employee.email)
        logged_out.post(reverse("account_logout"))
        expired = log_in(employee.email)
        Session.objects.filter(session_key=expired.session.session_key).update(expire_date=timezone.now())
        other = log_in(admin_user.email)
        assert UserSession.objects.filter(user=employee).count() == 4  # a login forgets nothing
        with time_machine.travel(timezone.now() + FORGET_AFTER + timedelta(seconds=1)):
            assert forget_ended_sessions() == "2 ended session(s) forgotten"
        assert set(UserSession.objects.values_list("session_key", flat=True)) == {
            phone.session.session_key,
            laptop.session.session_key,
            other.session.session_key,
        }

    def test_the_daily_job_keeps_a_session_remembered_before_it_is_written(self, employee):
        """A login remembers its session before the end of its request writes it: the job
        leaves every session of the last hour, whether its row is there yet or not."""
        ended = log_in(employee.email)
        ended.post(reverse("account_logout"))
        with time_machine.travel(timezone.now() + FORGET_AFTER - timedelta(seconds=5)):
            assert forget_ended_sessions() == "0 ended session(s) forgotten"
        assert UserSession.objects.filter(user=employee).exists()

    def test_a_login_that_keeps_its_session_updates_what_is_remembered(self, employee):
        """Django keeps the session's key when the session still holds the user: here
        the session names an authentication backend that is no longer configured (a
        release that renamed it), so its user is not recognized and logs in again."""
        client = log_in(employee.email, HTTP_USER_AGENT="Oude browser")
        session = client.session
        key = session.session_key
        session[BACKEND_SESSION_KEY] = "portal.accounts.old_backends.Backend"
        session.save()
        assert client.get(reverse("home")).status_code == 302
        response = client.post(LOGIN, {"login": employee.email, "password": PASSWORD}, HTTP_USER_AGENT="Nieuwe browser")
        assert response.status_code == 302 and client.session.session_key == key
        remembered = UserSession.objects.get(user=employee)
        assert remembered.session_key == key and remembered.user_agent == "Nieuwe browser"

    def test_a_login_remembers_its_session_in_one_statement(self, employee, django_assert_num_queries):
        open_ones = [log_in(employee.email) for _ in range(3)]
        client = Client()
        client.get(LOGIN)
        # The attempt counted and its rules, the user with whether it has a second factor
        # (allauth's stage and the session's flag take that answer), the attempt taken back
        # (one statement), the audit event, last login, the new session remembered (none
        # of those remembered before read), and the new session written once, at the end
        # (in a savepoint here, the test's transaction; at the end of a request it is the
        # one statement): not looked up first, written at the new key and written again.
        # The cache of the tests, which holds the limit on logins per address, is not the
        # database.
        with django_assert_num_queries(10):
            client.post(LOGIN, {"login": employee.email, "password": PASSWORD})
        assert set(UserSession.objects.filter(user=employee).values_list("session_key", flat=True)) == {
            c.session.session_key for c in [*open_ones, client]
        }

    def test_with_sessions_in_the_cache_ended_ones_are_forgotten_too(self, employee, settings):
        """With Redis the sessions are in the cache (here the tests' own): each remembered
        session's data is read, and those that no longer hold the user are forgotten."""
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
        kept = log_in(employee.email)
        logged_out = log_in(employee.email)
        logged_out.post(reverse("account_logout"))
        newest = log_in(employee.email)
        with time_machine.travel(timezone.now() + FORGET_AFTER + timedelta(seconds=1)):
            assert forget_ended_sessions() == "1 ended session(s) forgotten"
        assert set(UserSession.objects.filter(user=employee).values_list("session_key", flat=True)) == {
            kept.session.session_key,
            newest.session.session_key,
        }

    def test_a_session_emptied_at_the_login_is_remembered_under_its_new_key(self, rf, employee):
        """Django empties a session that holds another user at a login, and leaves it
        without a key until the end of the request: the session is written first, so that
        it is remembered under the key it will have."""
        from portal.accounts.sessions import on_user_logged_in
        from portal.core.sessions import SessionStore

        request = rf.post(LOGIN)
        request.session = SessionStore()
        request.session["something"] = "of another user"
        request.session.save()
        request.session.flush()
        assert request.session.session_key is None
        on_user_logged_in(None, request=request, user=employee)
        remembered = UserSession.objects.get(user=employee)
        assert remembered.session_key == request.session.session_key
        assert Session.objects.filter(session_key=remembered.session_key).exists()

import hashlib
from datetime import timedelta

import pytest
import time_machine
from allauth.account.adapter import get_adapter
from django.core.cache.backends.locmem import LocMemCache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from conftest import PASSWORD, make_account, totp_code
from portal.accounts import ratelimits
from portal.accounts.models import LoginAttempt
from portal.accounts.tests.test_password_reset import choose, link_from, request_link
from portal.core.models import AuditEvent
from portal.organizations.models import Status

LOGIN = "/inloggen/"


def login(client, email, password=PASSWORD, next_url=None):
    """Log in; an account with an authenticator app (staff) types its code next."""
    url = LOGIN + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"login": email, "password": password})
    if response.status_code == 302 and response.url == reverse("mfa_authenticate"):
        response = client.post(response.url, {"code": totp_code()})
    return response


def error_codes(response):
    form = response.context["form"]
    return {error.code for errors in form.errors.as_data().values() for error in errors}


@pytest.mark.django_db
class TestLogin:
    def test_success_lands_on_home_and_is_audited(self, client, employee):
        response = login(client, "employee@test.example")
        assert response.status_code == 302
        assert response.url == reverse("home")
        assert client.get(reverse("home")).context["user"] == employee
        event = AuditEvent.objects.get(action="login")
        assert event.target_user == employee and event.ip_address == "127.0.0.1"

    def test_email_is_case_insensitive(self, client, employee):
        assert login(client, "  Employee@TEST.example ").status_code == 302

    def test_wrong_password_is_refused_and_audited(self, client, employee):
        response = login(client, "employee@test.example", "fout-wachtwoord")
        assert response.status_code == 200
        assert "email_password_mismatch" in error_codes(response)
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.get(action="login_failed").target_user == employee

    def test_unknown_address_gets_the_same_answer(self, client, db):
        response = login(client, "niemand@test.example", "wat-dan-ook")
        assert "email_password_mismatch" in error_codes(response)
        assert AuditEvent.objects.get(action="login_failed").target_user is None

    def test_redirects_back_to_the_page_asked_for(self, client, employee):
        response = client.get(reverse("accounts:my_account"))
        assert response.status_code == 302
        assert response.url == f"{LOGIN}?next=/mijn-account/"
        response = login(client, "employee@test.example", next_url="/mijn-account/")
        assert response.url == "/mijn-account/"

    def test_logout_ends_the_session(self, client, employee):
        client.force_login(employee)
        response = client.post(reverse("account_logout"))
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
class TestWhoMayLogIn:
    @pytest.mark.parametrize("status", [Status.DEACTIVATED, Status.INVITED])
    def test_account_not_active_cannot_log_in(self, client, organization, status):
        make_account(organization, "weg@test.example", status=status, password=PASSWORD)
        if status == Status.INVITED:
            # An invited account has no password yet: the ordinary refusal.
            assert "email_password_mismatch" in error_codes(login(client, "weg@test.example"))
        else:
            response = login(client, "weg@test.example")
            assert response.status_code == 302 and response.url == reverse("account_inactive")
        assert "_auth_user_id" not in client.session

    def test_account_without_any_right_cannot_log_in(self, client, organization):
        make_account(organization, "geen@test.example", may_use_portal=False, may_order=False)
        assert login(client, "geen@test.example").url == reverse("account_inactive")

    def test_organization_without_portal_access_cannot_log_in(self, client, employee, organization):
        organization.portal_access = False
        organization.save(update_fields=["portal_access"])
        assert login(client, "employee@test.example").url == reverse("account_inactive")

    def test_deactivation_ends_an_open_session_at_the_next_request(self, client, employee):
        client.force_login(employee)
        assert client.get(reverse("home")).status_code == 200
        employee.membership.status = Status.DEACTIVATED
        employee.membership.save(update_fields=["status"])
        assert client.get(reverse("home")).status_code == 302

    def test_staff_can_log_in(self, client, staff_user):
        assert login(client, "staff@hartingbank.example").url == reverse("home")


@pytest.mark.django_db
class TestRateLimit:
    def test_five_failures_per_account_block_even_the_right_password(self, client, employee):
        for _ in range(5):
            assert "email_password_mismatch" in error_codes(login(client, "employee@test.example", "fout"))
        response = login(client, "employee@test.example")
        assert response.status_code == 200
        assert "too_many_login_attempts" in error_codes(response)
        assert escape(str(get_adapter().error_messages["too_many_login_attempts"])) in response.content.decode()

    def test_failures_from_one_address_across_accounts_are_limited(self, client, organization):
        for number in range(30):
            login(client, f"gok{number}@test.example", "fout")
        make_account(organization, "echt@test.example")
        assert "too_many_login_attempts" in error_codes(login(client, "echt@test.example"))

    @pytest.mark.parametrize(("proxies", "limited"), [(0, True), (1, False)])
    def test_behind_a_trusted_proxy_the_limit_per_address_counts_each_client(self, client, organization, proxies, limited):
        """With TRUSTED_PROXY_COUNT the address is the one the load balancer saw; without
        it, a forged header changes nothing."""
        with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=proxies):
            for number in range(30):
                client.post(
                    LOGIN, {"login": f"gok{number}@test.example", "password": "fout"}, HTTP_X_FORWARDED_FOR="198.51.100.7"
                )
            make_account(organization, "echt@test.example")
            response = client.post(
                LOGIN, {"login": "echt@test.example", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9"
            )
        assert (response.status_code == 200 and "too_many_login_attempts" in error_codes(response)) is limited

    def test_another_account_is_not_blocked_by_someone_elses_failures(self, client, employee, admin_user):
        for _ in range(5):
            login(client, "employee@test.example", "fout")
        assert login(client, "admin@test.example").status_code == 302

    def test_a_successful_login_is_not_counted(self, client, employee):
        for _ in range(8):
            assert login(client, "employee@test.example").status_code == 302
            client.post(reverse("account_logout"))
        assert not LoginAttempt.objects.exclude(login_key=ratelimits.SUCCEEDED).exists()  # no failures
        for _ in range(4):
            login(client, "employee@test.example", "fout")
        assert login(client, "employee@test.example").status_code == 302

    def test_the_wait_ends_with_the_window_and_the_longer_rule_takes_over(self, client, employee):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            for _ in range(5):
                login(client, "employee@test.example", "fout")
            assert "too_many_login_attempts" in error_codes(login(client, "employee@test.example"))
        with time_machine.travel(start + timedelta(minutes=6), tick=False):
            for _ in range(5):  # the hour's rule allows ten
                assert "email_password_mismatch" in error_codes(login(client, "employee@test.example", "fout"))
        with time_machine.travel(start + timedelta(minutes=12), tick=False):
            assert "too_many_login_attempts" in error_codes(login(client, "employee@test.example"))
        with time_machine.travel(start + timedelta(minutes=61), tick=False):
            assert login(client, "employee@test.example").status_code == 302

    def test_refused_attempts_do_not_extend_the_wait(self, client, employee):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            for _ in range(5):
                login(client, "employee@test.example", "fout")
        with time_machine.travel(start + timedelta(minutes=4), tick=False):
            for _ in range(5):
                assert "too_many_login_attempts" in error_codes(login(client, "employee@test.example", "fout"))
        assert LoginAttempt.objects.count() == 5
        with time_machine.travel(start + timedelta(minutes=6), tick=False):
            assert login(client, "employee@test.example").status_code == 302

    def test_an_attempt_still_being_checked_counts(self, rf, employee):
        """With four failures and one attempt whose password is still being checked, the
        next one is refused and leaves nothing behind."""
        request = rf.post(LOGIN)
        for _ in range(4):
            assert ratelimits.login_attempt_begin(request, login="employee@test.example")
        assert ratelimits.login_attempt_begin(request, login="employee@test.example")  # still checking its password
        assert ratelimits.login_attempt_begin(request, login="Employee@test.example") is None
        assert LoginAttempt.objects.count() == 5

    def test_without_limits_nothing_is_counted(self, client, employee, settings):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": ""}
        settings.LOGIN_RATE_LIMIT = ""
        for _ in range(8):
            login(client, "employee@test.example", "fout")
        assert not LoginAttempt.objects.exists()
        assert login(client, "employee@test.example").status_code == 302

    def test_neither_address_is_stored_only_hashes_keyed_with_the_secret(self, client, employee, settings):
        login(client, "employee@test.example", "fout")
        attempt = LoginAttempt.objects.get()
        # A plain hash of an address can be found by trying every address (there are only
        # four billion IPv4 addresses); a keyed one only with the secret key.
        assert attempt.login_key not in {hashlib.sha256(b"employee@test.example").hexdigest(), "employee@test.example"}
        assert attempt.client_key not in {hashlib.sha256(b"127.0.0.1").hexdigest(), "127.0.0.1"}
        settings.SECRET_KEY = "een-andere-geheime-sleutel-" + "x" * 30
        login(client, "employee@test.example", "fout")
        assert LoginAttempt.objects.exclude(login_key=attempt.login_key).exclude(client_key=attempt.client_key).count() == 1

    def test_another_host_name_gives_no_more_attempts(self, client, employee):
        """allauth's own count keyed the login by the site's domain, which without the sites
        framework is the Host header as sent, port included."""
        for port in range(1000, 1005):
            client.post(LOGIN, {"login": "employee@test.example", "password": "fout"}, HTTP_HOST=f"testserver:{port}")
        response = client.post(LOGIN, {"login": "employee@test.example", "password": PASSWORD}, HTTP_HOST="testserver:1005")
        assert "too_many_login_attempts" in error_codes(response)

    def test_old_attempts_are_pruned(self, rf, employee, monkeypatch):
        monkeypatch.setattr(ratelimits, "PRUNE_CHANCE", 1)
        request = rf.post(LOGIN)
        with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
            ratelimits.login_attempt_begin(request, login="oud@test.example")
        ratelimits.login_attempt_begin(request, login="nieuw@test.example")
        assert LoginAttempt.objects.count() == 1

    def test_a_new_password_lifts_the_wait_of_the_account_only(
        self, client, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        """The message about too many attempts points at 'Wachtwoord vergeten?'."""
        for _ in range(5):
            login(client, "employee@test.example", "fout")
        for number in range(3):
            login(client, f"gok{number}@test.example", "fout")
        request_link(client, employee.email, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            choose(client, link_from(mailoutbox[0]), "Nieuw-Gekozen-Wachtwoord")
        assert login(client, "employee@test.example", "Nieuw-Gekozen-Wachtwoord").status_code == 302
        failures = LoginAttempt.objects.exclude(login_key=ratelimits.SUCCEEDED)
        assert failures.count() == 3  # the other logins' failures still count


@pytest.mark.parametrize("rule", ["5/5m/user", "vijf/5m/key"])
def test_the_check_refuses_limits_that_cannot_be_counted(settings, rule):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": rule}
    assert [error.id for error in ratelimits.check_login_attempts(None)] == ["accounts.E001"]


def test_the_check_refuses_requests_in_one_transaction(monkeypatch):
    from django.conf import settings

    monkeypatch.setitem(settings.DATABASES["default"], "ATOMIC_REQUESTS", True)
    assert [error.id for error in ratelimits.check_login_attempts(None)] == ["accounts.E002"]


def test_the_check_passes_the_portals_settings():
    assert ratelimits.check_login_attempts(None) == []


class CountingCache(LocMemCache):
    """The tests' cache, counting what is asked of it."""

    operations = 0

    def add(self, *args, **kwargs):
        CountingCache.operations += 1
        return super().add(*args, **kwargs)

    def get(self, *args, **kwargs):
        CountingCache.operations += 1
        return super().get(*args, **kwargs)

    def set(self, *args, **kwargs):
        CountingCache.operations += 1
        return super().set(*args, **kwargs)


@pytest.mark.django_db
class TestLoginsPerAddress:
    """LOGIN_RATE_LIMIT: logins, right or wrong, per client address, counted with the
    failures in one table (allauth counted them in the cache: four statements a login
    on the database cache)."""

    def test_over_the_limit_a_login_gets_the_429_page_until_the_window_has_passed(self, client, employee, settings):
        settings.LOGIN_RATE_LIMIT = "3/m/ip"
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            for _ in range(3):
                assert login(client, "employee@test.example").status_code == 302
                client.post(reverse("account_logout"))
            assert login(client, "employee@test.example").status_code == 429
            other = client.post(LOGIN, {"login": "employee@test.example", "password": PASSWORD}, REMOTE_ADDR="192.0.2.99")
            assert other.status_code == 302  # another address
        with time_machine.travel(start + timedelta(seconds=61), tick=False):
            client.post(reverse("account_logout"))
            assert login(client, "employee@test.example").status_code == 302

    def test_wrong_passwords_count_as_logins_and_right_ones_are_no_failures(self, client, employee, settings):
        settings.LOGIN_RATE_LIMIT = "4/m/ip"
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "5/5m/key,2/5m/ip"}
        for _ in range(2):
            assert login(client, "employee@test.example").status_code == 302
            client.post(reverse("account_logout"))
        assert "email_password_mismatch" in error_codes(login(client, "employee@test.example", "fout"))
        assert login(client, "employee@test.example").status_code == 302  # one failure of two per address
        client.post(reverse("account_logout"))
        assert login(client, "employee@test.example", "fout").status_code == 429  # the fifth login

    def test_a_login_asks_nothing_of_the_cache(self, client, employee):
        with override_settings(CACHES={"default": {"BACKEND": f"{__name__}.CountingCache"}}):
            CountingCache.operations = 0
            assert login(client, "employee@test.example").status_code == 302
            assert CountingCache.operations == 0

    def test_allauths_own_count_is_refused_by_the_checks(self, settings):
        assert not ratelimits.check_login_attempts(None)
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "60/m/ip"}
        assert [error.id for error in ratelimits.check_login_attempts(None)] == ["accounts.E004"]
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": None}
        settings.LOGIN_RATE_LIMIT = "60/m/user"
        assert [error.id for error in ratelimits.check_login_attempts(None)] == ["accounts.E003"]


def test_a_login_builds_none_of_its_own_statements_after_the_first(client, employee, admin_user, settings):
    """The statements every login runs (its attempt counted and read, the user by the
    address, whether it has a second factor, the attempt marked as a success, the audit
    trail's new row, the time of the login, the ended sessions forgotten, the session
    remembered, the new session's row) are made once, not at each login."""
    from portal.core.tests.test_prepared import _compiled_by_any

    settings.PREPARED_QUERIES_VERIFY = False  # what runs in production
    assert login(client, "employee@test.example").status_code == 302
    client.logout()
    tables, response = _compiled_by_any(login, client, admin_user.email)
    assert response.status_code == 302
    assert tables == []


def test_the_login_message_names_the_person_and_runs_no_context_processor(client, employee):
    """allauth's "signed in as" message, rendered without the request's context
    processors (the menu is built for the page, not for the sentence): the login's
    answer is a redirect, so no template of it binds a request's context."""
    from unittest import mock

    from django.contrib.messages import get_messages
    from django.template.context import RequestContext

    bind = RequestContext.bind_template
    with mock.patch.object(RequestContext, "bind_template", autospec=True, side_effect=bind) as bound:
        response = login(client, "employee@test.example")
    assert response.status_code == 302 and bound.call_count == 0
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(employee.email in text or employee.full_name in text for text in texts), texts


def test_the_clients_address_is_worked_out_once_per_login(client, employee, monkeypatch):
    """The limits, the audit trail and the session remembered each ask for it."""
    from allauth.account import adapter

    asked = []
    address_of = adapter.get_client_ip
    monkeypatch.setattr(adapter, "get_client_ip", lambda request: asked.append(request) or address_of(request))
    assert login(client, "employee@test.example").status_code == 302
    assert len(asked) == 1
    assert AuditEvent.objects.get(action="login").ip_address == asked[0].META["REMOTE_ADDR"]


def test_the_stages_of_a_login_are_allauths_and_follow_its_settings(settings):
    """Read once, until a setting changes."""
    from allauth.account.adapter import DefaultAccountAdapter

    adapter = get_adapter()
    assert adapter.get_login_stages() == DefaultAccountAdapter().get_login_stages()
    assert "allauth.mfa.webauthn.stages.PasskeySignupStage" not in adapter.get_login_stages()
    settings.MFA_PASSKEY_SIGNUP_ENABLED = True
    assert adapter.get_login_stages() == DefaultAccountAdapter().get_login_stages()
    assert "allauth.mfa.webauthn.stages.PasskeySignupStage" in adapter.get_login_stages()

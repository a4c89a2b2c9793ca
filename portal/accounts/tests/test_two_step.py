"""Two-step login: codes computed from the secret as an app would, recovery codes, the
limits on wrong codes, the requirement per organization and for staff, re-authentication
before sensitive actions, the session timeouts and Mijn sessies, and a reset of a lost
second factor (by an administrator, or by customer service for an administrator)."""

import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.fernet import InvalidToken
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, TOTP_SECRET, give_totp, make_account, totp_code
from portal.core.models import AuditEvent
from portal.organizations import services
from portal.organizations.models import Membership, Role

LOGIN = reverse("account_login")
CODE = reverse("mfa_authenticate")


def password_step(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def log_in(client, user, code=None):
    """Both steps; returns the answer to the second."""
    assert password_step(client, user.email).url == CODE
    return client.post(CODE, {"code": code or totp_code()})


def require_for(organization, *, deadline=None):
    organization.mfa_required_at = timezone.now() - timedelta(days=30)
    organization.mfa_deadline = deadline or timezone.now() - timedelta(minutes=1)
    organization.save()


@pytest.mark.django_db
class TestLoginWithAnAuthenticatorApp:
    def test_the_code_of_the_app_completes_the_login(self, client, employee):
        give_totp(employee)
        response = log_in(client, employee)
        assert response.status_code == 302 and response.url == reverse("home")
        assert client.get(reverse("accounts:my_account")).status_code == 200

    def test_the_password_alone_does_not_log_in(self, client, employee):
        give_totp(employee)
        assert password_step(client, employee.email).url == CODE
        assert client.get(reverse("accounts:my_account")).url.startswith(LOGIN)

    def test_a_wrong_code_is_refused_in_dutch_and_audited(self, client, employee):
        give_totp(employee)
        password_step(client, employee.email)
        wrong = str((int(totp_code()) + 1) % 10**6).zfill(6)
        response = client.post(CODE, {"code": wrong})
        assert response.status_code == 200
        assert "Deze code klopt niet" in response.content.decode()
        assert AuditEvent.objects.filter(action="mfa_failed", target_user=employee).exists()

    def test_a_code_of_long_ago_is_refused(self, client, employee):
        give_totp(employee)
        password_step(client, employee.email)
        response = client.post(CODE, {"code": totp_code(at=time.time() - 600)})
        assert response.status_code == 200

    def test_wrong_codes_count_like_wrong_passwords(self, client, employee):
        """Five failures per account in five minutes (ACCOUNT_RATE_LIMITS): wrong codes
        after a right password use them up, and then even the right code is refused."""
        give_totp(employee)
        password_step(client, employee.email)
        for _ in range(5):
            client.post(CODE, {"code": "000000" if totp_code() != "000000" else "111111"})
        response = client.post(CODE, {"code": totp_code()})
        assert response.status_code == 200
        assert "Te veel mislukte inlogpogingen" in response.content.decode()
        # ... and the password is refused as well, for the same account.
        fresh = Client()
        assert "Te veel mislukte" in password_step(fresh, employee.email).content.decode()

    def test_the_secret_is_not_stored_in_the_clear(self, employee):
        authenticator = give_totp(employee)
        stored = Authenticator.objects.get(pk=authenticator.pk).data["secret"]
        assert TOTP_SECRET not in stored
        assert authenticator.wrap().validate_code(totp_code())


@pytest.mark.django_db
class TestRecoveryCodes:
    def test_a_recovery_code_logs_in_once(self, client, employee):
        give_totp(employee)
        codes = RecoveryCodes.activate(employee).get_unused_codes()
        assert log_in(client, employee, code=codes[0]).url == reverse("home")
        again = Client()
        password_step(again, employee.email)
        response = again.post(CODE, {"code": codes[0]})
        assert response.status_code == 200  # used up
        assert again.post(CODE, {"code": codes[1]}).url == reverse("home")


@pytest.mark.django_db
class TestRequiredPerOrganization:
    def test_after_the_grace_period_nothing_else_opens_before_it_is_set_up(self, client, organization, employee):
        require_for(organization)
        client.force_login(employee)
        response = client.get(reverse("home"))
        assert response.url == reverse("mfa_index")
        assert client.get(reverse("accounts:my_sessions")).url == reverse("mfa_index")
        # the setup itself, logging out and the language stay open
        assert client.get(reverse("mfa_index")).status_code == 200
        assert client.get(reverse("mfa_activate_totp")).status_code == 302  # asks for the password first

    def test_an_administrator_without_it_cannot_reset_anothers_second_factor(self, client, organization, admin_user, employee):
        """The reset page in Accountbeheer is named mfa_reset too, but it is no part of the
        setup: after the grace period it leads to the setup like any other page."""
        require_for(organization)
        give_totp(employee)
        client.force_login(admin_user)
        url = reverse("accountbeheer:mfa_reset", args=[employee.membership.pk])
        assert client.get(url).url == reverse("mfa_index")
        assert client.post(url, {"reason": "telefoon kwijt"}).url == reverse("mfa_index")
        assert Authenticator.objects.filter(user=employee).exists()
        assert not AuditEvent.objects.filter(action="mfa_reset", target_user=employee).exists()

    def test_only_the_setup_pages_stay_open(self, rf, organization, employee):
        """Every page named mfa_* outside the setup's own (a namespace of an app) leads to
        the setup; the setup's pages stay open."""
        from django.contrib.messages.storage.fallback import FallbackStorage
        from django.contrib.sessions.backends.cache import SessionStore
        from django.urls import get_resolver

        from portal.accounts.mfa import MfaRequiredMiddleware

        def names(resolver, namespace=""):
            for pattern in resolver.url_patterns:
                if hasattr(pattern, "url_patterns"):
                    inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                    yield from names(pattern, inner)
                elif pattern.name:
                    yield namespace, pattern.name

        require_for(organization)
        middleware = MfaRequiredMiddleware(lambda request: None)

        def answer(namespace, name):
            request = rf.get("/")
            request.user = employee
            request.session = SessionStore()
            request._messages = FallbackStorage(request)
            request.resolver_match = type(
                "Match", (), {"url_name": name, "namespace": namespace.rstrip(":"), "view_name": namespace + name}
            )()
            return middleware.process_view(request, None, (), {})

        found = [(namespace, name) for namespace, name in names(get_resolver()) if name.startswith("mfa_")]
        assert ("accountbeheer:", "mfa_reset") in found
        for namespace, name in found:
            response = answer(namespace, name)
            if namespace:
                assert response is not None and response.url == reverse("mfa_index"), namespace + name
            else:
                assert response is None, name  # allauth's own: the setup

    def test_setting_it_up_opens_the_portal(self, client, organization, employee, django_capture_on_commit_callbacks):
        require_for(organization)
        client.force_login(employee)
        assert client.get(reverse("home")).status_code == 302
        response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert response.status_code == 302
        page = client.get(reverse("mfa_activate_totp"))
        assert page.status_code == 200
        secret = page.context["form"].secret
        assert "<svg" in page.content.decode() and secret in page.content.decode()
        with django_capture_on_commit_callbacks(execute=True):  # allauth says it after the commit
            done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        assert done.status_code == 302
        assert client.get(reverse("home")).status_code == 200
        assert Authenticator.objects.filter(user=employee, type="totp").exists()
        assert AuditEvent.objects.filter(action="mfa_added", target_user=employee).exists()

    def test_in_the_grace_period_a_reminder_only(self, client, organization, employee):
        require_for(organization, deadline=timezone.now() + timedelta(days=7))
        client.force_login(employee)
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert "Stel die in vóór" in response.content.decode()
        assert "Stel die in vóór" not in client.get(reverse("home")).content.decode()  # once a session

    def test_an_organization_that_does_not_require_it_logs_in_with_the_password(self, client, employee):
        assert password_step(client, employee.email).url == reverse("home")

    def test_staff_always_need_it(self, client, staff_user):
        Authenticator.objects.filter(user=staff_user).delete()
        client.force_login(staff_user)
        assert client.get(reverse("backoffice:home")).url == reverse("mfa_index")

    def test_the_last_app_of_someone_who_must_have_one_stays(self, client, organization, employee):
        require_for(organization)
        give_totp(employee)
        client.force_login(employee)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        response = client.post(reverse("mfa_deactivate_totp"))
        assert response.status_code == 200
        assert "Stel eerst een andere methode in" in response.content.decode()
        assert Authenticator.objects.filter(user=employee, type="totp").exists()

    def test_the_administrator_requires_it_with_a_grace_period(self, client, organization, admin_user, employee):
        client.force_login(admin_user)
        response = client.post(reverse("accountbeheer:security"), {"required": "1", "grace_days": "14"})
        assert response.status_code == 302
        organization.refresh_from_db()
        assert organization.mfa_deadline.date() == (timezone.now() + timedelta(days=14)).date()
        assert AuditEvent.objects.filter(action="mfa_required_set", organization=organization).exists()
        page = client.get(reverse("accountbeheer:security")).content.decode()
        assert "Verplicht sinds" in page and employee.full_name in page
        client.post(reverse("accountbeheer:security"), {"required": "0"})
        organization.refresh_from_db()
        assert organization.mfa_deadline is None

    def test_an_unknown_grace_period_is_refused_and_nothing_changes(self, client, organization, admin_user):
        client.force_login(admin_user)
        response = client.post(reverse("accountbeheer:security"), {"required": "1", "grace_days": "3"})
        assert response.status_code == 200 and response.context["form"].errors
        organization.refresh_from_db()
        assert organization.mfa_deadline is None


@pytest.mark.django_db
class TestReauthentication:
    INVITE = {"full_name": "Nina Nieuw", "email": "nina@test.example", "role": "employee", "may_use_portal": "on"}

    def test_right_after_login_an_invitation_goes_through(self, client, admin_user):
        client.force_login(admin_user)
        response = client.post(reverse("accountbeheer:invite"), self.INVITE)
        assert response.url.startswith("/accountbeheer/")
        assert Membership.objects.filter(user__email="nina@test.example").exists()

    def test_later_the_password_is_asked_and_the_invitation_then_carried_out_as_sent(self, client, admin_user):
        client.force_login(admin_user)
        with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
            client.get(reverse("home"))  # (keeps the session from its idle timeout)
        with time_machine.travel(timezone.now() + timedelta(minutes=6, seconds=30), tick=False):
            response = client.post(reverse("accountbeheer:invite"), self.INVITE)
            assert response.url.startswith(reverse("account_reauthenticate"))
            assert not Membership.objects.filter(user__email="nina@test.example").exists()
            wrong = client.post(response.url, {"password": "niet-mijn-wachtwoord"})
            assert wrong.status_code == 200
            done = client.post(response.url, {"password": PASSWORD})
            assert done.status_code == 302
        assert Membership.objects.filter(user__email="nina@test.example").exists()

    def test_making_someone_an_administrator_asks_but_a_new_job_title_does_not(self, client, admin_user, employee):
        client.force_login(admin_user)
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        data = {
            "full_name": employee.full_name, "email": employee.email, "phone": "", "job_title": "Chef",
            "role": "employee", "may_use_portal": "on", "version": employee.membership.version,
        }  # fmt: skip
        with time_machine.travel(timezone.now() + timedelta(minutes=4), tick=False):
            client.get(reverse("home"))
        with time_machine.travel(timezone.now() + timedelta(minutes=8), tick=False):
            assert client.post(url, data).url == reverse("accountbeheer:detail", args=[employee.membership.pk])
            data["role"] = Role.ADMINISTRATOR
            data["version"] = employee.membership.version + 1
            assert client.post(url, data).url.startswith(reverse("account_reauthenticate"))
        employee.refresh_from_db()
        employee.membership.refresh_from_db()
        assert employee.job_title == "Chef" and employee.membership.role == Role.EMPLOYEE

    def test_setting_up_an_app_asks_for_the_password_again(self, client, employee):
        client.force_login(employee)
        assert client.get(reverse("mfa_activate_totp")).url.startswith(reverse("account_reauthenticate"))


@pytest.mark.django_db
class TestTimeouts:
    def test_idle_for_too_long_ends_the_session_and_the_login_page_says_why(self, client, employee, settings):
        client.force_login(employee)
        assert client.get(reverse("home")).status_code == 200
        with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 90), tick=False):
            response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0].startswith(LOGIN)
        assert "een tijd niets hebt gedaan" in response.content.decode()

    def test_activity_keeps_it_open_until_the_absolute_limit(self, client, employee, settings):
        client.force_login(employee)
        start = timezone.now()
        step = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT // 2)
        moment = start
        while moment + step < start + timedelta(seconds=settings.SESSION_MAX_AGE):
            moment += step
            with time_machine.travel(moment, tick=False):
                assert client.get(reverse("home")).status_code == 200
        with time_machine.travel(start + timedelta(seconds=settings.SESSION_MAX_AGE + 60), tick=False):
            response = client.get(reverse("home"), follow=True)
        assert "al lang ingelogd" in response.content.decode()

    def test_staff_have_a_shorter_idle_timeout(self, client, staff_user, settings):
        assert settings.STAFF_SESSION_IDLE_TIMEOUT < settings.SESSION_IDLE_TIMEOUT
        client.force_login(staff_user)
        with time_machine.travel(timezone.now() + timedelta(seconds=settings.STAFF_SESSION_IDLE_TIMEOUT + 90), tick=False):
            assert client.get(reverse("backoffice:home")).url.startswith(LOGIN)


@pytest.mark.django_db
class TestMySessions:
    def sessions(self, employee, count):
        clients = []
        for agent in ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
                      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                      "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")[:count]:  # fmt: skip
            browser = Client(HTTP_USER_AGENT=agent)
            assert password_step(browser, employee.email).url == reverse("home")
            clients.append(browser)
        return clients

    def test_lists_each_session_in_words(self, employee):
        first, _phone, _linux = self.sessions(employee, 3)
        page = first.get(reverse("accounts:my_sessions")).content.decode()
        assert "Chrome op Windows" in page and "Safari op iPhone" in page and "Firefox op Linux" in page
        assert "deze sessie" in page

    def test_a_session_ended_here_is_gone_at_its_next_request(self, employee):
        first, phone = self.sessions(employee, 2)
        rows = first.get(reverse("accounts:my_sessions")).context["rows"]
        other = next(row for row in rows if not row["current"])
        first.post(reverse("accounts:my_sessions"), {"session": other["pk"]})
        response = phone.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0].startswith(LOGIN)
        assert "vanaf een ander apparaat" in response.content.decode()
        assert first.get(reverse("home")).status_code == 200

    def test_end_all_others(self, employee):
        first, phone, linux = self.sessions(employee, 3)
        first.post(reverse("accounts:my_sessions"), {"end_others": "1"})
        assert phone.get(reverse("home")).url.startswith(LOGIN)
        assert linux.get(reverse("home")).url.startswith(LOGIN)
        assert len(first.get(reverse("accounts:my_sessions")).context["rows"]) == 1

    def test_a_session_of_someone_else_cannot_be_ended(self, employee, admin_user):
        (mine,) = self.sessions(employee, 1)
        theirs = Client()
        password_step(theirs, admin_user.email)
        from allauth.usersessions.models import UserSession

        their_session = UserSession.objects.get(user=admin_user)
        mine.post(reverse("accounts:my_sessions"), {"session": their_session.pk})
        assert theirs.get(reverse("home")).status_code == 200


@pytest.mark.django_db
class TestLostPhone:
    def test_an_administrator_resets_an_employees_second_factor(
        self, client, admin_user, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        give_totp(employee)
        phone = Client()
        log_in(phone, employee)
        client.force_login(admin_user)
        url = reverse("accountbeheer:mfa_reset", args=[employee.membership.pk])
        refused = client.post(url, {"reason": ""})
        assert refused.status_code == 200 and refused.context["form"].errors  # a reason is needed
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, {"reason": "telefoon kwijt"}).status_code == 302
        assert not Authenticator.objects.filter(user=employee).exists()
        event = AuditEvent.objects.get(action="mfa_reset", target_user=employee)
        assert event.actor == admin_user and event.readable_changes()["reason"] == "telefoon kwijt"
        assert [m.to for m in mailoutbox if "opnieuw ingesteld" in m.subject] == [[employee.email]]
        assert "telefoon kwijt" not in mailoutbox[-1].body  # no text typed by a customer in the mail
        response = phone.get(reverse("home"), follow=True)  # the phone's session ended
        assert "opnieuw is ingesteld" in response.content.decode()

    def test_never_ones_own(self, client, admin_user):
        give_totp(admin_user)
        client.force_login(admin_user)
        assert client.get(reverse("accountbeheer:mfa_reset", args=[admin_user.membership.pk])).status_code == 404
        with pytest.raises(services.AccountRuleError):
            services.account_mfa_reset(actor=admin_user, membership=admin_user.membership, reason="x")

    def test_not_for_another_organization(self, client, other_admin, employee):
        give_totp(employee)
        client.force_login(other_admin)
        url = reverse("accountbeheer:mfa_reset", args=[employee.membership.pk])
        assert client.post(url, {"reason": "x"}).status_code == 404
        assert Authenticator.objects.filter(user=employee).exists()

    def test_customer_service_resets_an_administrators_on_request(
        self, client, staff_user, admin_user, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        give_totp(admin_user)
        give_totp(employee)
        client.force_login(staff_user)
        url = reverse("backoffice:account_action", args=[admin_user.membership.pk, "mfa_reset"])
        reason = "gebeld, teruggebeld op bekend nummer"
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, {"mfa_reset-reason": reason}).status_code == 302
        assert not Authenticator.objects.filter(user=admin_user).exists()
        event = AuditEvent.objects.get(action="mfa_reset", target_user=admin_user)
        assert event.actor == staff_user and event.readable_changes()["reason"] == reason
        assert [m.to for m in mailoutbox if "opnieuw ingesteld" in m.subject] == [[admin_user.email]]
        assert reason not in mailoutbox[-1].body  # no text typed in the back office in the mail
        # an employee's is the administrator's to reset
        url = reverse("backoffice:account_action", args=[employee.membership.pk, "mfa_reset"])
        response = client.post(url, {"mfa_reset-reason": "verzoek"})
        assert response.status_code == 200
        assert "alleen de tweestapsverificatie van een administrator" in response.content.decode()
        assert Authenticator.objects.filter(user=employee).exists()

    def test_an_employee_cannot(self, client, employee, organization):
        colleague = make_account(organization, "collega@test.example")
        give_totp(colleague)
        client.force_login(employee)
        assert client.get(reverse("accountbeheer:mfa_reset", args=[colleague.membership.pk])).status_code == 404


@pytest.mark.django_db
def test_the_encryption_key_of_the_secrets_comes_from_the_settings(employee, settings):
    """Another MFA_ENCRYPTION_KEY cannot read what the first one wrote."""
    settings.MFA_ENCRYPTION_KEY = "sleutel-een"
    app = give_totp(employee)
    assert app.wrap().validate_code(totp_code())
    settings.MFA_ENCRYPTION_KEY = "sleutel-twee"
    with pytest.raises(InvalidToken):
        Authenticator.objects.get(pk=app.pk).wrap().validate_code(totp_code(at=time.time() + 60))


@pytest.mark.django_db
def test_hartingbank_inviting_a_first_administrator_asks_again_after_five_minutes(client, account_manager, settings):
    from portal.organizations.models import Organization

    organization = Organization.objects.create(name="Nieuw B.V.", customer_number="HB-1")
    client.force_login(account_manager)
    url = reverse("backoffice:administrator_invite", args=[organization.pk])
    data = {"full_name": "Ada Admin", "email": "ada@nieuw.example"}
    with time_machine.travel(timezone.now() + timedelta(minutes=4), tick=False):
        client.get(reverse("backoffice:home"))
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert client.post(url, data).url.startswith(reverse("account_reauthenticate"))
    assert not organization.memberships.exists()


@pytest.mark.django_db
def test_an_operator_resets_a_staff_members_second_factor(staff_user, employee, mailoutbox, django_capture_on_commit_callbacks):
    from django.core.management import CommandError, call_command

    phone = Client()
    log_in(phone, staff_user)
    with pytest.raises(CommandError):
        call_command("mfa_reset", employee.email, reason="x")  # a customer's: Accountbeheer's
    with django_capture_on_commit_callbacks(execute=True):
        call_command("mfa_reset", staff_user.email.upper(), reason="telefoon kwijt")
    assert not Authenticator.objects.filter(user=staff_user).exists()
    assert AuditEvent.objects.get(action="mfa_reset", target_user=staff_user).readable_changes()["reason"] == "telefoon kwijt"
    assert [m.to for m in mailoutbox] == [[staff_user.email]]
    assert phone.get(reverse("backoffice:home")).url.startswith(LOGIN)

import pytest
from allauth.account.adapter import get_adapter
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from conftest import PASSWORD, make_account
from portal.core.models import AuditEvent
from portal.organizations.models import Status

LOGIN = "/inloggen/"


def login(client, email, password=PASSWORD, next_url=None):
    url = LOGIN + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": email, "password": password})


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
                client.post(LOGIN, {"login": f"gok{number}@test.example", "password": "fout"}, HTTP_X_FORWARDED_FOR="198.51.100.7")
            make_account(organization, "echt@test.example")
            response = client.post(LOGIN, {"login": "echt@test.example", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert (response.status_code == 200 and "too_many_login_attempts" in error_codes(response)) is limited

    def test_another_account_is_not_blocked_by_someone_elses_failures(self, client, employee, admin_user):
        for _ in range(5):
            login(client, "employee@test.example", "fout")
        assert login(client, "admin@test.example").status_code == 302

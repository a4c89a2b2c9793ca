"""A request to change one's personal data is carried out from the request itself, by
an administrator of the organization or by online customer service: the values asked
for beside the current ones, stored through Accountbeheer's change, audited with the
request's number, the requester told, the request done."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, make_account
from portal.changes import services
from portal.changes.models import ChangeRequest, Kind, Status
from portal.core.models import AuditEvent
from portal.organizations.tests.test_accountbeheer import change_data


@pytest.fixture
def asked(employee, django_capture_on_commit_callbacks):
    def do(**proposed):
        with django_capture_on_commit_callbacks(execute=True):
            return services.change_request_create(
                actor=employee, kind=Kind.PERSONAL_DATA, description="", proposed=proposed or {"phone": "06 12345678"}
            )

    return do


@pytest.mark.django_db
class TestAsking:
    def test_the_form_stores_only_what_should_change(self, client, employee):
        client.force_login(employee)
        response = client.post(reverse("changes:create"), {
            "kind": "personal_data", "new_full_name": employee.full_name, "new_job_title": "Bedrijfsleider", "description": "",
        })  # fmt: skip
        request = ChangeRequest.objects.get()
        assert response.status_code == 302 and request.proposed == {"job_title": "Bedrijfsleider"}

    def test_nothing_asked_and_nothing_written_is_refused_and_keeps_what_was_typed(self, client, employee):
        client.force_login(employee)
        response = client.post(reverse("changes:create"), {"kind": "personal_data", "new_phone": "", "description": ""})
        assert {e.code for e in response.context["form"].errors.as_data()["description"]} == {"proposed_required"}
        assert not ChangeRequest.objects.exists()

    def test_new_values_are_checked_like_the_account_form(self, client, employee):
        client.force_login(employee)
        response = client.post(
            reverse("changes:create"), {"kind": "personal_data", "new_full_name": "Erik\nBeste klant", "new_email": "geen-adres"}
        )
        errors = response.context["form"].errors.as_data()
        assert "new_full_name" in errors and "new_email" in errors
        assert response.context["form"]["new_email"].value() == "geen-adres"

    def test_proposed_values_only_for_personal_data(self, employee):
        with pytest.raises(services.ChangeRequestError) as error:
            services.change_request_create(actor=employee, kind=Kind.OTHER, description="x", proposed={"phone": "1"})
        assert error.value.code == "proposed_invalid"


@pytest.mark.django_db
class TestApplyingByTheAdministrator:
    def test_the_administrator_sees_now_and_asked_and_carries_it_out(
        self, client, admin_user, employee, asked, mailoutbox, django_capture_on_commit_callbacks
    ):
        request = asked(phone="06 12345678", job_title="Bedrijfsleider")
        client.force_login(admin_user)
        page = client.get(reverse("changes:detail", args=[request.pk]))
        assert page.context["may_apply"] and "06 12345678" in page.content.decode()
        assert [row[2] for row in request.proposed_rows()] == ["06 12345678", "Bedrijfsleider"]
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("changes:apply", args=[request.pk]))
        assert response.status_code == 302
        employee.refresh_from_db()
        assert (employee.phone, employee.job_title) == ("06 12345678", "Bedrijfsleider")
        request.refresh_from_db()
        assert request.status == Status.DONE and request.messages.get().author == admin_user
        updated = AuditEvent.objects.get(action="account_updated")
        assert updated.readable_changes()["reason"] == f"Wijzigingsverzoek {request.reference}"
        assert updated.readable_changes()["phone"] == ["", "06 12345678"] and updated.actor == admin_user
        assert AuditEvent.objects.filter(action="change_request_applied").exists()
        assert [m.to for m in mailoutbox] == [[employee.email]] and request.reference in mailoutbox[0].subject

    def test_a_new_address_waits_for_its_owner(self, client, admin_user, employee, asked):
        request = asked(email="erik.nieuw@test.example")
        client.force_login(admin_user)
        client.post(reverse("changes:apply", args=[request.pk]))
        employee.refresh_from_db()
        assert employee.email == "employee@test.example"  # until confirmed
        assert employee.membership.email_changes.get().new_email == "erik.nieuw@test.example"

    def test_the_requester_cannot_carry_out_their_own_request(self, client, employee, asked):
        request = asked()
        client.force_login(employee)
        assert client.get(reverse("changes:detail", args=[request.pk])).context["may_apply"] is False
        client.post(reverse("changes:apply", args=[request.pk]))
        employee.refresh_from_db()
        assert employee.phone == "" and ChangeRequest.objects.get().status == Status.NEW

    def test_another_organizations_administrator_gets_404(self, client, other_admin, employee, asked):
        request = asked()
        client.force_login(other_admin)
        assert client.post(reverse("changes:apply", args=[request.pk])).status_code == 404
        employee.refresh_from_db()
        assert employee.phone == ""

    def test_a_closed_request_is_not_carried_out_again(self, client, admin_user, employee, asked):
        request = asked()
        client.force_login(admin_user)
        client.post(reverse("changes:apply", args=[request.pk]))
        response = client.post(reverse("changes:apply", args=[request.pk]), follow=True)
        assert "gesloten" in response.content.decode()
        assert AuditEvent.objects.filter(action="account_updated").count() == 1


@pytest.mark.django_db
class TestApplyingByCustomerService:
    def test_from_the_back_office_inbox(self, client, staff_user, employee, asked):
        request = asked(full_name="Erik de Vries")
        client.force_login(staff_user)
        url = reverse("backoffice:change_request_detail", args=[request.pk])
        page = client.get(url)
        assert page.context["apply_form"] is not None and "Erik de Vries" in page.content.decode()
        response = client.post(url, {"action": "apply_personal_data", "apply-body": "Aangepast, met vriendelijke groet."})
        assert response.status_code == 302
        employee.refresh_from_db()
        assert employee.full_name == "Erik de Vries"
        request.refresh_from_db()
        assert request.status == Status.DONE and request.messages.get().from_staff
        assert (
            AuditEvent.objects.get(action="account_updated").readable_changes()["reason"]
            == f"Wijzigingsverzoek {request.reference}"
        )

    def test_an_account_manager_may_not(self, client, account_manager, employee, asked):
        request = asked()
        client.force_login(account_manager)
        with pytest.raises(services.ChangeRequestError) as error:
            services.change_request_personal_data_apply(actor=account_manager, change_request=request)
        assert error.value.code == "not_allowed_to_apply"


def later(minutes=6):
    """A moment past the re-authentication window of a login made now."""
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


@pytest.mark.django_db
class TestANewAddressAsksAgain:
    """A new e-mail address carried out from a request asks for the password again and
    counts in the limit on invitations and new addresses, as Accountbeheer's change of an
    address does; other personal data do not."""

    def test_the_administrator_types_the_password_again_and_it_is_then_carried_out(self, client, admin_user, employee, asked):
        request = asked(email="erik.nieuw@test.example")
        client.force_login(admin_user)
        with later():
            response = client.post(reverse("changes:apply", args=[request.pk]))
            assert response.url.startswith(reverse("account_reauthenticate"))
            assert not employee.membership.email_changes.exists()
            assert client.post(response.url, {"password": PASSWORD}).status_code == 302
        assert employee.membership.email_changes.get().new_email == "erik.nieuw@test.example"
        request.refresh_from_db()
        assert request.status == Status.DONE

    def test_a_new_telephone_number_asks_nothing(self, client, admin_user, employee, asked):
        request = asked(phone="06 12345678")
        client.force_login(admin_user)
        with later():
            assert client.post(reverse("changes:apply", args=[request.pk])).url == reverse("changes:detail", args=[request.pk])
        employee.refresh_from_db()
        assert employee.phone == "06 12345678"

    def test_counts_with_accountbeheers_new_addresses(self, client, admin_user, employee, organization, asked, settings):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "accountbeheer_invite": "1/h/user"}
        colleague = make_account(organization, "collega@test.example")
        request = asked(email="erik.nieuw@test.example")
        client.force_login(admin_user)
        url = reverse("accountbeheer:change", args=[colleague.membership.pk])
        assert client.post(url, change_data(colleague, email="collega.nieuw@test.example")).status_code == 302
        assert client.post(reverse("changes:apply", args=[request.pk])).status_code == 429
        assert not employee.membership.email_changes.exists()
        request.refresh_from_db()
        assert request.is_open

    def test_customer_service_types_the_password_again(self, client, staff_user, employee, asked):
        request = asked(email="erik.nieuw@test.example")
        client.force_login(staff_user)
        url = reverse("backoffice:change_request_detail", args=[request.pk])
        data = {"action": "apply_personal_data", "apply-body": "Aangepast."}
        with later():
            response = client.post(url, data)
            assert response.url.startswith(reverse("account_reauthenticate"))
            assert not employee.membership.email_changes.exists()
            assert client.post(response.url, {"password": PASSWORD}).status_code == 302
        assert employee.membership.email_changes.get().new_email == "erik.nieuw@test.example"

    def test_a_closed_request_asks_customer_service_nothing_and_says_so(self, client, staff_user, employee, asked):
        """Not the password first and then that the request was closed meanwhile."""
        request = asked(email="erik.nieuw@test.example")
        services.change_request_status_set(actor=staff_user, change_request=request, status=Status.REJECTED)
        client.force_login(staff_user)
        url = reverse("backoffice:change_request_detail", args=[request.pk])
        with later():
            response = client.post(url, {"action": "apply_personal_data", "apply-body": "Aangepast."})
        assert response.status_code == 200 and "gesloten" in response.content.decode()
        assert response.context["apply_form"]["body"].value() == "Aangepast."  # what was typed stays
        assert not employee.membership.email_changes.exists()

    def test_customer_service_counts_in_the_same_limit(
        self, client, staff_user, employee, organization, asked, settings, django_capture_on_commit_callbacks
    ):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "accountbeheer_invite": "1/h/user"}
        first = asked(email="erik.nieuw@test.example")
        colleague = make_account(organization, "collega@test.example")
        with django_capture_on_commit_callbacks(execute=True):
            second = services.change_request_create(
                actor=colleague, kind=Kind.PERSONAL_DATA, description="", proposed={"email": "collega.nieuw@test.example"}
            )
        client.force_login(staff_user)
        data = {"action": "apply_personal_data", "apply-body": "Aangepast."}
        assert client.post(reverse("backoffice:change_request_detail", args=[first.pk]), data).status_code == 302
        refused = client.post(reverse("backoffice:change_request_detail", args=[second.pk]), data)
        assert refused.status_code == 200 and "te veel verzoeken" in refused.content.decode()
        assert not colleague.membership.email_changes.exists()
        second.refresh_from_db()
        assert second.is_open

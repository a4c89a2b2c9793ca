"""The page of one request: its thread, adding a message, withdrawing."""

import pytest
from django.urls import reverse

from portal.changes import services
from portal.changes.models import ChangeRequestMessage, Status
from portal.core.models import AuditEvent


def detail(change_request):
    return reverse("changes:detail", args=[change_request.pk])


def withdraw(change_request):
    return reverse("changes:withdraw", args=[change_request.pk])


@pytest.fixture
def as_user(client, django_capture_on_commit_callbacks):
    """POST as ``user``, with the mail of the action sent."""

    def do(user, url, data=None):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return do


@pytest.mark.django_db
class TestDetail:
    def test_shows_status_facts_and_thread(self, client, employee, employee_request, staff_user, locations):
        services.change_request_reply(actor=staff_user, change_request=employee_request, body="We kijken ernaar.")
        client.force_login(employee)
        page = client.get(detail(employee_request)).content.decode()
        for text in (
            employee_request.reference,
            "In behandeling",
            "Mijn persoonlijke gegevens wijzigen",
            "Mijn telefoonnummer is 06 12345678.",
            "Online klantenservice",
            "We kijken ernaar.",
            "Je bericht",
        ):
            assert text in page
        assert "Sam Staff" not in page  # customer service answers as a team
        assert "Verzoek intrekken" not in page  # no longer new

    def test_administrator_sees_who_filed_it_and_cannot_withdraw_it(self, client, admin_user, employee_request):
        client.force_login(admin_user)
        page = client.get(detail(employee_request)).content.decode()
        assert "Erik Employee" in page and "Verzoek intrekken" not in page

    def test_links_to_the_location_while_it_is_visible(self, client, employee, file_request, locations):
        from portal.changes.models import Kind
        from portal.locations.models import LocationLink

        change_request = file_request(employee, kind=Kind.LOCATION_CHANGE, location=locations[0])
        client.force_login(employee)
        assert reverse("locations:detail", args=[locations[0].pk]) in client.get(detail(change_request)).content.decode()
        LocationLink.objects.filter(membership=employee.membership).delete()
        page = client.get(detail(change_request)).content.decode()
        assert "Utrecht" in page and reverse("locations:detail", args=[locations[0].pk]) not in page

    def test_query_count_does_not_grow_with_the_thread(
        self, client, employee, employee_request, staff_user, django_assert_max_num_queries
    ):
        client.force_login(employee)
        client.get(detail(employee_request))
        with django_assert_max_num_queries(6) as few:
            client.get(detail(employee_request))
        for i in range(5):
            services.change_request_reply(actor=staff_user, change_request=employee_request, body=f"Antwoord {i}")
            services.change_request_message_add(actor=employee, change_request=employee_request, body=f"Vraag {i}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(detail(employee_request))


@pytest.mark.django_db
class TestMessage:
    def test_requester_adds_a_message_and_customer_service_is_told(
        self, as_user, employee, employee_request, settings, mailoutbox
    ):
        mailoutbox.clear()
        response = as_user(employee, detail(employee_request), {"body": "  Het is 06 87654321 geworden.  "})
        assert response.status_code == 302 and response.url == detail(employee_request)
        message = ChangeRequestMessage.objects.get()
        assert message.author == employee and not message.from_staff and message.body == "Het is 06 87654321 geworden."
        [mail] = mailoutbox
        assert mail.to == [settings.CUSTOMER_SERVICE_EMAIL] and employee_request.reference in mail.subject
        assert "06 87654321" not in mail.body
        assert AuditEvent.objects.filter(action="change_request_message", actor=employee).count() == 1

    def test_administrator_may_add_a_message(self, as_user, admin_user, employee_request):
        as_user(admin_user, detail(employee_request), {"body": "Klopt, graag aanpassen."})
        assert ChangeRequestMessage.objects.get().author == admin_user

    def test_an_empty_message_is_refused(self, as_user, employee, employee_request):
        response = as_user(employee, detail(employee_request), {"body": "  "})
        assert response.status_code == 200
        assert {e.code for e in response.context["form"].errors.as_data()["body"]} == {"required"}
        assert not ChangeRequestMessage.objects.exists()

    @pytest.mark.parametrize("status", [Status.DONE, Status.REJECTED])
    def test_a_closed_request_takes_no_messages(self, as_user, client, employee, employee_request, staff_user, status):
        services.change_request_status_set(actor=staff_user, change_request=employee_request, status=status)
        client.force_login(employee)
        page = client.get(detail(employee_request)).content.decode()
        assert 'name="body"' not in page and "Dit verzoek is gesloten" in page
        response = as_user(employee, detail(employee_request), {"body": "Toch nog iets."})
        assert response.status_code == 200
        assert {e.code for e in response.context["form"].errors.as_data()["__all__"]} == {"closed"}
        assert "Toch nog iets." in response.content.decode()
        assert not ChangeRequestMessage.objects.exists()

    def test_the_service_refuses_someone_who_cannot_see_it(self, employee_request, organization, other_admin, staff_user):
        from conftest import make_account

        colleague = make_account(organization, "collega@test.example")
        for actor in (colleague, other_admin, staff_user):
            with pytest.raises(services.ChangeRequestError) as refused:
                services.change_request_message_add(actor=actor, change_request=employee_request, body="x")
            assert refused.value.code == "not_visible"


@pytest.mark.django_db
class TestWithdraw:
    def test_requester_withdraws_a_new_request(self, as_user, employee, employee_request, settings, mailoutbox):
        mailoutbox.clear()
        response = as_user(employee, withdraw(employee_request))
        assert response.status_code == 302
        employee_request.refresh_from_db()
        assert employee_request.status == Status.WITHDRAWN and employee_request.closed_at is not None
        assert [m.to for m in mailoutbox] == [[settings.CUSTOMER_SERVICE_EMAIL]]
        event = AuditEvent.objects.get(action="change_request_withdrawn")
        assert event.actor == employee and event.organization == employee_request.organization

    def test_only_while_new(self, as_user, employee, employee_request, staff_user):
        services.change_request_status_set(actor=staff_user, change_request=employee_request, status=Status.IN_PROGRESS)
        as_user(employee, withdraw(employee_request))
        employee_request.refresh_from_db()
        assert employee_request.status == Status.IN_PROGRESS
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_withdraw(actor=employee, change_request=employee_request)
        assert refused.value.code == "not_withdrawable"

    def test_only_by_the_requester(self, as_user, admin_user, employee_request):
        as_user(admin_user, withdraw(employee_request))
        employee_request.refresh_from_db()
        assert employee_request.status == Status.NEW
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_withdraw(actor=admin_user, change_request=employee_request)
        assert refused.value.code == "not_requester"

    def test_get_is_not_allowed(self, client, employee, employee_request):
        client.force_login(employee)
        assert client.get(withdraw(employee_request)).status_code == 405

    def test_a_withdrawn_request_stays_on_record(self, as_user, client, employee, employee_request):
        as_user(employee, withdraw(employee_request))
        page = client.get(reverse("changes:list")).content.decode()
        assert employee_request.reference in page and "Ingetrokken" in page

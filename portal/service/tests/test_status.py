"""Status changes: the transition table, close and reopen by the customer (who, and
within which window), messages, and customer service's reply, status and assignment."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import make_account
from portal.core.models import AuditEvent
from portal.service import services
from portal.service.models import TRANSITIONS, ServiceRequest, Status, transition_allowed
from portal.service.permissions import REOPEN_DAYS

from .helpers import file_request, png_file

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def codes_of(call):
    with pytest.raises(services.ServiceRuleError) as error:
        call()
    return error.value.code


def set_status(sr, staff_user, *path):
    for status in path:
        services.service_request_status_set(actor=staff_user, service_request=sr, status=status)


def test_every_status_has_its_transitions_and_none_to_itself():
    assert set(TRANSITIONS) == set(Status.values)
    for old, targets in TRANSITIONS.items():
        assert old not in targets
    assert not transition_allowed(Status.CLOSED, Status.RESOLVED)
    assert not transition_allowed(Status.RESOLVED, Status.NEW)


@pytest.mark.django_db
class TestStaff:
    def test_status_set_follows_the_table(self, sr, staff_user):
        set_status(sr, staff_user, Status.IN_PROGRESS, Status.WAITING_FOR_CUSTOMER, Status.RESOLVED)
        assert sr.status == Status.RESOLVED and sr.closed_at is not None
        assert codes_of(lambda: set_status(sr, staff_user, Status.NEW)) == "status_transition"
        set_status(sr, staff_user, Status.CLOSED)
        set_status(sr, staff_user, Status.IN_PROGRESS)  # customer service may reopen at any time
        sr.refresh_from_db()
        assert sr.status == Status.IN_PROGRESS and sr.closed_at is None

    def test_status_changes_are_audited_with_the_organization(self, sr, staff_user, organization):
        set_status(sr, staff_user, Status.IN_PROGRESS)
        event = AuditEvent.objects.get(action="service_request_status_changed")
        assert event.organization == organization and event.actor == staff_user
        assert event.changes == {"reference": sr.reference, "status": ["new", "in_progress"]}

    def test_setting_the_same_status_changes_nothing(self, sr, staff_user):
        set_status(sr, staff_user, Status.NEW)
        assert not AuditEvent.objects.filter(action="service_request_status_changed").exists()

    def test_reply_is_a_staff_message_with_an_optional_status(self, sr, staff_user):
        message = services.service_request_reply(
            actor=staff_user, service_request=sr, body="Welk serienummer?", status=Status.WAITING_FOR_CUSTOMER
        )
        assert message.from_staff and message.author == staff_user
        sr.refresh_from_db()
        assert sr.status == Status.WAITING_FOR_CUSTOMER
        services.service_request_reply(actor=staff_user, service_request=sr, body="Nog een vraag", files=[png_file()])
        assert sr.messages.count() == 2 and sr.attachments.filter(message__isnull=False).count() == 1

    def test_only_staff_may_use_the_staff_services(self, sr, admin_user, staff_user):
        assert codes_of(lambda: services.service_request_reply(actor=admin_user, service_request=sr, body="x")) == "not_staff"
        assert codes_of(lambda: set_status(sr, admin_user, Status.RESOLVED)) == "not_staff"
        assert (
            codes_of(lambda: services.service_request_assign(actor=admin_user, service_request=sr, assignee=staff_user))
            == "not_staff"
        )

    def test_assign_to_staff_only(self, sr, staff_user, admin_user, account_manager):
        services.service_request_assign(actor=staff_user, service_request=sr, assignee=staff_user)
        sr.refresh_from_db()
        assert sr.assigned_to == staff_user
        assert AuditEvent.objects.filter(action="service_request_assigned").count() == 1
        assert (
            codes_of(lambda: services.service_request_assign(actor=staff_user, service_request=sr, assignee=admin_user))
            == "assignee_not_staff"
        )
        assert (
            codes_of(lambda: services.service_request_assign(actor=staff_user, service_request=sr, assignee=account_manager))
            == "assignee_not_staff"
        )
        services.service_request_assign(actor=staff_user, service_request=sr, assignee=None)
        sr.refresh_from_db()
        assert sr.assigned_to is None


@pytest.fixture
def close_url(sr):
    return reverse("service:close", args=[sr.pk])


@pytest.fixture
def reopen_url(sr):
    return reverse("service:reopen", args=[sr.pk])


@pytest.mark.django_db
class TestClose:
    @pytest.mark.parametrize("status", [Status.NEW, Status.IN_PROGRESS, Status.WAITING_FOR_CUSTOMER, Status.RESOLVED])
    def test_requester_closes(self, client, sr, employee, staff_user, close_url, status):
        ServiceRequest.objects.filter(pk=sr.pk).update(
            status=status, closed_at=timezone.now() if status == Status.RESOLVED else None
        )
        client.force_login(employee)
        assert client.post(close_url).status_code == 302
        sr.refresh_from_db()
        assert sr.status == Status.CLOSED and sr.closed_at is not None
        event = AuditEvent.objects.get(action="service_request_closed")
        assert event.actor == employee and event.changes["status"] == [status, "closed"]

    def test_administrator_closes_someone_elses(self, client, sr, admin_user, close_url):
        client.force_login(admin_user)
        client.post(close_url)
        sr.refresh_from_db()
        assert sr.status == Status.CLOSED

    def test_colleague_of_the_location_may_not(self, client, admin_user, employee, locations):
        sr = file_request(admin_user, locations[0])
        client.force_login(employee)  # sees it (linked to L1) but did not file it
        response = client.post(reverse("service:close", args=[sr.pk]), follow=True)
        assert "Alleen wie de aanvraag indiende" in response.content.decode()
        sr.refresh_from_db()
        assert sr.status == Status.NEW
        assert codes_of(lambda: services.service_request_close(actor=employee, service_request=sr)) == "close_not_allowed"

    def test_a_location_manager_of_its_location_closes_it(self, client, admin_user, employee, organization, locations):
        from conftest import make_account
        from portal.organizations.tests.test_location_roles import grant

        sr = file_request(employee, locations[0])
        manager = grant(make_account(organization, "mgr@test.example", locations=locations), locations[1], manages=True)
        client.force_login(manager)  # sees it (linked to L1 too), but manages only L2
        client.post(reverse("service:close", args=[sr.pk]))
        sr.refresh_from_db()
        assert sr.status == Status.NEW
        grant(manager, locations[0], manages=True)
        client.post(reverse("service:close", args=[sr.pk]))
        sr.refresh_from_db()
        assert sr.status == Status.CLOSED

    def test_closed_cannot_be_closed_again(self, sr, employee):
        services.service_request_close(actor=employee, service_request=sr)
        assert codes_of(lambda: services.service_request_close(actor=employee, service_request=sr)) == "status_transition"

    def test_page_offers_close_only_to_who_may(self, client, admin_user, employee, locations):
        sr = file_request(admin_user, locations[0])
        url = reverse("service:detail", args=[sr.pk])
        client.force_login(employee)
        assert reverse("service:close", args=[sr.pk]) not in client.get(url).content.decode()
        client.force_login(admin_user)
        assert reverse("service:close", args=[sr.pk]) in client.get(url).content.decode()


@pytest.mark.django_db
class TestReopen:
    @pytest.mark.parametrize("finished", [Status.RESOLVED, Status.CLOSED])
    def test_requester_reopens_within_the_window(self, client, sr, employee, staff_user, reopen_url, finished):
        set_status(sr, staff_user, finished)
        client.force_login(employee)
        assert reverse("service:reopen", args=[sr.pk]) in client.get(reverse("service:detail", args=[sr.pk])).content.decode()
        ServiceRequest.objects.filter(pk=sr.pk).update(closed_at=timezone.now() - timedelta(days=REOPEN_DAYS - 1))
        response = client.post(reopen_url)
        assert response.status_code == 302 and response.url == reverse("service:detail", args=[sr.pk])
        sr.refresh_from_db()
        assert sr.status == Status.IN_PROGRESS and sr.closed_at is None
        event = AuditEvent.objects.get(action="service_request_reopened")
        assert event.changes["status"] == [finished, "in_progress"]

    def test_not_after_the_window(self, sr, employee, staff_user):
        set_status(sr, staff_user, Status.CLOSED)
        with time_machine.travel(timezone.now() + timedelta(days=REOPEN_DAYS + 1)):
            assert codes_of(lambda: services.service_request_reopen(actor=employee, service_request=sr)) == "reopen_expired"
        sr.refresh_from_db()
        assert sr.status == Status.CLOSED

    def test_the_whole_last_day_counts_as_the_page_says(self, sr, employee, staff_user):
        with time_machine.travel(datetime(2026, 3, 1, 10, 0, tzinfo=AMSTERDAM)):
            set_status(sr, staff_user, Status.CLOSED)
        with time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=AMSTERDAM)):
            services.service_request_reopen(actor=employee, service_request=sr)
        sr.refresh_from_db()
        assert sr.status == Status.IN_PROGRESS

    def test_closing_a_resolved_request_keeps_its_window(self, sr, employee, staff_user):
        set_status(sr, staff_user, Status.RESOLVED)
        resolved_at = ServiceRequest.objects.get(pk=sr.pk).closed_at
        with time_machine.travel(timezone.now() + timedelta(days=20)):
            services.service_request_close(actor=employee, service_request=sr)
        sr.refresh_from_db()
        assert sr.status == Status.CLOSED and sr.closed_at == resolved_at
        with time_machine.travel(resolved_at + timedelta(days=REOPEN_DAYS + 1)):
            assert codes_of(lambda: services.service_request_reopen(actor=employee, service_request=sr)) == "reopen_expired"

    def test_open_request_cannot_be_reopened(self, sr, employee):
        assert codes_of(lambda: services.service_request_reopen(actor=employee, service_request=sr)) == "status_transition"

    def test_only_requester_or_administrator(self, admin_user, employee, staff_user, locations):
        sr = file_request(admin_user, locations[0])
        set_status(sr, staff_user, Status.RESOLVED)
        assert codes_of(lambda: services.service_request_reopen(actor=employee, service_request=sr)) == "reopen_not_allowed"
        services.service_request_reopen(actor=admin_user, service_request=sr)

    def test_not_for_who_no_longer_sees_it(self, sr, employee, staff_user, locations):
        set_status(sr, staff_user, Status.CLOSED)
        employee.membership.location_links.all().delete()
        assert codes_of(lambda: services.service_request_reopen(actor=employee, service_request=sr)) == "not_visible"


@pytest.mark.django_db
class TestMessages:
    def post(self, client, sr, **data):
        return client.post(reverse("service:detail", args=[sr.pk]), {"body": "Het serienummer is 12345.", **data})

    def test_message_while_waiting_for_the_customer_puts_it_back_in_progress(self, client, sr, employee, staff_user):
        set_status(sr, staff_user, Status.WAITING_FOR_CUSTOMER)
        client.force_login(employee)
        response = self.post(client, sr, attachments=[png_file()])
        message = sr.messages.get()
        assert response.status_code == 302 and response.url.endswith(f"#bericht-{message.pk}")
        assert not message.from_staff and message.author == employee and message.attachments.count() == 1
        sr.refresh_from_db()
        assert sr.status == Status.IN_PROGRESS
        event = AuditEvent.objects.filter(action="service_request_status_changed").first()
        assert event.actor == employee and event.changes["status"] == ["waiting_for_customer", "in_progress"]

    @pytest.mark.parametrize("status", [Status.NEW, Status.IN_PROGRESS])
    def test_message_keeps_other_open_statuses(self, client, sr, employee, staff_user, status):
        set_status(sr, staff_user, *([status] if status != Status.NEW else []))
        client.force_login(employee)
        self.post(client, sr)
        sr.refresh_from_db()
        assert sr.status == status and sr.messages.count() == 1

    def test_a_colleague_of_the_location_may_write_too(self, client, admin_user, employee, locations):
        sr = file_request(admin_user, locations[0])
        client.force_login(employee)
        assert self.post(client, sr).status_code == 302

    def test_finished_request_takes_no_messages(self, client, sr, employee, staff_user):
        set_status(sr, staff_user, Status.RESOLVED)
        client.force_login(employee)
        page = client.get(reverse("service:detail", args=[sr.pk])).content.decode()
        assert 'name="body"' not in page
        response = self.post(client, sr)
        assert response.status_code == 200
        assert {e.code for e in response.context["form"].non_field_errors().as_data()} == {"request_finished"}
        # Resolved while the customer was typing: the text and the reason stay on the page.
        assert "Het serienummer is 12345." in response.content.decode()
        assert not sr.messages.exists()

    def test_invalid_message_keeps_what_was_typed(self, client, sr, employee):
        client.force_login(employee)
        response = self.post(client, sr, attachments=[png_file(f"{i}.png") for i in range(6)])
        assert response.status_code == 200
        assert {e.code for e in response.context["form"].errors.as_data()["attachments"]} == {"too_many_files"}
        assert "Het serienummer is 12345." in response.content.decode()
        assert not sr.messages.exists()

    def test_detail_shows_the_thread_and_attachments(self, client, employee, staff_user, locations):
        sr = file_request(employee, locations[0], files=[png_file("kassa.png")])
        services.service_request_reply(actor=staff_user, service_request=sr, body="We komen morgen langs.")
        client.force_login(employee)
        body = client.get(reverse("service:detail", args=[sr.pk])).content.decode()
        assert "We komen morgen langs." in body and "Online klantenservice HartingBank" in body
        assert staff_user.full_name not in body
        assert reverse("service:attachment", args=[sr.pk, sr.attachments.get().pk]) in body and "kassa.png" in body


@pytest.mark.django_db
def test_deleted_requester_gets_no_mail_and_the_page_still_works(
    client, organization, locations, admin_user, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    user = make_account(organization, "weg@test.example", locations=locations[:1])
    sr = file_request(user, locations[0])
    user.email, user.is_active = None, False
    user.save(update_fields=["email", "is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        services.service_request_reply(actor=staff_user, service_request=sr, body="Opgelost", status=Status.RESOLVED)
    assert mailoutbox == []
    client.force_login(admin_user)
    assert client.get(reverse("service:detail", args=[sr.pk])).status_code == 200

"""What customer service does (the back office will call these): reply, set the
status, assign. Every transition is decided in one place."""

import pytest

from portal.changes import services
from portal.changes.models import ChangeRequestMessage, Status
from portal.core.models import AuditEvent


@pytest.fixture
def staff_call(django_capture_on_commit_callbacks, mailoutbox):
    def do(service, **kwargs):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return do


@pytest.mark.django_db
class TestReply:
    def test_reply_with_a_status_sets_it_and_mails_the_requester(
        self, staff_call, employee, employee_request, staff_user, settings, mailoutbox
    ):
        settings.SITE_URL = "https://portal.example"
        message = staff_call(
            services.change_request_reply, actor=staff_user, change_request=employee_request,
            body="Aangepast.", status=Status.DONE,
        )  # fmt: skip
        employee_request.refresh_from_db()
        assert employee_request.status == Status.DONE and employee_request.closed_at is not None
        assert message.from_staff and message.author == staff_user
        [mail] = mailoutbox
        assert mail.to == ["employee@test.example"]
        assert employee_request.reference in mail.subject and "Afgehandeld" in mail.body
        assert f"https://portal.example/wijzigingen/{employee_request.pk}/" in mail.body
        actions = list(AuditEvent.objects.filter(actor=staff_user).order_by("pk").values_list("action", flat=True))
        assert actions == ["change_request_reply", "change_request_done"]

    def test_a_reply_to_a_new_request_puts_it_in_progress(self, staff_call, employee_request, staff_user, mailoutbox):
        staff_call(services.change_request_reply, actor=staff_user, change_request=employee_request, body="We kijken ernaar.")
        employee_request.refresh_from_db()
        assert employee_request.status == Status.IN_PROGRESS
        assert "In behandeling" in mailoutbox[0].body

    def test_a_reply_without_a_new_status_keeps_it(self, staff_call, employee_request, staff_user, mailoutbox):
        services.change_request_status_set(actor=staff_user, change_request=employee_request, status=Status.IN_PROGRESS)
        staff_call(services.change_request_reply, actor=staff_user, change_request=employee_request, body="Nog even geduld.")
        employee_request.refresh_from_db()
        assert employee_request.status == Status.IN_PROGRESS and len(mailoutbox) == 1
        assert "De status is nu" not in mailoutbox[0].body

    def test_customers_cannot_reply_as_customer_service(self, employee_request, admin_user):
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_reply(actor=admin_user, change_request=employee_request, body="x")
        assert refused.value.code == "not_staff"
        assert not ChangeRequestMessage.objects.exists()

    def test_no_reply_to_a_closed_request(self, employee, employee_request, staff_user):
        services.change_request_withdraw(actor=employee, change_request=employee_request)
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_reply(actor=staff_user, change_request=employee_request, body="x")
        assert refused.value.code == "closed"

    def test_customer_service_cannot_withdraw_by_reply(self, employee_request, staff_user):
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_reply(actor=staff_user, change_request=employee_request, body="x", status=Status.WITHDRAWN)
        assert refused.value.code == "transition_not_allowed"
        assert not ChangeRequestMessage.objects.exists()


@pytest.mark.django_db
class TestStatus:
    @pytest.mark.parametrize(
        "path, allowed",
        [
            ([Status.IN_PROGRESS], True),
            ([Status.DONE], True),
            ([Status.REJECTED], True),
            ([Status.IN_PROGRESS, Status.DONE], True),
            ([Status.IN_PROGRESS, Status.REJECTED], True),
            ([Status.DONE, Status.IN_PROGRESS], False),
            ([Status.REJECTED, Status.DONE], False),
            ([Status.IN_PROGRESS, Status.NEW], False),
            ([Status.WITHDRAWN], False),
        ],
    )
    def test_transitions(self, employee_request, staff_user, path, allowed):
        *before, last = path
        for status in before:
            services.change_request_status_set(actor=staff_user, change_request=employee_request, status=status)
        if allowed:
            assert services.change_request_status_set(actor=staff_user, change_request=employee_request, status=last)
            employee_request.refresh_from_db()
            assert employee_request.status == last
        else:
            with pytest.raises(services.ChangeRequestError) as refused:
                services.change_request_status_set(actor=staff_user, change_request=employee_request, status=last)
            assert refused.value.code == "transition_not_allowed"

    def test_mails_the_requester_and_records_it(self, staff_call, employee_request, staff_user, mailoutbox):
        staff_call(services.change_request_status_set, actor=staff_user, change_request=employee_request, status=Status.REJECTED)
        [mail] = mailoutbox
        assert mail.to == ["employee@test.example"] and "Afgewezen" in mail.subject
        event = AuditEvent.objects.get(action="change_request_rejected")
        assert event.target_user == employee_request.created_by and event.organization == employee_request.organization

    def test_the_same_status_again_does_nothing(self, staff_call, employee_request, staff_user, mailoutbox):
        assert (
            staff_call(services.change_request_status_set, actor=staff_user, change_request=employee_request, status=Status.NEW)
            is False
        )
        assert mailoutbox == [] and not AuditEvent.objects.filter(actor=staff_user).exists()

    def test_customers_cannot_set_a_status(self, employee_request, admin_user):
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_status_set(actor=admin_user, change_request=employee_request, status=Status.DONE)
        assert refused.value.code == "not_staff"

    def test_the_database_refuses_an_unknown_status(self, employee_request):
        from django.db import IntegrityError, transaction

        from portal.changes.models import ChangeRequest

        with pytest.raises(IntegrityError), transaction.atomic():
            ChangeRequest.objects.filter(pk=employee_request.pk).update(status="lost")


@pytest.mark.django_db
class TestAssign:
    def test_assigns_a_staff_member_and_records_it(self, staff_call, employee_request, staff_user, mailoutbox):
        assert staff_call(services.change_request_assign, actor=staff_user, change_request=employee_request, assignee=staff_user)
        employee_request.refresh_from_db()
        assert employee_request.assigned_to == staff_user and mailoutbox == []
        event = AuditEvent.objects.get(action="change_request_assigned")
        assert event.changes == {"change_request": employee_request.reference, "assigned_to": [None, "Sam Staff"]}  # [old, new]
        assert services.change_request_assign(actor=staff_user, change_request=employee_request, assignee=None)
        employee_request.refresh_from_db()
        assert employee_request.assigned_to is None

    def test_only_to_staff_and_only_by_staff(self, employee_request, staff_user, admin_user, employee, account_manager):
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_assign(actor=staff_user, change_request=employee_request, assignee=employee)
        assert refused.value.code == "assignee_not_staff"
        with pytest.raises(services.ChangeRequestError) as refused:  # another role at HartingBank
            services.change_request_assign(actor=staff_user, change_request=employee_request, assignee=account_manager)
        assert refused.value.code == "assignee_not_staff"
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_assign(actor=admin_user, change_request=employee_request, assignee=staff_user)
        assert refused.value.code == "not_staff"


@pytest.mark.django_db
def test_customer_service_mail_links_to_the_back_office(employee_request):
    assert services.staff_url(employee_request).endswith(f"/backoffice/wijzigingsverzoeken/{employee_request.pk}/")


@pytest.mark.django_db
def test_the_audit_trail_shows_change_requests_on_the_activity_page(client, admin_user, employee_request, staff_user):
    from django.urls import reverse

    services.change_request_reply(actor=staff_user, change_request=employee_request, body="Klaar.", status=Status.DONE)
    client.force_login(admin_user)
    page = client.get(reverse("accountbeheer:activity")).content.decode()
    for text in ("Wijziging doorgegeven", "Wijzigingsverzoek afgehandeld", employee_request.reference):
        assert text in page

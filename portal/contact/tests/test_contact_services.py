"""Contact messages: sending one (as a visitor or logged in), following it up, and what
customer service does with it (the back office calls these)."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from conftest import stored_files
from portal.casework import services as casework
from portal.contact import services
from portal.contact.models import ContactMessage, ContactReply, ContactStatus
from portal.core.models import AuditEvent


def png(name="scherm.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 80, 110)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def fail(*args, **kwargs):
    raise IntegrityError("the database refused the write")


@pytest.fixture
def staff_call(django_capture_on_commit_callbacks, mailoutbox):
    def do(service, **kwargs):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return do


@pytest.mark.django_db
class TestCreate:
    def test_a_visitor_gets_a_reference_and_a_confirmation_without_the_text_typed(self, send_contact, mailoutbox, settings):
        message = send_contact(AnonymousUser(), phone=" 030 1234567 ")
        assert message.reference == f"CM-{message.created_at.year}-000001"  # the first of the year (core.references)
        assert message.organization is None and message.created_by is None and message.is_anonymous
        assert message.status == ContactStatus.NEW and message.phone == "030 1234567"
        to_sender, to_service = mailoutbox
        assert to_sender.to == ["vera@voorbeeld.example"] and message.reference in to_sender.subject
        # The form is open to anyone: the confirmation must not carry what was typed.
        assert "factuur" not in to_sender.subject + to_sender.body
        assert "/contact/" not in to_sender.body  # a visitor has no page in the portal
        assert "Vera" not in to_sender.subject + to_sender.body  # nor the name typed
        assert to_service.to == [settings.CUSTOMER_SERVICE_EMAIL] and "niet ingelogd" in to_service.body
        event = AuditEvent.objects.get(action="contact_message_created")
        assert event.actor is None and event.organization is None
        assert event.changes == {"contact_message": message.reference}

    def test_a_logged_in_sender_is_taken_from_the_account(self, send_contact, employee, organization, mailoutbox, settings):
        settings.SITE_URL = "https://portal.example"
        message = send_contact(employee, name="Iemand Anders", email="ander@elders.example")
        assert (message.name, message.email) == ("Erik Employee", "employee@test.example")
        assert "Beste Erik Employee," in mailoutbox[0].body  # the account's own name, to its own address
        assert message.organization == organization and message.created_by == employee
        assert mailoutbox[0].to == ["employee@test.example"]
        assert f"https://portal.example/contact/berichten/{message.pk}/" in mailoutbox[0].body
        assert organization.name in mailoutbox[1].body

    def test_staff_can_send_one_too_without_an_organization(self, send_contact, staff_user):
        message = send_contact(staff_user)
        assert message.organization is None and message.created_by == staff_user

    @pytest.mark.parametrize(
        "kwargs, code",
        [
            ({"subject": "  "}, "subject_required"),
            ({"message": ""}, "message_required"),
            ({"name": " "}, "name_required"),
            ({"email": ""}, "email_required"),
        ],
    )
    def test_what_is_required(self, send_contact, kwargs, code):
        with pytest.raises(services.ContactError) as refused:
            send_contact(None, **kwargs)
        assert refused.value.code == code
        assert not ContactMessage.objects.exists()

    def test_an_attachment_is_stored_under_a_random_name(self, send_contact, media_root):
        message = send_contact(None, attachment=png("Mijn scherm.PNG"))
        [stored] = stored_files(media_root)
        assert message.attachment.name.startswith("contact/") and "scherm" not in message.attachment.name
        assert (message.attachment_name, message.attachment_type) == ("Mijn scherm.png", "image/png")
        assert message.attachment_size == stored.stat().st_size

    def test_an_attachment_that_is_not_what_it_says_is_refused(self, send_contact, media_root):
        fake = SimpleUploadedFile("factuur.pdf", b"MZ not a pdf", content_type="application/pdf")
        with pytest.raises(ValidationError) as refused:
            send_contact(None, attachment=fake)
        assert refused.value.code == "file_type"
        assert not ContactMessage.objects.exists() and stored_files(media_root) == []

    def test_a_failed_write_leaves_no_row_no_file_and_no_mail(self, send_contact, media_root, monkeypatch, mailoutbox):
        monkeypatch.setattr(casework, "audit_record", fail)  # after the file was written
        with pytest.raises(IntegrityError):
            send_contact(None, attachment=png())
        assert not ContactMessage.objects.exists()
        assert stored_files(media_root) == [] and mailoutbox == []

    def test_the_database_refuses_an_organization_without_a_sender(self, send_contact, organization):
        message = send_contact(None)
        with pytest.raises(IntegrityError), transaction.atomic():
            ContactMessage.objects.filter(pk=message.pk).update(organization=organization)


@pytest.mark.django_db
class TestVisibleTo:
    def test_only_the_sender_sees_a_message(self, send_contact, employee, admin_user, other_admin, staff_user):
        mine = send_contact(employee)
        send_contact(None)
        assert list(ContactMessage.objects.visible_to(employee)) == [mine]
        for user in (admin_user, other_admin, staff_user, AnonymousUser()):
            assert not ContactMessage.objects.visible_to(user).exists()


@pytest.mark.django_db
class TestFollowUp:
    def test_the_sender_adds_to_an_open_message(
        self, send_contact, employee, mailoutbox, django_capture_on_commit_callbacks, settings
    ):
        message = send_contact(employee)
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            reply = services.contact_message_follow_up(
                actor=employee, contact_message=message, body="Het gaat om factuur 2026-031."
            )
        assert not reply.from_staff and reply.author == employee
        [mail] = mailoutbox
        assert mail.to == [settings.CUSTOMER_SERVICE_EMAIL] and "2026-031" not in mail.body

    def test_nobody_else_adds_to_it(self, send_contact, employee, admin_user, other_admin):
        message = send_contact(employee)
        for user in (admin_user, other_admin):
            with pytest.raises(services.ContactError) as refused:
                services.contact_message_follow_up(actor=user, contact_message=message, body="x")
            assert refused.value.code == "not_visible"
        assert not ContactReply.objects.exists()

    def test_not_after_it_is_done(self, send_contact, employee, staff_user):
        message = send_contact(employee)
        services.contact_message_status_set(actor=staff_user, contact_message=message, status=ContactStatus.DONE)
        with pytest.raises(services.ContactError) as refused:
            services.contact_message_follow_up(actor=employee, contact_message=message, body="Nog iets")
        assert refused.value.code == "closed"


@pytest.mark.django_db
class TestReply:
    def test_a_reply_to_a_visitor_goes_by_mail_with_its_text(self, send_contact, staff_call, staff_user, mailoutbox):
        message = send_contact(None)
        reply = staff_call(
            services.contact_message_reply, actor=staff_user, contact_message=message, body="De factuur staat onder Bestellen."
        )
        message.refresh_from_db()
        assert message.status == ContactStatus.IN_PROGRESS and reply.from_staff
        [mail] = mailoutbox
        assert mail.to == ["vera@voorbeeld.example"] and "De factuur staat onder Bestellen." in mail.body
        actions = list(AuditEvent.objects.filter(actor=staff_user).order_by("pk").values_list("action", flat=True))
        assert actions == ["contact_message_reply", "contact_message_in_progress"]

    def test_a_reply_with_done_closes_it_and_a_logged_in_sender_gets_the_link(
        self, send_contact, staff_call, staff_user, employee, mailoutbox
    ):
        message = send_contact(employee)
        staff_call(
            services.contact_message_reply, actor=staff_user, contact_message=message, body="Opgelost.", status=ContactStatus.DONE
        )
        message.refresh_from_db()
        assert message.status == ContactStatus.DONE and message.closed_at is not None
        assert f"/contact/berichten/{message.pk}/" in mailoutbox[0].body and "Afgehandeld" in mailoutbox[0].body

    def test_a_deactivated_sender_gets_no_mail(self, send_contact, staff_call, staff_user, employee, mailoutbox):
        message = send_contact(employee)
        employee.is_active = False
        employee.save(update_fields=["is_active"])
        staff_call(services.contact_message_reply, actor=staff_user, contact_message=message, body="Antwoord.")
        assert mailoutbox == [] and ContactReply.objects.count() == 1

    def test_only_customer_service_replies(self, send_contact, employee, admin_user, account_manager):
        message = send_contact(employee)
        for actor in (admin_user, employee, account_manager, AnonymousUser(), None):
            with pytest.raises(services.ContactError) as refused:
                services.contact_message_reply(actor=actor, contact_message=message, body="x")
            assert refused.value.code == "not_staff"
        assert not ContactReply.objects.exists()

    def test_no_reply_to_a_message_that_is_done(self, send_contact, staff_user):
        message = send_contact(None)
        services.contact_message_status_set(actor=staff_user, contact_message=message, status=ContactStatus.DONE)
        with pytest.raises(services.ContactError) as refused:
            services.contact_message_reply(actor=staff_user, contact_message=message, body="x")
        assert refused.value.code == "closed"

    def test_an_empty_reply_is_refused(self, send_contact, staff_user):
        message = send_contact(None)
        with pytest.raises(services.ContactError) as refused:
            services.contact_message_reply(actor=staff_user, contact_message=message, body="  ")
        assert refused.value.code == "message_required"


@pytest.mark.django_db
class TestStatus:
    @pytest.mark.parametrize(
        "path, allowed",
        [
            ([ContactStatus.IN_PROGRESS], True),
            ([ContactStatus.DONE], True),
            ([ContactStatus.IN_PROGRESS, ContactStatus.DONE], True),
            ([ContactStatus.DONE, ContactStatus.IN_PROGRESS], True),
            ([ContactStatus.IN_PROGRESS, ContactStatus.NEW], False),
            ([ContactStatus.DONE, ContactStatus.NEW], False),
            (["lost"], False),
        ],
    )
    def test_transitions(self, send_contact, staff_user, path, allowed):
        message = send_contact(None)
        *before, last = path
        for status in before:
            services.contact_message_status_set(actor=staff_user, contact_message=message, status=status)
        if allowed:
            assert services.contact_message_status_set(actor=staff_user, contact_message=message, status=last)
            message.refresh_from_db()
            assert message.status == last and (message.closed_at is not None) == (last == ContactStatus.DONE)
        else:
            with pytest.raises(services.ContactError) as refused:
                services.contact_message_status_set(actor=staff_user, contact_message=message, status=last)
            assert refused.value.code == "transition_not_allowed"

    def test_mails_the_sender_and_records_it(self, send_contact, staff_call, staff_user, employee, mailoutbox):
        message = send_contact(employee)
        staff_call(services.contact_message_status_set, actor=staff_user, contact_message=message, status=ContactStatus.DONE)
        [mail] = mailoutbox
        assert mail.to == [employee.email] and "Afgehandeld" in mail.subject
        event = AuditEvent.objects.get(action="contact_message_done")
        assert event.target_user == employee and event.organization == message.organization

    def test_the_same_status_again_does_nothing(self, send_contact, staff_call, staff_user, mailoutbox):
        message = send_contact(None)
        assert (
            staff_call(services.contact_message_status_set, actor=staff_user, contact_message=message, status=ContactStatus.NEW)
            is False
        )
        assert mailoutbox == []

    def test_customers_cannot_set_a_status(self, send_contact, admin_user):
        message = send_contact(admin_user)
        with pytest.raises(services.ContactError) as refused:
            services.contact_message_status_set(actor=admin_user, contact_message=message, status=ContactStatus.DONE)
        assert refused.value.code == "not_staff"

    def test_the_database_refuses_an_unknown_status(self, send_contact):
        message = send_contact(None)
        with pytest.raises(IntegrityError), transaction.atomic():
            ContactMessage.objects.filter(pk=message.pk).update(status="lost")


@pytest.mark.django_db
class TestAssign:
    def test_assigns_a_staff_member_and_records_it(self, send_contact, staff_user, mailoutbox):
        message = send_contact(None)
        mailoutbox.clear()
        assert services.contact_message_assign(actor=staff_user, contact_message=message, assignee=staff_user)
        message.refresh_from_db()
        assert message.assigned_to == staff_user and mailoutbox == []
        assert AuditEvent.objects.get(action="contact_message_assigned").changes["assigned_to"] == [
            None,
            "Sam Staff",
        ]  # [old, new], as every kind
        assert services.contact_message_assign(actor=staff_user, contact_message=message, assignee=staff_user) is False
        assert services.contact_message_assign(actor=staff_user, contact_message=message, assignee=None)

    def test_only_to_staff_and_only_by_staff(self, send_contact, staff_user, admin_user, account_manager):
        message = send_contact(None)
        with pytest.raises(services.ContactError) as refused:
            services.contact_message_assign(actor=staff_user, contact_message=message, assignee=admin_user)
        assert refused.value.code == "assignee_not_staff"
        with pytest.raises(services.ContactError) as refused:  # another role at HartingBank
            services.contact_message_assign(actor=staff_user, contact_message=message, assignee=account_manager)
        assert refused.value.code == "assignee_not_staff"
        with pytest.raises(services.ContactError) as refused:
            services.contact_message_assign(actor=admin_user, contact_message=message, assignee=staff_user)
        assert refused.value.code == "not_staff"

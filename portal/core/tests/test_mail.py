import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction

from portal.core.mail import mail_send, retry_delay
from portal.core.models import OutgoingMail


class FlakyBackend(EmailBackend):
    """Fails the first ``failures`` deliveries, as an SMTP server that is down would."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("SMTP server down")
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
class TestMailQueue:
    def test_sent_only_after_the_transaction_commits(self, mailoutbox):
        with transaction.atomic():
            mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
            assert mailoutbox == []
        assert [m.to for m in mailoutbox] == [["a@test.example"]]
        assert not OutgoingMail.objects.exists()

    def test_nothing_is_sent_when_the_transaction_rolls_back(self, mailoutbox):
        with pytest.raises(RuntimeError), transaction.atomic():
            mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
            raise RuntimeError("the write failed")
        assert mailoutbox == []
        assert not OutgoingMail.objects.exists()

    def test_a_failed_delivery_is_retried_and_not_lost(self, settings, caplog):
        settings.EMAIL_BACKEND = "portal.core.tests.test_mail.FlakyBackend"
        mail.outbox = []
        FlakyBackend.failures = 2
        mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        assert [m.subject for m in mail.outbox] == ["Onderwerp"]
        assert "a@test.example" not in caplog.text  # the log names no address

    def test_delivery_gives_up_after_the_last_attempt(self, settings, caplog):
        settings.EMAIL_BACKEND = "portal.core.tests.test_mail.FlakyBackend"
        settings.MAIL_MAX_ATTEMPTS = 3
        mail.outbox = []
        FlakyBackend.failures = 5
        mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        FlakyBackend.failures = 0
        assert mail.outbox == []
        assert "given up after 3 attempts" in caplog.text
        assert OutgoingMail.objects.get().failed_at is not None  # kept, for a later resend


def test_retry_delay_grows_and_is_bounded():
    delays = [retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays == sorted(delays)
    assert delays[0] == 60 and delays[-1] == 6 * 3600


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_retry_is_scheduled_later(settings):
    """On the production queue a failed delivery becomes a new task with a later run time."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "portal.core.tests.test_mail.FlakyBackend"
    FlakyBackend.failures = 1
    mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
    first = DBTaskResult.objects.get()
    assert "Tekst" not in str(first.args_kwargs) and "a@test.example" not in str(first.args_kwargs)
    first.task.call(*first.args_kwargs["args"], **first.args_kwargs["kwargs"])
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.args_kwargs["args"][1] == 2
    assert retry.run_after > timezone.now()
    retry.task.call(*retry.args_kwargs["args"], **retry.args_kwargs["kwargs"])
    assert not OutgoingMail.objects.exists()  # delivered, and its content is gone


@pytest.mark.django_db(transaction=True)
def test_given_up_mail_can_be_queued_again(settings):
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "portal.core.tests.test_mail.FlakyBackend"
    settings.MAIL_MAX_ATTEMPTS = 1
    mail.outbox = []
    FlakyBackend.failures = 1
    mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
    assert OutgoingMail.objects.get().failed_at is not None
    call_command("resend_failed_mail")
    assert [m.subject for m in mail.outbox] == ["Onderwerp"]
    assert not OutgoingMail.objects.exists()

import io
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as settings_module
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from portal.core import mail as mail_module
from portal.core.mail import lease_duration, mail_recover, mail_send, retry_delay
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
    assert retry.args_kwargs["args"] == first.args_kwargs["args"]
    assert retry.run_after > timezone.now()
    assert OutgoingMail.objects.get().attempts == 1
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


# --- Nothing lost when a process dies ----------------------------------------------------

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_task(db_task):
    """Run one queued task as the worker would (claimed, then called)."""
    from django_tasks_db.models import DBTaskResult

    db_task = DBTaskResult.objects.get(pk=db_task.pk)
    db_task.claim("test-worker")
    result = db_task.task.call(*db_task.args_kwargs["args"], **db_task.args_kwargs["kwargs"])
    db_task.set_successful(result)
    return result


def ready_tasks():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.ready())


@pytest.mark.django_db(transaction=True)
class TestNothingLost:
    @pytest.fixture(autouse=True)
    def _database_queue(self, settings):
        settings.TASKS = DATABASE_QUEUE
        mail.outbox = []

    def test_the_task_is_written_in_the_same_transaction_as_the_message(self):
        """No process can die between storing a message and queueing its delivery."""
        from django_tasks_db.models import DBTaskResult

        with transaction.atomic():
            mail_id = mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
            assert DBTaskResult.objects.get().args_kwargs["args"] == [mail_id]
        with pytest.raises(RuntimeError), transaction.atomic():
            mail_send(to="b@test.example", subject="Onderwerp", body="Tekst")
            raise RuntimeError("the write failed")
        assert DBTaskResult.objects.count() == OutgoingMail.objects.count() == 1

    def test_a_message_whose_worker_died_while_sending_is_sent_again(self, caplog):
        from django_tasks_db.models import DBTaskResult

        mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        task = DBTaskResult.objects.get()
        task.claim("worker-that-dies")
        assert mail_module._claim(task.args_kwargs["args"][0]) is not None  # it took the lease ... and died
        assert mail_recover() == 0  # the lease still runs: it may be sending
        with time_machine.travel(timezone.now() + lease_duration() + timedelta(minutes=2)):
            assert mail_recover() == 1
            task.refresh_from_db()
            assert task.status == "FAILED" and task.exception_class_path == "portal.core.mail.WorkerLost"
            [retry] = ready_tasks()
            assert run_task(retry) == "sent"
        assert [m.subject for m in mail.outbox] == ["Onderwerp"]
        assert not OutgoingMail.objects.exists()
        assert "a@test.example" not in caplog.text

    def test_a_message_whose_task_was_never_handed_over_is_sent(self, settings):
        """Another queue gets the task when the transaction commits; a web process that
        dies in between leaves the message without one, and the sweep finds it."""
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        settings.TASKS = DATABASE_QUEUE  # the task went nowhere; the worker runs on the database queue
        assert mail_recover() == 0  # not overdue yet
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            assert mail_recover() == 1
            assert mail_recover() == 0  # queued once, not at every sweep
            [task] = ready_tasks()
            assert run_task(task) == "sent"
        assert len(mail.outbox) == 1

    def test_a_queue_that_refuses_the_task_does_not_fail_the_action(self, settings, monkeypatch):
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

        def refuse(*args, **kwargs):
            raise ConnectionError("queue unreachable")

        from django_tasks.backends.immediate import ImmediateBackend

        monkeypatch.setattr(ImmediateBackend, "enqueue", refuse)
        with transaction.atomic():
            mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        assert OutgoingMail.objects.count() == 1  # kept for the sweep

    def test_an_overdue_message_with_a_waiting_task_is_left_alone(self):
        """A busy worker is no lost task: the sweep does not queue a second one."""
        mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        with time_machine.travel(timezone.now() + timedelta(hours=1)):
            assert mail_recover() == 0
        assert len(ready_tasks()) == 1

    def test_a_message_is_sent_by_one_process_at_a_time_and_once(self):
        mail_id = mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        [task] = ready_tasks()
        assert mail_module._claim(mail_id) is not None  # another process is sending it
        assert mail_module.mail_deliver.call(mail_id) == "gone"
        OutgoingMail.objects.filter(pk=mail_id).update(lease_until=None)
        assert run_task(task) == "sent"
        assert mail_module.mail_deliver.call(mail_id) == "gone"  # a task run twice sends nothing
        assert len(mail.outbox) == 1

    def test_every_attempt_carries_the_same_message_id(self, settings):
        settings.EMAIL_BACKEND = "portal.core.tests.test_mail.FlakyBackend"
        FlakyBackend.failures = 0
        mail_id = mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        run_task(ready_tasks()[0])
        assert mail.outbox[0].extra_headers["Message-ID"] == f"<{mail_id}@harting-bank.nl>"

    def test_a_worker_that_dies_at_every_attempt_ends_given_up(self, settings):
        """A message that kills its worker is not retried for ever."""
        settings.MAIL_MAX_ATTEMPTS = 2
        mail_id = mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        for _ in range(2):
            assert mail_module._claim(mail_id) is not None  # ... and died
            OutgoingMail.objects.filter(pk=mail_id).update(lease_until=timezone.now())
        assert mail_module.mail_deliver.call(mail_id) == "gone"  # no third attempt
        assert OutgoingMail.objects.get().failed_at is not None
        assert mail.outbox == []


class SilentServer:
    """A mail server that accepts connections and never answers."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = threading.Event()
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        try:
            while True:
                connection, _ = self.socket.accept()
                self.connections.append(connection)
                self.accepted.set()
        except OSError:
            return

    def close(self):
        for connection in self.connections:
            connection.close()
        self.socket.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_never_answers_does_not_hold_the_worker(settings, silent_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent_server.port, 1
    settings.TASKS = DATABASE_QUEUE
    mail_id = mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
    started = time.monotonic()
    assert mail_module.mail_deliver.call(mail_id) == "retrying"
    assert time.monotonic() - started < 10
    stored = OutgoingMail.objects.get()
    assert stored.attempts == 1 and stored.lease_until is None and stored.next_attempt_at > timezone.now()


def test_the_smtp_timeout_has_a_default():
    from django.conf import settings

    assert settings.EMAIL_TIMEOUT == 20


def test_sigterm_stops_the_worker_while_the_mail_server_is_silent(tmp_path, silent_server):
    """The worker, killed politely while it waits for a mail server that never answers,
    stops within the SMTP timeout and keeps the message for a later attempt."""
    database = tmp_path / "worker.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TASKS_BACKEND")},
        "TESTING": "0", "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "WARNING",
        "EMAIL_URL": f"smtp://127.0.0.1:{silent_server.port}", "EMAIL_TIMEOUT": "2",
    }  # fmt: skip
    manage = [sys.executable, str(settings_module.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, timeout=120)
    send = "from portal.core.mail import mail_send; mail_send(to='a@test.example', subject='Onderwerp', body='Tekst')"
    subprocess.run([*manage, "shell", "-c", send], env=env, check=True, timeout=60)
    worker = subprocess.Popen([*manage, "db_worker", "--no-reload", "--no-startup-delay", "-v", "0"], env=env)
    try:
        assert silent_server.accepted.wait(60), "the worker never connected to the mail server"
        stopped_at = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        assert time.monotonic() - stopped_at < 2 + 5  # the timeout, and time to record the attempt
    finally:
        worker.kill()
    with sqlite3.connect(database) as db:
        attempts, lease = db.execute("SELECT attempts, lease_until FROM core_outgoingmail").fetchone()
    assert attempts == 1 and lease is None  # kept, and free for the next attempt


# --- The state of the queue ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
class TestMailStatus:
    @pytest.fixture(autouse=True)
    def _database_queue(self, settings):
        settings.TASKS = DATABASE_QUEUE

    def test_ready_and_status_when_mail_flows(self, client):
        mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        response = client.get("/health/ready/")
        assert response.status_code == 200
        assert response.json()["mail"]["queued"] == 1
        assert response["Cache-Control"] == "no-store"
        out = io.StringIO()
        call_command("mail_status", stdout=out)
        assert "mail flows" in out.getvalue()

    def test_ready_is_503_when_mail_waits_too_long(self, client, settings):
        mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        with time_machine.travel(timezone.now() + timedelta(minutes=settings.MAIL_STUCK_AFTER_MINUTES + 1)):
            response = client.get("/health/ready/")
            assert response.status_code == 503
            assert response.json()["mail_stuck"] == ["oldest"]
            with pytest.raises(SystemExit) as exit_code:
                call_command("mail_status", stdout=io.StringIO())
            assert exit_code.value.code == 1

    def test_ready_is_503_for_given_up_and_orphaned_mail(self, client, settings):
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")  # its task went nowhere
        settings.TASKS = DATABASE_QUEUE
        OutgoingMail.objects.create(to=["b@test.example"], subject="S", body="B", failed_at=timezone.now())
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            body = client.get("/health/ready/").json()
        assert body["mail_stuck"] == ["given_up", "orphaned"]
        assert body["mail"]["given_up"] == 1 and body["mail"]["orphaned"] == 1
        assert "test.example" not in str(body)

    def test_health_for_the_load_balancer_ignores_mail(self, client):
        OutgoingMail.objects.create(to=["b@test.example"], subject="S", body="B", failed_at=timezone.now())
        assert client.get("/health/").status_code == 200


def test_the_worker_command_sweeps_beside_the_queue(monkeypatch, settings):
    from portal.core.management.commands import db_worker

    settings.TASKS = DATABASE_QUEUE
    started = []
    monkeypatch.setattr(db_worker.Sweeper, "start", lambda self: started.append(self.interval))
    monkeypatch.setattr(db_worker.db_worker.Command, "handle", lambda self, *a, **o: None)
    call_command("db_worker", "--no-reload", "--sweep-interval", "5")
    call_command("db_worker", "--no-reload", "--batch")
    assert started == [5.0]  # not in batch mode


# --- Mail held after a restore --------------------------------------------------------------


def hold_all():
    """What a restore does in its transaction (``portal.core.backup``)."""
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in mail_module.mail_hold_statements(connection, timezone.now()):
            cursor.execute(statement)


@pytest.mark.django_db(transaction=True)
class TestHeldMail:
    @pytest.fixture(autouse=True)
    def _database_queue(self, settings):
        settings.TASKS = DATABASE_QUEUE
        mail.outbox = []

    def test_held_mail_is_neither_sent_nor_queued_again(self, settings):
        mail_id = mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
        given_up = OutgoingMail.objects.create(to=["b@test.example"], subject="S", body="B", failed_at=timezone.now())
        hold_all()
        assert ready_tasks() == []  # the delivery task is gone with the hold
        assert set(OutgoingMail.objects.values_list("held_at", flat=True)) != {None}
        assert mail_module.mail_deliver.call(mail_id) == "gone"  # a task that ran anyway sends nothing
        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            assert mail_recover() == 0  # the sweep leaves it alone
            state = mail_module.mail_queue_state()
            assert (state["held"], state["queued"], state["given_up"], state["orphaned"]) == (2, 0, 0, 0)
            assert state["oldest_seconds"] is None
            assert mail_module.mail_stuck(state) == ["held"]  # an operator decides
        assert mail_module.mail_requeue_given_up() == 0  # not behind the operator's back
        assert OutgoingMail.objects.get(pk=given_up.pk).held_at is not None
        assert mail.outbox == []

    def test_a_released_message_is_sent_and_a_dropped_one_is_gone(self):
        first = mail_send(to="a@test.example", subject="Eerste", body="Tekst")
        second = mail_send(to="b@test.example", subject="Tweede", body="Tekst")
        OutgoingMail.objects.filter(pk=first).update(failed_at=timezone.now(), attempts=8)
        hold_all()
        assert mail_module.mail_release([first]) == 1
        assert mail_module.mail_release([first]) == 0  # released once
        [task] = ready_tasks()
        assert run_task(task) == "sent"
        assert [m.subject for m in mail.outbox] == ["Eerste"]  # its earlier attempts forgotten
        assert mail_module.mail_drop() == 1
        assert not OutgoingMail.objects.filter(pk=second).exists()
        assert ready_tasks() == []

    def test_the_command_lists_releases_and_drops(self):
        from django.core.management.base import CommandError

        ids = [mail_send(to=["a@test.example", "b@test.example"], subject=f"Bericht {n}", body="Geheim") for n in range(3)]
        out = io.StringIO()
        call_command("held_mail", stdout=out)
        assert "No mail is held." in out.getvalue()
        hold_all()
        out = io.StringIO()
        call_command("held_mail", stdout=out)
        listed = out.getvalue()
        assert "3 message(s) held" in listed and all(mail_id in listed for mail_id in ids) and "Bericht 2" in listed
        assert "test.example" not in listed and "Geheim" not in listed  # recipients counted, never shown
        for wrong in (["--all"], ["--release"], ["--drop", ids[0], "--all"], ["--release", "not-an-id"]):
            with pytest.raises(CommandError):
                call_command("held_mail", *wrong, stdout=io.StringIO())
        with pytest.raises(CommandError, match="Not held"):
            call_command("held_mail", "--release", ids[0], "00000000-0000-0000-0000-000000000000", stdout=io.StringIO())
        assert OutgoingMail.objects.filter(held_at__isnull=False).count() == 3  # nothing was done
        out = io.StringIO()
        call_command("held_mail", "--release", ids[0], stdout=out)
        assert "1 message(s) released" in out.getvalue()
        assert run_task(ready_tasks()[0]) == "sent"
        call_command("held_mail", "--drop", "--all", stdout=io.StringIO())
        assert not OutgoingMail.objects.exists() and len(mail.outbox) == 1

"""Outgoing mail: rendered now, stored with the action, sent by the worker, never lost.

A service calls ``mail_send(...)`` inside its transaction. The message is rendered in
the active language at once and stored in that transaction (``OutgoingMail``), so the
action and its mail are kept or lost together. On the database task queue (the default)
the delivery task is written in the same transaction too, so no process can die between
the two; with another queue the task is handed over when the transaction commits.

The ``mail_deliver`` task takes a lease on the message (so no two processes send it at
once), sends it and deletes it, so links in it are not kept. A delivery that fails (SMTP
server down, or no answer within ``EMAIL_TIMEOUT``) is queued again with a growing pause,
up to ``MAIL_MAX_ATTEMPTS`` attempts; a process that dies while sending counts as an
attempt too. The worker's sweep (``mail_recover``, every half minute) queues again every
message that lost its task: a task left running by a worker that died, or one never
handed to another queue because the web process died right after the commit.

One window remains: a process that dies after the mail server accepted a message and
before its row is deleted (one statement, milliseconds) leaves it to be sent again when
its lease runs out. Each message carries a Message-ID made from its id, the same on every
attempt, so the receiving side can recognise such a second copy.

A restore holds every message that was waiting when the backup was made (``held_at``),
and removes their delivery tasks in the same transaction: a restored copy sends nothing
of what went out long ago. Neither a delivery nor the sweep touches a held message until
an operator releases it (``mail_release``) or drops it (``mail_drop``).

Log lines name the message id and the error class, never an address or content.
"""

import logging
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import router, transaction
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from .metrics import MAIL_GIVEN_UP, MAIL_QUEUED, MAIL_RETRIED, MAIL_SENT
from .models import OutgoingMail

logger = logging.getLogger(__name__)


def site_url(path):
    """An absolute link for a mail: the configured ``SITE_URL``, never the request's host."""
    return settings.SITE_URL.rstrip("/") + path


def mail_render(template_prefix, context):
    """Subject and plain-text body from ``<prefix>_subject.txt`` and ``<prefix>_message.txt``."""
    subject = render_to_string(f"{template_prefix}_subject.txt", context)
    subject = " ".join(subject.split())
    body = render_to_string(f"{template_prefix}_message.txt", context)
    return subject, body


def mail_send(*, to, subject, body, reply_to=None):
    """Store one message and queue its delivery with the current transaction."""
    mail = OutgoingMail.objects.create(
        to=[to] if isinstance(to, str) else list(to),
        subject=subject,
        body=body,
        reply_to=[reply_to] if reply_to else [],
    )
    mail_id = str(mail.pk)
    transaction.on_commit(lambda: _queued(mail_id))
    _enqueue(mail_id)
    return mail_id


def _queued(mail_id):
    MAIL_QUEUED.inc()
    logger.info("mail %s queued", mail_id)


def retry_delay(attempt):
    """Pause before the next attempt: 1, 2, 4, ... minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempt - 1), 360))


def lease_duration():
    """How long a process may take to send one message before it counts as dead: ten
    times the SMTP timeout (each step of an SMTP session may take that long), at least
    two minutes."""
    return timedelta(seconds=max(120, 10 * (settings.EMAIL_TIMEOUT or 0)))


def _queue_in_database():
    """Whether the task queue writes its tasks in the same database as the outbox (then
    a task is written in the same transaction as its message)."""
    return isinstance(mail_deliver.get_backend(), DatabaseBackend) and router.db_for_write(DBTaskResult) == router.db_for_write(
        OutgoingMail
    )


def _enqueue(mail_id, run_after=None):
    deliver = mail_deliver
    if run_after is not None and deliver.get_backend().supports_defer:
        deliver = deliver.using(run_after=run_after)
    if _queue_in_database():
        deliver.enqueue(mail_id)
    else:
        # robust: a queue that refuses the task must not fail the user's committed
        # action; the message is still stored, and the sweep queues it again.
        transaction.on_commit(lambda: deliver.enqueue(mail_id), robust=True)


@task()
def mail_deliver(mail_id, attempt=None):
    """Send one stored message. ``attempt`` is ignored: tasks queued by earlier versions
    carry it, the count now lives with the message."""
    mail = _claim(mail_id)
    if mail is None:
        return "gone"  # sent already, given up, or being sent by another process
    try:
        _message(mail).send()
    except Exception as exc:  # noqa: BLE001 - any failure of the mail server is retried
        return _after_failure(mail, exc)
    OutgoingMail.objects.filter(pk=mail.pk).delete()
    MAIL_SENT.inc()
    logger.info("mail %s sent", mail.pk)
    return "sent"


def _claim(mail_id):
    """Take the lease on a message that is not given up and not being sent; counts the
    attempt. None when there is nothing to send."""
    now = timezone.now()
    free = OutgoingMail.objects.filter(pk=mail_id, failed_at__isnull=True, held_at__isnull=True).filter(_not_leased(now))
    claimed = free.filter(attempts__lt=settings.MAIL_MAX_ATTEMPTS).update(
        lease_until=now + lease_duration(), attempts=F("attempts") + 1
    )
    if claimed:
        return OutgoingMail.objects.filter(pk=mail_id).first()
    # Every attempt was taken by a process that died while sending (a message that
    # brings its worker down, say): give it up rather than try for ever.
    if free.update(failed_at=now, lease_until=None):
        MAIL_GIVEN_UP.inc()
        logger.error("mail %s given up after %d attempts (worker lost)", mail_id, settings.MAIL_MAX_ATTEMPTS)
    return None


def _message(mail):
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=mail.to,
        reply_to=mail.reply_to or None,
        headers={"Message-ID": f"<{mail.pk}@{domain}>"},
    )


def _after_failure(mail, exc):
    error = type(exc).__name__
    now = timezone.now()
    pending = OutgoingMail.objects.filter(pk=mail.pk)
    if mail.attempts >= settings.MAIL_MAX_ATTEMPTS:
        pending.update(failed_at=now, lease_until=None)
        MAIL_GIVEN_UP.inc()
        logger.error("mail %s given up after %d attempts (%s)", mail.pk, mail.attempts, error)
        return "failed"
    due = now + retry_delay(mail.attempts)
    with transaction.atomic():
        pending.update(lease_until=None, next_attempt_at=due)
        _enqueue(str(mail.pk), run_after=due)
    MAIL_RETRIED.inc()
    logger.warning("mail %s attempt %d failed (%s); will retry", mail.pk, mail.attempts, error)
    return "retrying"


def mail_requeue_given_up():
    """Queue again every message whose delivery was given up (not a held one); returns how many."""
    given_up = OutgoingMail.objects.filter(failed_at__isnull=False, held_at__isnull=True)
    ids = [str(pk) for pk in given_up.values_list("pk", flat=True)]
    for mail_id in ids:
        with transaction.atomic():
            OutgoingMail.objects.filter(pk=mail_id).update(
                failed_at=None, attempts=0, lease_until=None, next_attempt_at=timezone.now()
            )
            _enqueue(mail_id)
    return len(ids)


# --- Mail held after a restore ---------------------------------------------------------


def mail_hold_statements(connection, now):
    """The SQL that holds every message in the outbox and removes their waiting delivery
    tasks, for a restore to run in the transaction that writes the restored data (outside
    the ORM: the data is written by the database's own tools)."""
    quote = connection.ops.quote_name
    held_at = "'%s'" % connection.ops.adapt_datetimefield_value(now)
    statuses = ", ".join(f"'{status}'" for status in (TaskResultStatus.READY, TaskResultStatus.RUNNING))
    return [
        f"UPDATE {quote(OutgoingMail._meta.db_table)} SET {quote('held_at')} = {held_at} WHERE {quote('held_at')} IS NULL",
        f"DELETE FROM {quote(DBTaskResult._meta.db_table)} WHERE {quote('task_path')} = '{mail_deliver.module_path}'"
        f" AND {quote('status')} IN ({statuses})",
    ]


def mail_held(ids=None):
    """The held messages (those of ``ids`` only, when given), oldest first."""
    held = OutgoingMail.objects.filter(held_at__isnull=False).order_by("created_at", "pk")
    return held if ids is None else held.filter(pk__in=ids)


def mail_release(ids=None):
    """Send held messages after all (every one when ``ids`` is None): each is queued as a
    new message would be, its earlier attempts forgotten. Returns how many."""
    released = 0
    for mail_id in [str(pk) for pk in mail_held(ids).values_list("pk", flat=True)]:
        with transaction.atomic():
            # Only if no other operator released or dropped it in the meantime.
            if OutgoingMail.objects.filter(pk=mail_id, held_at__isnull=False).update(
                held_at=None, failed_at=None, attempts=0, lease_until=None, next_attempt_at=timezone.now()
            ):
                _enqueue(mail_id)
                released += 1
                logger.info("mail %s released", mail_id)
    return released


def mail_drop(ids=None):
    """Delete held messages unsent (every one when ``ids`` is None). Returns how many."""
    dropped = [str(pk) for pk in mail_held(ids).values_list("pk", flat=True)]
    count, _ = OutgoingMail.objects.filter(pk__in=dropped, held_at__isnull=False).delete()
    logger.info("mail: %d held message(s) dropped", count)
    return count


# --- The sweep and the state of the queue ---------------------------------------------

RECOVER_AFTER = timedelta(minutes=1)  # overdue this long, with no task waiting: lost
WORKER_LOST = "portal.core.mail.WorkerLost"


class WorkerLost(Exception):
    """Recorded on a delivery task whose worker died while running it."""


def _not_leased(now):
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def _stale_tasks(now):
    """Delivery tasks still marked running long after any delivery could take."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path=mail_deliver.module_path,
        started_at__lt=now - lease_duration(),
    )


def _ids_with_a_task():
    """The messages whose delivery task is waiting or running (database queue only)."""
    if not _queue_in_database():
        return set()
    tasks = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING], task_path=mail_deliver.module_path
    )
    return {args_kwargs["args"][0] for args_kwargs in tasks.values_list("args_kwargs", flat=True)}


def _orphans(now):
    """Messages overdue, not being sent and not given up, whose task is gone: as
    {id: next_attempt_at}."""
    overdue = OutgoingMail.objects.filter(failed_at__isnull=True, held_at__isnull=True, next_attempt_at__lt=now - RECOVER_AFTER)
    candidates = dict(overdue.filter(_not_leased(now)).values_list("pk", "next_attempt_at")[:1000])
    with_a_task = _ids_with_a_task()
    return {pk: due for pk, due in candidates.items() if str(pk) not in with_a_task}


def mail_recover():
    """Mark delivery tasks whose worker died as failed, and queue again every message
    that lost its task. Returns how many messages were queued again."""
    now = timezone.now()
    if _queue_in_database():
        stale = _stale_tasks(now).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_LOST,
            traceback="The worker stopped while running this task.",
        )
        if stale:
            logger.warning("mail: %d delivery task(s) left running by a stopped worker", stale)
    queued = 0
    for pk, due in _orphans(now).items():
        with transaction.atomic():
            # Only if no other sweep took it in the meantime.
            if OutgoingMail.objects.filter(pk=pk, next_attempt_at=due).update(next_attempt_at=now):
                _enqueue(str(pk))
                queued += 1
    if queued:
        logger.warning("mail: %d message(s) had lost their delivery task; queued again", queued)
    return queued


def mail_queue_state():
    """What the outbox holds now: counts and the age in seconds of the oldest message
    still to be sent (None when there is none). A held message counts as held only."""
    now = timezone.now()
    not_held = OutgoingMail.objects.filter(held_at__isnull=True)
    pending = not_held.filter(failed_at__isnull=True)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "queued": pending.filter(_not_leased(now)).count(),
        "sending": pending.filter(lease_until__gte=now).count(),
        "given_up": not_held.filter(failed_at__isnull=False).count(),
        "held": OutgoingMail.objects.filter(held_at__isnull=False).count(),
        "orphaned": len(_orphans(now)),
        "stale_tasks": _stale_tasks(now).count() if _queue_in_database() else 0,
        "oldest_seconds": round((now - oldest).total_seconds()) if oldest else None,
    }


def mail_stuck(state):
    """Why the mail is stuck (a list of reasons; empty when it flows): a message waiting
    longer than ``MAIL_STUCK_AFTER_MINUTES``, one given up, one without a task, or one
    held after a restore (an operator decides whether it is sent)."""
    reasons = []
    if state["oldest_seconds"] is not None and state["oldest_seconds"] > settings.MAIL_STUCK_AFTER_MINUTES * 60:
        reasons.append("oldest")
    if state["given_up"]:
        reasons.append("given_up")
    if state["orphaned"] or state["stale_tasks"]:
        reasons.append("orphaned")
    if state["held"]:
        reasons.append("held")
    return reasons

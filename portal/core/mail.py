"""Outgoing mail: rendered now, sent after the transaction commits, retried on failure.

A service calls ``mail_send(...)`` inside its transaction. The message is rendered in
the active language at once and stored in that transaction (``OutgoingMail``); its id
is handed to the task queue only when the transaction commits (a rolled-back action
sends nothing), and the ``mail_deliver`` task sends it and deletes it. A delivery that fails (SMTP server down) is queued again with a growing pause,
up to ``MAIL_MAX_ATTEMPTS`` attempts, so it never fails the user's request or gets
lost. Log lines name the message id and the error class, never an address or content.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

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
    """Store one message and queue its delivery once the current transaction commits."""
    mail = OutgoingMail.objects.create(
        to=[to] if isinstance(to, str) else list(to),
        subject=subject,
        body=body,
        reply_to=[reply_to] if reply_to else [],
    )
    mail_id = str(mail.pk)
    transaction.on_commit(lambda: mail_deliver.enqueue(mail_id))
    return mail_id


def retry_delay(attempt):
    """Pause before the next attempt: 1, 2, 4, ... minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempt - 1), 360))


@task()
def mail_deliver(mail_id, attempt=1):
    mail = OutgoingMail.objects.filter(pk=mail_id).first()
    if mail is None:
        return "gone"  # delivered already (a task run twice)
    email = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=mail.to,
        reply_to=mail.reply_to or None,
    )
    try:
        email.send()
    except Exception as exc:
        OutgoingMail.objects.filter(pk=mail_id).update(attempts=attempt)
        return _retry(mail_id, attempt, exc)
    mail.delete()
    return "sent"


def _retry(mail_id, attempt, exc):
    error = type(exc).__name__
    if attempt >= settings.MAIL_MAX_ATTEMPTS:
        OutgoingMail.objects.filter(pk=mail_id).update(failed_at=timezone.now())
        logger.error("mail %s given up after %d attempts (%s)", mail_id, attempt, error)
        return "failed"
    logger.warning("mail %s attempt %d failed (%s); will retry", mail_id, attempt, error)
    next_task = mail_deliver
    if next_task.get_backend().supports_defer:
        next_task = next_task.using(run_after=timezone.now() + retry_delay(attempt))
    next_task.enqueue(mail_id, attempt + 1)
    return "retrying"

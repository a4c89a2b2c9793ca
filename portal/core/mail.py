"""Outgoing mail: rendered now, sent after the transaction commits, retried on failure.

A service calls ``mail_send(...)`` inside its transaction. The message is rendered in
the active language at once, handed to the task queue only when the transaction
commits (a rolled-back action sends nothing), and delivered by the ``mail_deliver``
task. A delivery that fails (SMTP server down) is queued again with a growing pause,
up to ``MAIL_MAX_ATTEMPTS`` attempts, so it never fails the user's request or gets
lost. Log lines name the message id and the error class, never an address or content.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


def mail_render(template_prefix, context):
    """Subject and plain-text body from ``<prefix>_subject.txt`` and ``<prefix>_message.txt``."""
    subject = render_to_string(f"{template_prefix}_subject.txt", context)
    subject = " ".join(subject.split())
    body = render_to_string(f"{template_prefix}_message.txt", context)
    return subject, body


def mail_send(*, to, subject, body, reply_to=None):
    """Queue one message for delivery once the current transaction commits."""
    message = {
        "id": uuid.uuid4().hex,
        "to": [to] if isinstance(to, str) else list(to),
        "subject": subject,
        "body": body,
        "reply_to": [reply_to] if reply_to else [],
    }
    transaction.on_commit(lambda: mail_deliver.enqueue(message))
    return message["id"]


def retry_delay(attempt):
    """Pause before the next attempt: 1, 2, 4, ... minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempt - 1), 360))


@task()
def mail_deliver(message, attempt=1):
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=message["to"],
        reply_to=message["reply_to"] or None,
    )
    try:
        email.send()
    except Exception as exc:
        _retry(message, attempt, exc)
        return "retrying" if attempt < settings.MAIL_MAX_ATTEMPTS else "failed"
    return "sent"


def _retry(message, attempt, exc):
    error = type(exc).__name__
    if attempt >= settings.MAIL_MAX_ATTEMPTS:
        logger.error("mail %s given up after %d attempts (%s)", message["id"], attempt, error)
        return
    logger.warning("mail %s attempt %d failed (%s); will retry", message["id"], attempt, error)
    next_task = mail_deliver
    if next_task.get_backend().supports_defer:
        next_task = next_task.using(run_after=timezone.now() + retry_delay(attempt))
    next_task.enqueue(message, attempt + 1)

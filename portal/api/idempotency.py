"""The ``Idempotency-Key`` header of the API's writes: a client that does not know
whether its request arrived (a timeout, a dropped connection) sends it again with the
same header, and nothing happens twice.

- The same key with the same request (method, path and body as read) answers what the
  first answered, with its status, and ``Idempotent-Replayed: true``; nothing is created.
- The same key with another request answers 422 ``idempotency_key_reused``.
- Keys belong to the API key that sent them (another API key's are unrelated) and are
  kept for ``KEEP`` (24 hours), and until the daily job removes them.
- Only a request that succeeded is kept: a refused one (a rule, invalid data) changed
  nothing and may be sent again with the same key, corrected or not.

Two requests with the same key at the same moment: the key's row is written in the
transaction that does the work, so the second waits for the first (the row's unique
index on PostgreSQL, the write lock on SQLite) and then answers what the first stored.
"""

import hashlib
import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
MAX_LENGTH = 255
# Visible ASCII characters, as a header carries them unchanged.
PATTERN = r"^[\x21-\x7e]{1,255}$"


class IdempotencyRefused(Exception):
    MESSAGES = {
        "idempotency_key_reused": _(
            "Deze Idempotency-Key is al gebruikt voor een ander verzoek. Gebruik voor elk nieuw verzoek een nieuwe sleutel."
        ),
        "idempotency_key_in_use": _("Een verzoek met deze Idempotency-Key wordt nog verwerkt; probeer het zo opnieuw."),
    }
    STATUS = {"idempotency_key_reused": 422, "idempotency_key_in_use": 409}

    def __init__(self, code):
        self.code, self.status, self.message = code, self.STATUS[code], self.MESSAGES[code]
        super().__init__(code)


class _Taken(Exception):
    pass


def fingerprint(request, payload):
    text = json.dumps([request.method, request.path, payload], sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def as_json(body):
    """The answer as JSON would carry it (what is stored is what a replay sends)."""
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))


def _replay(stored, print_):
    if stored.fingerprint != print_:
        raise IdempotencyRefused("idempotency_key_reused")
    return stored.status, stored.response, True


def once(request, api_key, key, payload, run):
    """``run()`` once per ``key`` of ``api_key``: returns ``(status, body, replayed)``.
    ``run`` does the work and returns ``(status, body)``; it raises to refuse (nothing is
    kept then). Without a key, ``run`` simply runs."""
    if not key:
        status, body = run()
        return status, as_json(body), False
    print_ = fingerprint(request, payload)
    stored = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
    if stored is not None:
        return _replay(stored, print_)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(api_key=api_key, key=key, fingerprint=print_, status=0)
            except IntegrityError as exc:  # the same key, written a moment ago by another request
                raise _Taken from exc
            status, body = run()
            record.status, record.response = status, as_json(body)
            record.save(update_fields=["status", "response"])
            return record.status, record.response, False
    except _Taken:
        stored = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
        if stored is None or not stored.status:
            raise IdempotencyRefused("idempotency_key_in_use") from None
        return _replay(stored, print_)


def prune(now=None):
    """Remove the keys older than ``KEEP`` (the daily job ``prune_idempotency_keys``)."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=(now or timezone.now()) - KEEP).delete()
    return f"{deleted} removed"

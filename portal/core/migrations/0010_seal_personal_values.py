"""The personal values the audit trail held before they were sealed: sealed now with their
person's key (``portal.core.personal``), so that erasing the person makes them unreadable
as well. A person erased before (an account deleted or an invitation withdrawn: no e-mail
address left) gets no key: their values become the erased mark at once, and their key is
recorded as destroyed, so that nothing is sealed for them again.

The trail is append-only for the application; only this migration writes to existing
rows, through the historical model's plain manager, and only their ``changes``."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from portal.core import personal

# portal.core.audit.PERSONAL_FIELDS and KEPT_READABLE as they were when the values were first sealed.
PERSONAL_FIELDS = (
    "full_name", "email", "phone", "job_title", "street", "postal_code", "city",
    "new_email", "email_pending", "reason", "message",
)  # fmt: skip
KEPT_READABLE = {("account_deleted", "reason")}  # the evidence of why a person was erased
BATCH = 1000


def _key(Key, User, owner_id):
    row = Key.objects.filter(user_id=owner_id).first()
    if row is not None:
        return row.key
    if User.objects.filter(pk=owner_id, email__isnull=True).exists():  # erased before
        Key.objects.create(user_id=owner_id, key="", erased_at=timezone.now())
        return ""
    return Key.objects.create(user_id=owner_id, key=personal.new_key()).key


def _sealed(action, changes, owner_id, key):
    def sealed(field, value):
        if field not in PERSONAL_FIELDS or (action, field) in KEPT_READABLE or value in (None, "", []):
            return value
        if personal.is_sealed(value) or personal.is_erased(value):
            return value
        return personal.seal(key, owner_id, value) if key else personal.ERASED

    return {field: sealed(field, value) for field, value in changes.items()}


def _opened(changes, keys):
    def opened(value):
        if not personal.is_sealed(value):
            return value
        try:
            return personal.unseal(keys.get(personal.owner_of(value)), value)
        except personal.Unreadable:
            return personal.ERASED

    return {field: opened(value) for field, value in changes.items()}


def _batches(queryset):
    """The events in batches by id, so that no cursor stays open while rows are written."""
    last = 0
    while batch := list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH]):
        yield batch
        last = batch[-1].pk


def seal_existing(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    Key = apps.get_model("core", "PersonalDataKey")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    events = AuditEvent.objects.filter(target_user__isnull=False, changes__has_any_keys=list(PERSONAL_FIELDS))
    keys = {}
    for batch in _batches(events):
        for event in batch:
            owner = event.target_user_id
            if owner not in keys:
                keys[owner] = _key(Key, User, owner)
            changes = _sealed(event.action, event.changes, owner, keys[owner])
            if changes != event.changes:
                AuditEvent.objects.filter(pk=event.pk).update(changes=changes)


def open_again(apps, schema_editor):
    """Back to plain values where the key still exists (the key table goes next);
    an erased person's values stay erased."""
    AuditEvent = apps.get_model("core", "AuditEvent")
    Key = apps.get_model("core", "PersonalDataKey")
    keys = dict(Key.objects.values_list("user_id", "key"))
    events = AuditEvent.objects.filter(target_user__isnull=False, changes__has_any_keys=list(PERSONAL_FIELDS))
    for batch in _batches(events):
        for event in batch:
            changes = _opened(event.changes, keys)
            if changes != event.changes:
                AuditEvent.objects.filter(pk=event.pk).update(changes=changes)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_personal_data_keys"),
    ]

    operations = [migrations.RunPython(seal_existing, open_again)]

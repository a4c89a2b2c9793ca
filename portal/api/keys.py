"""Creating, revoking and using API keys.

A key is ``hbk_`` and 43 random characters (256 bits); only its SHA-256 is stored (a key
is random, not chosen by a person, so a fast hash cannot be reversed by guessing). The
services follow the portal's pattern: keyword-only arguments with the acting user, one
transaction, an audit event.
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.audit import audit_record
from portal.core.errors import RuleError
from portal.organizations.models import Membership, Organization, Role, Status
from portal.organizations.permissions import can_manage_accounts

from .models import ApiKey, Scope

PREFIX = "hbk_"
DEFAULT_DAYS = 365
MAX_DAYS = 730
NAME_MAX_LENGTH = 100


class ApiKeyError(RuleError):
    MESSAGES = {
        "not_allowed": _("Alleen een administrator van de organisatie kan API-sleutels beheren."),
        "no_scopes": _("Kies ten minste één recht voor de sleutel."),
        "unknown_scope": _("Onbekend recht: %(scope)s."),
        "bad_expiry": _("Een sleutel is ten minste 1 en ten hoogste %(max)s dagen geldig."),
        "name_required": _("Geef de sleutel een naam, zodat je hem later herkent."),
        "already_revoked": _("Deze sleutel is al ingetrokken."),
    }


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _check(organization, name, scopes, days):
    if not (name or "").strip():
        raise ApiKeyError("name_required")
    if not scopes:
        raise ApiKeyError("no_scopes")
    for scope in scopes:
        if scope not in Scope.values:
            raise ApiKeyError("unknown_scope", scope=scope)
    if not 1 <= days <= MAX_DAYS:
        raise ApiKeyError("bad_expiry", max=MAX_DAYS)


@transaction.atomic
def api_key_create(*, actor, organization, name, scopes, days=DEFAULT_DAYS, request=None):
    """A new key for ``organization``; returns ``(key, secret)``. The secret is shown once
    and never stored. ``actor`` is an administrator of the organization, or None for an
    operator's command (``manage.py api_key_create``)."""
    if actor is not None and not can_manage_accounts(actor, organization):
        raise ApiKeyError("not_allowed")
    name = " ".join((name or "").split())[:NAME_MAX_LENGTH]
    scopes = sorted(set(scopes))
    _check(organization, name, scopes, days)
    secret = PREFIX + secrets.token_urlsafe(32)
    principal = get_user_model()(email=None, full_name=f"API-sleutel {name}"[:150], is_active=False)
    principal.set_unusable_password()
    principal.save()
    key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=secret[:10],
        key_hash=hash_key(secret),
        scopes=scopes,
        principal=principal,
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        "api_key_created",
        actor=actor,
        organization=organization,
        request=request,
        changes={"api_key": name, "scopes": scopes, "expires_at": timezone.localdate(key.expires_at).isoformat()},
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, actor, key, request=None):
    """The key stops working at once."""
    if actor is not None and not can_manage_accounts(actor, key.organization):
        raise ApiKeyError("not_allowed")
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise ApiKeyError("already_revoked")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record("api_key_revoked", actor=actor, organization=key.organization, request=request, changes={"api_key": key.name})
    return key


# --- using a key ---------------------------------------------------------------------------

# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_for(secret):
    """The usable key behind ``secret``, or None (unknown, revoked, expired, or its
    organization's access to the portal is off)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    key = ApiKey.objects.usable().select_related("organization", "principal").filter(key_hash=hash_key(secret)).first()
    if key is None or not key.organization.portal_access:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def principal_of(key):
    """The user the services see acting for the key: the key's principal, carrying an
    administrator's membership of the key's organization that exists only in memory
    (never saved: it is no account, is listed nowhere and counts for no rule such as
    "one active administrator"). So every scoped queryset (``visible_to``) and every
    permission function treats the key as its organization's administrator, and the
    audit trail names the key."""
    principal = key.principal
    membership = Membership(
        organization=key.organization,
        role=Role.ADMINISTRATOR,
        status=Status.ACTIVE,
        may_use_portal=True,
        may_order=False,
    )
    membership.organization = key.organization
    principal.membership = membership  # sets membership.user as well
    principal.api_key_in_use = key
    return principal


def organization_lookup(value):
    """An organization by id or by its exact name (for the command)."""
    value = (value or "").strip()
    if value.isdigit():
        found = Organization.objects.filter(pk=int(value)).first()
        if found is not None:
            return found
    matches = list(Organization.objects.filter(name=value)[:2])
    return matches[0] if len(matches) == 1 else None

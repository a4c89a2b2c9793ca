"""Changing an account: personal data, role, rights and locations, and a new e-mail address its owner confirms."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import normalize_email_address
from portal.core.audit import audit_record
from portal.core.mail import site_url
from portal.locations.models import Location

from ..models import EmailChange, Role, Status
from ..permissions import can_act_on_account
from .addresses import _address_in_use, _tell_the_owner
from .four_eyes import WAIT, four_eyes_hold, four_eyes_request
from .invitations import invitation_issue
from .rules import (
    MEMBERSHIP_FIELDS,
    PERSONAL_FIELDS,
    AccountRuleError,
    Grants,
    User,
    _amount,
    _bump_version,
    _changed,
    _check_grants,
    _check_locations,
    _hash_token,
    _lock,
    _lock_organization,
    _refuse_losing_last_administrator,
    _refuse_manager_limit,
    _refuse_outside_managed,
    _refuse_self,
    _refuse_unless_may_act,
    _send,
    _set_locations,
)

# --- change ---------------------------------------------------------------------------------


@transaction.atomic
def account_update(*, actor, membership, expected_version, data, locations, grants=None, reason="", request=None, four_eyes=WAIT):
    """Change personal data, role, rights and linked locations of an account, and with
    ``grants`` what it manages and approves for those locations (None: the grants of the
    locations that stay are kept). ``reason``, if given, goes into the audit trail.
    With the organization's four eyes on, a promotion or a raised order limit waits for a
    second administrator (``four_eyes``: see services.four_eyes) while the rest is applied;
    the returned changes then name the waiting change as "four_eyes"."""
    organization = _lock_organization(membership.organization_id)
    _bump_version(membership, expected_version)
    membership.refresh_from_db()
    if not can_act_on_account(actor, membership):  # as it is now (staff's reason: account_personal_data_apply)
        raise AccountRuleError("not_allowed")
    user = membership.user
    data = {**data, "email": normalize_email_address(data.get("email", user.email))}
    _check_locations(membership.organization, locations)
    personal = _changed(user, data, PERSONAL_FIELDS)
    rights = _changed(membership, data, MEMBERSHIP_FIELDS)
    _refuse_update(actor, membership, data, rights)
    _refuse_outside_managed(actor, data.get("role", membership.role), locations, grants, membership)
    data, rights, held = four_eyes_hold(
        actor=actor, membership=membership, organization=organization, data=data, rights=rights, mode=four_eyes
    )
    _refuse_manager_limit(  # what is not held back for a second administrator
        actor, (membership.may_order, membership.order_limit), data.get("may_order", membership.may_order),
        data.get("order_limit", membership.order_limit),
    )  # fmt: skip
    if "role" in held:
        grants = None  # the promotion waits: the account keeps what it manages and approves meanwhile
    role = data.get("role", membership.role)
    if role == Role.ADMINISTRATOR and grants is None:
        grants = Grants()  # an administrator manages and approves everything already
    _check_grants(role, locations, grants)
    elsewhere = "email" in personal and (
        _address_in_use(data["email"], membership.organization, actor=actor, exclude=user) == "elsewhere"
    )
    new_email = None
    if "email" in personal and membership.status != Status.INVITED:
        # Only the owner can move their login to another address (see EmailChange).
        new_email = personal.pop("email")[1]
    _store(user, membership, personal, rights, elsewhere)
    changes = _audited(actor, membership, personal, rights, locations, grants, reason, request)
    if "email" in personal:
        # An invitation that went to the old address stops working; the new one gets a link.
        invitation_issue(actor=actor, membership=membership)
    if new_email:
        _email_change_request(actor=actor, membership=membership, new_email=new_email, request=request, elsewhere=elsewhere)
        changes["email_pending"] = [user.email, new_email]
    if held:
        changes["four_eyes"] = four_eyes_request(actor=actor, membership=membership, held=held, request=request).pk
    return changes


def _refuse_update(actor, membership, data, rights):
    """Nobody demotes themselves or the last administrator, nor changes their own limit."""
    if data.get("role", membership.role) != Role.ADMINISTRATOR and membership.is_administrator:
        _refuse_self(actor, membership)
        _refuse_losing_last_administrator(membership)
    if "order_limit" in rights and actor is not None and actor.pk == membership.user_id:
        raise AccountRuleError("own_order_limit")  # the limit is what approval rests on


def _store(user, membership, personal, rights, elsewhere):
    """Write the changed fields; a new address of an invitation may be one in use elsewhere."""
    for field, (_old, new) in personal.items():
        setattr(user, field, new)
    for field, (_old, new) in rights.items():
        setattr(membership, field, new)
    if personal:
        fields = list(personal)
        if "email" in personal:
            user.email_elsewhere, user.is_active = elsewhere, not elsewhere
            fields += ["email_elsewhere", "is_active"]
        try:
            with transaction.atomic():
                user.save(update_fields=fields)
        except IntegrityError as exc:  # the same address, taken a moment ago
            raise AccountRuleError("email_in_use") from exc
    if rights:
        membership.save(update_fields=[*rights, "updated_at"])


def _audited(actor, membership, personal, rights, locations, grants, reason, request):
    """Link the locations and record what changed (nothing recorded when nothing did)."""
    changes = {**personal, **rights}
    if "order_limit" in changes:
        changes["order_limit"] = [_amount(v) for v in changes["order_limit"]]
    changes.update(_set_locations(membership, locations, grants))
    if changes:
        audit_record(
            "account_updated", actor=actor, target=membership.user, request=request,
            changes={**changes, "reason": reason} if reason else changes,
        )  # fmt: skip
    return changes


@transaction.atomic
def account_personal_data_apply(*, actor, membership, data, reason, request=None):
    """Change only the personal data (name, e-mail address, telephone number, job title)
    of an account, on its owner's request: by an administrator of the organization or by
    online customer service, under the rules of Accountbeheer's change (a new e-mail
    address takes effect when its owner confirms it). ``reason`` names the request and
    goes into the audit trail. Returns the changes made."""
    _refuse_unless_may_act(actor, membership.organization, reason)
    if set(data) - set(PERSONAL_FIELDS):
        raise ValueError(f"Not personal data: {sorted(set(data) - set(PERSONAL_FIELDS))}")
    _lock(membership)
    if membership.status == Status.DELETED:
        raise AccountRuleError("not_active")
    user = membership.user
    current = {field: getattr(user, field) for field in PERSONAL_FIELDS}
    current |= {field: getattr(membership, field) for field in MEMBERSHIP_FIELDS}
    locations = list(Location.objects.filter(links__membership=membership))
    return account_update(
        actor=actor, membership=membership, expected_version=membership.version, data={**current, **data},
        locations=locations, reason=reason, request=request,
    )  # fmt: skip


# --- a new e-mail address, confirmed by its owner ----------------------------------------------


def _email_change_request(*, actor, membership, new_email, request=None, elsewhere=False):
    now = timezone.now()
    membership.email_changes.filter(confirmed_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    EmailChange.objects.create(
        membership=membership,
        new_email=new_email,
        token_hash=_hash_token(token),
        created_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    user = membership.user
    context = {"user": user, "old_email": user.email, "new_email": new_email, "valid_days": settings.INVITATION_VALID_DAYS}
    if elsewhere:  # the new address has an account elsewhere: its owner is told, no link
        _tell_the_owner(new_email, membership.organization)
    else:
        _send("email_change_confirm", new_email, {**context, "url": site_url(reverse("email_change_confirm", args=[token]))})
    _send("email_change_requested", user.email, context)
    audit_record("email_change_requested", actor=actor, target=user, request=request, changes={"email": [user.email, new_email]})


def email_change_lookup(token, user):
    """The open change behind a link, for its owner only; None otherwise."""
    change = (
        EmailChange.objects.select_related("membership__user")
        .filter(token_hash=_hash_token(token or ""), membership__user=user)
        .first()
    )
    return change if change is not None and change.is_open else None


@transaction.atomic
def email_change_confirm(*, token, user, request=None):
    """The owner confirms: the new address becomes the login; both addresses are told."""
    change = email_change_lookup(token, user)
    if change is None:
        raise AccountRuleError("email_change_invalid")
    _lock(change.membership)
    change = EmailChange.objects.select_for_update().get(pk=change.pk)
    if not change.is_open:
        raise AccountRuleError("email_change_invalid")
    if User.objects.filter(email=change.new_email, email_elsewhere=False).exclude(pk=user.pk).exists():
        raise AccountRuleError("email_in_use")
    old = user.email
    user.email = change.new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError as exc:
        raise AccountRuleError("email_in_use") from exc
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    audit_record("account_updated", actor=user, target=user, request=request, changes={"email": [old, user.email]})
    for to in (old, user.email):
        _send("email_changed", to, {"user": user, "old_email": old, "new_email": user.email})

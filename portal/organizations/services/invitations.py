"""Inviting an account, and its invitation link: resend, withdraw, accept."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import normalize_email_address
from portal.accounts.staff import is_staff_member
from portal.core.audit import audit_record, personal_data_erase
from portal.core.mail import site_url

from ..models import Invitation, Membership, Role, Status
from .addresses import _address_in_use, _tell_the_owner
from .four_eyes import refuse_invitation
from .rules import (
    AccountRuleError,
    Grants,
    InvitationInvalid,
    User,
    _amount,
    _check_grants,
    _check_locations,
    _erase,
    _hash_token,
    _lock,
    _lock_organization,
    _refuse_manager_limit,
    _refuse_outside_managed,
    _refuse_unless_may_act_on,
    _refuse_unless_may_invite,
    _send,
    _set_locations,
)

# --- invitations ----------------------------------------------------------------------------


def invitation_issue(*, actor, membership):
    """Revoke any open invitation of the account and mail a new link (to an address in use
    elsewhere: a notice to its owner instead, and the link is never sent)."""
    now = timezone.now()
    membership.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        membership=membership,
        token_hash=_hash_token(token),
        created_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    if membership.user.email_elsewhere:
        _take_the_address_if_free(membership.user)
    if membership.user.email_elsewhere:
        _tell_the_owner(membership.user.email, membership.organization)
        return None
    _send(
        "invitation",
        membership.user.email,
        {
            "user": membership.user,
            "organization": membership.organization,
            # No name typed by a customer goes into a mail to an address a customer typed:
            # an administrator's invitation does not name the administrator or the invitee.
            "staff_inviter": actor if actor is not None and actor.is_staff else None,
            "by_administrator": actor is not None and not actor.is_staff,
            "url": site_url(reverse("invitation_accept", args=[token])),
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
    )
    return token


def _take_the_address_if_free(user):
    """An invitation that tells the owner of its address (``email_elsewhere``) asks again at
    each resend: once the account elsewhere is deleted or has another address, it becomes an
    ordinary invitation that holds the address and sends the link. Of two invitations of one
    address freed at once only one takes it (the database's unique address); the other goes
    on telling the new owner."""
    if User.objects.filter(email=user.email, email_elsewhere=False).exists():
        return
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(email_elsewhere=False, is_active=True)
    except IntegrityError:
        return
    user.email_elsewhere, user.is_active = False, True


@transaction.atomic
def account_invite(
    *,
    actor,
    organization,
    email,
    full_name,
    phone="",
    job_title="",
    role=Role.EMPLOYEE,
    may_use_portal=True,
    may_order=False,
    order_limit=None,
    locations=(),
    grants=None,
    reason="",
    request=None,
):
    """Create an account (without a password) and mail its owner an invitation.

    HartingBank's account manager invites an organization's first administrator. An
    administrator beside existing ones (someone leaves, nobody else is administrator) needs
    a reason, and the organization's active administrators are told at once: a login that
    HartingBank created in a customer's organization never goes unnoticed."""
    _refuse_unless_may_invite(actor, organization)
    locked = _lock_organization(organization.pk)
    administrators = _administrators_told_of_staff_invite(actor, organization, reason)
    _check_locations(organization, locations)
    _refuse_outside_managed(actor, role, locations, grants)
    _refuse_manager_limit(actor, None, may_order, order_limit)
    _check_grants(role, locations, grants)
    refuse_invitation(actor=actor, organization=locked, role=role, may_order=may_order, order_limit=order_limit)
    membership, _elsewhere = new_account(
        actor=actor, organization=organization, email=email, full_name=full_name, phone=phone, job_title=job_title,
        role=role, may_use_portal=may_use_portal, may_order=may_order, order_limit=order_limit, status=Status.INVITED,
    )  # fmt: skip
    user = membership.user
    linked = _set_locations(membership, locations, grants or Grants())
    linked.pop("locations", None)
    audit_record(
        "account_invited", actor=actor, target=user, organization=organization, request=request,
        changes={
            **created_changes(role, may_use_portal, may_order, order_limit, locations),
            **{field: [None, new] for field, (_old, new) in linked.items()},
            **({"reason": reason} if reason else {}),
        },
    )  # fmt: skip
    invitation_issue(actor=actor, membership=membership)
    for administrator in administrators:
        _send(
            "administrator_added",
            administrator.user.email,
            {"user": administrator.user, "invitee": user, "organization": organization, "reason": reason},
        )
    return membership


def new_account(*, actor, organization, email, full_name, phone, job_title, role, may_use_portal, may_order,
                order_limit, status):  # fmt: skip
    """The user and membership of a new account, for an invitation or an account an
    identity provider creates (``provisioning``); the organization is locked and the
    rules checked by the caller. An address in use elsewhere makes an account that does
    not hold it and never logs in (``User.email_elsewhere``). Returns the membership and
    whether the address was in use elsewhere."""
    email = normalize_email_address(email)
    elsewhere = _address_in_use(email, organization, actor=actor) == "elsewhere"
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, None, full_name=full_name, phone=phone, job_title=job_title, organization=organization,
                email_elsewhere=elsewhere, is_active=not elsewhere,
            )  # fmt: skip
    except IntegrityError as exc:  # the same address, taken a moment ago
        raise AccountRuleError("email_in_use") from exc
    membership = Membership.objects.create(
        user=user, organization=organization, role=role, may_use_portal=may_use_portal, may_order=may_order,
        order_limit=order_limit, status=status,
    )  # fmt: skip
    return membership, elsewhere


def created_changes(role, may_use_portal, may_order, order_limit, locations):
    """What the audit trail records of a new account's rights and locations."""
    return {
        "role": [None, role],
        "may_use_portal": [None, may_use_portal],
        "may_order": [None, may_order],
        "order_limit": [None, _amount(order_limit)],
        "locations": [None, sorted(location.name for location in locations)],
    }


def _administrators_told_of_staff_invite(actor, organization, reason):
    """For an invitation by HartingBank's staff into an organization that already has
    administrators: refuse it without a reason, else the active administrators to tell."""
    if actor is None or not is_staff_member(actor):
        return []
    existing = Membership.objects.filter(organization=organization, role=Role.ADMINISTRATOR).exclude(status=Status.DELETED)
    if not existing.exists():
        return []
    if not (reason or "").strip():
        raise AccountRuleError("reason_required")
    return list(existing.effectively_active().filter(user__is_active=True).select_related("user"))


def _refuse_unless_invited(membership):
    if membership.status != Status.INVITED:
        raise AccountRuleError("not_invited")


@transaction.atomic
def invitation_resend(*, actor, membership, reason="", request=None):
    """A new link; the old one stops working."""
    _refuse_unless_may_act_on(actor, membership, reason)
    _lock(membership)
    _refuse_unless_invited(membership)
    invitation_issue(actor=actor, membership=membership)
    changes = {"reason": reason} if reason else {}
    audit_record("invitation_resent", actor=actor, target=membership.user, request=request, changes=changes)


@transaction.atomic
def invitation_withdraw(*, actor, membership, request=None):
    """Withdraw a pending invitation: the link stops working and the account, which was
    never used, is removed so the address is free again."""
    _refuse_unless_may_act_on(actor, membership)
    _lock(membership)
    _refuse_unless_invited(membership)
    audit_record("invitation_withdrawn", actor=actor, target=membership.user, request=request)
    _erase(membership)
    personal_data_erase(actor=actor, user=membership.user, request=request)


def invitation_lookup(token):
    """The invitation behind a link, or ``InvitationInvalid`` saying why not."""
    invitation = (
        Invitation.objects.select_related("membership__user", "membership__organization")
        .filter(token_hash=_hash_token(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid("unknown")
    if invitation.used_at is not None:
        raise InvitationInvalid("used")
    if invitation.revoked_at is not None or invitation.membership.status != Status.INVITED:
        raise InvitationInvalid("revoked")
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid("expired")
    return invitation


@transaction.atomic
def invitation_accept(*, token, password, request=None):
    """The invited person chose a password: the account is active."""
    invitation = invitation_lookup(token)
    _lock(invitation.membership)
    if invitation.membership.status != Status.INVITED:  # withdrawn a moment ago
        raise InvitationInvalid("revoked")
    if invitation.membership.user.email_elsewhere:  # its link was never sent
        raise InvitationInvalid("unknown")
    # Claim the invitation; a second request with the same link finds it used.
    claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        raise InvitationInvalid("used")
    membership = invitation.membership
    user = membership.user
    user.set_password(password)
    user.save(update_fields=["password"])
    membership.status = Status.ACTIVE
    membership.version = F("version") + 1
    membership.save(update_fields=["status", "version", "updated_at"])
    membership.refresh_from_db(fields=["version"])
    audit_record("invitation_accepted", actor=user, target=user, request=request)
    return user

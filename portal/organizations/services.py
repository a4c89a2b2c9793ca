"""Accountbeheer: every change to an account of a customer organization.

Each service takes keyword-only arguments including the acting user, runs in one
transaction, records an audit event and sends its mail after the commit. The rules
that protect the customer are enforced here, in one spot:

- an organization always keeps at least one active administrator;
- nobody deactivates, deletes or demotes themselves;
- two people editing the same account: the second save is refused.

HartingBank's staff use the same services (the back office): an account manager creates
an organization, turns its access on and off and invites its first administrator; online
customer service deactivates, reactivates or deletes an account, resends an invitation
and links locations on request, always with a reason that goes into the audit trail.
Each service checks the actor's role here, whichever page called it.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import normalize_email_address
from portal.accounts.sessions import sessions_end, sessions_end_of_organization
from portal.accounts.staff import can_handle_accounts, can_onboard, is_staff_member
from portal.core.errors import RuleError
from portal.core.audit import audit_record
from portal.core.mail import mail_render, mail_send, site_url
from portal.locations.models import Location, LocationLink

from .models import EmailChange, Invitation, Membership, Organization, Role, Status
from .permissions import can_manage_accounts

User = get_user_model()
logger = logging.getLogger(__name__)

PERSONAL_FIELDS = ("full_name", "email", "phone", "job_title")
MEMBERSHIP_FIELDS = ("role", "may_use_portal", "may_order", "order_limit")


class AccountRuleError(RuleError):
    """A rule of Accountbeheer refused the action."""

    MESSAGES = {
        "last_administrator": _("De organisatie moet altijd ten minste één actieve administrator houden."),
        "self_action": _("Je kunt je eigen account niet deactiveren, verwijderen of je eigen rol verlagen."),
        "own_order_limit": _(
            "Je kunt je eigen bestellimiet niet wijzigen, ook niet door je bestelrecht uit te zetten: "
            "anders zou je je eigen bestellingen aan de goedkeuring onttrekken. Een andere "
            "administrator kan dit doen."
        ),
        "email_in_use": _("Dit e-mailadres is al in gebruik voor een account. Kies een ander e-mailadres."),
        # (to an administrator, "in use" is said only of an account of their own organization)
        "concurrent_edit": _(
            "Iemand anders heeft dit account gewijzigd terwijl jij het aanpaste. Je wijzigingen zijn "
            "niet opgeslagen; wat je hebt ingevuld staat nog in het formulier. Vergelijk het met de "
            "huidige gegevens en sla opnieuw op."
        ),
        "not_invited": _("Dit account heeft geen openstaande uitnodiging."),
        "not_deactivated": _("Dit account is niet gedeactiveerd."),
        "already_deleted": _("Dit account is al verwijderd."),
        "not_active": _("Alleen een actief account kan worden gedeactiveerd."),
        "foreign_location": _("Je kunt alleen locaties van je eigen organisatie koppelen."),
        "email_change_invalid": _("Deze link om je e-mailadres te bevestigen werkt niet (meer)."),
        "not_allowed": _("Je mag dit niet doen met dit account."),
        "reason_required": _("Noem de reden: die komt in de audittrail."),
        "customer_number_in_use": _("Er is al een organisatie met dit klantnummer."),
        "not_account_manager": _("Alleen een accountmanager van HartingBank kan dit doen."),
        "mfa_own": _(
            "Je kunt je eigen tweestapsverificatie hier niet opnieuw instellen. Doe dat onder Mijn account, "
            "of vraag een andere administrator of de online klantenservice."
        ),
        "mfa_not_set_up": _("Dit account heeft geen tweestapsverificatie ingesteld: er is niets opnieuw in te stellen."),
        "mfa_staff_administrators_only": _(
            "De online klantenservice stelt alleen de tweestapsverificatie van een administrator opnieuw in; "
            "die van andere accounts doet de administrator van de organisatie."
        ),
        "mfa_grace_days": _("Kies een overgangstermijn uit de lijst."),
    }


class InvitationInvalid(Exception):
    """The invitation link cannot be used; ``code`` says why."""

    def __init__(self, code):
        self.code = code  # unknown, expired, used, revoked
        super().__init__(code)


# --- helpers ------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send(template, to, context):
    subject, body = mail_render(
        f"organizations/email/{template}",
        {"customer_service_email": settings.CUSTOMER_SERVICE_EMAIL, **context},
    )
    mail_send(to=to, subject=subject, body=body)


def _lock_organization(organization_id):
    """Serialize changes within one organization, so that two administrators cannot
    each remove the other as the last administrator at the same moment."""
    return Organization.objects.select_for_update().get(pk=organization_id)


def _lock(membership):
    """Lock the organization, then read the account again: what another request changed
    a moment ago is seen before this one decides anything."""
    _lock_organization(membership.organization_id)
    membership.refresh_from_db()


def _refuse_self(actor, membership):
    if actor is not None and actor.pk == membership.user_id:
        raise AccountRuleError("self_action")


def _other_active_administrators(membership):
    return (
        Membership.objects.filter(organization_id=membership.organization_id, role=Role.ADMINISTRATOR)
        .effectively_active()
        .exclude(pk=membership.pk)
        .exists()
    )


def _refuse_losing_last_administrator(membership):
    if membership.is_active_administrator and not _other_active_administrators(membership):
        raise AccountRuleError("last_administrator")


def _refuse_unless_may_act(actor, organization, reason=""):
    """Who may change an account of ``organization``: its active administrator, or online
    customer service on request, with a reason. (``None`` is the portal itself, e.g.
    a deactivation whose end date has come.) An account manager invites only, through
    ``_refuse_unless_may_invite``."""
    if actor is None:
        return
    if is_staff_member(actor):
        if not can_handle_accounts(actor):
            raise AccountRuleError("not_allowed")
        if not (reason or "").strip():
            raise AccountRuleError("reason_required")
    elif not can_manage_accounts(actor, organization):
        raise AccountRuleError("not_allowed")


def _refuse_unless_may_invite(actor, organization):
    """An organization's administrator invites its accounts; HartingBank's account
    manager invites the first administrator."""
    if actor is not None and is_staff_member(actor):
        if not can_onboard(actor):
            raise AccountRuleError("not_allowed")
    elif actor is not None and not can_manage_accounts(actor, organization):
        raise AccountRuleError("not_allowed")


def _check_locations(organization, locations):
    if any(location.organization_id != organization.pk for location in locations):
        raise AccountRuleError("foreign_location")


def _set_locations(membership, locations):
    """Replace the linked locations; returns (old, new) lists of codes, or None."""
    old = set(membership.location_links.values_list("location_id", flat=True))
    new = {location.pk for location in locations}
    if old == new:
        return None
    LocationLink.objects.filter(membership=membership).exclude(location_id__in=new).delete()
    LocationLink.objects.bulk_create(
        [LocationLink(membership=membership, location_id=pk) for pk in new - old]
    )
    names = dict((loc.pk, loc.name) for loc in locations)
    names.update(
        membership.organization.locations.filter(pk__in=old - new).values_list("pk", "name")
    )
    return [sorted(names[pk] for pk in old), sorted(names[pk] for pk in new)]


def _bump_version(membership, expected_version):
    """Optimistic lock: raise the version only if nobody else did since the form was shown."""
    updated = Membership.objects.filter(pk=membership.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise AccountRuleError("concurrent_edit")
    membership.version = expected_version + 1


# --- addresses ------------------------------------------------------------------------------


def _address_in_use(email, organization, *, actor, exclude=None):
    """Whether ``email`` may be given to an account of ``organization``: "free", "elsewhere"
    (it belongs to an account of another organization or of HartingBank), or it is refused
    here as in use within the organization itself. An administrator may learn what is in
    their own organization and nothing of any other, so "elsewhere" must look like "free"
    to them (``User.email_elsewhere``); HartingBank's staff see every account anyway and
    are told plainly."""
    taken = User.objects.filter(email=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.filter(organization=organization).exists():
        raise AccountRuleError("email_in_use")
    if not taken.filter(email_elsewhere=False).exists():
        return "free"
    if actor is None or is_staff_member(actor):
        raise AccountRuleError("email_in_use")
    return "elsewhere"


def _tell_the_owner(email, organization):
    """The owner of an address that an administrator elsewhere entered is told, rather
    than invited: nothing changes for their account."""
    owner = User.objects.filter(email=email, email_elsewhere=False).first()
    _send("address_in_use", email, {"user": owner, "organization": organization})


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
    reason="",
    request=None,
):
    """Create an account (without a password) and mail its owner an invitation.

    HartingBank's account manager invites an organization's first administrator. An
    administrator beside existing ones (someone leaves, nobody else is administrator) needs
    a reason, and the organization's active administrators are told at once: a login that
    HartingBank created in a customer's organization never goes unnoticed."""
    _refuse_unless_may_invite(actor, organization)
    _lock_organization(organization.pk)
    administrators = _administrators_told_of_staff_invite(actor, organization, reason)
    _check_locations(organization, locations)
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
        user=user,
        organization=organization,
        role=role,
        may_use_portal=may_use_portal,
        may_order=may_order,
        order_limit=order_limit,
        status=Status.INVITED,
    )
    LocationLink.objects.bulk_create([LocationLink(membership=membership, location=loc) for loc in locations])
    audit_record(
        "account_invited",
        actor=actor,
        target=user,
        organization=organization,
        request=request,
        changes={
            "role": [None, role],
            "may_use_portal": [None, may_use_portal],
            "may_order": [None, may_order],
            "order_limit": [None, _amount(order_limit)],
            "locations": [None, sorted(loc.name for loc in locations)],
            **({"reason": reason} if reason else {}),
        },
    )
    invitation_issue(actor=actor, membership=membership)
    for administrator in administrators:
        _send(
            "administrator_added",
            administrator.user.email,
            {"user": administrator.user, "invitee": user, "organization": organization, "reason": reason},
        )
    return membership


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
    _refuse_unless_may_act(actor, membership.organization, reason)
    _lock(membership)
    _refuse_unless_invited(membership)
    invitation_issue(actor=actor, membership=membership)
    changes = {"reason": reason} if reason else {}
    audit_record("invitation_resent", actor=actor, target=membership.user, request=request, changes=changes)


@transaction.atomic
def invitation_withdraw(*, actor, membership, request=None):
    """Withdraw a pending invitation: the link stops working and the account, which was
    never used, is removed so the address is free again."""
    _lock(membership)
    _refuse_unless_invited(membership)
    audit_record("invitation_withdrawn", actor=actor, target=membership.user, request=request)
    _erase(membership)


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


# --- change ---------------------------------------------------------------------------------


def _amount(value):
    """An amount as the audit trail stores it (JSON has no Decimal)."""
    return None if value is None else f"{value:.2f}"


def _changed(obj, data, fields):
    return {
        field: [getattr(obj, field), data[field]]
        for field in fields
        if field in data and getattr(obj, field) != data[field]
    }


@transaction.atomic
def account_update(*, actor, membership, expected_version, data, locations, reason="", request=None):
    """Change personal data, role, rights and linked locations of an account (``reason``,
    if given, goes into the audit trail)."""
    _lock_organization(membership.organization_id)
    _bump_version(membership, expected_version)
    membership.refresh_from_db()
    user = membership.user
    data = {**data, "email": normalize_email_address(data.get("email", user.email))}
    _check_locations(membership.organization, locations)

    demoted = data.get("role", membership.role) != Role.ADMINISTRATOR and membership.is_administrator
    if demoted:
        _refuse_self(actor, membership)
        _refuse_losing_last_administrator(membership)

    personal = _changed(user, data, PERSONAL_FIELDS)
    rights = _changed(membership, data, MEMBERSHIP_FIELDS)
    if "order_limit" in rights and actor is not None and actor.pk == membership.user_id:
        raise AccountRuleError("own_order_limit")  # the limit is what approval rests on
    elsewhere = False
    if "email" in personal:
        elsewhere = _address_in_use(data["email"], membership.organization, actor=actor, exclude=user) == "elsewhere"
    new_email = None
    if "email" in personal and membership.status != Status.INVITED:
        # Only the owner can move their login to another address (see EmailChange).
        new_email = personal.pop("email")[1]
    for field, (_old, new) in personal.items():
        setattr(user, field, new)
    for field, (_old, new) in rights.items():
        setattr(membership, field, new)
    if personal:
        fields = list(personal)
        if "email" in personal:  # an invitation: the new address may be in use elsewhere
            user.email_elsewhere, user.is_active = elsewhere, not elsewhere
            fields += ["email_elsewhere", "is_active"]
        try:
            with transaction.atomic():
                user.save(update_fields=fields)
        except IntegrityError as exc:  # the same address, taken a moment ago
            raise AccountRuleError("email_in_use") from exc
    if rights:
        membership.save(update_fields=[*rights, "updated_at"])
    changes = {**personal, **rights}
    if "order_limit" in changes:
        changes["order_limit"] = [_amount(v) for v in changes["order_limit"]]
    location_change = _set_locations(membership, locations)
    if location_change:
        changes["locations"] = location_change
    if changes:
        audit_record(
            "account_updated", actor=actor, target=user, request=request,
            changes={**changes, "reason": reason} if reason else changes,
        )  # fmt: skip
    if "email" in personal:
        # An invitation that went to the old address stops working; the new one gets a link.
        invitation_issue(actor=actor, membership=membership)
    if new_email:
        _email_change_request(actor=actor, membership=membership, new_email=new_email, request=request, elsewhere=elsewhere)
        changes["email_pending"] = [user.email, new_email]
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
    audit_record(
        "email_change_requested", actor=actor, target=user, request=request, changes={"email": [user.email, new_email]}
    )


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


# --- deactivate, reactivate, delete ----------------------------------------------------------


@transaction.atomic
def account_deactivate(*, actor, membership, until=None, reason="", request=None):
    """Temporarily: no more logins, open sessions end at once, data and history stay."""
    _refuse_unless_may_act(actor, membership.organization, reason)
    _lock(membership)
    _refuse_self(actor, membership)
    if membership.effective_status != Status.ACTIVE:
        raise AccountRuleError("not_active")
    _refuse_losing_last_administrator(membership)
    membership.status = Status.DEACTIVATED
    membership.deactivated_until = until
    membership.version = F("version") + 1
    membership.save(update_fields=["status", "deactivated_until", "version", "updated_at"])
    membership.refresh_from_db(fields=["version"])
    sessions_end(membership.user, reason="deactivated")
    changes = {"status": [Status.ACTIVE, Status.DEACTIVATED]}
    if until:
        changes["deactivated_until"] = [None, until.isoformat()]
    if reason:
        changes["reason"] = reason
    audit_record("account_deactivated", actor=actor, target=membership.user, request=request, changes=changes)


@transaction.atomic
def account_reactivate(*, actor, membership, reason="", request=None):
    """Restore a deactivated account as it was."""
    _refuse_unless_may_act(actor, membership.organization, reason)
    _lock(membership)
    if membership.status != Status.DEACTIVATED:
        raise AccountRuleError("not_deactivated")
    changes = {"status": [Status.DEACTIVATED, Status.ACTIVE]}
    if membership.deactivated_until:
        changes["deactivated_until"] = [membership.deactivated_until.isoformat(), None]
    if reason:
        changes["reason"] = reason
    membership.status = Status.ACTIVE
    membership.deactivated_until = None
    membership.version = F("version") + 1
    membership.save(update_fields=["status", "deactivated_until", "version", "updated_at"])
    membership.refresh_from_db(fields=["version"])
    audit_record("account_reactivated", actor=actor, target=membership.user, request=request, changes=changes)


def reactivate_due_accounts():
    """Bring the stored status up to date for deactivations whose end date has come.
    (Logins already treat them as active; this keeps the overview's data exact.)"""
    due = Membership.objects.filter(
        status=Status.DEACTIVATED, deactivated_until__lte=timezone.localdate()
    ).select_related("user")
    count = 0
    for membership in due:
        try:
            account_reactivate(actor=None, membership=membership, reason="einddatum deactivering bereikt")
        except Exception:  # noqa: BLE001 - go on with the others; the log names the id only
            logger.exception("reactivating membership %s failed", membership.pk)
            continue
        count += 1
    return count


def _erase(membership):
    """Erase the person's data and free the address; history stays, under
    "verwijderd account"."""
    user = membership.user
    sessions_end(user, reason="deleted")
    now = timezone.now()
    membership.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    membership.email_changes.filter(confirmed_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    LocationLink.objects.filter(membership=membership).delete()
    user.email = None
    user.full_name = ""
    user.phone = ""
    user.job_title = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "full_name", "phone", "job_title", "is_active", "password"])
    membership.status = Status.DELETED
    membership.deactivated_until = None
    membership.may_use_portal = False
    membership.may_order = False
    membership.version = F("version") + 1
    membership.save(
        update_fields=["status", "deactivated_until", "may_use_portal", "may_order", "version", "updated_at"]
    )


@transaction.atomic
def account_delete(*, actor, membership, reason="", request=None):
    _refuse_unless_may_act(actor, membership.organization, reason)
    _lock(membership)
    if membership.status == Status.DELETED:
        raise AccountRuleError("already_deleted")  # a second click, or a colleague just now
    _refuse_self(actor, membership)
    _refuse_losing_last_administrator(membership)
    audit_record(
        "account_deleted",
        actor=actor,
        target=membership.user,
        request=request,
        changes={"reason": reason} if reason else {},
    )
    _erase(membership)


# --- HartingBank: linked locations on request ------------------------------------------------


@transaction.atomic
def account_locations_set(*, actor, membership, locations, reason, request=None):
    """Online customer service links locations to an account on the customer's request
    (an administrator does so in Accountbeheer, through ``account_update``)."""
    if not is_staff_member(actor):
        raise AccountRuleError("not_allowed")
    _refuse_unless_may_act(actor, membership.organization, reason)
    _lock(membership)
    if membership.status == Status.DELETED:
        raise AccountRuleError("not_allowed")
    _check_locations(membership.organization, locations)
    change = _set_locations(membership, locations)
    if change is None:
        return None
    _bump_version(membership, membership.version)
    audit_record(
        "account_updated",
        actor=actor,
        target=membership.user,
        request=request,
        changes={"locations": change, "reason": reason},
    )
    return change


# --- HartingBank: organizations and their access ---------------------------------------------


def _refuse_unless_account_manager(actor):
    if not can_onboard(actor):
        raise AccountRuleError("not_account_manager")


@transaction.atomic
def organization_create(*, actor, name, customer_number, account_manager=None, request=None):
    """A new customer organization, with access to Mijn HartingBank; its first
    administrator is invited next (``account_invite``)."""
    _refuse_unless_account_manager(actor)
    customer_number = customer_number.strip()
    if Organization.objects.filter(customer_number__iexact=customer_number).exists():
        raise AccountRuleError("customer_number_in_use")
    try:
        with transaction.atomic():
            organization = Organization.objects.create(
                name=name, customer_number=customer_number, account_manager=account_manager, portal_access=True
            )
    except IntegrityError as exc:  # the same number, taken a moment ago
        raise AccountRuleError("customer_number_in_use") from exc
    audit_record(
        "organization_created",
        actor=actor,
        organization=organization,
        request=request,
        changes={
            "name": [None, name],
            "customer_number": [None, customer_number],
            "account_manager": [None, str(account_manager) if account_manager else None],
        },
    )
    return organization


@transaction.atomic
def organization_update(*, actor, organization, name, account_manager, request=None):
    """Name and account manager; the customer number is the organization's key."""
    _refuse_unless_account_manager(actor)
    organization = _lock_organization(organization.pk)
    changes = {}
    if organization.name != name:
        changes["name"] = [organization.name, name]
    if organization.account_manager_id != (account_manager.pk if account_manager else None):
        changes["account_manager"] = [
            str(organization.account_manager) if organization.account_manager else None,
            str(account_manager) if account_manager else None,
        ]
    if not changes:
        return changes
    organization.name = name
    organization.account_manager = account_manager
    organization.save(update_fields=["name", "account_manager"])
    audit_record("organization_updated", actor=actor, organization=organization, request=request, changes=changes)
    return changes


@transaction.atomic
def organization_access_set(*, actor, organization, access, reason="", request=None):
    """Turn the organization's access to Mijn HartingBank off or on. Off: every open
    session of its accounts ends (so turning it on again does not bring an old session
    back) and nothing is deleted or changed; on again, everything is as it was, and its
    people log in again. Returns whether anything changed."""
    _refuse_unless_account_manager(actor)
    locked = _lock_organization(organization.pk)
    if locked.portal_access == access:
        organization.portal_access = access
        return False
    locked.portal_access = access
    locked.save(update_fields=["portal_access"])
    organization.portal_access = access
    if not access:
        sessions_end_of_organization(organization.pk, reason="access_off")
    changes = {"portal_access": [not access, access]}
    if reason:
        changes["reason"] = reason
    action = "organization_access_on" if access else "organization_access_off"
    audit_record(action, actor=actor, organization=organization, request=request, changes=changes)
    return True


# --- two-step login -----------------------------------------------------------------------------


@transaction.atomic
def account_mfa_reset(*, actor, membership, reason, request=None):
    """Lost phone: remove every second factor of someone else's account (apps, passkeys
    and recovery codes), so that its owner logs in with the password and sets it up
    again. By an administrator of the organization, or by online customer service for an
    administrator on request; always with a reason. Audited, mailed to the owner, and the
    account's open sessions end (the phone may be in someone else's hands)."""
    from allauth.mfa.models import Authenticator

    if actor is not None and actor.pk == membership.user_id:
        raise AccountRuleError("mfa_own")
    if not (reason or "").strip():
        raise AccountRuleError("reason_required")
    _refuse_unless_may_act(actor, membership.organization, reason)
    _lock(membership)
    if is_staff_member(actor) and not membership.is_administrator:
        raise AccountRuleError("mfa_staff_administrators_only")
    if membership.status == Status.DELETED:
        raise AccountRuleError("already_deleted")
    user = membership.user
    methods = sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True)))
    if not methods:
        raise AccountRuleError("mfa_not_set_up")
    Authenticator.objects.filter(user=user).delete()
    audit_record("mfa_reset", actor=actor, target=user, request=request, changes={"methods": [methods, []], "reason": reason})
    _send("mfa_reset", user.email, {"user": user, "by_staff": is_staff_member(actor), "reason": reason})
    sessions_end(user, reason="mfa_reset")


@transaction.atomic
def organization_mfa_require(*, actor, organization, required, grace_days=0, request=None):
    """Require two-step login for everyone in ``organization`` (after ``grace_days``), or
    stop requiring it. Only its administrator. Returns the deadline (None: not required)."""
    if not can_manage_accounts(actor, organization):
        raise AccountRuleError("not_allowed")
    organization = _lock_organization(organization.pk)
    if required:
        if grace_days not in settings.MFA_GRACE_DAYS_CHOICES:
            raise AccountRuleError("mfa_grace_days")
        now = timezone.now()
        organization.mfa_required_at = organization.mfa_required_at or now
        organization.mfa_deadline = now + timedelta(days=grace_days)
        action = "mfa_required_set"
        changes = {"deadline": timezone.localdate(organization.mfa_deadline).isoformat(), "grace_days": grace_days}
    else:
        if organization.mfa_deadline is None:
            return None
        organization.mfa_required_at = organization.mfa_deadline = None
        action, changes = "mfa_required_unset", {}
    organization.save(update_fields=["mfa_required_at", "mfa_deadline"])
    audit_record(action, actor=actor, organization=organization, request=request, changes=changes)
    return organization.mfa_deadline

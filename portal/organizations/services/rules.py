"""The rules of Accountbeheer that every service checks, and the helpers the services share."""

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.sessions import sessions_end
from portal.accounts.staff import is_staff_member
from portal.core.errors import RuleError
from portal.core.mail import mail_render, mail_send
from portal.locations.models import LocationLink

from ..models import Membership, Organization, Role, Status
from ..permissions import can_act_on_account, can_act_on_accounts, can_invite, is_location_manager

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
        "manager_role": _("Een locatiebeheerder kan niemand administrator maken."),
        "manager_locations": _(
            "Kies ten minste één locatie, en alleen locaties die je zelf beheert: een locatiebeheerder "
            "beheert de accounts van zijn eigen locaties."
        ),
        "manager_grants": _("Alleen een administrator maakt iemand locatiebeheerder of goedkeurder, of verandert dat."),
        "grant_unlinked": _(
            "Iemand kan alleen locatiebeheerder of goedkeurder zijn van locaties die aan het account "
            "gekoppeld zijn. Koppel de locatie ook, of haal het vinkje weg."
        ),
        "approval_limit_required": _("Vul in tot welk bedrag deze goedkeurder bestellingen goedkeurt."),
        "manager_order_limit": _(
            "Als locatiebeheerder laat je iemand bestellen met een bestellimiet van ten hoogste het bedrag tot waar "
            "jij zelf bestellingen goedkeurt (ben je geen goedkeurder: € 0, dan wacht elke bestelling op goedkeuring), "
            "of een lagere dan het account al had. Zonder limiet of hoger zet een administrator."
        ),
        "left": _(
            "Dit account is uit dienst. Wil je het weer activeren, haal dan eerst de datum uit dienst weg "
            "(Accountbeheer, de pagina van het account; een administrator doet dat)."
        ),
        "grants_for_administrator": _(
            "Een administrator beheert al alle accounts en keurt alle bestellingen goed: maak hem niet "
            "ook locatiebeheerder of goedkeurder."
        ),
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
    return Membership.objects.active_administrators(membership.organization_id).exclude(pk=membership.pk).exists()


def _refuse_losing_last_administrator(membership):
    if membership.is_active_administrator and not _other_active_administrators(membership):
        raise AccountRuleError("last_administrator")


def _refuse_unless_may_act(actor, organization, reason=""):
    """The rule of ``permissions.can_act_on_accounts``; staff always with a reason."""
    if not can_act_on_accounts(actor, organization):
        raise AccountRuleError("not_allowed")
    _refuse_staff_without_reason(actor, reason)


def _refuse_unless_may_act_on(actor, membership, reason=""):
    """The rule of ``permissions.can_act_on_account``: administrators and customer service
    as ``_refuse_unless_may_act``, and a location manager for the accounts they manage."""
    if not can_act_on_account(actor, membership):
        raise AccountRuleError("not_allowed")
    _refuse_staff_without_reason(actor, reason)


def _refuse_staff_without_reason(actor, reason):
    if actor is not None and is_staff_member(actor) and not (reason or "").strip():
        raise AccountRuleError("reason_required")


def _refuse_unless_may_invite(actor, organization):
    """The rule of ``permissions.can_invite``."""
    if not can_invite(actor, organization):
        raise AccountRuleError("not_allowed")


@dataclass(frozen=True)
class Grants:
    """What an account may do for its linked locations besides working for them: manage
    their accounts (``manages``, location ids) and approve their orders (``approves``,
    location ids) up to ``approval_limit`` (excluding VAT)."""

    manages: frozenset = frozenset()
    approves: frozenset = frozenset()
    approval_limit: Decimal | None = None

    def __bool__(self):
        return bool(self.manages or self.approves)

    @classmethod
    def of(cls, membership):
        return cls.of_links(membership.location_links.filter(Q(manages=True) | Q(approval_limit__isnull=False)))

    @classmethod
    def of_links(cls, links):
        limits = [link.approval_limit for link in links if link.approval_limit is not None]
        return cls(
            manages=frozenset(link.location_id for link in links if link.manages),
            approves=frozenset(link.location_id for link in links if link.approval_limit is not None),
            approval_limit=max(limits) if limits else None,
        )


def _refuse_manager_limit(actor, before, may_order, order_limit):
    """A location manager never lets anyone order more without approval than they approve
    themselves: a new or raised limit at most their own approval amount (none: 0), never
    no limit. ``before``: the account's (may_order, order_limit), or None for a new one.
    A limit left as it was (an administrator's) stays; a lower one is always allowed. (With
    the organization's four eyes on, a raise above its amount waits for an administrator
    instead: ``account_update`` asks this of what is not held back.)"""
    if actor is None or not is_location_manager(actor) or not may_order:
        return
    had_right, had_limit = before or (False, None)
    if had_right and (order_limit == had_limit or (had_limit is None and order_limit is not None)):
        return
    ceiling = Grants.of(actor.membership).approval_limit or Decimal(0)
    if had_right and had_limit is not None:
        ceiling = max(ceiling, had_limit)  # lowering is always allowed
    if order_limit is None or order_limit > ceiling:
        raise AccountRuleError("manager_order_limit")


def _check_grants(role, locations, grants):
    """Grants only for linked locations, an approver with an amount, none for an administrator."""
    if not grants:
        return
    if role == Role.ADMINISTRATOR:
        raise AccountRuleError("grants_for_administrator")
    linked = {location.pk for location in locations}
    if not (grants.manages | grants.approves) <= linked:
        raise AccountRuleError("grant_unlinked")
    if grants.approves and (grants.approval_limit is None or grants.approval_limit < 0):
        raise AccountRuleError("approval_limit_required")


def _refuse_outside_managed(actor, role, locations, grants, membership=None):
    """What a location manager (not an administrator) may give an account (``membership``,
    None for a new one): the role of employee, one or more of the locations they manage,
    and no grants (an administrator grants those, and a manager leaves the ones an account
    has as they are)."""
    if actor is None or not is_location_manager(actor):
        return
    if role != Role.EMPLOYEE:
        raise AccountRuleError("manager_role")
    if not locations or not {location.pk for location in locations} <= Grants.of(actor.membership).manages:
        raise AccountRuleError("manager_locations")
    if grants is not None and grants != (Grants.of(membership) if membership is not None else Grants()):
        raise AccountRuleError("manager_grants")


def _check_locations(organization, locations):
    if any(location.organization_id != organization.pk for location in locations):
        raise AccountRuleError("foreign_location")


def _set_locations(membership, locations, grants=None):
    """Replace the linked locations, and with ``grants`` what the account manages and
    approves for them (None: the grants of the locations that stay are kept). Returns
    the audit trail's changes: {"locations": [old, new], ...} for what changed."""
    links = {link.location_id: link for link in membership.location_links.all()}
    old = set(links)
    new = {location.pk for location in locations}
    before = Grants.of_links(links.values())
    after = Grants(before.manages & new, before.approves & new, before.approval_limit) if grants is None else grants
    if not after.approves:
        after = Grants(after.manages, frozenset(), None)

    def granted(pk):
        return {"manages": pk in after.manages, "approval_limit": after.approval_limit if pk in after.approves else None}

    LocationLink.objects.filter(membership=membership).exclude(location_id__in=new).delete()
    LocationLink.objects.bulk_create([LocationLink(membership=membership, location_id=pk, **granted(pk)) for pk in new - old])
    for pk in new & old:
        link, wanted = links[pk], granted(pk)
        if (link.manages, link.approval_limit) != (wanted["manages"], wanted["approval_limit"]):
            LocationLink.objects.filter(pk=link.pk).update(**wanted)
    flags = {"manages_locations": bool(after.manages), "approves_orders": bool(after.approves)}
    if any(getattr(membership, field) != value for field, value in flags.items()):
        for field, value in flags.items():
            setattr(membership, field, value)
        membership.save(update_fields=[*flags, "updated_at"])
    names = dict((loc.pk, loc.name) for loc in locations)
    names.update(membership.organization.locations.filter(pk__in=old - new).values_list("pk", "name"))

    def named(ids):
        return sorted(names[pk] for pk in ids)

    changes = {}
    for field, was, now in (
        ("locations", old, new),
        ("managed_locations", before.manages, after.manages),
        ("approved_locations", before.approves, after.approves),
    ):
        if was != now:
            changes[field] = [named(was), named(now)]
    if before.approval_limit != after.approval_limit:
        changes["approval_limit"] = [_amount(before.approval_limit), _amount(after.approval_limit)]
    return changes


def _bump_version(membership, expected_version):
    """Optimistic lock: raise the version only if nobody else did since the form was shown."""
    updated = Membership.objects.filter(pk=membership.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise AccountRuleError("concurrent_edit")
    membership.version = expected_version + 1


def _amount(value):
    """An amount as the audit trail stores it (JSON has no Decimal)."""
    return None if value is None else f"{value:.2f}"


def _changed(obj, data, fields):
    return {field: [getattr(obj, field), data[field]] for field in fields if field in data and getattr(obj, field) != data[field]}


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
    membership.save(update_fields=["status", "deactivated_until", "may_use_portal", "may_order", "version", "updated_at"])

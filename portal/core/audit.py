"""Recording the audit trail."""

from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import personal
from .models import AuditEvent, PersonalDataKey
from .money import money
from .prepared import PreparedInsert
from .requestid import NO_REQUEST, current_request_id

ACTIONS = {
    "login": _("Ingelogd"),
    "login_failed": _("Mislukte inlogpoging"),
    "logout": _("Uitgelogd"),
    "password_changed": _("Wachtwoord gewijzigd"),
    "password_reset": _("Wachtwoord opnieuw ingesteld"),
    "mfa_added": _("Tweestapsverificatie: methode toegevoegd"),
    "mfa_removed": _("Tweestapsverificatie: methode verwijderd"),
    "mfa_recovery_codes": _("Tweestapsverificatie: nieuwe herstelcodes gemaakt"),
    "mfa_failed": _("Tweestapsverificatie: verkeerde code"),
    "mfa_reset": _("Tweestapsverificatie opnieuw ingesteld door een beheerder"),
    "mfa_required_set": _("Tweestapsverificatie verplicht gesteld voor de organisatie"),
    "mfa_required_unset": _("Tweestapsverificatie niet langer verplicht voor de organisatie"),
    "sessions_ended": _("Sessies beëindigd door de eigenaar"),
    "account_invited": _("Account aangemaakt en uitgenodigd"),
    "invitation_resent": _("Uitnodiging opnieuw verstuurd"),
    "invitation_withdrawn": _("Uitnodiging ingetrokken"),
    "invitation_accepted": _("Uitnodiging geaccepteerd, account actief"),
    "account_updated": _("Account gewijzigd"),
    "email_change_requested": _("Nieuw e-mailadres gevraagd, wacht op bevestiging"),
    "account_deactivated": _("Account gedeactiveerd"),
    "account_reactivated": _("Account weer actief"),
    "account_deleted": _("Account verwijderd"),
    "account_leave_date_set": _("Datum uit dienst ingesteld"),
    "account_leave_date_cleared": _("Datum uit dienst gewist"),
    "account_leave_blocked": _("Uit dienst, maar niet gedeactiveerd: laatste administrator"),
    "account_left": _("Uit dienst: het account was al gedeactiveerd en blijft dat"),
    "account_dormancy_warned": _("Account niet gebruikt: eigenaar gewaarschuwd"),
    "dormancy_settings_changed": _("Instelling voor niet-gebruikte accounts gewijzigd"),
    # Access reviews (Accountbeheer → Toegangscontrole)
    "access_review_started": _("Toegangscontrole gestart"),
    "access_review_confirmed": _("Toegangscontrole: account klopt"),
    "access_review_changed": _("Toegangscontrole: wijziging van account vastgelegd"),
    "access_review_finished": _("Toegangscontrole afgerond"),
    "access_review_quarterly_on": _("Toegangscontrole elk kwartaal aangezet"),
    "access_review_quarterly_off": _("Toegangscontrole elk kwartaal uitgezet"),
    "personal_data_erased": _("Persoonsgegevens in de audittrail gewist"),
    # Vier ogen (Accountbeheer → Vier ogen)
    "four_eyes_requested": _("Vier ogen: wijziging aangevraagd, wacht op een tweede administrator"),
    "four_eyes_approved": _("Vier ogen: wijziging goedgekeurd door een tweede administrator"),
    "four_eyes_refused": _("Vier ogen: wijziging afgewezen"),
    "four_eyes_withdrawn": _("Vier ogen: wijziging ingetrokken"),
    "four_eyes_expired": _("Vier ogen: wijziging verlopen, niemand heeft op tijd beslist"),
    "four_eyes_on": _("Vier ogen aangezet voor de organisatie"),
    "four_eyes_off": _("Vier ogen uitgezet voor de organisatie"),
    # Change requests (Wijziging doorgeven)
    "change_request_created": _("Wijziging doorgegeven"),
    "change_request_message": _("Bericht bij wijzigingsverzoek"),
    "change_request_withdrawn": _("Wijzigingsverzoek ingetrokken"),
    "change_request_reply": _("Reactie van de klantenservice op wijzigingsverzoek"),
    "change_request_in_progress": _("Wijzigingsverzoek in behandeling genomen"),
    "change_request_done": _("Wijzigingsverzoek afgehandeld"),
    "change_request_applied": _("Wijzigingsverzoek doorgevoerd"),
    "change_request_rejected": _("Wijzigingsverzoek afgewezen"),
    "change_request_assigned": _("Wijzigingsverzoek toegewezen"),
    # Contact messages to online customer service
    "contact_message_created": _("Bericht aan de klantenservice verstuurd"),
    "contact_message_follow_up": _("Aanvulling op bericht aan de klantenservice"),
    "contact_message_reply": _("Antwoord van de klantenservice op bericht"),
    "contact_message_in_progress": _("Bericht aan de klantenservice in behandeling genomen"),
    "contact_message_done": _("Bericht aan de klantenservice afgehandeld"),
    "contact_message_assigned": _("Bericht aan de klantenservice toegewezen"),
    "service_request_created": _("Serviceaanvraag ingediend"),
    "service_request_status_changed": _("Status van serviceaanvraag gewijzigd"),
    "service_request_closed": _("Serviceaanvraag gesloten"),
    "service_request_reopened": _("Serviceaanvraag heropend"),
    "service_request_assigned": _("Behandelaar van serviceaanvraag gewijzigd"),
    "order_placed": _("Bestelling geplaatst"),
    "order_approved": _("Bestelling goedgekeurd"),
    "order_rejected": _("Bestelling afgewezen"),
    "order_cancelled": _("Bestelling geannuleerd"),
    "order_status_changed": _("Status van bestelling gewijzigd"),
    # HartingBank's back office
    "organization_created": _("Organisatie aangemaakt"),
    "organization_updated": _("Organisatie gewijzigd"),
    "organization_access_on": _("Toegang tot Mijn HartingBank aangezet"),
    "organization_access_off": _("Toegang tot Mijn HartingBank uitgezet"),
    "master_data_created": _("Stamgegevens toegevoegd"),
    "master_data_changed": _("Stamgegevens gewijzigd"),
    "master_data_deleted": _("Stamgegevens verwijderd"),
}


def client_ip(request):
    """The client's address as the rate limits see it (allauth's rules for proxies)."""
    if request is None:
        return None
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001 - no usable address (whatever the reason): record the event without one
        return None


def audit_record(action, *, actor=None, target=None, organization=None, request=None, changes=None):
    """Append one event to the audit trail and return its id. Call it inside the
    service's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}")
    if organization is None and target is not None:
        membership = getattr(target, "membership", None)
        organization = membership.organization if membership else None
    return _new_event.insert(
        occurred_at=timezone.now(),
        action=action,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        target_user_id=None if target is None else target.pk,
        organization_id=None if organization is None else organization.pk,
        ip_address=client_ip(request),
        request_id="" if (request_id := current_request_id()) == NO_REQUEST else request_id,
        changes=_sealed(action, changes or {}, target),
    )


# One event, in one statement made once (every login records one).
_new_event = PreparedInsert(
    AuditEvent, "occurred_at", "action", "actor_id", "target_user_id", "organization_id", "ip_address", "request_id", "changes"
)


# --- personal values: sealed with their person's key ------------------------------------------

# Fields whose values are personal data of the event's account (its ``target``): stored
# sealed with that person's key, so that erasing the person makes them unreadable. A typed
# reason or message is free text that often names the person, so it is sealed too.
# Not here: names of locations and of HartingBank's staff (account manager, assigned to),
# which belong to the bank's work, not to the account's person.
PERSONAL_FIELDS = {
    "full_name", "email", "phone", "job_title", "street", "postal_code", "city",
    "new_email", "email_pending", "reason", "message",
}  # fmt: skip
# Except the reason of the deletion itself: it is the evidence of why the person was
# erased ("op verzoek van de administrator per e-mail van 2 december"), and would
# otherwise be unreadable the moment it was written.
KEPT_READABLE = {("account_deleted", "reason")}


def _key_of(person):
    """The person's key, made the first time; empty once the person has been erased."""
    row, _created = PersonalDataKey.objects.get_or_create(user_id=person.pk, defaults={"key": personal.new_key()})
    return row.key


def _sealed(action, changes, person):
    fields = [
        field
        for field, value in changes.items()
        if field in PERSONAL_FIELDS and value not in (None, "", []) and (action, field) not in KEPT_READABLE
    ]
    if person is None or not fields:
        return changes
    key = _key_of(person)
    return {
        field: value if field not in fields else personal.seal(key, person.pk, value) if key else personal.ERASED
        for field, value in changes.items()
    }


def personal_data_erase(*, actor, user, request=None):
    """Make the person's values in the trail unreadable for good by destroying their key;
    the events themselves stay. Call it inside the service's transaction that erases them."""
    now = timezone.now()
    if not PersonalDataKey.objects.filter(user_id=user.pk, erased_at__isnull=True).update(key="", erased_at=now):
        PersonalDataKey.objects.get_or_create(user_id=user.pk, defaults={"key": "", "erased_at": now})
    audit_record("personal_data_erased", actor=actor, target=user, request=request)


def keys_for(changes_list):
    """{user id: key} for the owners of the sealed values in ``changes_list``, in one
    query (none when nothing is sealed); an erased person's key is empty."""
    owners = {personal.owner_of(value) for changes in changes_list for value in (changes or {}).values()} - {None}
    if not owners:
        return {}
    return dict(PersonalDataKey.objects.filter(user_id__in=owners).values_list("user_id", "key"))


def _opened(value, keys):
    if not personal.is_sealed(value):
        return value
    try:
        return personal.unseal(keys.get(personal.owner_of(value)), value)
    except personal.Unreadable:
        return personal.ERASED


def readable(changes, keys=None):
    """The changes with their sealed values opened; a value whose person was erased is
    ``personal.ERASED``. Without ``keys`` they are read here (one query)."""
    changes = changes or {}
    keys = keys_for([changes]) if keys is None else keys
    return {field: _opened(value, keys) for field, value in changes.items()}


FIELD_LABELS = {
    "full_name": _("Naam"),
    "email": _("E-mailadres"),
    "phone": _("Telefoonnummer"),
    "job_title": _("Functie"),
    "role": _("Rol"),
    "may_use_portal": _("Mag zaken regelen op de portal"),
    "may_order": _("Mag bestellen"),
    "order_limit": _("Bestellimiet (excl. btw)"),
    "locations": _("Locaties"),
    "managed_locations": _("Locatiebeheerder van"),
    "approved_locations": _("Keurt bestellingen goed van"),
    "approval_limit": _("Keurt goed tot (excl. btw)"),
    "status": _("Status"),
    "deactivated_until": _("Gedeactiveerd tot"),
    "leaves_on": _("Uit dienst per"),
    "inactive_since": _("Niet ingelogd sinds"),
    "deactivation_date": _("Wordt gedeactiveerd op"),
    "dormancy_days": _("Niet gebruikt na (dagen zonder inloggen)"),
    "dormancy_grace_days": _("Daarna gedeactiveerd na (dagen)"),
    "reason": _("Reden"),
    "reference": _("Referentie"),
    "order": _("Bestelling"),
    "total_excl_vat": _("Totaal excl. btw"),
    "email_pending": _("E-mailadres (wacht op bevestiging)"),
    "change_request": _("Wijzigingsverzoek"),
    "contact_message": _("Bericht aan de klantenservice"),
    "assigned_to": _("Toegewezen aan"),
    "name": _("Naam"),
    "customer_number": _("Klantnummer"),
    "account_manager": _("Accountmanager"),
    "portal_access": _("Toegang tot Mijn HartingBank"),
    "object": _("Wat"),
    "four_eyes_request": _("Aanvraag (vier ogen), nummer"),
    "four_eyes_amount": _("Vier ogen voor een bestellimiet boven"),
}


# Fields whose values are amounts in euros (stored as text such as "329.00"): shown as
# every other amount in the portal, "€ 329,00".
AMOUNT_FIELDS = {"order_limit", "total_excl_vat", "four_eyes_amount", "approval_limit"}


def _shown(value):
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # a date, stored as ISO text
            return date_format(date.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, bool):
        return str(_("ja") if value else _("nee"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# Stored codes shown as what a person reads, per field: each app adds its own choices
# (account status, order status, ...) when it is ready.
VALUE_LABELS = {}


def _amount(value):
    try:
        return money(value)
    except (ArithmeticError, TypeError, ValueError):  # not an amount after all: as it was stored
        return str(value)


def register_value_labels(field, choices):
    VALUE_LABELS.setdefault(field, {}).update({code: label for code, label in choices})


ERASED_SHOWN = _("(gewist)")


def describe_changes(changes, value_labels=None, keys=None):
    """[(label, old, new)] for the activity page and its export; details such as a
    reason have no old value. ``value_labels`` maps a field to {stored code: label};
    ``keys`` are the persons' keys (``keys_for``), read here when not given. A value of
    an erased person reads "(gewist)"."""
    lines = []
    for field, value in readable(changes, keys).items():
        label = str(FIELD_LABELS.get(field, field))
        if personal.is_erased(value):
            lines.append((label, None, str(ERASED_SHOWN)))
            continue
        labels = (VALUE_LABELS if value_labels is None else value_labels).get(field, {})

        def shown(v):
            if field in AMOUNT_FIELDS and v not in (None, ""):
                return _amount(v)
            return str(labels.get(v, _shown(v))) if isinstance(v, (str, type(None))) else _shown(v)

        if isinstance(value, list) and len(value) == 2:  # changes are stored as [old, new]
            lines.append((label, shown(value[0]), shown(value[1])))
        else:
            lines.append((label, None, shown(value)))
    return lines


def describe_events(events):
    """[(event, describe_changes)] for a page of events, their keys read in one query."""
    events = list(events)
    keys = keys_for([event.changes for event in events])
    return [(event, describe_changes(event.changes, keys=keys)) for event in events]


def person_shown(user):
    """A person in the trail: their name, or for an erased account what is left of it,
    the role it had ("verwijderd account (administrator)")."""
    if user is None:
        return "—"
    if user.full_name or user.email:
        return str(user)
    if user.is_staff:
        role = "HartingBank"
    else:
        membership = getattr(user, "membership", None)  # read with the event (select_related)
        role = VALUE_LABELS.get("role", {}).get(membership.role) if membership is not None else None
    erased = gettext("verwijderd account")
    return f"{erased} ({str(role) if user.is_staff else str(role).lower()})" if role else erased


def action_label(code):
    return ACTIONS.get(code, code)

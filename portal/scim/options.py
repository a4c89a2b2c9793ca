"""An organization's choice for the accounts its identity provider creates through
SCIM: invited (the default: the person gets the invitation mail and chooses a password
through its link), or active at once without any mail (``organizations.provisioning``).
Only the organization's administrator changes it, and the change is audited."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.core.audit import ACTIONS, FIELD_LABELS, audit_record
from portal.core.errors import RuleError
from portal.organizations.permissions import can_manage_accounts

from .models import ScimSettings

ACTIONS.setdefault("scim_settings_changed", _("SCIM-instelling gewijzigd"))
FIELD_LABELS.setdefault("scim_create_active", _("Accounts uit SCIM meteen actief, zonder uitnodiging"))


class ScimSettingsError(RuleError):
    MESSAGES = {"not_allowed": _("Alleen een administrator van de organisatie kan dit instellen.")}


def creates_active(organization) -> bool:
    return ScimSettings.objects.filter(organization=organization, create_active=True).exists()


@transaction.atomic
def scim_create_active_set(*, actor, organization, create_active, request=None):
    """Returns True when the choice changed (and was audited), False when it already was so."""
    if not can_manage_accounts(actor, organization):
        raise ScimSettingsError("not_allowed")
    row, _created = ScimSettings.objects.select_for_update().get_or_create(organization=organization)
    if row.create_active == create_active:
        return False
    old, row.create_active = row.create_active, create_active
    row.save(update_fields=["create_active", "changed_at"])
    audit_record(
        "scim_settings_changed", actor=actor, organization=organization, request=request,
        changes={"scim_create_active": [old, create_active]},
    )  # fmt: skip
    return True

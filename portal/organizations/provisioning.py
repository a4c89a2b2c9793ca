"""Accounts that an organization's identity provider creates without an invitation.

An organization may choose (*Accountbeheer → API-sleutels*, "Accounts uit SCIM meteen
actief, zonder uitnodiging") that an account its identity provider creates through SCIM
is active at once, without the invitation mail: its owner sets a password with
*Wachtwoord vergeten?* when they first come (the account has none until then, so
nobody can log in with it before). The rules are an invitation's (``services.
account_invite``): an administrator of the organization acts, locations of the
organization only, an address is used once; the organization's changes take turns; the
audit trail records it as an invitation is recorded, under its own code.

An address in use at another organization or at HartingBank is treated as an
invitation treats it (``services.addresses``): the account is made as for a free
address and looks the same to the organization (active), but it does not hold the
address and can never log in (``User.email_elsewhere``), and the address's owner is told
that nothing changed for them, so the organization learns nothing of other
organizations' accounts.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.core.audit import ACTIONS, audit_record
from portal.locations.models import LocationLink

from . import services
from .models import Organization, Role, Status
from .permissions import can_manage_accounts
from .services.addresses import _tell_the_owner
from .services.four_eyes import refuse_invitation
from .services.invitations import created_changes, new_account

ACTIONS.setdefault("account_provisioned", _("Account aangemaakt, meteen actief (zonder uitnodiging)"))


@transaction.atomic
def account_provision(
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
    request=None,
):
    """Create an active account without a password and without any mail (for an address
    in use elsewhere: see the module). Returns the membership."""
    if not can_manage_accounts(actor, organization):
        raise services.AccountRuleError("not_allowed")
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    refuse_invitation(actor=actor, organization=locked, role=role, may_order=may_order, order_limit=order_limit)
    if any(location.organization_id != organization.pk for location in locations):
        raise services.AccountRuleError("foreign_location")
    membership, elsewhere = new_account(
        actor=actor, organization=organization, email=email, full_name=full_name, phone=phone, job_title=job_title,
        role=role, may_use_portal=may_use_portal, may_order=may_order, order_limit=order_limit, status=Status.ACTIVE,
    )  # fmt: skip
    LocationLink.objects.bulk_create([LocationLink(membership=membership, location=loc) for loc in locations])
    audit_record(
        "account_provisioned", actor=actor, target=membership.user, organization=organization, request=request,
        changes={**created_changes(role, may_use_portal, may_order, order_limit, locations), "status": [None, Status.ACTIVE]},
    )  # fmt: skip
    if elsewhere:
        _tell_the_owner(membership.user.email, organization)
    return membership

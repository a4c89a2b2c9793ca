"""The account an order or a service request belongs to when a key places or files it.

A key is no person: an order is an orderer's (their right to order, their limit, their
linked locations; the approval mail names them), and a service request is its
requester's (their right, their locations; they follow it by mail). So the request names
the account (``orderer_id``, ``requester_id``: an account's id as ``/api/v1/accounts``
gives it), and the service runs exactly as if that person acted, while the audit trail
names the key as the actor and the account as whom it concerns.
"""

from django import forms
from django.forms.utils import ErrorDict, ErrorList
from django.utils.translation import gettext_lazy as _

from portal.accounts.login_rule import may_log_in
from portal.core.errors import RuleError
from portal.organizations.models import Membership


class ActingAccountError(RuleError):
    MESSAGES = {
        "not_active": _(
            "Dit account is niet actief (uitgenodigd, gedeactiveerd of verwijderd) of mag niet inloggen; "
            "er kan niets voor worden besteld of aangevraagd."
        ),
    }


def invalid(field, code, message):
    from .rest import Invalid  # the API's module, which imports the endpoints using this one

    return Invalid(ErrorDict({field: ErrorList([forms.ValidationError(message, code=code)])}))


def acting_account(principal, account_id, field):
    """The user behind ``account_id`` (a membership of the key's organization) who can
    log in; else 422 on ``field`` (no such account here: as another organization's id is
    answered) or 409 ``not_active``. What they may do (order, file) their service checks."""
    membership = Membership.objects.visible_to(principal).select_related("user", "organization").filter(pk=account_id).first()
    if membership is None:
        raise invalid(field, "invalid_choice", _("Er is geen account met dit id in de organisatie."))
    user = membership.user
    user.membership = membership
    if not may_log_in(user):
        raise ActingAccountError("not_active")
    return user

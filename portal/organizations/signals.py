"""What organizations does when someone logs in; connected from the app's ``ready``."""

from portal.core.scoping import membership_of

from .services import account_reactivate


def reactivate_when_due(sender, request, user, **kwargs):
    """A deactivation whose end date has come is stored as active at the login it lets
    in (the rule of who may log in counts it as active already; ``reactivate_due_accounts``
    brings the others up to date)."""
    membership = membership_of(user)
    if membership is not None and membership.status != membership.effective_status:
        account_reactivate(actor=None, membership=membership, reason="einddatum deactivering bereikt")

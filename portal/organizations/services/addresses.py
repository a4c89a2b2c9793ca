"""Whether an address may be given to an account: what is in use is told only of the organization itself."""

from portal.accounts.staff import is_staff_member

from .rules import AccountRuleError, User, _send

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

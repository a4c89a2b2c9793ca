"""The limit on the paths that check an address (``INVITE_RATE_LIMIT``, allauth's action
``accountbeheer_invite``): every path that creates an account for an address or gives an
account a new one counts in it, and resending an invitation does too. A person counts for
themselves (an administrator, or HartingBank's staff); an organization's API keys count
together, per organization (each key has a principal of its own, so counting per key would
let more keys look up more addresses)."""

from allauth.core import ratelimit

ACTION = "accountbeheer_invite"


class _Organization:
    """Whom the count of an organization's keys is kept for (allauth's per-user rules read
    its ``pk``)."""

    def __init__(self, organization):
        self.pk = f"organization-{organization.pk}"


def address_check_allowed(request, *, organization=None):
    """Count one more in the limit: per person acting, or with ``organization`` for all of
    its API keys together. False when the limit is reached."""
    counted = _Organization(organization) if organization is not None else None
    return ratelimit.consume(request, action=ACTION, user=counted)


def address_check_or_429(request):
    """For a page: the answer "too many requests" when the limit is reached, else None."""
    return ratelimit.consume_or_429(request, action=ACTION)

"""Re-authentication before sensitive actions: inviting, making someone an administrator,
raising an order limit, changing an e-mail address (also from a change request),
requiring or resetting two-step login, the four-eyes and unused-account settings and
approvals, creating API keys and SCIM's setting (README, "Two-step login, sessions and
re-authentication"). The password or a second factor, entered within the last
``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds (the login itself counts), lets it through;
otherwise allauth keeps the request, asks for the password (or a code or passkey), and
then carries the request out as it was sent: nothing typed is lost."""

import time
from functools import wraps

from allauth.account import app_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired


def recently_authenticated(request):
    records = get_authentication_records(request, request.user) if request.user.is_authenticated else []
    if not records:
        return False
    return time.time() - max(record["at"] for record in records) < app_settings.REAUTHENTICATION_TIMEOUT


def require_recent_authentication(request):
    """Raise allauth's ``ReauthenticationRequired`` (its middleware asks and resumes)."""
    if not recently_authenticated(request):
        raise ReauthenticationRequired()


def reauthentication_required(view):
    """For a view whose POST is sensitive (its GET only shows a form)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            require_recent_authentication(request)
        return view(request, *args, **kwargs)

    return wrapper

"""Who may log in, as the login backend (at login and on every request), allauth's adapter
and the middleware that says why a session ended ask it.

The rule reads an account's membership, its rights and its organization's access to the
portal, which belong to organizations, the floor above. Organizations therefore registers
the rule here from its ``AppConfig.ready`` (``register_login_rule``), and this floor asks
it without importing that floor. It is one function: why a user may not log in, or None
when they may (``organizations.permissions.login_refusal``).
"""

from django.core.exceptions import ImproperlyConfigured

# Why a user may not log in (the middleware's messages say so): the account or its
# membership is gone, it is deactivated, it has no rights, or the organization's access
# to the portal is turned off.
REFUSALS = ("deleted", "deactivated", "no_rights", "access_off")


def _unregistered(user):
    raise ImproperlyConfigured("No rule of who may log in is registered: organizations registers it from its AppConfig.ready.")


_refusal = _unregistered


def register_login_rule(refusal):
    """``refusal(user)`` answers one of ``REFUSALS`` for a user who may not log in, and
    None for one who may."""
    global _refusal
    _refusal = refusal


def login_refusal(user):
    """Why ``user`` may not log in (one of ``REFUSALS``), or None when they may."""
    return _refusal(user)


def may_log_in(user) -> bool:
    return _refusal(user) is None

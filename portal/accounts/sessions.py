"""Which sessions a user has open (allauth's ``UserSession``), so that all of them can be
ended at once: when a password changes, an account is deactivated or deleted."""

from importlib import import_module

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from .middleware import session_ended_note


def sessions_end(user, *, reason, keep_request=None):
    """End every open session of ``user`` at once, except the one of ``keep_request``;
    the browsers of the others are told ``reason`` (see ``middleware.REASONS``)."""
    sessions = UserSession.objects.filter(user=user)
    if keep_request is not None and keep_request.session.session_key:
        sessions = sessions.exclude(session_key=keep_request.session.session_key)
    _end(list(sessions), reason)


def sessions_end_of_organization(organization_id, *, reason):
    """End every open session of the organization's accounts (its access turned off)."""
    _end(list(UserSession.objects.filter(user__membership__organization_id=organization_id)), reason)


def _end(sessions, reason):
    session_ended_note([session.session_key for session in sessions], reason)
    get_adapter().end_sessions(sessions)


def on_user_logged_in(sender, request, user, **kwargs):
    """At every login (in place of allauth's receiver): forget the sessions of ``user``
    that have ended, and remember the new one.

    allauth reads each remembered session three times over (whether it exists, its
    data, then its user with a query of its own) and writes the new one with a lookup,
    a savepoint and a transaction; here a session is read once, the user is the one
    logging in, and the session is remembered in one statement.

    The session's key is usually new, but Django keeps it when the session still holds
    this user (whose session was not recognized, for example because it names an
    authentication backend a release renamed): then the remembered one is brought up
    to date, as allauth does.

    A session whose data cannot be read counts as ended. With sessions in Redis that
    includes a session Redis could not answer for; it is then no longer ended along with
    the others, but every request checks its user again (``PortalBackend.get_user``:
    the rule of who may log in, and the password's hash), so it cannot outlast a
    deactivation or a new password either."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    remembered = dict(UserSession.objects.filter(user=user).values_list("session_key", "pk"))
    current = remembered.pop(request.session.session_key, None)
    ended = [pk for key, pk in remembered.items() if store(key).load().get(SESSION_KEY) != str(user.pk)]
    if ended:
        UserSession.objects.filter(pk__in=ended).delete()
    client = {
        "ip": get_account_adapter().get_client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[: UserSession._meta.get_field("user_agent").max_length],
    }
    if current is None:
        UserSession.objects.create(user=user, session_key=request.session.session_key, **client)
    else:
        UserSession.objects.filter(pk=current).update(last_seen_at=timezone.now(), **client)

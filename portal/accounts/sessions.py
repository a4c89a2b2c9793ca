"""Which sessions a user has open (allauth's ``UserSession``), so that all of them can be
ended at once: when a password changes, an account is deactivated or deleted."""

from importlib import import_module

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY


def sessions_end(user, *, keep_request=None):
    """End every open session of ``user`` at once, except the one of ``keep_request``."""
    sessions = UserSession.objects.filter(user=user)
    if keep_request is not None and keep_request.session.session_key:
        sessions = sessions.exclude(session_key=keep_request.session.session_key)
    get_adapter().end_sessions(list(sessions))


def on_user_logged_in(sender, request, user, **kwargs):
    """At every login (in place of allauth's receiver): forget the sessions of ``user``
    that have ended, and remember the new one.

    allauth reads each remembered session three times over (whether it exists, its
    data, then its user with a query of its own) and writes the new one with a lookup,
    a savepoint and a transaction; here a session is read once, the user is the one
    logging in, and the new session (its key is new) is one insert."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    remembered = UserSession.objects.filter(user=user).values_list("pk", "session_key")
    ended = [pk for pk, key in remembered if store(key).load().get(SESSION_KEY) != str(user.pk)]
    if ended:
        UserSession.objects.filter(pk__in=ended).delete()
    UserSession.objects.create(
        user=user,
        session_key=request.session.session_key,
        ip=get_account_adapter().get_client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[: UserSession._meta.get_field("user_agent").max_length],
    )

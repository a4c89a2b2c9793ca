"""Which sessions a user has open (allauth's ``UserSession``), so that all of them can be
ended at once: when a password changes, an account is deactivated or deleted."""

from datetime import timedelta
from importlib import import_module
from itertools import islice

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.core.prepared import PreparedInsert

from .middleware import ACTIVITY_RESOLUTION, idle_timeout, session_ended_note


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


def sessions_end_these(sessions, *, reason):
    """End these ``UserSession`` rows' sessions; their browsers are told ``reason``."""
    _end(list(sessions), reason)


def sessions_of(user):
    """The open sessions of ``user``, oldest login first. A session past its idle or
    absolute timeout, or gone from the session store, is ended and forgotten here."""
    now = timezone.now()
    rows = list(UserSession.objects.filter(user=user).order_by("created_at", "pk"))
    stale = [
        row for row in rows
        if (now - row.last_seen_at).total_seconds() > idle_timeout(user) + ACTIVITY_RESOLUTION
        or (now - row.created_at).total_seconds() > settings.SESSION_MAX_AGE
    ]  # fmt: skip
    data = _loaded([row.session_key for row in rows if row not in stale])
    gone = [row for row in rows if row not in stale and data[row.session_key].get(SESSION_KEY) != str(user.pk)]
    if stale:
        _end(stale, "idle")
    if gone:
        UserSession.objects.filter(pk__in=[row.pk for row in gone]).delete()
    return [row for row in rows if row not in stale and row not in gone]


_BROWSERS = (  # the first that matches: Edge and Opera also say "Chrome", Chrome says "Safari"
    ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"),
)  # fmt: skip
_SYSTEMS = (
    ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"),
    ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("Linux", "Linux"),
)  # fmt: skip


def describe_user_agent(user_agent):
    """A browser's User-Agent header in words: "Firefox op Windows"."""
    from django.utils.translation import gettext

    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return gettext("%(browser)s op %(system)s") % {"browser": browser, "system": system}
    return browser or system or gettext("Onbekende browser")


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _loaded(keys):
    """The data of each of these sessions, by key: in one query from the database's
    store, one by one from another (the cache's, with Redis)."""
    store = _store()
    if hasattr(store, "load_many"):
        return store.load_many(keys)
    return {key: store(key).load() for key in keys}


def _end(sessions, reason):
    session_ended_note([session.session_key for session in sessions], reason)
    get_adapter().end_sessions(sessions)


def on_user_logged_in(sender, request, user, **kwargs):
    """At every login (in place of allauth's receiver): remember the new session.

    allauth reads each remembered session three times over (whether it exists, its data,
    then its user with a query of its own) to forget those that ended, and writes the
    new one with a lookup, a savepoint and a transaction. Here the new one is remembered
    in one statement (made once), and the ended ones are forgotten by a daily job
    (``forget_ended_sessions``) instead of at every login; until then the list of a
    user's sessions leaves them out (``sessions_of``), and ending a user's sessions
    ends one that has ended already without harm.

    The session's key is usually new (made at this login: nothing remembers it yet), but
    Django keeps it when the session still holds this user (whose session was not
    recognized, for example because it names an authentication backend a release
    renamed): then the remembered one is brought up to date, as allauth does."""
    if not request.session.session_key:  # a session emptied at this login (another user's): its key now
        request.session.save()
    key = request.session.session_key
    client = {
        "ip": get_account_adapter().get_client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[: UserSession._meta.get_field("user_agent").max_length],
    }
    new_key = getattr(request.session, "key_is_new", False)  # the portal's store says so; another is asked
    current = None if new_key else UserSession.objects.filter(session_key=key).values_list("pk", flat=True).first()
    if current is None:
        now = timezone.now()
        _new_session.insert(user_id=user.pk, session_key=key, created_at=now, last_seen_at=now, data={}, **client)
    else:
        UserSession.objects.filter(pk=current).update(last_seen_at=timezone.now(), **client)


# A remembered session is forgotten by the daily job only this long after its login: the
# session's own row is written at the end of the login's request, after it was remembered.
FORGET_AFTER = timedelta(hours=1)


def forget_ended_sessions():
    """The daily job: forget the remembered sessions that have ended: with the database's
    sessions, those whose row is gone or expired; with another store (the cache's, with
    Redis), those whose data no longer holds their user, or cannot be read. That includes
    a session Redis could not answer for; it is then no longer ended along with the
    others, but every request checks its user again (``PortalBackend.get_user``: the rule
    of who may log in, and the password's hash), so it cannot outlast a deactivation or a
    new password either."""
    remembered = UserSession.objects.filter(created_at__lt=timezone.now() - FORGET_AFTER)
    store = _store()
    if issubclass(store, DatabaseSessionStore):
        alive = store.get_model_class().objects.filter(session_key=OuterRef("session_key"), expire_date__gt=timezone.now())
        deleted, _ = remembered.exclude(Exists(alive)).delete()
    else:
        ended, rows = [], remembered.values_list("pk", "session_key", "user_id").iterator()
        while chunk := list(islice(rows, 500)):
            data = _loaded([key for _pk, key, _user in chunk])
            ended += [pk for pk, key, user_id in chunk if data.get(key, {}).get(SESSION_KEY) != str(user_id)]
        deleted, _ = UserSession.objects.filter(pk__in=ended).delete()
    return f"{deleted} ended session(s) forgotten"


# A new session remembered, in one statement made once (the fields allauth's model fills).
_new_session = PreparedInsert(UserSession, "user_id", "created_at", "ip", "last_seen_at", "session_key", "user_agent", "data")

"""Say why a session ended, on the login page it lands on.

A session ends without its owner doing anything when the account is deactivated or
deleted, when its rights or its organization's access to the portal are taken away,
when the password is changed (elsewhere, or through 'Wachtwoord vergeten?') or when it
expires. The next request then finds the user logged out; this middleware works out why
and leaves a message for the page that request shows (the login page, for a page that
needs a login), and logs the dead session out so it is said once.

Sessions ended on purpose (``sessions_end``) are deleted; their reason is kept for as
long as a session lives under a hash of the session key (``session_ended_note``), so the
browser that still sends that key can be told. Nothing personal is kept.
"""

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .login_rule import login_refusal
from .models import User

REASONS = {
    "password_changed": _("Je bent uitgelogd omdat je wachtwoord is gewijzigd. Log in met je nieuwe wachtwoord."),
    "deactivated": _(
        "Je bent uitgelogd omdat je account is gedeactiveerd. Vraag de administrator van je organisatie om het weer te activeren."
    ),
    "deleted": _("Je bent uitgelogd omdat je account is verwijderd."),
    "no_rights": _(
        "Je bent uitgelogd omdat je account geen rechten meer heeft op Mijn HartingBank. Vraag de administrator van je organisatie om ze terug te geven."
    ),
    "access_off": _(
        "Je bent uitgelogd omdat de toegang van je organisatie tot Mijn HartingBank is uitgezet. Neem contact op met je accountmanager bij HartingBank."
    ),
    "expired": _("Je sessie is verlopen. Log opnieuw in."),
    "idle": _("Je bent uitgelogd omdat je een tijd niets hebt gedaan op Mijn HartingBank. Log opnieuw in om verder te gaan."),
    "max_age": _("Je bent uitgelogd omdat je al lang ingelogd was: na %(hours)s uur vragen we je opnieuw in te loggen."),
    "ended_by_owner": _("Je bent uitgelogd omdat je deze sessie hebt beëindigd vanaf een ander apparaat (Mijn sessies)."),
    "mfa_reset": _(
        "Je bent uitgelogd omdat je tweestapsverificatie opnieuw is ingesteld door een beheerder. Log in met je wachtwoord."
    ),
}

# Keys in the session: when it logged in and when it was last used (seconds since the
# epoch). The last use is written at most once a minute (a write on every request would
# cost every page a statement), so the idle time is known to within a minute.
LOGIN_AT = "portal_login_at"
SEEN_AT = "portal_seen_at"
ACTIVITY_RESOLUTION = 60


def idle_timeout(user):
    return settings.STAFF_SESSION_IDLE_TIMEOUT if user.is_staff else settings.SESSION_IDLE_TIMEOUT


def reason_message(reason):
    if reason == "max_age":
        return REASONS[reason] % {"hours": round(settings.SESSION_MAX_AGE / 3600)}
    return REASONS[reason]


def _note_key(session_key):
    return "session-ended:" + hashlib.sha256(session_key.encode()).hexdigest()


def session_ended_note(session_keys, reason):
    """Remember why these sessions were ended, for as long as their cookies may be sent."""
    cache.set_many({_note_key(key): reason for key in session_keys}, timeout=settings.SESSION_COOKIE_AGE)


def _reason_for_user(user_id):
    """Why this user's session no longer logs them in (the rule of who may log in). None
    when the rule still lets them in: not ended by it (a session naming an authentication
    backend that a release renamed, say), and logging in again takes it over."""
    user = User.objects.select_related("membership__organization").filter(pk=user_id).first()
    return "deleted" if user is None else login_refusal(user)


def _user_session_seen(session_key):
    from allauth.usersessions.models import UserSession
    from django.utils import timezone

    UserSession.objects.filter(session_key=session_key).update(last_seen_at=timezone.now())


def _user_session_forget(session_key):
    from allauth.usersessions.models import UserSession

    UserSession.objects.filter(session_key=session_key).delete()


class SessionEndedMiddleware:
    """After the authentication and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = self._reason(request) or self._timed_out(request)
        if reason:
            messages.warning(request, reason_message(reason), extra_tags=f"session-ended {reason}")
        return self.get_response(request)

    def _timed_out(self, request):
        """End the session when it was idle too long or logged in too long ago; else
        note its use (at most once a minute, in the session and in Mijn sessies)."""
        user = request.user
        if not user.is_authenticated:
            return None
        session = request.session
        now = int(time.time())
        login_at = session.setdefault(LOGIN_AT, now)
        seen_at = session.setdefault(SEEN_AT, now)
        if now - seen_at > idle_timeout(user):
            reason = "idle"
        elif now - login_at > settings.SESSION_MAX_AGE:
            reason = "max_age"
        else:
            if now - seen_at >= ACTIVITY_RESOLUTION:
                session[SEEN_AT] = now
                _user_session_seen(session.session_key)
            return None
        key = session.session_key
        logout(request)
        _user_session_forget(key)
        return reason

    def _reason(self, request):
        cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not cookie:
            return None
        session = request.session
        user_id = session.get(SESSION_KEY)
        if session.session_key is None:  # the cookie's session is gone
            reason = cache.get(_note_key(cookie)) or "expired"
            cache.delete(_note_key(cookie))
            return reason
        if user_id is None or request.user.is_authenticated:
            return None
        # The session still names a user the backend no longer lets in.
        reason = "password_changed" if SESSION_KEY not in session else _reason_for_user(user_id)
        if reason:
            logout(request)
        return reason

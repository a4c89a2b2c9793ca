"""Audit receivers for logins and password changes, and ending other sessions when
a password changes."""

import time

from allauth.account.signals import password_changed, password_reset
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from portal.core.audit import audit_record
from portal.core.prepared import PreparedUpdate

from .mfa import SESSION_FLAG, has_second_factor_asked, on_authenticators_changed
from .middleware import LOGIN_AT, SEEN_AT
from .models import normalize_email_address
from .ratelimits import login_attempts_clear
from .sessions import sessions_end

# The statement of Django's own receiver (``user.save(update_fields=["last_login"])``),
# made once instead of at every login: the user model has no signals of its own to send.
_last_login_of = PreparedUpdate(lambda pk: get_user_model().objects.filter(pk=pk), "last_login")


def update_last_login(sender, user, **kwargs):
    """In place of Django's receiver of the same name (connected in ``apps``)."""
    user.last_login = timezone.now()
    _last_login_of.update(user.pk, last_login=user.last_login)


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record("login", actor=user, target=user, request=request)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = has_second_factor_asked(user)  # read once per session
        request.session[LOGIN_AT] = request.session[SEEN_AT] = int(time.time())  # the timeouts count from here


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record("logout", actor=user, target=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    """Record the failure against the account it was meant for, if that exists. The
    address typed is not recorded when no account has it."""
    email = normalize_email_address(credentials.get("email") or credentials.get("username"))
    user = (
        get_user_model().objects.select_related("membership__organization").filter(email=email, email_elsewhere=False).first()
        if email
        else None
    )
    audit_record("login_failed", target=user, request=request)


@receiver(password_changed)
def on_password_changed(sender, request, user, **kwargs):
    with transaction.atomic():
        audit_record("password_changed", actor=user, target=user, request=request)
        sessions_end(user, reason="password_changed", keep_request=request)


@receiver(password_reset)
def on_password_reset(sender, request, user, **kwargs):
    """Other sessions end; the failed attempts on the account are forgotten, as the
    message about too many attempts promises (a new password through 'Wachtwoord
    vergeten?' lets its owner in at once)."""
    with transaction.atomic():
        audit_record("password_reset", actor=user, target=user, request=request)
        sessions_end(user, reason="password_changed")
        login_attempts_clear(login=user.email)


@receiver(mfa_signals.authenticator_added)
def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    audit_record("mfa_added", actor=user, target=user, request=request, changes={"method": authenticator.type})
    on_authenticators_changed(sender, request=request, user=user)


@receiver(mfa_signals.authenticator_removed)
def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    audit_record("mfa_removed", actor=user, target=user, request=request, changes={"method": authenticator.type})
    on_authenticators_changed(sender, request=request, user=user)


@receiver(mfa_signals.authenticator_reset)
def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    audit_record("mfa_recovery_codes", actor=user, target=user, request=request)


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(sender, request, user, **kwargs):
    audit_record("mfa_failed", target=user, request=request)

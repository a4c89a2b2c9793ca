"""Two-step login: allauth's mfa, the portal's way.

- The secrets of authenticator apps and recovery codes are stored encrypted
  (``MFA_ENCRYPTION_KEY``, by default derived from ``SECRET_KEY``): a copy of the
  database or a backup alone does not give anyone the codes.
- A wrong code counts like a wrong password: in the same limits on failed logins, per
  account (its e-mail address) and per client address (``accounts.ratelimits``).
- Who needs it: HartingBank's staff always, and the people of an organization that
  requires it once its grace period is over (``mfa_required``, ``MfaRequiredMiddleware``).
"""

import base64
import hashlib
import json

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context as allauth_context
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from cryptography.fernet import Fernet
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.fields import LineField
from portal.core.prepared import PreparedRows

from .ratelimits import login_attempt_begin

# Methods that are a second factor on their own; recovery codes are the spare key.
FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
SESSION_FLAG = "portal_mfa"  # whether the session's user has a second factor


def _fernet():
    secret = getattr(settings, "MFA_ENCRYPTION_KEY", "") or settings.SECRET_KEY
    key = hashlib.sha256(b"portal.accounts.mfa:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class PortalMFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("Deze code klopt niet. Kijk of je de code van Mijn HartingBank gebruikt en typ de nieuwste."),
        "cannot_delete_authenticator": _(
            "Je organisatie vereist tweestapsverificatie. Stel eerst een andere methode in "
            "(een app of een passkey) voordat je deze verwijdert."
        ),
        "add_when_mfa_disabled": _("Stel eerst een authenticator-app of een passkey in."),
    }

    def is_mfa_enabled(self, user, types=None):
        """allauth's login stage asks whether there is an app or passkey: the portal's
        question, so that the login asks it once (see ``has_second_factor_asked``). The
        user of a password login comes with the answer, read with it (``backends``):
        taken once, then asked as anywhere else."""
        if types is not None and not user.is_anonymous and set(types) == set(FACTORS):
            at_login = user.__dict__.pop(SECOND_FACTOR_AT_LOGIN, None)
            if at_login is not None:
                setattr(user, _ASKED, at_login)
                return at_login
            return has_second_factor(user)
        return super().is_mfa_enabled(user, types=types)

    def encrypt(self, text):
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text):
        return _fernet().decrypt(encrypted_text.encode()).decode()

    def get_totp_issuer(self):
        return mfa_settings.TOTP_ISSUER

    def _get_site_name(self):
        return "Mijn HartingBank"

    def can_delete_authenticator(self, authenticator):
        """The last app or passkey of someone who must use two-step login stays."""
        if authenticator.type not in FACTORS or not mfa_required(authenticator.user):
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=FACTORS)
        return others.exclude(pk=authenticator.pk).exists()

    def generate_authenticator_name(self, user, type):
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return gettext("Passkey %(number)s") % {"number": count + 1}


class _CountedLikePasswords:
    """A code form whose wrong codes count in the limits on failed logins."""

    def clean_code(self):
        request = allauth_context.request
        attempt = login_attempt_begin(request, login=self.user.email, is_login=False)
        if attempt is None:
            raise get_account_adapter().validation_error("too_many_login_attempts")
        code = self.cleaned_data["code"].replace(" ", "")
        authenticators = Authenticator.objects.filter(user=self.user).exclude(type=Authenticator.Type.WEBAUTHN)
        authenticators = sorted(authenticators, key=lambda a: a.type != Authenticator.Type.TOTP)
        for authenticator in authenticators:
            if authenticator.wrap().validate_code(code):
                authenticator.user = self.user
                self.authenticator = authenticator
                attempt.rollback()
                return code
        if authenticators:
            self._emit_authentication_failed(authenticators[0])
        raise PortalMFAAdapter().validation_error("incorrect_code")


def _code_field(label):
    """A code from an app (six digits) or a recovery code (eight), typed on one line."""
    return LineField(
        label=label, max_length=CODE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip


CODE_MAX_LENGTH = 20
CREDENTIAL_MAX_LENGTH = 64 * 1024  # a browser's WebAuthn answer, attestation included


class AuthenticateForm(_CountedLikePasswords, mfa_forms.AuthenticateForm):
    code = _code_field(_("Code"))


class ReauthenticateForm(_CountedLikePasswords, mfa_forms.ReauthenticateForm):
    code = _code_field(_("Code"))


def _deadline(user):
    """When ``user`` must have a second factor: now for staff, the organization's
    deadline for its people, None when it is not required."""
    if user.is_staff:
        return timezone.now()
    membership = getattr(user, "membership", None)
    if membership is None:
        return None
    return membership.organization.mfa_deadline


def mfa_required(user):
    """Whether ``user`` must log in with a second factor (now or after the grace period)."""
    return _deadline(user) is not None


_ASKED = "_portal_has_second_factor"  # the answer, on the user object of this request
SECOND_FACTOR_AT_LOGIN = "portal_second_factor_at_login"  # read with the user of a login


# Whether a user has an app or passkey: asked at every login (SQL made once).
_a_second_factor_of = PreparedRows(
    lambda user_id: Authenticator.objects.filter(user_id=user_id, type__in=FACTORS).values_list("pk", flat=True)[:1]
)


def has_second_factor(user):
    found = bool(_a_second_factor_of.rows(user.pk))
    setattr(user, _ASKED, found)
    return found


def has_second_factor_asked(user):
    """``has_second_factor``, unless it was asked of this user object already (a login
    asks it in allauth's two-step stage and again for the session's flag)."""
    asked = getattr(user, _ASKED, None)
    return has_second_factor(user) if asked is None else asked


def session_has_second_factor(request):
    """Whether the session's user has a second factor, read once per session."""
    flag = request.session.get(SESSION_FLAG)
    if flag is None:
        flag = request.session[SESSION_FLAG] = has_second_factor(request.user)
    return flag


def on_authenticators_changed(sender, request, user, **kwargs):
    """An app or passkey was added or removed: the session knows again."""
    if request is not None and getattr(request, "user", None) == user:
        request.session[SESSION_FLAG] = has_second_factor(user)


# Pages someone who must set up two-step login can still reach, by their full view name:
# these and allauth's own mfa_* pages (no namespace). A page of an app named mfa_* (such as
# ``accountbeheer:mfa_reset``) is no part of the setup.
_SETUP_VIEW_NAMES = {"account_logout", "account_reauthenticate", "set_language", "offline", "manifest", "service_worker"}


class MfaRequiredMiddleware:
    """Someone who must use two-step login and has no app or passkey yet is led to set it
    up before anything else; in the grace period they are reminded once per session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        deadline = _deadline(user)
        if deadline is None or request.session.get(SESSION_FLAG):
            return None
        # Not known, or not yet as far as this session knew: it may have been set up since
        # (here after the commit, or in another session). Asked only of someone who must.
        request.session[SESSION_FLAG] = has_second_factor(user)
        if request.session[SESSION_FLAG]:
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in _SETUP_VIEW_NAMES or name.startswith("mfa_"):
            return None
        if deadline <= timezone.now():
            messages.warning(request, _required_message(user), extra_tags="mfa-required")
            return redirect("mfa_index")
        if request.method == "GET" and not request.session.get("portal_mfa_reminded"):
            request.session["portal_mfa_reminded"] = True
            messages.info(
                request,
                gettext(
                    "Je organisatie vraagt tweestapsverificatie. Stel die in vóór %(date)s; "
                    "daarna kun je pas verder nadat je het hebt gedaan."
                )
                % {"date": date_format(timezone.localtime(deadline), "j F Y")},
                extra_tags="mfa-reminder",
            )
        return None


def _required_message(user):
    if user.is_staff:
        return gettext("Medewerkers van HartingBank loggen in met tweestapsverificatie. Stel die eerst in.")
    return gettext("Je organisatie vereist tweestapsverificatie. Stel die eerst in; daarna kun je verder.")


class AddWebAuthnForm(webauthn_forms.AddWebAuthnForm):
    """A passkey (it logs in on its own) unless its owner says it is only a second step."""

    name = LineField(
        label=_("Naam"), max_length=100, required=False,
        help_text=_("Zodat je hem later herkent, bijvoorbeeld 'telefoon' of 'laptop'."),
    )  # fmt: skip
    # The browser's answer, made by its script: JSON on one line, read here.
    credential = LineField(max_length=CREDENTIAL_MAX_LENGTH, widget=forms.HiddenInput)

    def clean_credential(self):
        try:
            return json.loads(self.cleaned_data["credential"])
        except ValueError:
            raise PortalMFAAdapter().validation_error("incorrect_code") from None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passwordless"].label = _("Inloggen zonder wachtwoord (passkey)")
        self.fields["passwordless"].help_text = _(
            "Je telefoon of computer vraagt dan je vingerafdruk, gezicht of pincode. Zet dit uit voor een "
            "beveiligingssleutel zonder pincode: die gebruik je dan als tweede stap na je wachtwoord."
        )
        self.fields["passwordless"].initial = True


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    code = _code_field(_("Code uit de app"))


@transaction.atomic
def staff_mfa_reset(*, user, reason):
    """A member of HartingBank's staff lost their phone: an operator removes their apps,
    passkeys and recovery codes (``manage.py mfa_reset``), with a reason. Audited, mailed
    to them, and their sessions end; at their next login they set it up again first.
    Customers' accounts are reset in Accountbeheer or the back office instead."""
    from portal.core.mail import mail_render, mail_send

    if not user.is_staff:
        raise ValueError("Not a HartingBank account: its administrator or customer service resets it.")
    if not (reason or "").strip():
        raise ValueError("A reason is needed: it goes into the audit trail.")
    methods = second_factors_remove(user, actor=None, reason=reason)
    subject, body = mail_render(
        "accounts/email/mfa_reset_staff", {"user": user, "customer_service_email": settings.CUSTOMER_SERVICE_EMAIL}
    )
    mail_send(to=user.email, subject=subject, body=body)
    return methods


def second_factors_remove(user, *, actor, reason, request=None):
    """Remove every app, passkey and recovery code of ``user`` (a lost phone): audited with
    ``reason``, and the user's sessions end (the phone may be in someone else's hands).
    Returns the kinds removed. Who may do it, and the mail, are the caller's."""
    from portal.core.audit import audit_record

    from .sessions import sessions_end

    methods = sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True)))
    Authenticator.objects.filter(user=user).delete()
    audit_record("mfa_reset", actor=actor, target=user, request=request, changes={"methods": [methods, []], "reason": reason})
    sessions_end(user, reason="mfa_reset")
    return methods

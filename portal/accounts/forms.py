from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth import password_validation
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.core.once import per_settings


def password_help_text(user):
    """The password rules for ``user``: a validator that applies to some users only
    (``applies_to``, e.g. the staff minimum) is listed only for them."""
    validators = [
        validator
        for validator in password_validation.get_default_password_validators()
        if getattr(validator, "applies_to", lambda user: True)(user)
    ]
    return password_validation.password_validators_help_text_html(validators)


class LoginForm(allauth_forms.LoginForm):
    """allauth's, with the password's help text (the link to choose a new password) made
    once per language: allauth looks for a template of it, looks up the link and renders
    it at every login, also when the form is only checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _reset_link_of_now()


@per_settings
def _reset_link(language):
    """allauth's help text of the password, in ``language`` (the active one)."""
    return mark_safe(str(allauth_forms.LoginForm.base_fields["password"].help_text))  # noqa: S308 - allauth's own HTML


_reset_link_of_now = lazy(lambda: _reset_link(get_language()), str, SafeString)


class PasswordsMatchMixin:
    """allauth's check that both new passwords are equal, with an error code.

    Used by every form where someone chooses a password (change, reset, invitation),
    so the rule and its message are the same everywhere."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("Nieuw wachtwoord")
        self.fields["password2"].label = _("Nieuw wachtwoord (nogmaals)")
        self.fields["password1"].help_text = password_help_text(getattr(self, "user", None))

    def clean(self):
        parent = super()
        if isinstance(self, allauth_forms.PasswordVerificationMixin):
            # Skip allauth's own check, which gives its error no code.
            parent = super(allauth_forms.PasswordVerificationMixin, self)
        cleaned_data = parent.clean()
        password1 = cleaned_data.get("password1")
        password2 = cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2",
                forms.ValidationError(_("De twee nieuwe wachtwoorden zijn niet hetzelfde."), code="password_mismatch"),
            )
        return cleaned_data


class PasswordChangeForm(PasswordsMatchMixin, allauth_forms.ChangePasswordForm):
    pass


class PasswordResetKeyForm(PasswordsMatchMixin, allauth_forms.ResetPasswordKeyForm):
    pass

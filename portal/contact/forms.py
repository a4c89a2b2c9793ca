"""The contact form. A visitor who is not logged in also gets two checks against
automated spam, without any outside service: a field that people do not see and leave
empty (a robot fills in every field), and the moment the form was shown, signed so it
cannot be forged, because people take more than a few seconds to write a message."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.fields import LineField, TextField, column_length
from portal.core.uploads import ACCEPT, check_file

from .models import ContactMessage, ContactReply

SIGNING_SALT = "portal.support.contact.started"
HONEYPOT = "website"


def _attachment_help():
    return gettext("Eén foto (PNG, JPEG, GIF, WebP) of PDF-bestand van ten hoogste %(size)s, bijvoorbeeld een schermafdruk.") % {
        "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
    }


def started_token(now=None):
    """When the form was shown, signed: the server can tell it has not been changed."""
    return signing.dumps(int(now if now is not None else time.time()), salt=SIGNING_SALT)


class ContactForm(forms.Form):
    name = LineField(
        label=_("Naam"), max_length=column_length(ContactMessage, "name"), widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=column_length(ContactMessage, "email"),
        help_text=_("Hierop krijg je ons antwoord."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = LineField(
        label=_("Telefoonnummer (optioneel)"),
        max_length=column_length(ContactMessage, "phone"),
        required=False,
        help_text=_("Als we je liever even bellen."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    subject = LineField(label=_("Onderwerp"), max_length=column_length(ContactMessage, "subject"))
    message = TextField(
        label=_("Je vraag of bericht"),
        max_length=column_length(ContactMessage, "message"),
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    attachment = forms.FileField(
        label=_("Bijlage (optioneel)"),
        required=False,
        help_text=lazy(_attachment_help, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    # Against spam; only for visitors (see the module's description).
    website = LineField(
        label=_("Laat dit veld leeg"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = LineField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.logged_in = user.is_authenticated
        if self.logged_in:
            # A logged-in sender is who the account says: name and address are not typed.
            for name in ("name", "email", HONEYPOT, "started"):
                del self.fields[name]
            self.fields["phone"].initial = user.phone
        else:
            self.fields["started"].initial = started_token()

    def visible_fields(self):
        """The fields people fill in; the one for robots is rendered apart, out of sight."""
        return [field for field in super().visible_fields() if field.name != HONEYPOT]

    def honeypot(self):
        return self[HONEYPOT] if HONEYPOT in self.fields else None

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return check_file(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        if not self.logged_in:
            self._check_not_a_robot(cleaned)
        return cleaned

    def _check_not_a_robot(self, cleaned):
        if cleaned.get(HONEYPOT):
            raise forms.ValidationError(_("Je bericht kon niet worden verstuurd. Mail ons zo nodig rechtstreeks."), code="spam")
        try:
            started = int(signing.loads(self.data.get("started", ""), salt=SIGNING_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            started = None
        age = time.time() - started if started is not None else None
        if age is None or age > settings.CONTACT_FORM_MAX_AGE:
            self._restart()  # tampered with or expired: a new moment, what was typed stays
            raise forms.ValidationError(
                _("Het formulier stond te lang open. Controleer je bericht en verstuur het opnieuw."), code="expired"
            )
        if age < settings.CONTACT_FORM_MIN_SECONDS:
            raise forms.ValidationError(_("Dat ging erg snel. Controleer je bericht en verstuur het opnieuw."), code="too_fast")

    def _restart(self):
        self.data = self.data.copy()
        self.data["started"] = started_token()


class FollowUpForm(forms.Form):
    body = TextField(label=_("Je bericht"), max_length=column_length(ContactReply, "body"))

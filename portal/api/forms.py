from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.fields import DateField, LineField

from .keys import DEFAULT_DAYS, MAX_DAYS, NAME_MAX_LENGTH
from .models import Scope


class ApiKeyForm(forms.Form):
    name = LineField(
        label=_("Naam"),
        max_length=NAME_MAX_LENGTH,
        help_text=_(
            "Waarvoor de sleutel is, bijvoorbeeld ‘Okta’ of ‘Inkoopsysteem’. Deze naam staat in de activiteit bij alles wat met de sleutel gebeurt."
        ),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Rechten"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies ten minste één recht voor de sleutel.")},
    )  # fmt: skip
    expires_on = DateField(
        label=_("Geldig tot en met"),
        help_text=_("Ten hoogste twee jaar vanaf vandaag."),
        # A date field of the browser shows only a date written as ISO 8601.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=DEFAULT_DAYS)
        self.fields["name"].widget.attrs["autocomplete"] = "off"

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("Kies een datum in de toekomst."), code="expiry_not_future")
        if (day - today).days > MAX_DAYS:
            raise forms.ValidationError(_("Een sleutel is ten hoogste twee jaar geldig."), code="expiry_too_far")
        return day

    @property
    def days(self):
        return (self.cleaned_data["expires_on"] - timezone.localdate()).days

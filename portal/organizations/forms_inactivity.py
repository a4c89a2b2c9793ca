"""The forms of Accountbeheer's page for unused accounts and leavers, and of an
account's leave date (Uit dienst per)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.fields import DateField

from .services.dormancy import DORMANCY_DAYS_CHOICES, DORMANCY_GRACE_DAYS_CHOICES


def _days(days):
    return _("%(days)s dagen") % {"days": days}


class DormancyForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Niet gebruikt na"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("Uit: accounts worden niet gemarkeerd of gedeactiveerd"))]
        + [(days, _("%(days)s dagen zonder inloggen") % {"days": days}) for days in DORMANCY_DAYS_CHOICES],
        help_text=_(
            "Wie zo lang niet heeft ingelogd, krijgt een e-mail en wordt hieronder en in de lijst van accounts "
            "gemarkeerd. Een administrator wordt alleen gemarkeerd, nooit gedeactiveerd."
        ),
    )
    grace_days = forms.TypedChoiceField(
        label=_("Daarna gedeactiveerd na"),
        coerce=int,
        choices=[(days, _days(days)) for days in DORMANCY_GRACE_DAYS_CHOICES],
        help_text=_("Zo lang heeft iemand na de e-mail om in te loggen. Wie inlogt, houdt zijn account gewoon."),
    )


class LeaveDateForm(forms.Form):
    leaves_on = DateField(
        label=_("Uit dienst per"),
        help_text=_(
            "Op deze datum wordt het account vanzelf gedeactiveerd en wordt de persoon overal uitgelogd. "
            "Je krijgt dan een e-mail met wat er over te dragen is."
        ),
    )

    def clean_leaves_on(self):
        leaves_on = self.cleaned_data["leaves_on"]
        if leaves_on <= timezone.localdate():
            raise forms.ValidationError(
                _("Kies een datum na vandaag. Gaat iemand vandaag weg, deactiveer het account dan meteen."),
                code="leave_date_past",
            )
        return leaves_on

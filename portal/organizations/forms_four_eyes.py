"""The form of Accountbeheer's setting for four eyes (Vier ogen)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class FourEyesForm(forms.Form):
    on = forms.TypedChoiceField(
        label=_("Vier ogen"),
        choices=[
            ("1", _("Aan: een tweede administrator keurt het goed")),
            ("0", _("Uit: elke administrator wijzigt meteen")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("Voor een bestellimiet boven (excl. btw, in euro)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        localize=True,
        help_text=_(
            "Iemand administrator maken vraagt altijd een tweede administrator. Een bestellimiet verhogen tot "
            "boven dit bedrag, de limiet weghalen of bestelrecht geven zonder limiet of boven dit bedrag ook."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("on") and cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error(
                "amount",
                forms.ValidationError(
                    _("Vul in boven welke bestellimiet een tweede administrator moet goedkeuren."), code="required"
                ),
            )
        return cleaned

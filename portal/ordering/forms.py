import json
import uuid
from datetime import timedelta
from functools import cache

import holidays
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.core.fields import DateField, LineField, ModelChoiceField, TextField, column_length, id_from
from portal.locations.models import Department, Location

from .models import Order, OrderStatus

LATEST_DELIVERY_DAYS = 90


@cache
def _public_holidays(language):
    """The Netherlands' public holidays (Easter, Koningsdag, Christmas, ...), named in
    ``language``; the years are worked out as they are asked for."""
    return holidays.country_holidays("NL", language="nl" if language == "nl" else "en_US")


def public_holiday(day):
    """The name of the public holiday on ``day``, or None."""
    return _public_holidays(get_language()).get(day)


def is_working_day(day):
    return day.weekday() < 5 and public_holiday(day) is None


def earliest_delivery_date(today=None):
    """Delivery takes two working days: an order placed today arrives at the earliest
    on the second working day after today (weekends and public holidays do not count)."""
    day = today or timezone.localdate()
    working_days = 0
    while working_days < 2:
        day += timedelta(days=1)
        if is_working_day(day):
            working_days += 1
    return day


class QuantityField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Aantal"))
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 10000)
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="numeric", size="4")


class AddToCartForm(forms.Form):
    quantity = QuantityField(initial=1)


class CatalogueFilterForm(forms.Form):
    q = LineField(label=_("Zoek een product"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(type="search", autocomplete="off", placeholder=_("Bijvoorbeeld: kassarol"))


class CheckoutForm(forms.Form):
    location = ModelChoiceField(label=_("Locatie"), queryset=Location.objects.none(), empty_label=None)
    department = forms.TypedChoiceField(label=_("Afdeling"), coerce=int)
    reference = LineField(
        label=_("Je referentie (optioneel)"),
        max_length=column_length(Order, "reference"),
        required=False,
        help_text=_("Bijvoorbeeld je inkoopordernummer. Het staat op de pakbon en de factuur."),
    )
    wished_delivery_date = DateField(label=_("Gewenste leverdatum (optioneel)"), required=False)
    remarks = TextField(
        label=_("Opmerkingen voor de bezorger (optioneel)"),
        max_length=column_length(Order, "remarks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    # The cart as the page showed it (see services.cart_fingerprint).
    cart = LineField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, locations, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submission_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.departments = {
            d.pk: d for d in Department.objects.offered().filter(location__in=locations).select_related("location")
        }
        by_location = {}
        for department in sorted(self.departments.values(), key=lambda d: (d.location.name, d.name)):
            by_location.setdefault(department.location_id, []).append((department.pk, department.name))
        # Any offered department is a valid answer (a mismatch gets its own error, below),
        # but the page offers only the chosen location's; the script offers another
        # location's when the choice changes, and without it "Afdelingen tonen" does.
        placeholder = ("", _("Kies een afdeling"))
        self.fields["department"].choices = [placeholder, *(pair for pairs in by_location.values() for pair in pairs)]
        chosen = self._chosen_location_id(locations)
        widget = self.fields["department"].widget
        widget.choices = [placeholder, *by_location.get(chosen, [])]
        widget.attrs.update({"data-options-for": self["location"].id_for_label, "data-options": json.dumps(by_location)})
        earliest = earliest_delivery_date()
        self.earliest = earliest
        self.fields["wished_delivery_date"].help_text = _(
            "Leeg laten: zo snel mogelijk. Op zijn vroegst %(date)s, alleen op werkdagen."
        ) % {"date": date_format(earliest, "l j F")}
        self.fields["wished_delivery_date"].widget.attrs["min"] = earliest.isoformat()

    def _chosen_location_id(self, locations):
        """The location chosen in the form as sent (or shown), else the first offered."""
        if self.is_bound:
            value = id_from(self.data.get(self.add_prefix("location")))
        else:
            initial = self.initial.get("location")
            value = getattr(initial, "pk", None) or id_from(initial)
        ids = [location.pk for location in locations]
        return value if value in ids else (ids[0] if ids else None)

    def clean_department(self):
        department = self.departments.get(self.cleaned_data["department"])
        if department is None:
            raise forms.ValidationError(_("Kies een afdeling van de locatie."), code="department_invalid")
        return department

    def clean_wished_delivery_date(self):
        day = self.cleaned_data["wished_delivery_date"]
        if day is None:
            return None
        if day < self.earliest:
            raise forms.ValidationError(
                _("Zo snel kunnen we niet leveren. Kies %(date)s of later.") % {"date": date_format(self.earliest)},
                code="date_too_early",
            )
        if day.weekday() >= 5:
            raise forms.ValidationError(
                _("We leveren alleen op werkdagen. Kies een dag van maandag tot en met vrijdag."), code="date_weekend"
            )
        if holiday := public_holiday(day):
            raise forms.ValidationError(
                _("Op %(date)s (%(holiday)s) leveren we niet. Kies een andere werkdag.") % {"date": date_format(day, "j F"), "holiday": holiday},
                code="date_holiday",
            )  # fmt: skip
        if day > timezone.localdate() + timedelta(days=LATEST_DELIVERY_DAYS):
            raise forms.ValidationError(
                _("Kies een datum binnen %(days)s dagen.") % {"days": LATEST_DELIVERY_DAYS}, code="date_too_late"
            )
        return day

    def clean(self):
        cleaned = super().clean()
        location, department = cleaned.get("location"), cleaned.get("department")
        if location and department and department.location_id != location.pk:
            self.add_error(
                "department",
                forms.ValidationError(_("Deze afdeling hoort niet bij de gekozen locatie."), code="department_mismatch"),
            )
        return cleaned


class RejectForm(forms.Form):
    reason = TextField(
        label=_("Reden van afwijzing"),
        max_length=column_length(Order, "rejection_reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("De besteller krijgt deze reden te zien, in de portal en per e-mail."),
    )


class _ReadChoices(ModelChoiceIterator):
    """A model choice field's choices from rows already read."""

    def __init__(self, field, rows):
        super().__init__(field)
        self.rows = rows

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.rows:
            yield self.choice(obj)

    def __len__(self):
        return len(self.rows) + (self.field.empty_label is not None)


class OrderFilterForm(forms.Form):
    location = ModelChoiceField(
        label=_("Locatie"), required=False, queryset=Location.objects.none(), empty_label=_("Alle locaties")
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alle statussen")), *OrderStatus.choices])
    date_from = DateField(label=_("Besteld vanaf"), required=False)
    date_to = DateField(label=_("Besteld tot en met"), required=False)

    def __init__(self, *args, locations, options=None, **kwargs):
        """``locations``: what may be chosen; ``options``: those locations already read
        (a prepared query's), shown as the choices instead of reading them again."""
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        if options is not None:
            self.fields["location"].iterator = lambda field: _ReadChoices(field, options)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", forms.ValidationError(_("Deze datum ligt voor de begindatum."), code="period_reversed"))
        return cleaned

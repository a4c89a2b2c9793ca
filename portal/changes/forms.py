from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User, normalize_email_address
from portal.core.fields import LineField, ModelChoiceField, TextField, column_length, id_from
from portal.locations.models import Department, Location

from .models import LOCATION_KINDS, ChangeRequest, ChangeRequestMessage, Kind, Status

DESCRIPTION_HELP = _(
    "Schrijf zo precies mogelijk wat er moet veranderen."
    "<ul>"
    "<li><strong>Mijn persoonlijke gegevens:</strong> welk gegeven (naam, e-mailadres, telefoonnummer of functie), wat er nu staat en wat het moet worden.</li>"
    "<li><strong>Mijn gekoppelde locaties:</strong> welke locaties erbij moeten of eraf, en waarom.</li>"
    "<li><strong>Een locatie, afdeling of adres wijzigen:</strong> kies hierboven de locatie (en de afdeling) en schrijf wat er nu staat en wat het moet worden, bijvoorbeeld het nieuwe afleveradres.</li>"
    "<li><strong>Verwijderen:</strong> kies wat weg moet en schrijf vanaf welke datum.</li>"
    "<li><strong>Iets anders:</strong> omschrijf je vraag.</li>"
    "</ul>"
)


class DepartmentChoiceField(ModelChoiceField):
    def label_from_instance(self, department):
        return f"{department.location.name} – {department.name}"


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Wat wil je laten wijzigen?"), choices=Kind.choices, widget=forms.RadioSelect)
    location = ModelChoiceField(
        label=_("Locatie"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("Geen bepaalde locatie"),
        help_text=_("Nodig bij het wijzigen of verwijderen van een locatie, afdeling of adres."),
    )
    department = DepartmentChoiceField(
        label=_("Afdeling (optioneel)"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Geen bepaalde afdeling"),
    )
    new_full_name = LineField(label=_("Nieuwe naam"), required=False, max_length=column_length(User, "full_name"))
    new_email = forms.EmailField(label=_("Nieuw e-mailadres"), required=False, max_length=column_length(User, "email"))
    new_phone = LineField(label=_("Nieuw telefoonnummer"), required=False, max_length=column_length(User, "phone"))
    new_job_title = LineField(label=_("Nieuwe functie"), required=False, max_length=column_length(User, "job_title"))
    description = TextField(
        label=_("Wat moet er veranderen?"),
        max_length=column_length(ChangeRequest, "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=DESCRIPTION_HELP,
    )

    PROPOSED = {"new_full_name": "full_name", "new_email": "email", "new_phone": "phone", "new_job_title": "job_title"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in self.PROPOSED:
            self.fields[name].help_text = _("Alleen invullen als het moet veranderen.")
        locations = Location.objects.visible_to(user).order_by("name", "pk")
        self.fields["location"].queryset = locations
        self.fields["department"].queryset = (
            Department.objects.filter(location__in=locations)
            .select_related("location")
            .order_by("location__name", "location_id", "name")
        )

    def clean(self):
        cleaned = super().clean()
        kind, location, department = cleaned.get("kind"), cleaned.get("location"), cleaned.get("department")
        if department is not None and location is None:
            cleaned["location"] = location = department.location
        if department is not None and department.location_id != location.pk:
            self.add_error(
                "department",
                forms.ValidationError(_("Deze afdeling hoort niet bij de gekozen locatie."), code="department_not_of_location"),
            )
        if kind in LOCATION_KINDS and location is None and "location" not in self.errors:
            self.add_error(
                "location",
                forms.ValidationError(_("Kies de locatie waar de wijziging over gaat."), code="location_required"),
            )
        cleaned["proposed"] = self._proposed(cleaned) if kind == Kind.PERSONAL_DATA else {}
        if not cleaned["proposed"] and not cleaned.get("description") and "description" not in self.errors:
            code, message = "description_required", _("Schrijf wat er moet veranderen.")
            if kind == Kind.PERSONAL_DATA:
                code, message = "proposed_required", _("Vul in wat je gegevens moeten worden, of schrijf wat er moet veranderen.")
            self.add_error("description", forms.ValidationError(message, code=code))
        return cleaned

    def _proposed(self, cleaned):
        """The new values typed that differ from what is stored now."""
        proposed = {}
        for name, field in self.PROPOSED.items():
            value = (cleaned.get(name) or "").strip()
            if field == "email":
                value = normalize_email_address(value) if value else ""
            if value and value != getattr(self.user, field):
                proposed[field] = value
        return proposed


def initial_from_query(query, form):
    """?soort=<kind>&locatie=<id> from the links on Mijn account and a location's page;
    a value that does not fit (another organization's location) is left out."""
    initial = {}
    if query.get("soort") in Kind.values:
        initial["kind"] = query["soort"]
    location_id = id_from(query.get("locatie"))
    if location_id is not None and form.fields["location"].queryset.filter(pk=location_id).exists():
        initial["location"] = location_id
        initial.setdefault("kind", Kind.LOCATION_CHANGE)
    return initial


class MessageForm(forms.Form):
    body = TextField(label=_("Je bericht"), max_length=column_length(ChangeRequestMessage, "body"))


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alle statussen")), ("open", _("Openstaand (nieuw of in behandeling)")), *Status.choices],
    )

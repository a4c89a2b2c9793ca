from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.fields import LineField, ModelChoiceField, TextField, column_length
from portal.core.uploads import AttachmentsField
from portal.locations.models import Department, Location

from .models import Category, ServiceMessage, ServiceRequest, Status


class ServiceRequestForm(forms.Form):
    """A new request. The locations are those linked to the user's account; the
    departments are grouped per location, and the server checks that the chosen
    department belongs to the chosen location."""

    location = ModelChoiceField(label=_("Locatie"), queryset=Location.objects.none(), empty_label=_("Kies een locatie"))
    department = ModelChoiceField(label=_("Afdeling"), queryset=Department.objects.none(), empty_label=_("Kies een afdeling"))
    category = forms.ChoiceField(label=_("Soort probleem"), choices=[("", _("Kies wat er aan de hand is")), *Category.choices])
    subject = LineField(
        label=_("Onderwerp"),
        max_length=column_length(ServiceRequest, "subject"),
        help_text=_("In een paar woorden, bijvoorbeeld: pinautomaat bij kassa 2 geeft geen verbinding."),
    )
    description = TextField(
        label=_("Omschrijving"),
        max_length=column_length(ServiceRequest, "description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Wat gebeurt er, sinds wanneer, en wat heb je al geprobeerd? Noem ook een foutmelding of het nummer van het apparaat als je dat hebt."
        ),
    )
    attachments = AttachmentsField()

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        locations = list(locations)
        self.fields["location"].queryset = Location.objects.filter(pk__in=[loc.pk for loc in locations])
        departments = list(Department.objects.offered().filter(location__in=locations).order_by("name"))
        self.fields["department"].queryset = Department.objects.filter(pk__in=[d.pk for d in departments])
        groups = [
            (location.name, [(d.pk, d.name) for d in departments if d.location_id == location.pk]) for location in locations
        ]
        self.fields["department"].choices = [("", self.fields["department"].empty_label), *groups]
        if len(locations) == 1 and not self.is_bound:
            self.initial.setdefault("location", locations[0].pk)

    def clean(self):
        cleaned = super().clean()
        location, department = cleaned.get("location"), cleaned.get("department")
        if location and department and department.location_id != location.pk:
            self.add_error(
                "department",
                forms.ValidationError(_("Deze afdeling hoort niet bij de gekozen locatie. Kies een afdeling van %(location)s."),
                                      code="department_mismatch", params={"location": location.name}),
            )  # fmt: skip
        return cleaned


class MessageForm(forms.Form):
    body = TextField(label=_("Je bericht"), max_length=column_length(ServiceMessage, "body"))
    attachments = AttachmentsField()


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alle statussen")), *Status.choices])
    location = ModelChoiceField(
        label=_("Locatie"), required=False, queryset=Location.objects.none(), empty_label=_("Alle locaties")
    )

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations

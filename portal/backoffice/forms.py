from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.accounts.staff import ACCOUNT_MANAGER
from portal.changes.models import ChangeRequestMessage
from portal.contact.models import ContactReply
from portal.core.fields import DateField, LineField, ModelChoiceField, ModelMultipleChoiceField, TextField, column_length
from portal.organizations.forms import DeactivateForm as AccountDeactivateForm
from portal.organizations.models import Organization
from portal.service.models import ServiceMessage

User = get_user_model()

# A reason goes into the audit trail's changes; a reply into the thread of a service
# request, a change request or a contact message: as long as the shortest of those.
REASON_MAX_LENGTH = 500
REPLY_MAX_LENGTH = min(
    column_length(ServiceMessage, "body"), column_length(ChangeRequestMessage, "body"), column_length(ContactReply, "body")
)

REASON_HELP = _("Bijvoorbeeld: op verzoek van de administrator per e-mail van 2 december. De reden komt in de audittrail.")


def account_managers():
    return User.objects.filter(is_staff=True, is_active=True, groups__name=ACCOUNT_MANAGER).order_by("full_name")


class AccountManagerField(ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Accountmanager"), queryset=account_managers(), required=False, empty_label=_("Nog niemand"), **kwargs
        )

    def label_from_instance(self, user):
        return user.full_name or user.email


class OrganizationCreateForm(forms.Form):
    name = LineField(label=_("Naam"), max_length=column_length(Organization, "name"))
    customer_number = LineField(label=_("Klantnummer"), max_length=column_length(Organization, "customer_number"))
    account_manager = AccountManagerField()


class OrganizationUpdateForm(forms.Form):
    name = LineField(label=_("Naam"), max_length=column_length(Organization, "name"))
    account_manager = AccountManagerField()


class ReasonForm(forms.Form):
    reason = LineField(label=_("Reden"), max_length=REASON_MAX_LENGTH, help_text=REASON_HELP)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Noem de reden: die komt in de audittrail."), code="reason_required")
        return reason


class OptionalReasonForm(forms.Form):
    reason = LineField(label=_("Reden (optioneel)"), max_length=REASON_MAX_LENGTH, required=False)


class DeactivateForm(ReasonForm, AccountDeactivateForm):
    """Accountbeheer's deactivation (an end date in the future, the first day the account
    is active again) with the reason customer service must give."""

    field_order = ["until", "reason"]


class AdministratorInviteForm(forms.Form):
    full_name = LineField(label=_("Naam"), max_length=column_length(User, "full_name"))
    email = forms.EmailField(label=_("E-mailadres"), max_length=column_length(User, "email"))
    phone = LineField(label=_("Telefoonnummer (optioneel)"), max_length=column_length(User, "phone"), required=False)
    job_title = LineField(label=_("Functie (optioneel)"), max_length=column_length(User, "job_title"), required=False)
    reason = LineField(
        label=_("Reden"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("Nodig als de organisatie al een administrator heeft; de administrators krijgen er bericht van."),
    )


class LocationChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, location):
        label = f"{location.name} ({location.code})"
        return f"{label} – {_('gearchiveerd')}" if location.is_archived else label


class LocationsForm(forms.Form):
    """The locations linked to an account, chosen from its organization's (an archived
    one too, so that saving does not silently unlink it)."""

    locations = LocationChoiceField(
        label=_("Gekoppelde locaties"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = organization.locations.order_by("is_archived", "name")


class LocationsChangeForm(LocationsForm, ReasonForm):
    field_order = ["locations", "reason"]


# --- lists -----------------------------------------------------------------------------------


class SearchForm(forms.Form):
    q = LineField(label=_("Zoeken"), required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"}))


class OrganizationFilterForm(SearchForm):
    access = forms.ChoiceField(
        label=_("Toegang"),
        required=False,
        choices=[("", _("Alle")), ("on", _("Toegang aan")), ("off", _("Toegang uit"))],
    )


class AuditFilterForm(forms.Form):
    organization = LineField(label=_("Organisatie (naam of klantnummer)"), required=False, max_length=100)
    account = LineField(label=_("Account (naam of e-mailadres)"), required=False, max_length=100)
    actor = LineField(label=_("Door (naam of e-mailadres)"), required=False, max_length=100)
    since = DateField(label=_("Vanaf"), required=False)
    until = DateField(label=_("Tot en met"), required=False)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", forms.ValidationError(_("Deze datum ligt voor de begindatum."), code="period_reversed"))
        return cleaned


# --- inboxes ---------------------------------------------------------------------------------


class InboxFilterForm(SearchForm):
    status = forms.ChoiceField(label=_("Status"), required=False)
    assigned = forms.ChoiceField(
        label=_("Behandelaar"),
        required=False,
        choices=[("", _("Iedereen")), ("me", _("Aan mij toegewezen")), ("none", _("Nog niemand"))],
    )
    field_order = ["q", "status", "assigned"]

    def __init__(self, *args, inbox, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Alle")), ("open", _("Open")), *inbox.statuses.choices]


class ReplyForm(forms.Form):
    body = TextField(label=_("Reactie aan de klant"), max_length=REPLY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}))
    status = forms.ChoiceField(label=_("Status daarna"), required=False)

    def __init__(self, *args, inbox, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Niet wijzigen")), *((s.value, s.label) for s in inbox.staff_statuses)]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"))

    def __init__(self, *args, inbox, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.value, s.label) for s in inbox.staff_statuses]


class CarryOutForm(LocationsForm):
    """A change of the requester's linked locations, carried out and closed at once."""

    body = TextField(
        label=_("Reactie aan de klant"),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("De gekoppelde locaties van je account zijn aangepast zoals gevraagd."),
    )


class ApplyPersonalDataForm(forms.Form):
    """A change of the requester's personal data, carried out and closed at once."""

    body = TextField(
        label=_("Reactie aan de klant (optioneel)"),
        max_length=REPLY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leeg laten: de klant leest dat de gevraagde wijziging is doorgevoerd."),
    )

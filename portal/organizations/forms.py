from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.forms import PasswordsMatchMixin
from portal.accounts.models import User, normalize_email_address
from portal.core.fields import DateField, LineField, ModelChoiceField, ModelMultipleChoiceField, column_length
from portal.locations.models import Location

from .models import Role, Status
from .services.rules import AccountRuleError, Grants

PAGE_SIZES = (25, 50, 100)


class AccountForm(forms.Form):
    """Personal data, role, rights and linked locations of an account: for inviting a
    new one and for changing an existing one."""

    full_name = LineField(label=_("Naam"), max_length=column_length(User, "full_name"))
    email = forms.EmailField(label=_("E-mailadres"), max_length=column_length(User, "email"))
    phone = LineField(label=_("Telefoonnummer"), max_length=column_length(User, "phone"), required=False)
    job_title = LineField(label=_("Functie"), max_length=column_length(User, "job_title"), required=False)
    role = forms.ChoiceField(
        label=_("Rol"),
        choices=Role.choices,
        initial=Role.EMPLOYEE,
        help_text=_("Een administrator beheert ook de accounts van de organisatie."),
    )
    may_use_portal = forms.BooleanField(label=_("Mag zaken regelen op de portal"), required=False, initial=True)
    may_order = forms.BooleanField(label=_("Mag bestellen in de bestelomgeving"), required=False)
    order_limit = forms.DecimalField(
        label=_("Bestellimiet per bestelling (excl. btw, in euro)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        localize=True,
        help_text=_(
            "Een bestelling boven dit bedrag wacht op goedkeuring van een administrator of een goedkeurder van de "
            "locatie. Leeg laten: geen limiet."
        ),
    )
    locations = ModelMultipleChoiceField(
        label=_("Gekoppelde locaties"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    manages = ModelMultipleChoiceField(
        label=_("Locatiebeheerder van"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Een locatiebeheerder beheert de accounts van de medewerkers die alleen voor deze locaties werken: "
            "uitnodigen, rechten wijzigen en deactiveren. Alleen gekoppelde locaties."
        ),
    )
    approves = ModelMultipleChoiceField(
        label=_("Keurt bestellingen goed van"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Bestellingen van deze locaties die op goedkeuring wachten, tot het bedrag hieronder. Alleen gekoppelde locaties."
        ),
    )
    approval_limit = forms.DecimalField(
        label=_("Keurt goed tot (excl. btw, in euro)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        localize=True,
        help_text=_("Een bestelling boven dit bedrag keurt een administrator goed."),
    )

    GRANT_FIELDS = ("manages", "approves", "approval_limit")

    def __init__(self, *args, organization, managed_by=None, **kwargs):
        """``managed_by``: the location manager who fills the form in (not an
        administrator): only the locations they manage, the role of employee, no grants."""
        super().__init__(*args, **kwargs)
        locations = Location.objects.filter(organization=organization).order_by("name")
        for name in ("locations", "manages", "approves"):
            self.fields[name].queryset = locations
        if managed_by is not None:
            self.fields["locations"].queryset = locations.filter(links__membership=managed_by, links__manages=True)
            self.fields["locations"].help_text = _("De locaties die jij beheert.")
            self.fields["order_limit"].help_text = _(
                "Ten hoogste het bedrag tot waar jij zelf bestellingen goedkeurt (0: elke bestelling wacht op "
                "goedkeuring). Zonder limiet of hoger zet een administrator."
            )
            for name in ("role", *self.GRANT_FIELDS):
                del self.fields[name]
        for name, autocomplete in (("full_name", "off"), ("email", "off"), ("phone", "off")):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete

    def grants(self):
        """What the form grants (``services.Grants``), or None when it offers no grants."""
        if "manages" not in self.fields:
            return None
        data = self.cleaned_data
        return Grants(
            manages=frozenset(location.pk for location in data["manages"]),
            approves=frozenset(location.pk for location in data["approves"]),
            approval_limit=data["approval_limit"] if data["approves"] else None,
        )

    def _clean_grants(self, cleaned):
        if "manages" not in self.fields:
            cleaned["role"] = Role.EMPLOYEE
            return
        linked = set(cleaned.get("locations") or [])
        manages, approves = set(cleaned.get("manages") or []), set(cleaned.get("approves") or [])
        if (manages or approves) and cleaned.get("role") == Role.ADMINISTRATOR:
            self.add_error(
                "manages" if manages else "approves",
                forms.ValidationError(AccountRuleError.MESSAGES["grants_for_administrator"], code="grants_for_administrator"),
            )
            return
        for name, chosen in (("manages", manages), ("approves", approves)):
            if not chosen <= linked:
                self.add_error(name, forms.ValidationError(AccountRuleError.MESSAGES["grant_unlinked"], code="grant_unlinked"))
        if approves and cleaned.get("approval_limit") is None and "approval_limit" not in self.errors:
            self.add_error(
                "approval_limit",
                forms.ValidationError(AccountRuleError.MESSAGES["approval_limit_required"], code="approval_limit_required"),
            )

    def clean_email(self):
        return normalize_email_address(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("may_use_portal") and not cleaned.get("may_order"):
            if cleaned.get("role") != Role.ADMINISTRATOR:
                self.add_error(
                    "may_use_portal",
                    forms.ValidationError(
                        _("Kies ten minste één recht: zonder rechten kan het account niet inloggen."),
                        code="no_rights",
                    ),
                )
        if not cleaned.get("may_order"):
            cleaned["order_limit"] = None  # a limit means nothing without the right to order
        self._clean_grants(cleaned)
        return cleaned


class AccountChangeForm(AccountForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    # After a refusal because someone else saved first: the version then seen, and the
    # explicit choice to store these values over the other change.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1, required=False)
    overwrite = forms.BooleanField(
        label=_("Mijn waarden opslaan in plaats van wat er nu staat (de gemarkeerde velden)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.data.get("seen_version"):
            del self.fields["overwrite"]  # offered only after such a refusal

    def expected_version(self):
        """The version this save is made against: the one seen after a refusal, but only
        when the administrator chose to store their values over it."""
        data = self.cleaned_data
        if data.get("overwrite") and data.get("seen_version") is not None:
            return data["seen_version"]
        return data["version"]


class DeactivateForm(forms.Form):
    until = DateField(
        label=_("Gedeactiveerd tot (optioneel)"),
        required=False,
        help_text=_(
            "Vanaf deze datum is het account vanzelf weer actief. Laat leeg om het account te deactiveren tot je het zelf weer activeert."
        ),
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until is not None and until <= timezone.localdate():
            raise forms.ValidationError(_("Kies een datum in de toekomst."), code="until_not_future")
        return until


class OverviewFilterForm(forms.Form):
    q = LineField(label=_("Zoek op naam of e-mailadres"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alle statussen"))]
        + [c for c in Status.choices if c[0] != Status.DELETED]
        + [("expired", _("Uitnodiging verlopen")), ("not_used", _("Niet gebruikt")), ("leaving", _("Uit dienst gemeld"))],
    )
    role = forms.ChoiceField(label=_("Rol"), required=False, choices=[("", _("Alle rollen")), *Role.choices])
    location = ModelChoiceField(
        label=_("Locatie"), required=False, queryset=Location.objects.none(), empty_label=_("Alle locaties")
    )
    sort = forms.ChoiceField(
        label=_("Sorteren op"),
        required=False,
        choices=[
            ("name", _("Naam (A-Z)")),
            ("-name", _("Naam (Z-A)")),
            ("email", _("E-mailadres (A-Z)")),
            ("-last_login", _("Laatst ingelogd (nieuwste eerst)")),
        ],
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(organization=organization).order_by("name")
        self.fields["q"].widget.attrs.update(type="search", autocomplete="off")


class InvitationAcceptForm(PasswordsMatchMixin, forms.Form):
    """The invited person chooses a password, by the same rules as Wachtwoord wijzigen."""

    password1 = forms.CharField(
        label=_("Nieuw wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Nieuw wachtwoord (nogmaals)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, self.user)
        return password


class MfaResetForm(forms.Form):
    reason = LineField(
        label=_("Reden"),
        max_length=200,
        help_text=_("Bijvoorbeeld: telefoon kwijt, nieuwe telefoon. Komt in de activiteit van het account."),
    )


class MfaRequireForm(forms.Form):
    required = forms.TypedChoiceField(
        label=_("Voor je organisatie"),
        choices=[("1", _("Verplicht voor iedereen in de organisatie")), ("0", _("Niet verplicht (wel aan te raden)"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    grace_days = forms.TypedChoiceField(
        label=_("Overgangstermijn"),
        coerce=int,
        required=False,
        empty_value=0,
        help_text=_(
            "Zo lang kan wie het nog niet heeft ingesteld, nog met alleen een wachtwoord inloggen (met een "
            "herinnering). Daarna moet die het eerst instellen."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["grace_days"].choices = [
            (days, _("Meteen") if days == 0 else _("%(days)s dagen") % {"days": days}) for days in settings.MFA_GRACE_DAYS_CHOICES
        ]

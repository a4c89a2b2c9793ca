from django import forms
from django.utils.translation import gettext_lazy as _


class ScimSettingsForm(forms.Form):
    create_active = forms.BooleanField(
        label=_("Accounts uit SCIM meteen actief, zonder uitnodiging"),
        required=False,
        help_text=_(
            "Aan: een account dat jullie identity provider (Entra ID, Okta) via SCIM aanmaakt, is meteen actief en er "
            "gaat geen uitnodiging per e-mail. De persoon kiest zelf een wachtwoord via ‘Wachtwoord vergeten?’ op de "
            "inlogpagina. Uit: de persoon krijgt een uitnodiging per e-mail, zoals bij Nieuw account."
        ),
    )

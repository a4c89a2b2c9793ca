from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactConfig(AppConfig):
    """Contact with online customer service: the form open to anyone, Mijn berichten."""

    name = "portal.contact"
    label = "contact"
    verbose_name = _("Contactberichten")

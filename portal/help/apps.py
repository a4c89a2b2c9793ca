from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpConfig(AppConfig):
    """The FAQ (veelgestelde vragen), the manual and the shortcut on a phone."""

    name = "portal.help"
    label = "help"
    verbose_name = _("Veelgestelde vragen")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """Wijziging doorgeven: change requests, their threads and carrying them out."""

    name = "portal.changes"
    label = "changes"
    verbose_name = _("Wijzigingsverzoeken")

    def ready(self):
        from portal.core.audit import register_value_labels

        from .models import Status

        register_value_labels("status", Status.choices)

        from portal.core.home import register_home_panel

        from .home import change_requests_panel

        register_home_panel(change_requests_panel, order=60)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "portal.service"
    verbose_name = _("Serviceaanvragen")

    def ready(self):
        from portal.core.audit import register_value_labels

        from .models import Status

        register_value_labels("status", Status.choices)

        from portal.core.home import register_home_panel

        from .home import service_panel

        register_home_panel(service_panel, order=50)

        from portal.organizations.handover import register_handover_source

        from .handover import open_requests

        register_handover_source(open_requests, order=20)

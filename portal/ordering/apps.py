from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderingConfig(AppConfig):
    name = "portal.ordering"
    verbose_name = _("Bestellen")

    def ready(self):
        from portal.core.audit import register_value_labels

        from .models import OrderStatus

        register_value_labels("status", OrderStatus.choices)

        from portal.core.home import register_home_panel

        from . import home

        register_home_panel(home.approvals_panel, order=10)
        register_home_panel(home.my_orders_panel, order=40)

        from portal.organizations.handover import register_handover_source

        from .handover import pending_orders

        register_handover_source(pending_orders, order=10)

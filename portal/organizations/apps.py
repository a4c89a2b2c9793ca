from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "portal.organizations"
    label = "organizations"
    verbose_name = _("Organisaties")

    def ready(self):
        from portal.core.audit import register_value_labels

        from .models import Role, Status

        register_value_labels("role", Role.choices)
        register_value_labels("status", Status.choices)

        from portal.core.home import register_home_panel

        from . import home

        register_home_panel(home.invitations_panel, order=20)
        register_home_panel(home.reactivations_panel, order=30)

        from portal.core.jobs import command_job, register_job

        register_job("reactivate_due_accounts", command_job("reactivate_due_accounts"))
        register_job("prune_import_batches", command_job("prune_import_batches"))
        register_job("process_leavers", command_job("process_leavers"))
        register_job("process_dormant_accounts", command_job("process_dormant_accounts"))

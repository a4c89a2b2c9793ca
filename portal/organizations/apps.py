from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "portal.organizations"
    label = "organizations"
    verbose_name = _("Organisaties")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from portal.accounts.login_rule import register_login_rule

        from . import permissions, signals

        # The rule of who may log in, which the identity floor below asks (login, every
        # request, the message of a session that ended).
        register_login_rule(permissions.login_refusal)
        # After the login's own receivers (accounts is ready first): audit, then reactivate.
        user_logged_in.connect(signals.reactivate_when_due, dispatch_uid="organizations.reactivate_when_due")

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
        register_job("process_four_eyes", command_job("process_four_eyes"))

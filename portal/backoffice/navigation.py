"""The back office's tabs: each names the permission function that also guards its pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import permissions

TABS = [
    ("organizations", _("Organisaties"), "backoffice:organization_list", permissions.can_view_organizations),
    ("service", _("Serviceaanvragen"), "backoffice:service_request_list", permissions.can_handle_service_requests),
    ("change", _("Wijzigingsverzoeken"), "backoffice:change_request_list", permissions.can_handle_change_requests),
    ("contact", _("Contactberichten"), "backoffice:contact_message_list", permissions.can_handle_contact_messages),
    ("accounts", _("Accounts"), "backoffice:account_list", permissions.can_handle_accounts),
    ("master_data", _("Stamgegevens"), "backoffice_admin:index", permissions.can_view_organizations),
    ("audit", _("Audittrail"), "backoffice:audit", permissions.can_view_audit),
]


def tabs_for(user, current=""):
    return [
        {"key": key, "label": label, "url": reverse(url_name), "current": key == current}
        for key, label, url_name, allowed in TABS
        if allowed(user)
    ]

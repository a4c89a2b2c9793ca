from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    """What customer service does with any request (a service request, a change
    request, a contact message): assign it, set its status, reply, and take the
    customer's messages. No models of its own: abstract ones the kinds build on."""

    name = "portal.casework"
    label = "casework"
    verbose_name = _("Klantenservice")

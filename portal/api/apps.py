from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "portal.api"
    label = "api"
    verbose_name = _("API en SCIM")

    def ready(self):
        from portal.core.audit import ACTIONS, FIELD_LABELS
        from portal.core.jobs import register_job

        from . import idempotency

        register_job("prune_idempotency_keys", idempotency.prune)

        # The audit trail's words for what this app records (registered from above, as
        # every app adds what it needs to the floors below).
        ACTIONS.update(
            {
                "api_key_created": _("API-sleutel aangemaakt"),
                "api_key_revoked": _("API-sleutel ingetrokken"),
            }
        )
        FIELD_LABELS.update({"api_key": _("API-sleutel"), "scopes": _("Rechten"), "expires_at": _("Geldig tot")})

from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "portal.scim"
    label = "scim"
    verbose_name = "SCIM"

    def ready(self):
        # The audit trail's words for what SCIM records (registered where each is done).
        from portal.organizations import provisioning  # noqa: F401

        from . import options  # noqa: F401

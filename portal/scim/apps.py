from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "portal.scim"
    label = "scim"
    verbose_name = "SCIM"

    def ready(self):
        # The audit trail's words for what SCIM records (registered where each is done).
        from portal.api import page
        from portal.organizations import provisioning  # noqa: F401

        from . import options, pages  # noqa: F401

        # The organization's choice for the accounts SCIM creates, on the API-sleutels page.
        page.register_section(pages.section, urls=pages.urlpatterns)

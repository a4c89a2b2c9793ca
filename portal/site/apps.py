from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top floor: what composes the other apps (the menu, the home page, the demo
    data). Nothing imports it but the URL configuration and the settings."""

    name = "portal.site"
    label = "site"
    verbose_name = "Mijn HartingBank"

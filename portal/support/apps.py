from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    """What was one app is three: ``changes``, ``contact`` and ``help``. This one keeps
    the migrations that made their tables (still named ``support_*``) so that a database
    made before the split migrates on; it has no models, views or URLs of its own."""

    name = "portal.support"
    verbose_name = _("Klantenservice")

from allauth.usersessions import apps as allauth_usersessions_apps
from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from portal.core.jobs import register_job

        from . import ratelimits, signals  # noqa: F401  (the check of the limits, the audit receivers)
        from .search import refresh_counts
        from .sessions import forget_ended_sessions

        register_job("forget_ended_sessions", forget_ended_sessions)
        register_job("count_search_trigrams", refresh_counts)
        post_migrate.connect(_search_index_after_migrate, sender=self, dispatch_uid="portal.accounts.search_after_migrate")

        # The time of a login, stored with SQL made once (``signals.update_last_login``), under
        # the name Django's receiver has: whether django.contrib.auth is ready before or after
        # this app, the one connected is the portal's (a second under one name is not added).
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(signals.update_last_login, dispatch_uid="update_last_login")


def _search_index_after_migrate(sender, using, plan=None, **kwargs):
    """SQLite's trigram index of the users (``accounts.search``) loses its triggers when a
    migration rebuilds the users' table: they are put back and the index rebuilt; and the
    counts are refreshed after anything was migrated."""
    from .search import refresh_counts, repair

    if repair(using) or plan:
        refresh_counts(using)


class UserSessionsConfig(allauth_usersessions_apps.UserSessionsConfig):
    """allauth's user sessions, with the portal's leaner receiver at login
    (``accounts.sessions.on_user_logged_in``)."""

    default = False

    def ready(self):
        super().ready()
        from allauth.account.signals import user_logged_in
        from allauth.usersessions import signals

        from .sessions import on_user_logged_in

        if not user_logged_in.disconnect(receiver=signals.on_user_logged_in):
            raise ImproperlyConfigured("allauth.usersessions no longer connects on_user_logged_in: see accounts.sessions")
        user_logged_in.connect(receiver=on_user_logged_in)

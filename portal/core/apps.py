from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = "Mijn HartingBank"

    def ready(self):
        from . import metrics  # noqa: F401 - connects the login counters
        from .jobs import register_job
        from .maintenance import clear_sessions, prune_job_runs, prune_task_results, refresh_planner_statistics

        register_job("clear_sessions", clear_sessions)
        register_job("prune_task_results", prune_task_results)
        register_job("prune_job_runs", prune_job_runs)
        register_job("refresh_planner_statistics", refresh_planner_statistics)
        # Once per migrate (the signal is sent for each app; this one's is enough).
        post_migrate.connect(_statistics_after_migrate, sender=self, dispatch_uid="portal.core.statistics_after_migrate")


def _statistics_after_migrate(sender, using, plan=None, **kwargs):
    """A migration may rebuild a table on SQLite, and with it lose the table's statistics."""
    from .maintenance import refresh_planner_statistics

    if plan:  # something was migrated
        refresh_planner_statistics(using)

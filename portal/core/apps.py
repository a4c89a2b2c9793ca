from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = "Mijn HartingBank"

    def ready(self):
        from . import metrics  # noqa: F401 - connects the login counters
        from .jobs import register_job
        from .maintenance import clear_sessions, prune_job_runs, prune_task_results

        register_job("clear_sessions", clear_sessions)
        register_job("prune_task_results", prune_task_results)
        register_job("prune_job_runs", prune_job_runs)

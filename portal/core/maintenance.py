"""The portal's own periodic housekeeping (registered as jobs in ``CoreConfig.ready``)."""

from datetime import timedelta

from django.utils import timezone

from .jobs import command_job

JOB_RUNS_KEPT = timedelta(days=90)
TASK_RESULTS_KEPT_DAYS = 7

# Sessions past their expiry date (the database keeps them until removed).
clear_sessions = command_job("clearsessions")


def prune_task_results():
    """Finished tasks of the database queue (the mail's delivery tasks among them)."""
    from django_tasks_db.backend import DatabaseBackend

    from .mail import mail_deliver

    if not isinstance(mail_deliver.get_backend(), DatabaseBackend):
        return "not a database queue"
    return command_job("prune_db_task_results", "--min-age-days", str(TASK_RESULTS_KEPT_DAYS))()


def prune_job_runs():
    from .models import JobRun

    deleted, _ = JobRun.objects.filter(started_at__lt=timezone.now() - JOB_RUNS_KEPT).delete()
    return f"{deleted} run(s) deleted"

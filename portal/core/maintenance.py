"""The portal's own periodic housekeeping (registered as jobs in ``CoreConfig.ready``)."""

from datetime import timedelta

from django.db import connections
from django.utils import timezone

from .jobs import command_job

JOB_RUNS_KEPT = timedelta(days=90)
TASK_RESULTS_KEPT_DAYS = 7
# Rows of each index that SQLite's ANALYZE reads (PRAGMA analysis_limit): estimates close
# enough to choose a plan, in milliseconds where reading every row of a large database
# would take seconds (SQLite's own advice for a periodic ANALYZE is 100 to 1,000).
ANALYSIS_LIMIT = 1000

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


def refresh_planner_statistics(using="default"):
    """Fresh statistics for SQLite's query planner: without them it cannot tell an index
    that narrows 100,000 rows to 25 from one that does not, and the account list read
    an organization's accounts in the wrong index and sorted them all (50 ms instead of
    under 1). SQLite keeps no statistics of its own, and loses a table's when a migration
    rebuilds it: hence this daily job, and the same after every ``migrate``
    (``CoreConfig.ready``). PostgreSQL's autovacuum keeps them itself."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return "kept by the database itself"
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return "statistics refreshed"

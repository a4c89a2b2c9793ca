"""The periodic jobs: registered by the apps, run by the task worker, once per period.

Each app registers its jobs from its ``AppConfig.ready`` (``register_job``). The worker
(``manage.py db_worker``, which ``make run`` and ``make serve`` start) looks every half
minute for jobs whose period has begun and that have not run in it; ``manage.py
run_jobs`` does the same once, for a scheduler of the operator's own. A job runs once per
period however many workers or machines there are: before it runs, a ``JobRun`` row for
(job, start of the period) is written, and the database lets only one process write it.

A job that fails is logged with its name (never with personal data) and stored as
failed; it is tried again in its next period. ``/health/ready/`` reports a job whose last
successful run is more than twice its period ago.
"""

import io
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from .metrics import JOB_RUNS

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Job:
    name: str
    function: object  # called without arguments; returns a short summary (or None)
    period: timedelta = DAY


_jobs = {}


def register_job(name, function, period=DAY):
    _jobs[name] = Job(name, function, period)


def jobs():
    return list(_jobs.values())


def command_job(name, *args):
    """A job that runs a management command; its output (one line) is the summary."""

    def run():
        out = io.StringIO()
        call_command(name, *args, stdout=out)
        return " ".join(out.getvalue().split())

    run.__name__ = name
    return run


def period_start(job, now):
    """The start of the period ``now`` falls in: local midnight for a daily job, else
    the last multiple of the period since the first local midnight of the year."""
    local = timezone.localtime(now)
    midnight = timezone.make_aware(datetime.combine(local.date(), time.min))
    if job.period == DAY:
        return midnight
    origin = timezone.make_aware(datetime.combine(local.date().replace(month=1, day=1), time.min))
    return origin + ((local - origin) // job.period) * job.period


def run_due_jobs(now=None):
    """Run every job whose current period has no run yet; returns the names run."""
    from .models import JobRun

    now = now or timezone.now()
    ran = []
    for job in jobs():
        start = period_start(job, now)
        try:
            with transaction.atomic():
                run = JobRun.objects.create(name=job.name, period_start=start)
        except IntegrityError:
            continue  # run in this period already, here or on another machine
        _run(job, run)
        ran.append(job.name)
    return ran


def _run(job, run):
    try:
        summary = job.function()
    except Exception as exc:  # noqa: BLE001 - a failing job must not stop the others
        type(run).objects.filter(pk=run.pk).update(finished_at=timezone.now(), succeeded=False, error=type(exc).__name__)
        JOB_RUNS.labels(job=job.name, outcome="failed").inc()
        logger.error("job %s failed (%s)", job.name, type(exc).__name__)
        return
    type(run).objects.filter(pk=run.pk).update(finished_at=timezone.now(), succeeded=True, error="")
    JOB_RUNS.labels(job=job.name, outcome="succeeded").inc()
    logger.info("job %s done%s", job.name, f": {summary}" if summary else "")


def jobs_state(now=None):
    """For each job: when it last succeeded and whether that is too long ago (more
    than twice its period; a job never run counts once the worker has run any job for
    longer than that)."""
    from .models import JobRun

    now = now or timezone.now()
    runs = JobRun.objects.filter(succeeded=True).values_list("name", "finished_at")
    last = {}
    for name, finished in runs.order_by("finished_at"):
        last[name] = finished
    first = JobRun.objects.order_by("started_at").values_list("started_at", flat=True).first()
    state = {}
    for job in jobs():
        since = last.get(job.name) or first
        state[job.name] = {
            "last_success": last[job.name].isoformat() if job.name in last else None,
            "late": since is not None and now - since > 2 * job.period,
        }
    return state

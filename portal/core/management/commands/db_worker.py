"""The task worker of django-tasks-db, with the mail sweep and the periodic jobs beside it.

Same command, same options (``manage.py db_worker --help``); in addition a thread of the
worker, every ``--sweep-interval`` seconds, runs ``mail_recover``, so that a message whose
delivery task was lost (a worker killed while sending, a web process that died before it
handed the task over) is sent all the same, and then the periodic jobs whose period has
begun (``portal.core.jobs``). Several workers may each sweep: a message is queued again
only once, a lease keeps two processes from sending it at the same time, and a job runs
once per period.
"""

import logging
import os
import threading

from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from portal.core.jobs import run_due_jobs
from portal.core.mail import mail_recover

logger = logging.getLogger("portal.core.mail")


class Sweeper(threading.Thread):
    """Sweeps the outbox, then runs the jobs that are due."""

    def __init__(self, interval):
        super().__init__(name="sweeper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            for task in (mail_recover, run_due_jobs):
                try:
                    task()
                except Exception as exc:  # noqa: BLE001 - the next sweep tries again
                    logger.warning("%s failed (%s)", task.__name__, type(exc).__name__)
            connections.close_all()  # this thread's own connections
            self.stopped.wait(self.interval)


class Command(db_worker.Command):
    help = "Runs the database task worker, and the sweep that sends mail whose delivery task was lost."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=30.0,
            help="Seconds between two sweeps for mail whose delivery task was lost and for due jobs (default: %(default)r).",
        )

    def handle(self, *args, **options):
        # With the autoreloader, only its child process runs tasks (and so sweeps).
        in_reloader_parent = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not options["batch"] and not in_reloader_parent:
            Sweeper(options["sweep_interval"]).start()
        super().handle(*args, **options)

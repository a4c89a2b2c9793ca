"""What the outbox holds: queued, being sent, given up, orphaned, held after a restore,
and the age of the oldest message still to be sent. Exits with 1 when mail is stuck (see /health/ready/)."""

import sys

from django.core.management.base import BaseCommand

from portal.core.mail import mail_queue_state, mail_stuck

LABELS = {
    "queued": "queued (waiting for their first or next attempt)",
    "sending": "being sent now",
    "given_up": "given up (manage.py resend_failed_mail queues them again)",
    "orphaned": "without a delivery task (the worker's sweep queues them again)",
    "stale_tasks": "delivery tasks left running by a stopped worker",
    "held": "held after a restore (manage.py held_mail lists them, releases or drops them)",
}


def _age(seconds):
    if seconds is None:
        return "-"
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {seconds:02d}s" if hours else f"{minutes}m {seconds:02d}s"


class Command(BaseCommand):
    help = "Shows the state of the outgoing mail; exits with 1 when mail is stuck."

    def handle(self, *args, **options):
        state = mail_queue_state()
        for key, label in LABELS.items():
            self.stdout.write(f"{state[key]:>6}  {label}")
        self.stdout.write(f"oldest message still to be sent: {_age(state['oldest_seconds'])}")
        stuck = mail_stuck(state)
        if stuck:
            self.stdout.write(f"STUCK: {', '.join(stuck)}")
            sys.exit(1)
        self.stdout.write("mail flows")

"""Queue again every message whose delivery was given up (for example after a long
outage of the mail server)."""

from django.core.management.base import BaseCommand

from portal.core.mail import mail_requeue_given_up


class Command(BaseCommand):
    help = "Queues the delivery of given-up mail again."

    def handle(self, *args, **options):
        self.stdout.write(f"{mail_requeue_given_up()} message(s) queued again.")

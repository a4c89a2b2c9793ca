"""Queue again every message whose delivery was given up (for example after a long
outage of the mail server)."""

from django.core.management.base import BaseCommand

from portal.core.mail import mail_deliver
from portal.core.models import OutgoingMail


class Command(BaseCommand):
    help = "Queues the delivery of given-up mail again."

    def handle(self, *args, **options):
        ids = [str(pk) for pk in OutgoingMail.objects.filter(failed_at__isnull=False).values_list("pk", flat=True)]
        OutgoingMail.objects.filter(pk__in=ids).update(failed_at=None, attempts=0)
        for mail_id in ids:
            mail_deliver.enqueue(mail_id)
        self.stdout.write(f"{len(ids)} message(s) queued again.")

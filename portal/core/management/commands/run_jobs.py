"""Run the periodic jobs whose period has begun and that have not run in it (the worker
does this every half minute; this is for a scheduler of the operator's own)."""

from django.core.management.base import BaseCommand

from portal.core.jobs import jobs_state, run_due_jobs


class Command(BaseCommand):
    help = "Runs the periodic jobs that are due (once per period, however many machines)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="Only show each job's last successful run.")

    def handle(self, *args, **options):
        if not options["list"]:
            ran = run_due_jobs()
            self.stdout.write(f"ran: {', '.join(ran) if ran else 'nothing due'}")
        for name, state in jobs_state().items():
            late = "  LATE" if state["late"] else ""
            self.stdout.write(f"{name:<28} last success: {state['last_success'] or '-'}{late}")

"""Health checks, answered before any other middleware (no session, no host check, no
HTTPS redirect):

- ``/health/`` for a load balancer: 200 when the database answers, 503 otherwise.
- ``/health/ready/`` for monitoring: the same, and 503 as well when mail is stuck (a
  message waiting longer than ``MAIL_STUCK_AFTER_MINUTES``, given up, or without a
  delivery task) or a periodic job is late (no success for twice its period), with the
  state of the outbox and of the jobs in the answer (counts and times only, nothing
  personal). Not for a load balancer: stuck mail is no reason to stop serving pages.
"""

import logging

from django.db import connection
from django.http import JsonResponse

from .jobs import jobs_state
from .mail import mail_queue_state, mail_stuck

logger = logging.getLogger(__name__)
HEALTH_PATH = "/health/"
READY_PATH = "/health/ready/"


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        logger.warning("health check: database unavailable (%s)", type(exc).__name__)
        return False
    return True


def _health():
    if not _database_answers():
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _ready():
    if not _database_answers():
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    state = mail_queue_state()
    stuck = mail_stuck(state)
    jobs = jobs_state()
    late = sorted(name for name, job in jobs.items() if job["late"])
    status = "mail_stuck" if stuck else "jobs_late" if late else "ok"
    body = {"status": status, "database": "ok", "mail": state, "mail_stuck": stuck, "jobs": jobs, "jobs_late": late}
    return JsonResponse(body, status=503 if stuck or late else 200)


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTH_PATH:
            response = _health()
        elif request.path == READY_PATH:
            response = _ready()
        else:
            return self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response

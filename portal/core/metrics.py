"""Metrics for Prometheus: django-prometheus's requests per view (count, latency,
status) and the portal's own counters, served at ``/metrics`` to whoever presents
``METRICS_TOKEN`` as a bearer token (without the variable, or without the right token,
``/metrics`` is an unknown address like any other: 404).

Answered before any other middleware but the request counter (no host check, no HTTPS
redirect), as ``/health/`` is: Prometheus scrapes each machine at its own address.

Several processes write metrics (gunicorn's workers, the task worker that sends the mail
and runs the jobs). Each keeps its own unless ``PROMETHEUS_MULTIPROC_DIR`` names a
directory that they all share on that machine: then each writes its values there and
``/metrics`` answers their sum (prometheus_client's multiprocess mode; README,
"Telemetry").
"""

import hmac

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import Counter

PATH = "/metrics"

LOGINS = Counter("portal_logins", "Logins: sessions started.")
LOGIN_FAILURES = Counter("portal_login_failures", "Failed logins: a wrong address or password.")
MAIL_QUEUED = Counter("portal_mail_queued", "Mail stored for delivery (counted when its transaction commits).")
MAIL_SENT = Counter("portal_mail_sent", "Mail the mail server accepted.")
MAIL_RETRIED = Counter("portal_mail_retried", "Failed deliveries that will be tried again.")
MAIL_GIVEN_UP = Counter("portal_mail_given_up", "Mail given up after MAIL_MAX_ATTEMPTS attempts.")
JOB_RUNS = Counter("portal_job_runs", "Runs of the periodic jobs, by job and outcome.", ["job", "outcome"])


@receiver(user_logged_in, dispatch_uid="portal.core.metrics.logins")
def _count_login(sender, **kwargs):
    LOGINS.inc()


@receiver(user_login_failed, dispatch_uid="portal.core.metrics.login_failures")
def _count_login_failure(sender, **kwargs):
    LOGIN_FAILURES.inc()


def authorized(request):
    """Whether the request carries the configured token (never with none configured)."""
    token = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


class MetricsEndpointMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH or not authorized(request):
            return self.get_response(request)
        response = ExportToDjangoView(request)
        response["Cache-Control"] = "no-store"
        return response

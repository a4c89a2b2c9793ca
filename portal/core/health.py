"""The health check for a load balancer: answers before any other middleware (no
session, no host check, no HTTPS redirect), and only 200 when the database answers."""

import logging

from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)
HEALTH_PATH = "/health/"


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
            logger.warning("health check: database unavailable (%s)", type(exc).__name__)
            response = JsonResponse({"status": "unavailable", "database": "error"}, status=503)
        else:
            response = JsonResponse({"status": "ok", "database": "ok"})
        response["Cache-Control"] = "no-store"
        return response

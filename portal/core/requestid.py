"""The request id: one short token per request, in the ``X-Request-ID`` response header,
in every log line written while the request runs (``portal.core.logs``) and in the audit
events it records (``AuditEvent.request_id``).

Behind a load balancer (``TRUSTED_PROXY_COUNT`` above 0) an incoming ``X-Request-ID`` is
kept when it is a short safe token (letters, digits, ``.``, ``_``, ``-``; at most 64), so
the load balancer's log lines and the portal's share one id; anything else, and any
header a client sends straight to the portal, is replaced by a new id.

With ``LOG_FORMAT=json`` each request also writes one line to the ``portal.access``
logger: method, view name, status and duration. Never the path or the query (a path can
hold an invitation's or a password reset's token), nor who asked.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings

HEADER = "X-Request-ID"
SAFE_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
NO_REQUEST = "-"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

_request_id = ContextVar("request_id", default=NO_REQUEST)
access_log = logging.getLogger("portal.access")


def current_request_id():
    """The id of the request being served, or ``"-"`` outside a request (the worker, a
    command)."""
    return _request_id.get()


def request_id_of(request):
    """The id for this request: the load balancer's when it is a safe token, else new."""
    if settings.ALLAUTH_TRUSTED_PROXY_COUNT > 0:
        incoming = request.headers.get(HEADER, "")
        if SAFE_TOKEN.fullmatch(incoming):
            return incoming
    return uuid.uuid4().hex


def _view_name(request):
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match is not None else None) or NO_REQUEST


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.request_id = request_id_of(request)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            if access_log.isEnabledFor(logging.INFO):
                self._log(request, response.status_code, started)
            return response
        finally:
            _request_id.reset(token)

    @staticmethod
    def _log(request, status, started):
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        view = _view_name(request)
        method = request.method if request.method in METHODS else "other"
        access_log.info(
            "%s %s %s %.1f ms",
            method,
            view,
            status,
            duration_ms,
            extra={"fields": {"method": method, "view": view, "status": status, "duration_ms": duration_ms}},
        )

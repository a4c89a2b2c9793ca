"""Error reports to Sentry, turned on by ``SENTRY_DSN`` (settings); nothing without it.

An error report tells what failed and where, never whose data: no personal data by
default (``send_default_pii=False``: no user, no cookies, no client address), no local
variables of the stack, no request body, and ``scrub_event`` removes what the SDK would
still send and a page may hold: cookies and credentials in the headers, the query (a
search can hold a name), the path (it can hold an invitation's token: the route is kept
instead), anything of the user but an id, and e-mail addresses in messages. Each report
is tagged with the request's id (``X-Request-ID``), to find its log lines.
"""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

from .logs import scrub
from .requestid import NO_REQUEST, current_request_id

# Headers that say nothing about who asked (Cookie, Authorization, Referer and the
# forwarded addresses are not among them).
KEPT_HEADERS = {"host", "user-agent", "accept", "accept-language", "content-type", "content-length"}
DENYLIST = [*DEFAULT_DENYLIST, "email", "token", "key", "full_name", "phone"]


def sentry_init(dsn, environment=""):
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        integrations=[DjangoIntegration(transaction_style="url")],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=DENYLIST, recursive=True),
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )


def _scrub_request(request, route):
    request.pop("data", None)
    request.pop("cookies", None)
    request.pop("query_string", None)
    request.pop("env", None)
    request["url"] = route or ""
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}


def _scrub_exceptions(event):
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub(exception["value"])


def _scrub_message(event):
    logentry = event.get("logentry") or {}
    for key in ("message", "formatted"):
        if isinstance(logentry.get(key), str):
            logentry[key] = scrub(logentry[key])
    if isinstance(event.get("message"), str):
        event["message"] = scrub(event["message"])


def scrub_event(event, hint=None):
    """What is sent of an error: see the module's text."""
    if isinstance(event.get("request"), dict):
        _scrub_request(event["request"], event.get("transaction"))
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if user.get("id") else {}
    _scrub_exceptions(event)
    _scrub_message(event)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        scrub_breadcrumb(crumb)
    request_id = current_request_id()
    if request_id != NO_REQUEST:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def scrub_breadcrumb(crumb, hint=None):
    """Log lines and queries kept as breadcrumbs: without addresses, queries without
    their parameters."""
    if isinstance(crumb.get("message"), str):
        crumb["message"] = scrub(crumb["message"])
    data = crumb.get("data")
    if isinstance(data, dict):
        data.pop("params", None)
    return crumb

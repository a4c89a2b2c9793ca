"""Log lines: plain text (the development default) or one JSON object per line
(``LOG_FORMAT=json``), each with the id of the request it was written in.

Nothing personal goes into a line. The portal's own messages name ids, counts and error
classes, never an address, a name or a token; as a safety net for other libraries'
messages, anything shaped like an e-mail address is replaced, a request's path in
Django's request log (``Not Found: /uitnodiging/<token>/``) is replaced by its route
(``uitnodiging/<str:token>/``), and a JSON line gives an error's class and where it
happened, never its text (which may quote data, a database error the row it refused).
"""

import json
import logging
import re
import traceback
from datetime import UTC, datetime

from .requestid import current_request_id

EMAIL = re.compile(r"[^\s@<>()\[\],;:\"'=/]+@[^\s@<>()\[\],;:\"'=/]+\.[A-Za-z]{2,}")
EMAIL_REPLACEMENT = "[e-mail]"


def scrub(text):
    """The text with every e-mail address in it replaced."""
    if "@" not in text:
        return text
    return EMAIL.sub(EMAIL_REPLACEMENT, text)


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was written in (``-`` outside one)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class RoutePathFilter(logging.Filter):
    """Django's request log names the path; a path can hold a token (an invitation, a
    password reset), so it is replaced by the route it matched."""

    def filter(self, record):
        request = getattr(record, "request", None)
        match = getattr(request, "resolver_match", None)
        if match is None or not isinstance(record.args, tuple):
            return True
        path = request.path.encode("unicode_escape").decode("ascii")  # as Django logs it
        route = "/" + (match.route or match.view_name or "")
        record.args = tuple(route if arg == path else arg for arg in record.args)
        return True


class TextFormatter(logging.Formatter):
    def __init__(self, fmt="%(levelname)s %(name)s [%(request_id)s] %(message)s", **kwargs):
        super().__init__(fmt, **kwargs)

    def format(self, record):
        if not hasattr(record, "request_id"):  # a handler without RequestIdFilter
            record.request_id = current_request_id()
        return scrub(super().format(record))


def _where(tb):
    return [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, the
    fields a line passes as ``extra={"fields": {...}}``, Django's ``status_code``, and
    for an error its class and stack (never its text)."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for key, value in (getattr(record, "fields", None) or {}).items():
            line.setdefault(key, value)
        status_code = getattr(record, "status_code", None)
        if status_code is not None:
            line.setdefault("status_code", status_code)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, tb = record.exc_info
            line["error"] = {"type": f"{kind.__module__}.{kind.__qualname__}", "stack": _where(tb)}
        return json.dumps(line, default=str)

"""The REST API at /api/v1/ (django-ninja; README, "API and SCIM").

Errors are ``application/problem+json`` (RFC 9457) with the portal's error code in
``code``: ``bad_request`` (400: a body that is no JSON), ``unauthenticated`` (401),
``not_found`` (404: also what a key without the scope, or with an id of another
organization, gets, and any path under /api/v1/ that is no operation),
``method_not_allowed`` (405, with ``Allow``), ``rate_limited`` (429), ``invalid`` (422,
with the form's error codes per field) and the codes of the portal's rules (409:
``last_administrator``, ``self_action``, ``email_in_use``, …).
"""

import functools
from typing import Annotated

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Path, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from portal.core.errors import RuleError

from .auth import Refused, authenticate
from .idempotency import IdempotencyRefused

PROBLEM_TYPE = "https://klantenportal.harting-bank.nl/api/v1/problemen/"


# An id in a path: a whole number a database column holds.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class FieldError(Schema):
    code: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: dict[str, list[FieldError]] | None = None


class Invalid(Exception):
    """The request's data failed a form's rules; ``errors`` as Django's form errors."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("invalid")


class KeyAuth(HttpBearer):
    """Authenticates the key; each endpoint then asks for its scope (``scoped``)."""

    def authenticate(self, request, token):
        return authenticate(request, None)  # each endpoint checks its scope

    def __call__(self, request):
        # A missing or malformed header is the same refusal as an unknown key.
        return authenticate(request, None)


api = NinjaAPI(
    title="Mijn HartingBank API",
    version="1",
    description=(
        "De API van Mijn HartingBank voor de systemen van een organisatie. Elke aanvraag draagt een "
        "API-sleutel (`Authorization: Bearer hbk_…`) die een administrator in Accountbeheer maakte; de "
        "sleutel werkt alleen voor zijn eigen organisatie en binnen zijn rechten."
    ),
    urls_namespace="api",
    auth=KeyAuth(),
    docs_url=None,
    openapi_url="/openapi.json",
)


def scoped(request, scope):
    """The principal, when the request's key has ``scope`` (or one of a set)."""
    return authenticate(request, scope)


# --- problem+json --------------------------------------------------------------------------


def problem(request, status, code, detail, errors=None, headers=None):
    titles = {401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
              422: "Unprocessable Content", 429: "Too Many Requests", 400: "Bad Request"}  # fmt: skip
    body = {"type": PROBLEM_TYPE + code, "title": titles.get(status, "Error"), "status": status, "code": code,
            "detail": str(detail)}  # fmt: skip
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(Refused)
def _refused(request, exc):
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return problem(request, exc.status, exc.code, exc.message, headers=headers)


@api.exception_handler(IdempotencyRefused)
def _idempotency(request, exc):
    return problem(request, exc.status, exc.code, exc.message)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _refused(request, Refused("unauthenticated"))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, 404, "not_found", _("Niet gevonden."))


@api.exception_handler(RuleError)
def _rule(request, exc):
    return problem(request, 409, exc.code, exc.message)


@api.exception_handler(Invalid)
def _invalid(request, exc):
    errors = {
        field: [{"code": error.code or "invalid", "message": " ".join(str(m) for m in error.messages)} for error in errors]
        for field, errors in exc.errors.as_data().items()
    }
    return problem(request, 422, "invalid", _("De gegevens voldoen niet aan de regels; zie errors."), errors)


@api.exception_handler(NinjaValidationError)
def _malformed(request, exc):
    errors = {}
    for error in exc.errors:
        location = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "query", "path", "header", "payload", "data", "filters")
        ]
        field = ".".join(location) or "__all__"
        errors.setdefault(field, []).append({"code": error.get("type", "invalid"), "message": error.get("msg", "")})
    return problem(request, 422, "invalid", _("De gegevens voldoen niet aan de regels; zie errors."), errors)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    code = {400: "bad_request", 405: "method_not_allowed"}.get(exc.status_code, "error")
    return problem(request, exc.status_code, code, str(exc))


# Every operation may answer these; the OpenAPI document says so, as problem+json.
ERRORS = {401: Problem, 404: Problem, 422: Problem, 429: Problem}  # and 400 where a body is read (below)
WRITE_ERRORS = {**ERRORS, 409: Problem}


def _problem_media_type(schema):
    """Errors as problem+json; an operation that reads a body may answer 400 (no JSON)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            for status, response in responses.items():
                content = response.get("content", {})
                if str(status).startswith(("4", "5")) and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
            if "requestBody" in operation and 400 not in responses:
                responses[400] = {
                    "description": "Bad Request",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
    return schema


_original_schema = api.get_openapi_schema


def _schema(*args, **kwargs):
    return _problem_media_type(_original_schema(*args, **kwargs))


api.get_openapi_schema = _schema


def _register():
    from . import rest_accounts, rest_locations, rest_orders, rest_products, rest_service

    for module in (rest_accounts, rest_locations, rest_orders, rest_products, rest_service):
        api.add_router(module.PREFIX, module.router)


def _method_problem(view):
    """A method the path does not offer: 405 as problem+json (ninja answers it as text)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = ", ".join(sorted(m.strip() for m in response["Allow"].split(",") if m.strip()))
            detail = _("Deze methode is hier niet toegestaan. Toegestaan: %(allowed)s.") % {"allowed": allowed}
            return problem(request, 405, "method_not_allowed", detail, headers={"Allow": allowed})
        return response

    return wrapper


def urls():
    """The API's URL patterns, open to requests without a session (a key authenticates
    them) and without the CSRF check (no cookie is involved)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        # ninja's root (kept for its name, which ninja reverses) raised the portal's 404 page.
        pattern.callback = unknown if pattern.name == "api-root" else _method_problem(pattern.callback)
        pattern.callback.login_required = False
    return patterns, app_name, namespace


@csrf_exempt
@login_not_required
def unknown(request, *args, **kwargs):
    """Any other path under /api/v1/: the key is checked as by every operation, then 404."""
    try:
        authenticate(request, None)
    except Refused as exc:
        return _refused(request, exc)
    return problem(request, 404, "not_found", _("Niet gevonden."))


def empty(status=204):
    return HttpResponse(status=status)


_register()

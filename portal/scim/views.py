"""SCIM 2.0 (RFC 7644) at /scim/v2/, for an organization's identity provider (Entra ID,
Okta): a key with the ``scim`` scope, its organization's accounts as Users.

Every change goes through Accountbeheer's services, as the REST API's do: creating a
User invites the person (or, if the organization chose so, creates an active account
without any mail: ``organizations.provisioning``), ``active: false`` deactivates the
account (its sessions end), ``active: true`` reactivates it, DELETE deletes it (an
invitation not yet accepted is withdrawn), and the rules hold (an organization keeps an
active administrator, an address is used once). Groups are not offered: the portal has no groups, and rights
and roles stay with Accountbeheer.
"""

import json
import re

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import Context, Error, ListResponse, Name, PatchOp, ResponseParameters, SCIMException, SearchRequest

from portal.api.auth import Refused, authenticate
from portal.api.models import Scope
from portal.api.rest_accounts import account_remove, count_address
from portal.core.errors import RuleError
from portal.core.fields import id_from
from portal.organizations import provisioning, services
from portal.organizations.forms import AccountForm
from portal.organizations.models import Membership, Role, Status, deactivated_today

from .mapping import MAX_RESULTS, ScimUser, joined, name_parts, personal_data_of, provider, published_schema, to_scim
from .models import ExternalId
from .options import creates_active

CONTENT_TYPE = "application/scim+json"


class ScimRefusal(Exception):
    def __init__(self, status, detail, scim_type=None, headers=None):
        self.status, self.detail, self.scim_type, self.headers = status, detail, scim_type, headers
        super().__init__(detail)


def _json(payload, status=200, headers=None):
    response = HttpResponse(json.dumps(payload, default=str), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(status, detail, scim_type=None, headers=None):
    error = Error(status=status, scim_type=scim_type, detail=str(detail))
    return _json(error.model_dump(), status=status, headers=headers)


def endpoint(view):
    """A SCIM endpoint: a key with the ``scim`` scope, no session, no CSRF cookie; every
    refusal a SCIM Error."""

    @csrf_exempt
    @login_not_required
    def wrapper(request, *args, **kwargs):
        try:
            principal = authenticate(request, Scope.SCIM)
            return view(request, principal, *args, **kwargs)
        except Refused as refused:
            headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
            if refused.status == 401:
                headers["WWW-Authenticate"] = 'Bearer realm="scim"'
            return _error(refused.status, f"{refused.code}: {refused.message}", headers=headers)
        except ScimRefusal as refusal:
            return _error(refusal.status, refusal.detail, refusal.scim_type, refusal.headers)
        except SCIMException as exc:
            return _error(exc.status, exc.detail or str(exc), exc.scim_type)
        except RuleError as rule:
            status = 409 if rule.code == "email_in_use" else 400
            scim_type = "uniqueness" if rule.code == "email_in_use" else "mutability"
            return _error(status, f"{rule.code}: {rule.message}", scim_type)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _allow(request, *methods):
    if request.method not in methods:
        allowed = ", ".join(sorted(methods))
        raise ScimRefusal(405, f"Method not allowed; allowed: {allowed}.", headers={"Allow": allowed})


def _body(request):
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScimRefusal(400, "The body is not JSON.", "invalidSyntax") from exc
    if not isinstance(data, dict):
        raise ScimRefusal(400, "The body must be a JSON object.", "invalidSyntax")
    return data


def _validated(model, data, context):
    try:
        return model.model_validate(data, scim_ctx=context)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {}
        error = Error.from_validation_error(first) if first else Error(status=400, scim_type="invalidValue")
        raise ScimRefusal(int(error.status or 400), error.detail or "invalid", error.scim_type or "invalidValue") from exc


def _location(request, membership):
    return request.build_absolute_uri(reverse("scim_user", args=[membership.pk]))


def _split(value):
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value or [])


def _parameters(attributes=None, excluded=None):
    """``attributes`` and ``excludedAttributes`` of a query or a search."""
    attributes, excluded = _split(attributes), _split(excluded)
    if not attributes and not excluded:
        return None
    try:
        return ResponseParameters(attributes=attributes or None, excludedAttributes=excluded or None)
    except ValidationError as exc:
        raise ScimRefusal(400, "attributes or excludedAttributes names an unknown attribute.", "invalidPath") from exc


def _dump(resource, context=Context.RESOURCE_QUERY_RESPONSE, parameters=None):
    return resource.model_dump(scim_ctx=context, response_parameters=parameters)


# --- discovery ------------------------------------------------------------------------------


@endpoint
def unknown(request, principal, rest=""):
    return _error(404, "not_found: no such endpoint.")


@endpoint
def base(request, principal):
    return _error(404, "not_found: see /scim/v2/ServiceProviderConfig, /Schemas, /ResourceTypes and /Users.")


@endpoint
def service_provider_config(request, principal):
    _allow(request, "GET")
    config = provider.config.model_copy()
    config.meta = None
    data = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    data["meta"] = {"resourceType": "ServiceProviderConfig", "location": request.build_absolute_uri()}
    return _json(data)


def _listed(resources, request):
    items = []
    for resource in resources:
        data = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        items.append(data)
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(items),
        "startIndex": 1,
        "itemsPerPage": len(items),
        "Resources": items,
    }


@endpoint
def schemas(request, principal):
    _allow(request, "GET")
    items = [published_schema(s) for s in provider.schemas]
    return _json({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": len(items),
                  "startIndex": 1, "itemsPerPage": len(items), "Resources": items})  # fmt: skip


@endpoint
def schema(request, principal, schema_id):
    _allow(request, "GET")
    found = next((s for s in provider.schemas if s.id == schema_id), None)
    if found is None:
        raise ScimRefusal(404, "not_found: no such schema.")
    return _json(published_schema(found))


@endpoint
def resource_types(request, principal):
    _allow(request, "GET")
    return _json(_listed(provider.resource_types, request))


@endpoint
def resource_type(request, principal, name):
    _allow(request, "GET")
    found = next((r for r in provider.resource_types if r.id == name or r.name == name), None)
    if found is None:
        raise ScimRefusal(404, "not_found: no such resource type.")
    return _json(found.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


# --- Users ----------------------------------------------------------------------------------


def _visible(principal):
    return Membership.objects.visible_to(principal, by_account=True).select_related("user", "scim_external_id")


def _member(principal, user_id):
    pk = id_from(user_id)
    membership = _visible(principal).filter(pk=pk).first() if pk else None
    if membership is None:
        raise ScimRefusal(404, "not_found: no such User.")
    return membership


@endpoint
def users(request, principal):
    _allow(request, "GET", "POST")
    if request.method == "POST":
        return _user_create(request, principal)
    return _user_list(request, principal)


@endpoint
def user(request, principal, user_id):
    _allow(request, "GET", "PUT", "PATCH", "DELETE")
    membership = _member(principal, user_id)
    if request.method == "GET":
        parameters = _parameters(request.GET.get("attributes"), request.GET.get("excludedAttributes"))
        return _json(_dump(to_scim(membership, _location(request, membership)), parameters=parameters))
    if request.method == "DELETE":
        account_remove(principal, membership, request)
        return HttpResponse(status=204)
    if request.method == "PUT":
        resource = _validated(ScimUser, _body(request), Context.RESOURCE_REPLACEMENT_REQUEST)
    else:
        resource = _patched(request, membership)
    _apply(request, principal, membership, resource)
    membership = _member(principal, user_id)
    return _json(_dump(to_scim(membership, _location(request, membership))))


# --- filter ---------------------------------------------------------------------------------

_TERM = re.compile(r'^\s*(?P<attr>[A-Za-z][\w.:]*)\s+eq\s+(?P<value>"(?:[^"\\]|\\.)*"|true|false|null)\s*$', re.I)
_WORK_EMAIL = re.compile(r'emails\[\s*type\s+eq\s+"work"\s*\]\.value', re.I)
_AND = re.compile(r'\s+and\s+(?=(?:[^"]*"[^"]*")*[^"]*$)', re.I)  # an "and" outside quotes


def _filtered(queryset, text, organization_id):
    """The filters Entra ID and Okta send: ``userName eq "…"``, ``externalId eq "…"``,
    ``emails[type eq "work"].value eq "…"``, ``id``, ``displayName``, ``active``, joined
    with ``and``, on the accounts of ``organization_id``. Anything else is refused (400
    invalidFilter)."""
    if len(text) > 1000:
        raise ScimRefusal(400, "The filter is too long.", "invalidFilter")
    for part in _AND.split(_WORK_EMAIL.sub("emails.value", text)):
        match = _TERM.match(part)
        if match is None:
            raise ScimRefusal(400, "Unsupported filter: use attribute eq value, joined with and.", "invalidFilter")
        attribute, raw = match["attr"].lower(), match["value"]
        value = json.loads(raw) if raw.startswith('"') else {"true": True, "false": False, "null": None}[raw.lower()]
        queryset = _filter_one(queryset, attribute, value, organization_id)
    return queryset


def _filter_one(queryset, attribute, value, organization_id):
    text = value if isinstance(value, str) else None
    if attribute == "username":
        if not text:
            return queryset.none()
        # The accounts with this address, and those with this userName beside another
        # address: each read in an index of its own. Asked as one condition with OR across
        # the join, no index served it, and the database read every account of the
        # organization (200 ms of its time with 100,000), at the question a client asks
        # before every change it sends.
        ids = [
            *Membership.objects.filter(user__email=text.strip().lower()).values_list("pk", flat=True),
            *ExternalId.objects.filter(organization_id=organization_id, user_name=text.strip()).values_list(
                "membership_id", flat=True
            ),
        ]
        return queryset.filter(pk__in=ids)
    if attribute in ("emails.value", "emails"):
        return queryset.filter(user__email=(text or "").strip().lower()) if text else queryset.none()
    if attribute == "externalid":
        return queryset.filter(scim_external_id__value=text) if text else queryset.none()
    if attribute == "id":
        pk = id_from(text)
        return queryset.filter(pk=pk) if pk else queryset.none()
    if attribute in ("displayname", "name.formatted"):
        return queryset.filter(user__full_name=text) if text else queryset.none()
    if attribute == "active" and isinstance(value, bool):
        # One condition on the account itself, not a second list of all of them.
        return queryset.exclude(deactivated_today()) if value else queryset.filter(deactivated_today())
    raise ScimRefusal(400, f"Filtering on {attribute} is not supported.", "invalidFilter")


def _int_param(query, name, default, low, high):
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        number = int(raw)
    except ValueError as exc:
        raise ScimRefusal(400, f"{name} must be a whole number.", "invalidValue") from exc
    return max(low, min(high, number))


@endpoint
def users_search(request, principal):
    """POST /Users/.search: the query of GET /Users in a body."""
    _allow(request, "POST")
    search = _validated(SearchRequest, _body(request), Context.SEARCH_REQUEST)
    return _user_list(request, principal, {
        "filter": search.filter, "startIndex": search.start_index, "count": search.count,
        "attributes": [str(a) for a in search.attributes or []],
        "excludedAttributes": [str(a) for a in search.excluded_attributes or []],
    })  # fmt: skip


def _user_list(request, principal, query=None):
    query = query if query is not None else request.GET
    queryset = _visible(principal)
    if query.get("filter"):
        queryset = _filtered(queryset, str(query["filter"]), principal.membership.organization_id)
    start = _int_param(query, "startIndex", 1, 1, 2**31 - 1)
    count = _int_param(query, "count", 100, 0, MAX_RESULTS)
    parameters = _parameters(query.get("attributes"), query.get("excludedAttributes"))
    total = queryset.count()
    page = list(queryset.order_by("pk")[start - 1 : start - 1 + count]) if count else []
    response = ListResponse[ScimUser](
        total_results=total,
        start_index=start,
        items_per_page=len(page),
        resources=[to_scim(m, _location(request, m)) for m in page],
    )
    return _json(response.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters))


# --- writing --------------------------------------------------------------------------------


def _form_checked(data, organization):
    """The account form's rules for the personal data (the same as the pages')."""
    form = AccountForm({**data, "role": data.get("role", Role.EMPLOYEE), "may_use_portal": data.get("may_use_portal", True),
                        "may_order": data.get("may_order", False), "order_limit": data.get("order_limit") or "",
                        "locations": data.get("locations", [])}, organization=organization)  # fmt: skip
    form.fields["order_limit"].localize = False
    if not form.is_valid():
        detail = "; ".join(f"{field}: {error.code}" for field, errors in form.errors.as_data().items() for error in errors)
        raise ScimRefusal(400, f"invalid: {detail}", "invalidValue")
    return form.cleaned_data


def _set_identity(membership, resource):
    """Keep the resource's externalId, its userName when that is not the address, and the
    given and family name when it sends them (kept as they were when it does not)."""
    value = (resource.external_id or "").strip()[:200]
    user_name = (resource.user_name or "").strip()[:254]
    if user_name.lower() == (membership.user.email or ""):
        user_name = ""
    others = ExternalId.objects.filter(organization_id=membership.organization_id).exclude(membership=membership)
    if value and others.filter(value=value).exists():
        raise ScimRefusal(409, "externalId is already in use.", "uniqueness")
    if user_name and others.filter(user_name=user_name).exists():
        raise ScimRefusal(409, "userName is already in use.", "uniqueness")
    defaults = {"value": value, "user_name": user_name, "organization_id": membership.organization_id}
    name = resource.name
    if name is not None and (name.given_name or name.family_name):
        defaults["given_name"] = (name.given_name or "").strip()[:150]
        defaults["family_name"] = (name.family_name or "").strip()[:150]
    kept = ExternalId.objects.filter(membership=membership).first()
    if not value and not user_name and "given_name" not in defaults and not (kept and (kept.given_name or kept.family_name)):
        if kept is not None:
            kept.delete()
        return
    ExternalId.objects.update_or_create(membership=membership, defaults=defaults)


def _user_create(request, principal):
    resource = _validated(ScimUser, _body(request), Context.RESOURCE_CREATION_REQUEST)
    organization = principal.membership.organization
    cleaned = _form_checked(personal_data_of(resource), organization)
    count_address(request, principal)
    if resource.external_id and ExternalId.objects.filter(organization=organization, value=resource.external_id.strip()).exists():
        raise ScimRefusal(409, "externalId is already in use.", "uniqueness")
    # Invited (the mail goes out), or active at once without a mail if the organization
    # chose so (Accountbeheer → API-sleutels).
    create = provisioning.account_provision if creates_active(organization) else services.account_invite
    with transaction.atomic():
        membership = create(
            actor=principal, organization=organization, request=request,
            email=cleaned["email"], full_name=cleaned["full_name"], phone=cleaned["phone"], job_title=cleaned["job_title"],
        )  # fmt: skip
        _set_identity(membership, resource)
    membership = _member(principal, membership.pk)
    location = _location(request, membership)
    return _json(_dump(to_scim(membership, location)), status=201, headers={"Location": location})


def _operations(data):
    operations = next((value for key, value in data.items() if key.lower() == "operations"), None)
    return operations if isinstance(operations, list) else []


def _normalized_patch(data):
    """Entra ID writes ``"op": "Replace"`` and ``"value": "False"`` for active; both are
    read as the RFC's ``replace`` and ``false``."""
    for operation in _operations(data):
        if not isinstance(operation, dict):
            continue
        if isinstance(operation.get("op"), str):
            operation["op"] = operation["op"].lower()
        value = operation.get("value")
        if (operation.get("path") or "").lower() == "active" and isinstance(value, str) and value.lower() in ("true", "false"):
            operation["value"] = value.lower() == "true"
        if isinstance(value, dict) and isinstance(value.get("active"), str) and value["active"].lower() in ("true", "false"):
            value["active"] = value["active"].lower() == "true"
    return data


# A value filter on a multi-valued attribute and one of its sub-attributes, as Entra ID
# writes them: emails[type eq "work"].value, phoneNumbers[type eq "work"].value.
_FILTERED_PATH = re.compile(
    r'^\s*(?P<attribute>[A-Za-z]\w*)\[\s*(?P<key>[A-Za-z]\w*)\s+eq\s+(?P<literal>"(?:[^"\\]|\\.)*"|true|false)\s*\]'
    r"\.(?P<sub>[A-Za-z]\w*)\s*$",
    re.I,
)


def _get(data, name):
    """An attribute of a dumped resource by its name in any case (SCIM's names are not
    case-sensitive)."""
    if not isinstance(data, dict):
        return None
    return next((value for key, value in data.items() if key.lower() == name.lower()), None)


def _same(value, literal):
    if isinstance(value, str) and isinstance(literal, str):
        return value.lower() == literal.lower()
    return value == literal


def _creating(resource, operation):
    """An ``add`` whose path filters a multi-valued attribute on which no value matches
    adds a value that does (RFC 7644 3.5.2.1): ``phoneNumbers[type eq "work"].value`` for
    a User without a telephone number adds a work number. Entra ID sends ``replace`` in
    the same case and relies on the same; the RFC would answer noTarget, which leaves the
    User without what the identity provider holds, so replace adds too."""
    if not isinstance(operation, dict) or operation.get("op") not in ("add", "replace"):
        return operation
    path = operation.get("path")
    match = _FILTERED_PATH.match(path) if isinstance(path, str) else None
    if match is None:
        return operation
    literal = json.loads(match["literal"] if match["literal"].startswith('"') else match["literal"].lower())
    values = _get(resource.model_dump(), match["attribute"])
    if values is not None and not isinstance(values, list):
        return operation  # not multi-valued: the model's own answer
    if any(_same(_get(value, match["key"]), literal) for value in values or []):
        return operation
    return {"op": "add", "path": match["attribute"], "value": [{match["key"]: literal, match["sub"]: operation.get("value")}]}


def _patched(request, membership):
    """The User as the PATCH leaves it, its operations applied in order. The name follows
    its parts when a PATCH changes givenName or familyName and not name.formatted (the
    parts the identity provider sent before, or the name's first word and the rest, stand
    for the part it leaves out)."""
    data = _normalized_patch(_body(request))
    _validated(PatchOp[ScimUser], data, Context.RESOURCE_PATCH_REQUEST)  # the whole request is sound first
    resource = to_scim(membership, None)
    resource.meta = None
    given, family = name_parts(membership)
    resource.name = Name(formatted=membership.user.full_name or None, given_name=given, family_name=family)
    before = resource.model_copy(deep=True)
    others = {key: value for key, value in data.items() if key.lower() != "operations"}
    for operation in _operations(data):
        single = {**others, "Operations": [_creating(resource, operation)]}
        _validated(PatchOp[ScimUser], single, Context.RESOURCE_PATCH_REQUEST).patch(resource)
    _name_follows(before.name, resource)
    return resource


def _name_follows(before, resource):
    name = resource.name
    if name is None:
        return
    parts = (name.given_name, name.middle_name, name.family_name)
    if parts == (before.given_name, before.middle_name, before.family_name):
        name.given_name = name.family_name = None  # not sent: the parts kept stay as they were
    elif name.formatted == before.formatted:
        name.formatted = joined(*parts) or None


def _apply(request, principal, membership, resource):
    """Bring the account to what ``resource`` states: personal data through
    Accountbeheer's change, then the status (deactivate or reactivate)."""
    with transaction.atomic():
        data = personal_data_of(resource)
        user = membership.user
        if resource.display_name and resource.display_name.strip() != user.full_name and data["full_name"] == user.full_name:
            data["full_name"] = resource.display_name.strip()  # only displayName changed: it is the name
        current = {"email": user.email or "", "full_name": user.full_name, "phone": user.phone, "job_title": user.job_title}
        if _asked_already(membership, data["email"]):
            data["email"] = current["email"]
        if data != current:
            rights = {"role": membership.role, "may_use_portal": membership.may_use_portal, "may_order": membership.may_order,
                      "order_limit": "" if membership.order_limit is None else format(membership.order_limit, "f"),
                      "locations": list(membership.location_links.values_list("location_id", flat=True))}  # fmt: skip
            cleaned = _form_checked({**data, **rights}, membership.organization)
            if cleaned["email"] != current["email"]:
                count_address(request, principal)
            services.account_update(
                actor=principal, membership=membership, expected_version=membership.version,
                data={key: cleaned[key] for key in services.PERSONAL_FIELDS + services.MEMBERSHIP_FIELDS},
                locations=list(cleaned["locations"]), request=request,
            )  # fmt: skip
            membership.refresh_from_db()
        membership.user.refresh_from_db()
        _set_identity(membership, resource)
        _apply_active(request, principal, membership, resource.active)


def _asked_already(membership, email):
    """The new address of an open change its owner has not confirmed yet, sent again (an
    identity provider sends it until it sees it): the owner is asked once."""
    email = (email or "").strip().lower()
    if not email or email == (membership.user.email or ""):
        return False
    waiting = membership.email_changes.filter(confirmed_at__isnull=True, revoked_at__isnull=True)
    return any(change.is_open and change.new_email.lower() == email for change in waiting)


def _apply_active(request, principal, membership, active):
    if active is None:
        return
    status = membership.effective_status
    if active is False and status == Status.ACTIVE:
        services.account_deactivate(actor=principal, membership=membership, request=request)
    elif active is False and status == Status.INVITED:
        raise ScimRefusal(
            400, "not_active: an invitation not yet accepted cannot be deactivated; delete it instead.", "mutability"
        )
    elif active is True and membership.status == Status.DEACTIVATED:
        services.account_reactivate(actor=principal, membership=membership, request=request)

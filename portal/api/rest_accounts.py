"""/api/v1/accounts: the organization's accounts, as Accountbeheer shows and changes them.

Reads come through ``Membership.objects.visible_to`` (the key's organization only);
changes through Accountbeheer's services, with its forms' rules, so the rules, the audit
trail and the mails are those of the pages.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from portal.core.fields import id_from
from portal.organizations import overview, services
from portal.organizations.forms import AccountForm, DeactivateForm
from portal.organizations.models import Membership, Status
from portal.organizations.ratelimits import address_check_allowed

from .auth import Refused
from .models import Scope
from .rest import ERRORS, WRITE_ERRORS, Id, Invalid, empty, scoped

PREFIX = "/accounts"
router = Router(tags=["accounts"])

PAGE_SIZE = 50
PAGE_MAX = 200


class AccountOut(Schema):
    id: int
    email: str | None
    full_name: str
    phone: str
    job_title: str
    role: Literal["administrator", "employee"]
    status: Literal["invited", "active", "deactivated"]
    deactivated_until: date | None
    may_use_portal: bool
    may_order: bool
    order_limit: Decimal | None = Field(None, description="Bestellimiet excl. btw in euro; null: geen limiet")
    locations: list[int]
    version: int
    created_at: datetime
    last_login: datetime | None


class AccountPage(Schema):
    items: list[AccountOut]
    next: str | None = Field(None, description="Geef dit mee als `after` voor de volgende pagina; null op de laatste")


class AccountIn(Schema):
    email: str = Field(..., max_length=254)
    full_name: str = Field(..., max_length=150)
    phone: str = Field("", max_length=30)
    job_title: str = Field("", max_length=100)
    role: Literal["administrator", "employee"] = "employee"
    may_use_portal: bool = True
    may_order: bool = False
    order_limit: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    locations: list[int] = Field(default_factory=list, max_length=1000)


class AccountChange(Schema):
    """Only what is sent changes. ``version`` (from the account as last read) refuses
    the change when someone changed the account meanwhile."""

    role: Literal["administrator", "employee"] | None = None
    may_use_portal: bool | None = None
    may_order: bool | None = None
    order_limit: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    locations: list[int] | None = Field(None, max_length=1000)
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class Deactivation(Schema):
    until: date | None = Field(None, description="Vanaf deze datum is het account vanzelf weer actief")


class AccountFilters(Schema):
    status: Literal["invited", "expired", "active", "deactivated"] | None = None
    role: Literal["administrator", "employee"] | None = None
    location: int | None = Field(None, ge=1, le=2**63 - 1)
    q: str | None = Field(None, max_length=100, description="Woorden uit naam of e-mailadres")
    after: str | None = Field(None, max_length=20, description="De `next` van de vorige pagina")
    limit: int = Field(PAGE_SIZE, ge=1, le=PAGE_MAX)


def _visible(principal):
    return Membership.objects.visible_to(principal, by_account=True).select_related("user")


def _out(membership, location_ids):
    user = membership.user
    return {
        "id": membership.pk, "email": user.email, "full_name": user.full_name, "phone": user.phone,
        "job_title": user.job_title, "role": membership.role, "status": membership.effective_status,
        "deactivated_until": membership.deactivated_until if membership.effective_status == Status.DEACTIVATED else None,
        "may_use_portal": membership.may_use_portal, "may_order": membership.may_order,
        "order_limit": membership.order_limit, "locations": location_ids, "version": membership.version,
        "created_at": membership.created_at, "last_login": user.last_login,
    }  # fmt: skip


def _locations_of(memberships):
    from portal.locations.models import LocationLink

    linked = {}
    for membership_id, location_id in (
        LocationLink.objects.filter(membership__in=memberships)
        .values_list("membership_id", "location_id")
        .order_by("location_id")
    ):
        linked.setdefault(membership_id, []).append(location_id)
    return linked


def account_out(membership):
    return _out(membership, _locations_of([membership.pk]).get(membership.pk, []))


def _account(principal, pk):
    return get_object_or_404(_visible(principal), pk=pk)


def _checked(form_class, data, organization):
    form = form_class(data, organization=organization) if organization is not None else form_class(data)
    if "order_limit" in form.fields:
        form.fields["order_limit"].localize = False  # JSON sends a decimal point, never a comma
    if not form.is_valid():
        raise Invalid(form.errors)
    return form.cleaned_data


@router.get("", response={200: AccountPage, **ERRORS}, summary="Accounts van de organisatie")
def account_list(request, filters: Query[AccountFilters]):
    """Newest-independent keyset pages, in id order: ``after`` is the last id of the
    previous page, so a page deep in the list costs what the first does."""
    principal = scoped(request, Scope.ACCOUNTS)
    organization = principal.membership.organization
    location = None
    if filters.location is not None:
        location = organization.locations.filter(pk=filters.location).first()
        if location is None:
            return Reply(200, {"items": [], "next": None})
    queryset = overview.filtered(
        _visible(principal), q=filters.q or "", status=filters.status or "", role=filters.role or "", location=location
    )
    after = id_from(filters.after) if filters.after else None
    if filters.after and after is None:
        raise Invalid(_errors("after", "invalid_cursor", "Deze cursor is niet geldig."))
    if after:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[: filters.limit + 1])
    page, more = rows[: filters.limit], len(rows) > filters.limit
    linked = _locations_of([m.pk for m in page])
    return Reply(
        200,
        {
            "items": [_out(m, linked.get(m.pk, [])) for m in page],
            "next": str(page[-1].pk) if more else None,
        },
    )


def _errors(field, code, message):
    from django import forms
    from django.forms.utils import ErrorDict, ErrorList

    return ErrorDict({field: ErrorList([forms.ValidationError(message, code=code)])})


@router.get("/{account_id}", response={200: AccountOut, **ERRORS}, summary="Eén account")
def account_read(request, account_id: Id):
    principal = scoped(request, Scope.ACCOUNTS)
    return Reply(200, account_out(_account(principal, account_id)))


@router.post("", response={201: AccountOut, **WRITE_ERRORS}, summary="Account aanmaken en uitnodigen")
def account_invite(request, data: AccountIn):
    """As *Nieuw account* in Accountbeheer: the person gets an invitation by mail."""
    principal = scoped(request, Scope.ACCOUNTS)
    organization = principal.membership.organization
    count_address(request, principal)
    cleaned = _checked(AccountForm, {**data.dict(), "order_limit": _decimal_text(data.order_limit)}, organization)
    membership = services.account_invite(
        actor=principal, organization=organization, locations=list(cleaned["locations"]), request=request,
        **{key: cleaned[key] for key in services.PERSONAL_FIELDS + services.MEMBERSHIP_FIELDS},
    )  # fmt: skip
    return Reply(201, account_out(membership))


def count_address(request, principal):
    """An invitation or a new address counts in Accountbeheer's limit on them, for all of the
    organization's keys together (REST and SCIM alike)."""
    if not address_check_allowed(request, organization=principal.membership.organization):
        raise Refused("rate_limited", retry_after=60)


def _decimal_text(value):
    return "" if value is None else format(value, "f")


@router.patch("/{account_id}", response={200: AccountOut, **WRITE_ERRORS}, summary="Rol, rechten en locaties wijzigen")
def account_change(request, account_id: Id, data: AccountChange):
    principal = scoped(request, Scope.ACCOUNTS)
    membership = _account(principal, account_id)
    if membership.status == Status.DELETED:
        raise Refused("not_found")
    sent = data.dict(exclude_unset=True)
    user = membership.user
    current = {
        "full_name": user.full_name, "email": user.email or "", "phone": user.phone, "job_title": user.job_title,
        "role": membership.role, "may_use_portal": membership.may_use_portal, "may_order": membership.may_order,
        "order_limit": _decimal_text(membership.order_limit),
        "locations": list(membership.location_links.values_list("location_id", flat=True)),
    }  # fmt: skip
    version = sent.pop("version", None)
    if "order_limit" in sent:
        sent["order_limit"] = _decimal_text(sent["order_limit"])
    sent = {key: value for key, value in sent.items() if value is not None or key == "order_limit"}
    cleaned = _checked(AccountForm, {**current, **sent}, membership.organization)
    services.account_update(
        actor=principal, membership=membership, expected_version=membership.version if version is None else version,
        data={key: cleaned[key] for key in services.PERSONAL_FIELDS + services.MEMBERSHIP_FIELDS},
        locations=list(cleaned["locations"]), request=request,
        four_eyes="refuse",  # with four eyes on, a promotion or a raised limit is asked in Accountbeheer (409)
    )  # fmt: skip
    return Reply(200, account_out(_account(principal, account_id)))


@router.post(
    "/{account_id}/deactivate", response={200: AccountOut, **WRITE_ERRORS}, summary="Deactiveren (eventueel tot een datum)"
)
def account_deactivate(request, account_id: Id, data: Deactivation):
    principal = scoped(request, Scope.ACCOUNTS)
    membership = _account(principal, account_id)
    cleaned = _checked(DeactivateForm, {"until": data.until.isoformat() if data.until else ""}, None)
    services.account_deactivate(actor=principal, membership=membership, until=cleaned["until"], request=request)
    return Reply(200, account_out(_account(principal, account_id)))


@router.post("/{account_id}/reactivate", response={200: AccountOut, **WRITE_ERRORS}, summary="Weer activeren")
def account_reactivate(request, account_id: Id):
    principal = scoped(request, Scope.ACCOUNTS)
    membership = _account(principal, account_id)
    services.account_reactivate(actor=principal, membership=membership, request=request)
    return Reply(200, account_out(_account(principal, account_id)))


@router.delete("/{account_id}", response={204: None, **WRITE_ERRORS}, summary="Verwijderen")
def account_delete(request, account_id: Id):
    """As Accountbeheer deletes: the person's data is erased, the history stays. An
    invitation not yet accepted is withdrawn instead."""
    principal = scoped(request, Scope.ACCOUNTS)
    membership = _account(principal, account_id)
    account_remove(principal, membership, request)
    return empty(204)


def account_remove(principal, membership, request):
    """Delete an account as Accountbeheer does (shared with SCIM's DELETE)."""
    with transaction.atomic():
        if membership.status == Status.INVITED:
            services.invitation_withdraw(actor=principal, membership=membership, request=request)
        else:
            services.account_delete(actor=principal, membership=membership, request=request)

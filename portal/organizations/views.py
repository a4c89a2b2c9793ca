"""Accountbeheer: the administrator's pages. Only an active administrator reaches them;
for anyone else every URL here answers 404, and an account of another organization is
a 404 too (objects come only through ``Membership.objects.visible_to``)."""

from itertools import islice

from allauth.account.utils import perform_login
from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from portal.accounts.mfa import FACTORS as MFA_FACTORS
from portal.accounts.mfa import has_second_factor
from portal.accounts.models import normalize_email_address
from portal.accounts.reauth import reauthentication_required, require_recent_authentication
from portal.core.audit import describe_changes, describe_events, keys_for, person_shown
from portal.core.csv import csv_response
from portal.core.fields import id_from
from portal.core.forms import filter_controls
from portal.core.money import money
from portal.core.scoping import allowed_or_404, get_visible_or_404
from portal.core.uploads import FORM_TEXT_BYTES, max_body_size
from portal.core.views import return_path

from . import activity, imports, overview, services, views_four_eyes
from .forms import (
    AccountChangeForm,
    AccountForm,
    DeactivateForm,
    InvitationAcceptForm,
    MfaRequireForm,
    MfaResetForm,
    OverviewFilterForm,
)
from .models import ImportBatch, Membership, Role, Status
from .overview import invitations_of
from .permissions import can_manage_accounts, can_open_accountbeheer, membership_of
from .ratelimits import address_check_or_429

administrator_required = allowed_or_404(can_manage_accounts)
# The list and an account's pages open for location managers too, for the accounts they
# manage (``Membership.objects.manageable_by``); the rest stays the administrator's.
account_managers_required = allowed_or_404(can_open_accountbeheer)


def _account(request, pk):
    try:
        return Membership.objects.manageable_by(request.user).select_related("user", "organization").get(pk=pk)
    except (Membership.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def _managed_by(request):
    """The location manager filling in a form of Accountbeheer; None for an administrator."""
    membership = membership_of(request.user)
    return None if membership.is_active_administrator else membership


def _organization(request):
    return membership_of(request.user).organization


def _filters(request):
    form = OverviewFilterForm(request.GET or None, organization=_organization(request))
    form.is_valid()  # an invalid field is shown as an error; the valid ones still filter
    data = getattr(form, "cleaned_data", {})
    return (
        form,
        {
            "q": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "role": data.get("role") or "",
            "location": data.get("location"),
        },
        data.get("sort") or overview.DEFAULT_SORT,
    )


# --- overview -------------------------------------------------------------------------------


@require_safe
@account_managers_required
def account_list(request):
    form, filters, sort = _filters(request)
    organization_id = _organization(request).pk
    searched = overview.searched_users(organization_id, **filters)
    queryset = overview.filtered(Membership.objects.manageable_by(request.user), **filters, search_index=searched is None)
    result = overview.page(
        queryset, sort_key=sort, after=request.GET.get("na"), before=request.GET.get("voor"),
        searched=searched, narrowed=overview.narrowed_ids(organization_id, **filters),
    )  # fmt: skip
    query = request.GET.copy()
    for key in ("na", "voor"):
        query.pop(key, None)
    return render(
        request,
        "organizations/account_list.html",
        {
            "form": form,
            "page": result,
            "rows": overview.display_rows(result.rows),
            "controls": filter_controls(form),
            "list_url": reverse("accountbeheer:list"),
            "query": query.urlencode(),
            # A filter in use (or a wrong one) keeps the folded filters open on a phone.
            "filtering": bool(
                any(filters[key] for key in ("q", "status", "role")) or filters["location"] is not None or form.errors
            ),
            "me": membership_of(request.user),
        },
    )


ACCOUNT_CSV_HEADER = [
    gettext_lazy("Naam"), gettext_lazy("E-mailadres"), gettext_lazy("Telefoonnummer"), gettext_lazy("Functie"),
    gettext_lazy("Rol"), gettext_lazy("Mag zaken regelen op de portal"), gettext_lazy("Mag bestellen"),
    gettext_lazy("Status"), gettext_lazy("Gekoppelde locaties"), gettext_lazy("Laatst ingelogd"),
]  # fmt: skip


def _export_refused(request, list_name):
    """An export asked for with a filter that is not valid: not a file of something else
    than was asked for, but the list, which shows what is wrong."""
    messages.error(request, _("De export is niet gemaakt: een filter klopt niet. Kijk de filters na en probeer het opnieuw."))
    return redirect(reverse(list_name) + ("?" + request.GET.urlencode() if request.GET else ""))


@require_safe
@administrator_required
def account_export(request):
    form, filters, sort = _filters(request)
    if form.errors:
        return _export_refused(request, "accountbeheer:list")
    rows = overview.export_rows(overview.filtered(overview.visible_accounts(request.user), **filters), sort)
    yes, no = _("ja"), _("nee")
    # The labels translated once (get_role_display() builds and translates all the choices
    # for every row).
    roles, statuses = ({value: str(label) for value, label in choices.choices} for choices in (Role, Status))

    def lines():
        for m, locations in rows:
            yield [
                m.user.full_name, m.user.email, m.user.phone, m.user.job_title, roles.get(m.role, m.role),
                yes if m.may_use_portal else no, yes if m.may_order else no, statuses.get(m.effective_status, m.effective_status),
                ", ".join(locations), m.user.last_login.isoformat(timespec="minutes") if m.user.last_login else "",
            ]  # fmt: skip

    return csv_response("accounts.csv", [str(h) for h in ACCOUNT_CSV_HEADER], lines())


# --- one account ----------------------------------------------------------------------------


@require_safe
@account_managers_required
def account_detail(request, pk):
    membership = _account(request, pk)
    pending = next((c for c in membership.email_changes.order_by("-created_at")[:1] if c.is_open), None)
    invitation = invitations_of([membership.pk]).get(membership.pk) if membership.status == Status.INVITED else None
    return render(
        request,
        "organizations/account_detail.html",
        {
            "account": membership,
            "is_me": membership.user_id == request.user.pk,
            "pending_email": pending,
            "invitation": invitation,
            "has_second_factor": has_second_factor(membership.user),
            "is_administrator": membership_of(request.user).is_active_administrator,
            "grants": _grants_shown(membership),
        },
    )


def _grants_shown(membership):
    """[(label, locations)] of what the account manages and approves, for its page."""
    links = [link for link in membership.location_links.select_related("location") if link.manages or link.approval_limit]
    managed = sorted(link.location.name for link in links if link.manages)
    approved = sorted(link.location.name for link in links if link.approval_limit is not None)
    limit = max((link.approval_limit for link in links if link.approval_limit is not None), default=None)
    shown = []
    if managed:
        shown.append((_("Locatiebeheerder van"), ", ".join(managed)))
    if approved:
        shown.append((_("Keurt bestellingen goed van"), _("%(locations)s, tot %(amount)s") % {
            "locations": ", ".join(approved), "amount": money(limit),
        }))  # fmt: skip
    return shown


def _account_kwargs(data):
    return {
        "role": data.get("role", Role.EMPLOYEE),
        **{key: data[key] for key in ("full_name", "email", "phone", "job_title", "may_use_portal", "may_order", "order_limit")},
    }


@account_managers_required
@reauthentication_required
def account_invite(request):
    organization = _organization(request)
    form = AccountForm(request.POST or None, organization=organization, managed_by=_managed_by(request))
    if request.method == "POST" and (limited := address_check_or_429(request)):
        return limited
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.account_invite(
                actor=request.user,
                organization=organization,
                locations=list(form.cleaned_data["locations"]),
                grants=form.grants(),
                request=request,
                **_account_kwargs(form.cleaned_data),
            )
        except services.AccountRuleError as error:
            form.add_error("email" if error.code == "email_in_use" else None, error.as_validation_error())
        else:
            messages.success(
                request,
                _("%(name)s is uitgenodigd. De uitnodiging is verstuurd naar %(email)s.")
                % {"name": membership.user.full_name, "email": membership.user.email},
            )
            return redirect("accountbeheer:detail", pk=membership.pk)
    return render(request, "organizations/account_form.html", {"form": form, "account": None})


@account_managers_required
def account_change(request, pk):
    membership = _account(request, pk)
    if membership.status == Status.DELETED:
        raise Http404
    managed_by = _managed_by(request)
    form = AccountChangeForm(
        request.POST or None, initial=_current(membership), organization=membership.organization, managed_by=managed_by
    )
    current = None
    if request.method == "POST" and form.is_valid():
        new_address = normalize_email_address(form.cleaned_data["email"]) != membership.user.email
        if new_address or _raises_rights(membership, form.cleaned_data):
            require_recent_authentication(request)  # asked, then carried out as sent
        if new_address and (limited := address_check_or_429(request)):
            return limited  # a new address counts like an invitation
        try:
            changes = services.account_update(
                actor=request.user,
                membership=membership,
                expected_version=form.expected_version(),
                data=_account_kwargs(form.cleaned_data),
                locations=list(form.cleaned_data["locations"]),
                grants=form.grants(),
                request=request,
            )
        except services.AccountRuleError as error:
            if error.code == "concurrent_edit":
                # Keep what was typed, show what is stored now beside each field that
                # differs, and store the typed values only when the administrator
                # chooses to (against the version now seen): never by a second click.
                membership.refresh_from_db()
                membership.user.refresh_from_db()
                current = _current(membership)
                data = request.POST.copy()
                data["seen_version"] = membership.version
                data.pop("overwrite", None)
                form = AccountChangeForm(data, organization=membership.organization, managed_by=managed_by)
                form.is_valid()
                _mark_differences(form, _current_shown(membership, current), current)
            form.add_error("email" if error.code == "email_in_use" else None, error.as_validation_error())
        else:
            if "four_eyes" in changes:
                messages.success(request, views_four_eyes.waiting_message(changes))
            elif "email_pending" in changes:
                messages.success(
                    request,
                    _("De wijzigingen zijn opgeslagen. Het nieuwe e-mailadres gaat in zodra de gebruiker het "
                      "bevestigt via de link die naar %(email)s is gestuurd.") % {"email": changes["email_pending"][1]},
                )  # fmt: skip
            elif changes:
                messages.success(request, _("De wijzigingen zijn opgeslagen."))
            else:
                messages.info(request, _("Er was niets gewijzigd."))
            return redirect(return_path(request) or reverse("accountbeheer:detail", args=[membership.pk]))
    return render(
        request,
        "organizations/account_form.html",
        {
            "form": form, "account": membership, "current": _current_shown(membership, current) if current else None,
            "back": return_path(request),
        },
    )  # fmt: skip


def _raises_rights(membership, data):
    """Making someone an administrator or raising an order limit (no limit is the highest):
    like a new e-mail address, it asks for the password or a second factor again."""
    promoted = data.get("role") == Role.ADMINISTRATOR and membership.role != Role.ADMINISTRATOR
    old, new = membership.order_limit, data["order_limit"]
    raised = data["may_order"] and old is not None and (new is None or new > old)
    return promoted or raised or _raises_grants(membership, data)


def _raises_grants(membership, data):
    """Making someone a location manager or approver of more, or approving higher amounts."""
    if "manages" not in data:
        return False
    before = services.Grants.of(membership)
    manages = {location.pk for location in data["manages"]}
    approves = {location.pk for location in data["approves"]}
    higher = approves and (before.approval_limit is None or (data["approval_limit"] or 0) > before.approval_limit)
    return bool(manages - before.manages or approves - before.approves or higher)


def _current(membership):
    user = membership.user
    grants = services.Grants.of(membership)
    return {
        "manages": sorted(grants.manages), "approves": sorted(grants.approves), "approval_limit": grants.approval_limit,
        "full_name": user.full_name, "email": user.email, "phone": user.phone, "job_title": user.job_title,
        "role": membership.role, "may_use_portal": membership.may_use_portal, "may_order": membership.may_order,
        "order_limit": membership.order_limit, "locations": list(membership.location_links.values_list("location_id", flat=True)),
        "version": membership.version,
    }  # fmt: skip


def _mark_differences(form, shown, current):
    """Mark each field whose typed value differs from the stored one, with the stored
    value as its help text (read out with the field)."""
    typed = form.cleaned_data
    stored_text = {field: text for field, (_label, text) in zip(SHOWN_FIELDS, shown)}
    form.differing = []
    for field in SHOWN_FIELDS:
        if field not in form.fields:
            continue  # (a location manager's form has no role)
        mine = typed.get(field)
        if field == "locations":
            mine = sorted(location.pk for location in mine or [])
            theirs = sorted(current["locations"])
        else:
            theirs = current[field]
            mine = "" if mine is None and field != "order_limit" else mine
            theirs = "" if theirs is None and field != "order_limit" else theirs
        if mine != theirs:
            form.differing.append(field)
            # The bound field read its help text when the form was validated.
            form[field].help_text = form.fields[field].help_text = _("Nu opgeslagen: %(value)s") % {"value": stored_text[field]}


SHOWN_FIELDS = ("full_name", "email", "phone", "job_title", "role", "may_use_portal", "may_order", "order_limit", "locations")


def _current_shown(membership, current):
    """The stored values, as the person reads them, beside the form after a refusal."""
    yes, no = _("ja"), _("nee")
    names = dict(membership.organization.locations.values_list("pk", "name"))
    form = AccountForm(organization=membership.organization)
    shown = {
        "role": Role(current["role"]).label,
        "may_use_portal": yes if current["may_use_portal"] else no,
        "may_order": yes if current["may_order"] else no,
        "order_limit": money(current["order_limit"]) if current["order_limit"] is not None else "—",
        "locations": ", ".join(sorted(names[pk] for pk in current["locations"])) or "—",
    }
    return [(form.fields[field].label, shown.get(field, current[field] or "—")) for field in SHOWN_FIELDS]


def _run(request, membership, action, success, **kwargs):
    """Run one account action; the rule that refuses it becomes an error message."""
    try:
        action(actor=request.user, membership=membership, request=request, **kwargs)
    except services.AccountRuleError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


@account_managers_required
def account_deactivate(request, pk):
    membership = _account(request, pk)
    form = DeactivateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        _run(
            request,
            membership,
            services.account_deactivate,
            _("Het account van %(name)s is gedeactiveerd.") % {"name": membership.user.full_name},
            until=form.cleaned_data["until"],
        )
        return redirect(return_path(request) or reverse("accountbeheer:detail", args=[membership.pk]))
    return render(
        request, "organizations/account_deactivate.html", {"account": membership, "form": form, "back": return_path(request)}
    )


@require_POST
@account_managers_required
def account_reactivate(request, pk):
    membership = _account(request, pk)
    _run(
        request,
        membership,
        services.account_reactivate,
        _("Het account van %(name)s is weer actief.") % {"name": membership.user.full_name},
    )
    return redirect("accountbeheer:detail", pk=membership.pk)


@administrator_required
def account_delete(request, pk):
    membership = _account(request, pk)
    if request.method == "POST":
        name = membership.user.full_name
        if _run(request, membership, services.account_delete, _("Het account van %(name)s is verwijderd.") % {"name": name}):
            return redirect("accountbeheer:list")
        return redirect("accountbeheer:detail", pk=membership.pk)
    return render(request, "organizations/account_delete.html", {"account": membership})


@require_POST
@account_managers_required
def invitation_resend(request, pk):
    membership = _account(request, pk)
    if limited := address_check_or_429(request):
        return limited  # the address is mailed again (one in use elsewhere: its owner), like an invitation
    _run(
        request,
        membership,
        services.invitation_resend,
        _("Er is een nieuwe uitnodiging verstuurd naar %(email)s. De vorige link werkt niet meer.")
        % {"email": membership.user.email},
    )
    return redirect("accountbeheer:detail", pk=membership.pk)


@account_managers_required
def invitation_withdraw(request, pk):
    """Asks first (the account is removed with it), then withdraws."""
    membership = _account(request, pk)
    if membership.status != Status.INVITED:
        return redirect("accountbeheer:detail", pk=membership.pk)
    if request.method != "POST":
        return render(request, "organizations/invitation_withdraw.html", {"account": membership})
    name = membership.user.full_name
    if _run(request, membership, services.invitation_withdraw, _("De uitnodiging van %(name)s is ingetrokken.") % {"name": name}):
        return redirect("accountbeheer:list")
    return redirect("accountbeheer:detail", pk=membership.pk)


# --- bulk -----------------------------------------------------------------------------------

BULK_ACTIONS = {
    "deactivate": services.account_deactivate,
    "reactivate": services.account_reactivate,
}


@require_POST
@administrator_required
def account_bulk(request):
    action = BULK_ACTIONS.get(request.POST.get("action"))
    ids = [pk for pk in map(id_from, request.POST.getlist("ids")) if pk is not None]
    # The overview's filters, to go back to: read and written again, so only a query string.
    query = QueryDict(request.POST.get("query", "")).urlencode()
    back = reverse("accountbeheer:list") + ("?" + query if query else "")
    if action is None or not ids:
        messages.error(request, _("Kies een actie en ten minste één account."))
        return redirect(back)
    done, refused = 0, []
    for membership in Membership.objects.visible_to(request.user).filter(pk__in=ids).select_related("user"):
        try:
            action(actor=request.user, membership=membership, request=request)
            done += 1
        except services.AccountRuleError as error:
            refused.append((membership.user.full_name or membership.user.email, error.message))
    if done:
        messages.success(
            request, ngettext("%(count)d account bijgewerkt.", "%(count)d accounts bijgewerkt.", done) % {"count": done}
        )
    for name, reason in refused:
        messages.error(request, _("%(name)s is niet bijgewerkt. %(reason)s") % {"name": name, "reason": reason})
    return redirect(back)


# --- import ---------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV-bestand"),
        help_text=gettext_lazy("Kolommen gescheiden door een puntkomma; de eerste regel bevat de kolomnamen."),
    )


@max_body_size(lambda: settings.IMPORT_MAX_BYTES + FORM_TEXT_BYTES)
@administrator_required
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and (limited := ratelimit.consume_or_429(request, action="accountbeheer_import")):
        return limited
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.import_prepare(
                actor=request.user, organization=_organization(request), uploaded=form.cleaned_data["file"]
            )
        except imports.ImportFileError as error:
            form.add_error("file", ValidationError(error.message, code=error.code))
        else:
            return redirect("accountbeheer:import_detail", pk=batch.pk)
    return render(request, "organizations/import_upload.html", {"form": form, "columns": imports.COLUMNS})


@require_safe
@administrator_required
def import_sample(request):
    response = HttpResponse("\ufeff" + imports.SAMPLE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="voorbeeld-accounts.csv"'
    return response


def _batch(request, pk):
    return get_visible_or_404(ImportBatch.objects.all(), request.user, pk=pk)


@require_safe
@administrator_required
def import_detail(request, pk):
    batch = _batch(request, pk)
    results = {result["line"]: result for result in batch.results}
    rows = [(row, Role(row["data"]["role"]).label, results.get(row["line"])) for row in batch.rows]
    return render(request, "organizations/import_detail.html", {"batch": batch, "rows": rows})


@require_POST
@administrator_required
@reauthentication_required
def import_confirm(request, pk):
    batch = _batch(request, pk)
    imports.import_start(actor=request.user, batch=batch)
    return redirect("accountbeheer:import_detail", pk=batch.pk)


@require_POST
@administrator_required
def import_cancel(request, pk):
    batch = _batch(request, pk)
    if imports.import_cancel(actor=request.user, batch=batch):
        messages.info(request, _("De import is geannuleerd. Er zijn geen accounts aangemaakt."))
    return redirect("accountbeheer:list")


# --- activity -------------------------------------------------------------------------------


def _activity_filters(request):
    form = activity.ActivityFilterForm(request.GET or None)
    form.is_valid()  # an invalid field is shown as an error; the valid ones still filter
    data = getattr(form, "cleaned_data", {})
    return form, {
        "account": (data.get("account") or "").strip(),
        "since": data.get("since"),
        "until": data.get("until"),
        "account_id": id_from(request.GET.get("id")),
    }


@require_safe
@administrator_required
def activity_list(request):
    form, filters = _activity_filters(request)
    rows, next_before = activity.page(activity.events(request.user, **filters), id_from(request.GET.get("voor")))
    query = request.GET.copy()
    query.pop("voor", None)
    return render(
        request,
        "organizations/activity.html",
        {
            "form": form,
            "rows": describe_events(rows),
            "next_before": next_before,
            "query": query.urlencode(),
        },
    )


EXPORT_CHUNK = 2000
ACTIVITY_CSV_HEADER = [
    gettext_lazy("Tijdstip"), gettext_lazy("Door"), gettext_lazy("Actie"), gettext_lazy("Account"),
    gettext_lazy("IP-adres"), gettext_lazy("Wijzigingen"),
]  # fmt: skip


@require_safe
@administrator_required
def activity_export(request):
    form, filters = _activity_filters(request)
    if form.errors:
        return _export_refused(request, "accountbeheer:activity")
    rows = activity.events(request.user, **filters).order_by("-pk").iterator(chunk_size=EXPORT_CHUNK)

    def line(event, keys):
        changes = "; ".join(
            f"{label}: {old} → {new}" if old is not None else f"{label}: {new}"
            for label, old, new in describe_changes(event.changes, keys=keys)
        )
        return [
            timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
            person_shown(event.actor) if event.actor_id else "", event.get_action_display(),
            person_shown(event.target_user) if event.target_user_id else "", event.ip_address or "", changes,
        ]  # fmt: skip

    def lines():
        # The persons' keys are read once per chunk of events, not once per event.
        while chunk := list(islice(rows, EXPORT_CHUNK)):
            keys = keys_for([event.changes for event in chunk])
            yield from (line(event, keys) for event in chunk)

    return csv_response("activiteit.csv", [str(h) for h in ACTIVITY_CSV_HEADER], lines())


# --- confirming a new e-mail address (the owner, logged in) ------------------------------------


@never_cache
def email_change_confirm(request, token):
    """Only the account's owner, logged in with their current address and password,
    reaches this page; for anyone else the link does not exist."""
    change = services.email_change_lookup(token, request.user)
    if change is None:
        raise Http404
    if request.method == "POST":
        try:
            services.email_change_confirm(token=token, user=request.user, request=request)
        except services.AccountRuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Je e-mailadres is gewijzigd. Je logt voortaan in met %(email)s.") % {"email": change.new_email}
            )
        return redirect("accounts:my_account")
    return render(request, "organizations/email_change_confirm.html", {"change": change})


# --- accepting an invitation (public) ------------------------------------------------------


@never_cache
@login_not_required
def invitation_accept(request, token):
    try:
        invitation = services.invitation_lookup(token)
    except services.InvitationInvalid as invalid:
        return render(
            request,
            "organizations/invitation_invalid.html",
            {"reason": invalid.code},
            status=410 if invalid.code != "unknown" else 404,
        )
    user = invitation.membership.user
    form = InvitationAcceptForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password1"], request=request)
        except services.InvitationInvalid as invalid:
            return render(request, "organizations/invitation_invalid.html", {"reason": invalid.code}, status=410)
        # Logged in at once, through allauth's login (its checks and stages apply).
        messages.success(request, _("Welkom bij Mijn HartingBank. Je account is actief en je bent ingelogd."))
        return perform_login(request, user, redirect_url=reverse("home"))
    return render(
        request,
        "organizations/invitation_accept.html",
        {"form": form, "invitee": user, "organization": invitation.membership.organization},
    )


# --- two-step login ---------------------------------------------------------------------------


@administrator_required
@reauthentication_required
def account_mfa_reset(request, pk):
    """Lost phone: remove the second factor of someone else's account, with a reason."""
    membership = _account(request, pk)
    if membership.user_id == request.user.pk or membership.status == Status.DELETED:
        raise Http404
    form = MfaResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(
            request, membership, services.account_mfa_reset,
            _("De tweestapsverificatie van %(name)s is opnieuw ingesteld. %(name)s logt in met het wachtwoord en "
              "stelt het opnieuw in; er is een e-mail over verstuurd.") % {"name": membership.user.full_name},
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
        if done:
            return redirect("accountbeheer:detail", pk=membership.pk)
    return render(
        request, "organizations/account_mfa_reset.html",
        {"account": membership, "form": form, "has_second_factor": has_second_factor(membership.user)},
    )  # fmt: skip


@administrator_required
@reauthentication_required
def security(request):
    """Beveiliging: require two-step login for everyone (with a grace period), and who
    has not set it up yet."""
    organization = _organization(request)
    initial = {"required": "1" if organization.mfa_deadline is not None else "0", "grace_days": 14}
    form = MfaRequireForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            deadline = services.organization_mfa_require(
                actor=request.user, organization=organization, request=request,
                required=form.cleaned_data["required"], grace_days=form.cleaned_data["grace_days"],
            )  # fmt: skip
        except services.AccountRuleError as error:
            form.add_error(None, error.as_validation_error())
        else:
            if deadline is None:
                messages.success(request, _("Tweestapsverificatie is niet langer verplicht in je organisatie."))
            else:
                messages.success(
                    request,
                    _("Tweestapsverificatie is verplicht. Wie het nog niet heeft, moet het vanaf %(date)s "
                      "eerst instellen voordat die verder kan.") % {"date": date_format(timezone.localtime(deadline), "j F Y, H:i")},
                )  # fmt: skip
            return redirect("accountbeheer:security")

    def without(by_account=False):
        accounts = Membership.objects.visible_to(request.user, by_account=by_account)
        return accounts.filter(status=Status.ACTIVE).exclude(user__authenticator__type__in=MFA_FACTORS)

    listed = without().select_related("user").order_by("user__full_name", "pk")  # from the users' name index
    # Counted on the accounts' own index: through the users' one, SQLite took 270 ms for
    # 100,000 accounts, against 44 (visible_to's by_account).
    return render(
        request, "organizations/security.html",
        {"form": form, "organization": _organization(request), "without": listed[:200],
         "without_count": without(by_account=True).count(), "tab": "security"},
    )  # fmt: skip

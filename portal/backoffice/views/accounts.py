"""Accounts on request: online customer service finds a customer's account and
deactivates, reactivates or deletes it, resends its invitation or changes its linked
locations, each with a reason that goes into the audit trail. There is no password
here and no way to act as the customer."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.accounts import search
from portal.accounts.mfa import has_second_factor
from portal.accounts.models import search_key
from portal.accounts.reauth import require_recent_authentication
from portal.core.forms import filter_controls
from portal.core.paging import page_of
from portal.organizations import services
from portal.organizations.models import Membership, Status
from portal.organizations.ratelimits import address_check_or_429

from ..forms import DeactivateForm, LocationsChangeForm, ReasonForm, SearchForm
from ..permissions import can_handle_accounts, staff_required
from .common import render_tab

TAB = "accounts"


@staff_required(can_handle_accounts)
@require_safe
def account_list(request):
    form = SearchForm(request.GET)
    form.is_valid()
    text = getattr(form, "cleaned_data", {}).get("q", "")
    queryset = Membership.objects.exclude(status=Status.DELETED).select_related("user", "organization")
    if text:
        queryset = search.containing(queryset, [search_key(text)], user="user__")
    page, query = page_of(request, queryset.order_by("user__full_name", "user__email", "pk"))
    return render_tab(
        request, "backoffice/account_list.html", TAB, {"controls": filter_controls(form), "page": page, "query": query}
    )


def _membership(pk):
    return get_object_or_404(Membership.objects.exclude(status=Status.DELETED).select_related("user", "organization"), pk=pk)


def _detail(request, membership, forms=None):
    forms = forms or {}
    return render_tab(
        request,
        "backoffice/account_detail.html",
        TAB,
        {
            "membership": membership,
            "linked": membership.location_links.select_related("location").order_by("location__name"),
            "status": membership.effective_status,
            "Status": Status,
            "deactivate_form": forms.get("deactivate") or DeactivateForm(prefix="deactivate"),
            "reactivate_form": forms.get("reactivate") or ReasonForm(prefix="reactivate"),
            "delete_form": forms.get("delete") or ReasonForm(prefix="delete"),
            "resend_form": forms.get("resend") or ReasonForm(prefix="resend"),
            "mfa_reset_form": forms.get("mfa_reset") or ReasonForm(prefix="mfa_reset"),
            "has_second_factor": has_second_factor(membership.user),
            "locations_form": forms.get("locations")
            or LocationsChangeForm(
                prefix="locations",
                organization=membership.organization,
                initial={"locations": [link.location_id for link in membership.location_links.all()]},
            ),
        },
    )


@staff_required(can_handle_accounts)
@require_safe
def account_detail(request, pk):
    return _detail(request, _membership(pk))


# action: (form class, service, extra arguments from the form, message when done)
ACTIONS = {
    "deactivate": (DeactivateForm, services.account_deactivate, ("until",), _("Het account van %(name)s is gedeactiveerd.")),
    "reactivate": (ReasonForm, services.account_reactivate, (), _("Het account van %(name)s is weer actief.")),
    "delete": (ReasonForm, services.account_delete, (), _("Het account van %(name)s is verwijderd.")),
    "resend": (ReasonForm, services.invitation_resend, (), _("Er is een nieuwe uitnodiging naar %(name)s gestuurd.")),
    "mfa_reset": (
        ReasonForm,
        services.account_mfa_reset,
        (),
        _("De tweestapsverificatie van %(name)s is opnieuw ingesteld; er is een e-mail over verstuurd."),
    ),
}
# Actions that ask for the password or a second factor again first.
SENSITIVE = {"mfa_reset"}


@staff_required(can_handle_accounts)
@require_POST
def account_action(request, pk, action):
    if action != "locations" and action not in ACTIONS:
        raise Http404
    membership = _membership(pk)
    if action in SENSITIVE:
        require_recent_authentication(request)  # asked, then carried out as sent
    if action == "resend" and (limited := address_check_or_429(request)):
        return limited  # the address is mailed again: it counts like an invitation
    if action == "locations":
        return _locations(request, membership)
    form_class, service, extra, done = ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        name = membership.user.full_name or membership.user.email
        arguments = {key: form.cleaned_data[key] for key in extra}
        try:
            service(actor=request.user, membership=membership, reason=form.cleaned_data["reason"], request=request, **arguments)
        except services.AccountRuleError as error:
            form.add_error(None, error.as_validation_error())
        else:
            messages.success(request, done % {"name": name})
            if action == "delete":
                return redirect("backoffice:account_list")
            return redirect("backoffice:account_detail", pk=membership.pk)
    return _detail(request, membership, {action: form})


def _locations(request, membership):
    form = LocationsChangeForm(request.POST, prefix="locations", organization=membership.organization)
    if form.is_valid():
        try:
            services.account_locations_set(
                actor=request.user, membership=membership, locations=list(form.cleaned_data["locations"]),
                reason=form.cleaned_data["reason"], request=request,
            )  # fmt: skip
        except services.AccountRuleError as error:
            form.add_error(None, error.as_validation_error())
        else:
            messages.success(request, _("De gekoppelde locaties zijn opgeslagen."))
            return redirect("backoffice:account_detail", pk=membership.pk)
    return _detail(request, membership, {"locations": form})

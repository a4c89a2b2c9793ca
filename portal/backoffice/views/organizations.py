"""Onboarding: the account manager creates an organization, turns its access to Mijn
HartingBank on and off and invites its first administrator. Both roles see the
organizations, their locations and accounts."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.accounts.reauth import require_recent_authentication
from portal.core.forms import filter_controls
from portal.core.paging import page_of
from portal.organizations import services
from portal.organizations.models import Membership, Organization, Role, Status
from portal.organizations.ratelimits import address_check_or_429

from ..forms import (
    AdministratorInviteForm,
    OptionalReasonForm,
    OrganizationCreateForm,
    OrganizationFilterForm,
    OrganizationUpdateForm,
)
from ..permissions import can_edit_master_data, can_handle_accounts, can_onboard, can_view_organizations, staff_required
from .common import render_tab

TAB = "organizations"


@staff_required(can_view_organizations)
@require_safe
def organization_list(request):
    form = OrganizationFilterForm(request.GET)
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    queryset = Organization.objects.select_related("account_manager")
    if filters.get("q"):
        text = filters["q"]
        queryset = queryset.filter(Q(name__icontains=text) | Q(customer_number__iexact=text))
    if filters.get("access"):
        queryset = queryset.filter(portal_access=filters["access"] == "on")
    page, query = page_of(request, queryset.order_by("name", "pk"))
    # The accounts are counted for the organizations on the page only: counted in the
    # list's own query, every organization's were (four seconds with a million accounts).
    counts = dict(
        Membership.objects.filter(organization__in=page.object_list)
        .exclude(status=Status.DELETED)
        .values_list("organization")
        .annotate(Count("pk"))
        .order_by()
    )
    for organization in page.object_list:
        organization.account_count = counts.get(organization.pk, 0)
    return render_tab(
        request,
        "backoffice/organization_list.html",
        TAB,
        {"controls": filter_controls(form), "page": page, "query": query, "may_onboard": can_onboard(request.user)},
    )


@staff_required(can_onboard)
def organization_create(request):
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(actor=request.user, request=request, **form.cleaned_data)
        except services.AccountRuleError as error:
            form.add_error("customer_number" if error.code == "customer_number_in_use" else None, error.as_validation_error())
        else:
            messages.success(
                request, _("%(name)s is aangemaakt. Nodig nu de eerste administrator uit.") % {"name": organization.name}
            )
            return redirect("backoffice:organization_detail", pk=organization.pk)
    return render_tab(request, "backoffice/organization_form.html", TAB, {"form": form, "organization": None})


@staff_required(can_onboard)
def organization_update(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    initial = {"name": organization.name, "account_manager": organization.account_manager_id}
    form = OrganizationUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.organization_update(actor=request.user, organization=organization, request=request, **form.cleaned_data)
        messages.success(request, _("De gegevens van %(name)s zijn opgeslagen.") % {"name": organization.name})
        return redirect("backoffice:organization_detail", pk=organization.pk)
    return render_tab(request, "backoffice/organization_form.html", TAB, {"form": form, "organization": organization})


def _detail(request, organization, invite_form=None, access_form=None):
    """The organization, its administrators, and its accounts a page at a time (an
    organization may have a hundred thousand): read in the order of the index of its
    users' names, which the condition on the users' organization lets the database use;
    the administrators and the count are read from the accounts' own indexes."""
    accounts = Membership.objects.filter(organization=organization).exclude(status=Status.DELETED)
    administrators = list(
        accounts.filter(role=Role.ADMINISTRATOR).select_related("user").order_by("user__full_name", "user__email", "pk")
    )
    page, query = page_of(
        request,
        accounts.filter(user__organization=organization).select_related("user").order_by("user__full_name", "user__email", "pk"),
        count=accounts.count,
    )
    has_administrator = bool(administrators)
    invite_form = invite_form or AdministratorInviteForm()
    if not has_administrator:
        invite_form.fields.pop("reason")  # the first administrator needs none
    return render_tab(
        request,
        "backoffice/organization_detail.html",
        TAB,
        {
            "organization": organization,
            "locations": organization.locations.order_by("is_archived", "name"),
            "administrators": administrators,
            "page": page,
            "query": query,
            "has_administrator": has_administrator,
            "invite_form": invite_form,
            "access_form": access_form or OptionalReasonForm(),
            "may_onboard": can_onboard(request.user),
            "may_edit_master_data": can_edit_master_data(request.user),
            "may_handle_accounts": can_handle_accounts(request.user),
        },
    )


@staff_required(can_view_organizations)
@require_safe
def organization_detail(request, pk):
    organization = get_object_or_404(Organization.objects.select_related("account_manager"), pk=pk)
    return _detail(request, organization)


@staff_required(can_onboard)
@require_POST
def organization_access(request, pk):
    """Access off: every login of the organization is blocked at once; nothing is
    deleted. On again: everything as it was."""
    organization = get_object_or_404(Organization, pk=pk)
    form = OptionalReasonForm(request.POST)
    if request.POST.get("access") not in ("on", "off"):
        return redirect("backoffice:organization_detail", pk=organization.pk)  # only the page's two buttons
    if not form.is_valid():
        return _detail(request, organization, access_form=form)
    access = request.POST["access"] == "on"
    services.organization_access_set(
        actor=request.user, organization=organization, access=access, reason=form.cleaned_data["reason"], request=request
    )
    if access:
        messages.success(
            request, _("%(name)s heeft weer toegang tot Mijn HartingBank, met alles zoals het was.") % {"name": organization.name}
        )
    else:
        messages.success(
            request,
            _("De toegang van %(name)s is uitgezet: niemand van de organisatie kan nog inloggen. Er is niets verwijderd.")
            % {"name": organization.name},
        )
    return redirect("backoffice:organization_detail", pk=organization.pk)


@staff_required(can_onboard)
@require_POST
def administrator_invite(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    require_recent_authentication(request)  # inviting: the password or a code again first
    if limited := address_check_or_429(request):
        return limited  # an address given an account counts in the limit, as in Accountbeheer
    form = AdministratorInviteForm(request.POST)
    if form.is_valid():
        try:
            # An administrator has what she needs from the start: both rights and every
            # location registered so far (she links later ones herself in Accountbeheer).
            services.account_invite(
                actor=request.user, organization=organization, role=Role.ADMINISTRATOR, may_use_portal=True,
                may_order=True, locations=list(organization.locations.filter(is_archived=False)), request=request,
                **form.cleaned_data,
            )  # fmt: skip
        except services.AccountRuleError as error:
            field = {"email_in_use": "email", "reason_required": "reason"}.get(error.code)
            form.add_error(field, error.as_validation_error())
        else:
            messages.success(
                request,
                _("%(email)s is uitgenodigd als administrator van %(name)s en kiest via de link in de e-mail een wachtwoord.")
                % {"email": form.cleaned_data["email"], "name": organization.name},
            )
            return redirect("backoffice:organization_detail", pk=organization.pk)
    return _detail(request, organization, invite_form=form)

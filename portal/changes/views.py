"""Change requests (Wijziging doorgeven): every logged-in customer account files and
follows its own; an administrator follows all of the organization's. Objects come only
through ``ChangeRequest.objects.visible_to``; staff and other organizations get 404."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.accounts.reauth import require_recent_authentication
from portal.core.forms import filter_controls
from portal.core.paging import page_of
from portal.core.scoping import allowed_or_404, get_visible_or_404, membership_of
from portal.locations.models import Location
from portal.organizations.ratelimits import address_check_or_429
from portal.organizations.services import AccountRuleError

from . import permissions, services
from .forms import ChangeRequestForm, MessageForm, StatusFilterForm, initial_from_query
from .models import CLOSED, ChangeRequest

customer_required = allowed_or_404(permissions.can_request_change)


def _change_request(request, pk, queryset=None):
    queryset = queryset if queryset is not None else ChangeRequest.objects.all()
    return get_visible_or_404(queryset, request.user, pk=pk)


@require_safe
@customer_required
def change_list(request):
    form = StatusFilterForm(request.GET or None)
    form.is_valid()  # an unknown status is shown as an error; the list is then unfiltered
    status = getattr(form, "cleaned_data", {}).get("status") or ""
    queryset = ChangeRequest.objects.visible_to(request.user).select_related("location", "department", "created_by")
    if status == "open":
        queryset = queryset.open()
    elif status:
        queryset = queryset.filter(status=status)
    page, query = page_of(request, queryset.order_by("-created_at", "-pk"))
    return render(
        request,
        "changes/change_list.html",
        {
            "form": form,
            "controls": filter_controls(form),
            "page": page,
            "query": query,
            "is_administrator": membership_of(request.user).is_active_administrator,
        },
    )


# Which form field a refusal of the service belongs to.
ERROR_FIELDS = {
    "kind_invalid": "kind",
    "description_required": "description",
    "location_required": "location",
    "location_not_visible": "location",
    "department_not_of_location": "department",
}


@customer_required
def change_create(request):
    form = ChangeRequestForm(request.POST or None, user=request.user)
    if request.method != "POST":
        form.initial = initial_from_query(request.GET, form)
    elif form.is_valid():
        data = form.cleaned_data
        try:
            change_request = services.change_request_create(
                actor=request.user,
                kind=data["kind"],
                description=data["description"],
                location=data["location"],
                department=data["department"],
                proposed=data["proposed"],
                request=request,
            )
        except services.ChangeRequestError as error:
            form.add_error(ERROR_FIELDS.get(error.code), error.as_validation_error())
        else:
            messages.success(
                request,
                _("Je wijziging is doorgegeven onder nummer %(reference)s. Je krijgt een bevestiging per e-mail; "
                  "de online klantenservice reageert op deze pagina.") % {"reference": change_request.reference},
            )  # fmt: skip
            return redirect("changes:detail", pk=change_request.pk)
    return render(request, "changes/change_form.html", {"form": form, "personal_fields": list(ChangeRequestForm.PROPOSED)})


@customer_required
def change_detail(request, pk):
    """The request, its thread, and (while it is open) a form to add a message."""
    change_request = _change_request(
        request, pk, ChangeRequest.objects.select_related("organization", "created_by", "location", "department")
    )
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_message_add(
                actor=request.user, change_request=change_request, body=form.cleaned_data["body"], request=request
            )
        except services.ChangeRequestError as error:
            form.add_error("body" if error.code == "message_required" else None, error.as_validation_error())
        else:
            messages.success(request, _("Je bericht is verstuurd naar de online klantenservice."))
            return redirect("changes:detail", pk=change_request.pk)
    return render(
        request,
        "changes/change_detail.html",
        {
            "change_request": change_request,
            "thread": change_request.messages.select_related("author"),
            # After a refusal (closed a moment ago) the form stays, with what was typed.
            "form": form if permissions.can_add_change_message(request.user, change_request) or form.errors else None,
            "may_withdraw": permissions.can_withdraw(request.user, change_request),
            "is_mine": change_request.created_by_id == request.user.pk,
            "closed": change_request.status in CLOSED,
            # A change of personal data that an administrator carries out from here.
            "may_apply": permissions.can_apply_personal_data(request.user, change_request),
            # A location unlinked since is named, not linked.
            "location_visible": change_request.location_id is not None
            and Location.objects.visible_to(request.user).filter(pk=change_request.location_id).exists(),
        },
    )


@require_POST
@customer_required
def change_apply(request, pk):
    """An administrator carries out a change of personal data from the request."""
    change_request = _change_request(request, pk)
    if permissions.can_apply_personal_data(request.user, change_request) and change_request.proposes_new_address():
        require_recent_authentication(request)  # as Accountbeheer's change of an address: asked, then carried out
        if limited := address_check_or_429(request):
            return limited  # a new address counts like an invitation
    try:
        services.change_request_personal_data_apply(actor=request.user, change_request=change_request, request=request)
    except (services.ChangeRequestError, AccountRuleError) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("De wijziging is doorgevoerd en het verzoek is afgehandeld; de aanvrager krijgt een e-mail."))
    return redirect("changes:detail", pk=change_request.pk)


@require_POST
@customer_required
def change_withdraw(request, pk):
    change_request = _change_request(request, pk)
    try:
        services.change_request_withdraw(actor=request.user, change_request=change_request, request=request)
    except services.ChangeRequestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Je verzoek %(reference)s is ingetrokken.") % {"reference": change_request.reference})
    return redirect("changes:detail", pk=change_request.pk)

"""Serviceaanvragen: the customer's pages. Only users who may use the portal reach
them; for anyone else every URL here answers 404, and a request the user may not see
(another organization's, or of a location not linked to them) is a 404 too: requests
come only through ``ServiceRequest.objects.visible_to``."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.core.paging import PAGE_SIZE
from portal.core.scoping import allowed_or_404, get_visible_or_404, membership_of
from portal.core.uploads import attachment_response, upload_size_limited
from portal.locations.models import Location
from portal.organizations.permissions import can_use_portal

from . import permissions, services
from .forms import ListFilterForm, MessageForm, ServiceRequestForm
from .models import ServiceRequest, Status

portal_user_required = allowed_or_404(can_use_portal)


def _service_request(request, pk):
    """The request with its location, department and the location's addresses (the page
    shows the visiting address) read along."""
    return get_visible_or_404(
        ServiceRequest.objects.select_related("organization", "location", "department", "created_by").prefetch_related(
            "location__addresses"
        ),
        request.user,
        pk=pk,
    )


# --- list -----------------------------------------------------------------------------------


def _status_tabs(counts, current, location):
    """Every status with its count, as links that keep the location filter."""
    base = {"locatie": location.pk} if location else {}
    tabs = [{"label": _("Alle"), "count": sum(counts.values()), "url": "?" + urlencode(base), "current": not current}]
    for value, label in Status.choices:
        tabs.append(
            {"value": value, "label": label, "count": counts.get(value, 0),
             "url": "?" + urlencode({**base, "status": value}), "current": current == value}
        )  # fmt: skip
    return tabs


@require_safe
@portal_user_required
def request_list(request):
    locations = Location.objects.visible_to(request.user).order_by("name")
    form = ListFilterForm(
        {"status": request.GET.get("status", ""), "location": request.GET.get("locatie", "")}, locations=locations
    )
    form.is_valid()  # an invalid value is ignored; the valid ones still filter
    data = getattr(form, "cleaned_data", {})
    status, location = data.get("status") or "", data.get("location")

    visible = ServiceRequest.objects.visible_to(request.user)
    if location:
        visible = visible.filter(location=location)
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("id")))
    rows = visible.filter(status=status) if status else visible
    rows = rows.select_related("location", "department", "created_by").order_by("-created_at", "-id")
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = counts.get(status, 0) if status else sum(counts.values())  # the tabs' counts tell it
    page = paginator.get_page(request.GET.get("pagina"))
    query = urlencode({k: v for k, v in (("status", status), ("locatie", location.pk if location else "")) if v})
    return render(
        request,
        "service/request_list.html",
        {
            "page": page,
            "tabs": _status_tabs(counts, status, location),
            "locations": form.fields["location"].queryset,
            "status": status,
            "location": location,
            "query": query,
            "filtered": bool(status or location),
        },
    )


# --- new ------------------------------------------------------------------------------------

RULE_ERROR_FIELDS = {"location_not_linked": "location", "department_mismatch": "department"}


@require_http_methods(["GET", "HEAD", "POST"])
@portal_user_required
@upload_size_limited
def request_create(request):
    membership = membership_of(request.user)
    locations = list(Location.objects.offered_to(membership).order_by("name"))
    posted = request.method == "POST"
    form = ServiceRequestForm(request.POST if posted else None, request.FILES if posted else None, locations=locations)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            service_request = services.service_request_create(
                actor=request.user,
                location=data["location"],
                department=data["department"],
                category=data["category"],
                subject=data["subject"],
                description=data["description"],
                files=data["attachments"],
                request=request,
            )
        except services.ServiceRuleError as error:
            form.add_error(RULE_ERROR_FIELDS.get(error.code), error.as_validation_error())
        else:
            messages.success(
                request,
                _("Je serviceaanvraag is ingediend onder nummer %(reference)s. Je krijgt een bevestiging per e-mail.")
                % {"reference": service_request.reference},
            )
            return redirect("service:detail", pk=service_request.pk)
    return render(
        request,
        "service/request_form.html",
        {"form": form, "has_locations": bool(locations), "files_lost": posted and bool(request.FILES)},
    )


# --- one request ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@portal_user_required
@upload_size_limited
def request_detail(request, pk):
    service_request = _service_request(request, pk)
    posted = request.method == "POST"
    form = MessageForm(request.POST if posted else None, request.FILES if posted else None)
    if posted:
        if form.is_valid():
            try:
                message = services.service_request_message_add(
                    actor=request.user,
                    service_request=service_request,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["attachments"],
                    request=request,
                )
            except services.ServiceRuleError as error:
                form.add_error(None, error.as_validation_error())
            else:
                messages.success(request, _("Je bericht is verstuurd naar de klantenservice."))
                return redirect(reverse("service:detail", args=[pk]) + f"#bericht-{message.pk}")
    thread = service_request.messages.select_related("author").prefetch_related("attachments")
    user = request.user
    return render(
        request,
        "service/request_detail.html",
        {
            "sr": service_request,
            "thread": thread,
            "attachments": service_request.attachments.filter(message__isnull=True),
            "form": form,
            "can_add_message": permissions.can_add_message(user, service_request) or bool(form.errors),
            "can_close": permissions.can_close(user, service_request),
            "can_reopen": permissions.can_reopen(user, service_request),
            "reopen_deadline": permissions.reopen_deadline(service_request),
            "reopen_days": permissions.REOPEN_DAYS,
            "files_lost": posted and bool(request.FILES),
        },
    )


def _act(request, pk, service, done):
    service_request = _service_request(request, pk)
    try:
        service(actor=request.user, service_request=service_request, request=request)
    except services.ServiceRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"reference": service_request.reference})
    return redirect("service:detail", pk=pk)


@require_POST
@portal_user_required
def request_close(request, pk):
    return _act(request, pk, services.service_request_close, _("Serviceaanvraag %(reference)s is gesloten."))


@require_POST
@portal_user_required
def request_reopen(request, pk):
    return _act(
        request,
        pk,
        services.service_request_reopen,
        _("Serviceaanvraag %(reference)s is heropend en ligt weer bij de klantenservice."),
    )


@require_safe
@portal_user_required
def attachment_download(request, pk, attachment_pk):
    service_request = _service_request(request, pk)
    attachment = service_request.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        return attachment_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)
    except FileNotFoundError as exc:
        raise Http404 from exc

"""The inboxes of online customer service: a list per kind of request (filter, search,
counts per status) and the request's page (thread, reply, status, handler). Both serve
every kind described in ``inboxes.INBOXES``."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.accounts.reauth import require_recent_authentication
from portal.casework.services import MESSAGE_REQUIRED
from portal.changes import services as change_services
from portal.changes.models import Kind
from portal.changes.permissions import can_apply_personal_data
from portal.contact.models import ContactMessage
from portal.core.forms import filter_controls
from portal.core.paging import page_of
from portal.core.uploads import attachment_response
from portal.organizations.ratelimits import address_check_allowed
from portal.organizations.services import AccountRuleError
from portal.service.models import ServiceAttachment

from ..forms import ApplyPersonalDataForm, CarryOutForm, InboxFilterForm, ReplyForm, StatusForm
from ..inboxes import CHANGE_REQUESTS
from ..permissions import staff_required
from .common import render_tab


def inbox_required(view):
    """``staff_required`` with the permission of the inbox the URL names."""

    @wraps(view)
    def wrapper(request, *args, inbox, **kwargs):
        return staff_required(inbox.allowed)(view)(request, *args, inbox=inbox, **kwargs)

    return wrapper


def _status_tabs(inbox, counts, current):
    tabs = [{"label": _("Open"), "value": "open", "count": sum(counts.get(s, 0) for s in inbox.open_statuses)}]
    tabs += [{"label": label, "value": value, "count": counts.get(value, 0)} for value, label in inbox.statuses.choices]
    for tab in tabs:
        tab["url"] = "?" + urlencode({"status": tab["value"]})
        tab["current"] = tab["value"] == current
    return tabs


@inbox_required
def inbox_list(request, inbox):
    if request.method not in ("GET", "HEAD"):
        return redirect(inbox.list_url_name)
    form = InboxFilterForm(request.GET, inbox=inbox)
    form.is_valid()  # an invalid value is shown as an error and does not filter
    filters = getattr(form, "cleaned_data", {})
    queryset = inbox.queryset()
    status = filters.get("status")
    if status == "open":
        queryset = queryset.filter(status__in=inbox.open_statuses)
    elif status:
        queryset = queryset.filter(status=status)
    if filters.get("assigned") == "me":
        queryset = queryset.filter(assigned_to=request.user)
    elif filters.get("assigned") == "none":
        queryset = queryset.filter(assigned_to__isnull=True)
    if filters.get("q"):
        queryset = inbox.search(queryset, filters["q"])
    page, query = page_of(request, queryset.order_by("-created_at", "-pk"))
    return render_tab(
        request,
        "backoffice/inbox_list.html",
        inbox.key,
        {
            "inbox": inbox,
            "controls": filter_controls(form),
            "page": page,
            "query": query,
            "status_tabs": _status_tabs(inbox, inbox.counts(), status),
        },
    )


def _detail(request, inbox, obj, forms):
    """The request and its forms; a form that was sent and refused is shown with its
    error and what was typed, also when the request was closed meanwhile."""
    carry_out, apply_form = forms.get("carry_out"), forms.get("apply_personal_data")
    if apply_form is None and inbox is CHANGE_REQUESTS and obj.kind == Kind.PERSONAL_DATA and obj.is_open and obj.proposed:
        apply_form = ApplyPersonalDataForm(prefix="apply")
    if carry_out is None and inbox is CHANGE_REQUESTS and obj.kind == Kind.MY_LOCATIONS and obj.is_open:
        membership = getattr(obj.created_by, "membership", None)
        if membership is not None:
            carry_out = CarryOutForm(
                prefix="carry_out",
                organization=obj.organization,
                initial={"locations": list(membership.location_links.values_list("location_id", flat=True))},
            )
    return render_tab(
        request,
        "backoffice/inbox_detail.html",
        inbox.key,
        {
            "inbox": inbox,
            "obj": obj,
            "subject": inbox.subject(obj),
            "text": inbox.text(obj),
            "sender": inbox.sender(obj),
            "thread": inbox.thread(obj),
            "attachments": list(obj.attachments.all()) if hasattr(obj, "attachments") else [],
            "reply_form": forms.get("reply") or ReplyForm(prefix="reply", inbox=inbox),
            "status_form": forms.get("status") or StatusForm(prefix="status", inbox=inbox, initial={"status": obj.status}),
            "carry_out_form": carry_out,
            "apply_form": apply_form,
            "is_mine": obj.assigned_to_id == request.user.pk,
        },
    )


@inbox_required
def inbox_detail(request, inbox, pk):
    obj = get_object_or_404(inbox.detail_queryset(), pk=pk)
    if request.method != "POST":
        return _detail(request, inbox, obj, {})
    action = request.POST.get("action")
    handler = ACTIONS.get(action)
    if handler is None:
        return redirect(inbox.detail_url_name, pk=obj.pk)
    form, done = handler(request, inbox, obj)
    if done:
        (messages.info if isinstance(done, Unchanged) else messages.success)(request, done)
        return redirect(inbox.detail_url_name, pk=obj.pk)
    return _detail(request, inbox, obj, {action: form})


class Unchanged(str):
    """What an action says when the request already was as asked: nothing was stored,
    audited or mailed (shown as a notice, not as a success)."""


def _run(form, call, errors, field=None):
    """Run ``call``; a refusal of the service becomes the form's error (what was typed
    stays): under ``field`` when the message was empty, above the form otherwise.
    Returns (True, what the service answered) or (False, None)."""
    try:
        return True, call()
    except errors as error:
        form.add_error(field if getattr(error, "code", "") == MESSAGE_REQUIRED else None, error.as_validation_error())
        return False, None


def _reply(request, inbox, obj):
    form = ReplyForm(request.POST, prefix="reply", inbox=inbox)
    if form.is_valid():
        data = form.cleaned_data
        call = lambda: inbox.reply(request.user, obj, data["body"], data["status"] or None, request)  # noqa: E731
        if _run(form, call, inbox.error, "body")[0]:
            return form, _("Je reactie is verstuurd; de klant ziet haar in de portal en krijgt een e-mail.")
    return form, None


def _status(request, inbox, obj):
    form = StatusForm(request.POST, prefix="status", inbox=inbox)
    if not form.is_valid():
        return form, None
    done, changed = _run(form, lambda: inbox.status_set(request.user, obj, form.cleaned_data["status"], request), inbox.error)
    if not done:
        return form, None
    if not changed:  # the status it already had: nothing stored, no mail
        return form, Unchanged(_('De status was al "%(status)s"; er is niets gewijzigd.') % {"status": obj.get_status_display()})
    return form, _("De status is gewijzigd; de klant krijgt een e-mail.")


def _assign(assignee_of):
    def handler(request, inbox, obj):
        try:
            changed = inbox.assign(request.user, obj, assignee_of(request), request)
        except inbox.error as error:  # nothing was typed: the refusal is a message on the page
            messages.error(request, error.message)
            return None, None
        return None, _("De behandelaar is gewijzigd.") if changed else Unchanged(
            _("De behandelaar was al zo; er is niets gewijzigd.")
        )

    return handler


def _carry_out(request, inbox, obj):
    if inbox is not CHANGE_REQUESTS:  # only a change request is carried out here
        return None, None
    form = CarryOutForm(request.POST, prefix="carry_out", organization=obj.organization)
    if form.is_valid():
        call = lambda: change_services.change_request_carry_out(  # noqa: E731
            actor=request.user, change_request=obj, locations=list(form.cleaned_data["locations"]),
            body=form.cleaned_data["body"], request=request,
        )  # fmt: skip
        if _run(form, call, (inbox.error, AccountRuleError), "body")[0]:
            return form, _("De locaties zijn gekoppeld en het verzoek is afgehandeld; de klant krijgt een e-mail.")
    return form, None


def _apply_personal_data(request, inbox, obj):
    if inbox is not CHANGE_REQUESTS:
        return None, None
    form = ApplyPersonalDataForm(request.POST, prefix="apply")
    # A request closed meanwhile asks nothing first: the service below says it is closed.
    if form.is_valid() and obj.proposes_new_address() and can_apply_personal_data(request.user, obj):
        require_recent_authentication(request)  # as Accountbeheer's change of an address: asked, then carried out
        if not address_check_allowed(request):  # a new address counts like an invitation
            form.add_error(None, _("Er zijn te veel verzoeken gedaan. Wacht een paar minuten en probeer het dan opnieuw."))
    if form.is_valid():
        call = lambda: change_services.change_request_personal_data_apply(  # noqa: E731
            actor=request.user, change_request=obj, body=form.cleaned_data["body"], request=request
        )
        if _run(form, call, (inbox.error, AccountRuleError))[0]:
            return form, _("De gegevens zijn aangepast en het verzoek is afgehandeld; de klant krijgt een e-mail.")
    return form, None


ACTIONS = {
    "reply": _reply,
    "status": _status,
    "assign_me": _assign(lambda request: request.user),
    "unassign": _assign(lambda request: None),
    "carry_out": _carry_out,
    "apply_personal_data": _apply_personal_data,
}


@inbox_required
def service_attachment(request, inbox, pk, attachment_pk):
    """A file of a service request, for customer service; always as a download."""
    attachment = get_object_or_404(ServiceAttachment, pk=attachment_pk, request_id=pk)
    try:
        return attachment_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)
    except FileNotFoundError as exc:
        raise Http404 from exc


@inbox_required
def contact_attachment(request, inbox, pk):
    """The file sent with a contact message, for customer service; always as a download."""
    contact_message = get_object_or_404(ContactMessage.objects.exclude(attachment=""), pk=pk)
    try:
        return attachment_response(
            contact_message.attachment, filename=contact_message.attachment_name, content_type=contact_message.attachment_type
        )
    except FileNotFoundError as exc:
        raise Http404 from exc

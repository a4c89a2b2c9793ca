"""Contact with online customer service: anyone writes (also without logging in); a
logged-in customer follows their own messages and customer service's replies. Objects
come only through ``ContactMessage.objects.visible_to``; anyone else gets 404."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.core.paging import page_of
from portal.core.scoping import allowed_or_404, get_visible_or_404
from portal.core.uploads import attachment_response, one_upload_size_limited
from portal.organizations.permissions import is_customer

from . import permissions, services
from .forms import ContactForm, FollowUpForm
from .models import ContactMessage

customer_required = allowed_or_404(is_customer)

# Which form field a refusal of the service belongs to.
ERROR_FIELDS = {
    "name_required": "name",
    "email_required": "email",
    "subject_required": "subject",
    "message_required": "message",
}
# The reference of a visitor's last message, for the confirmation page.
SENT_SESSION_KEY = "support_contact_sent"


def _rate_limited(request):
    """True when this sender has sent too many messages for now (per account, or per
    client address for visitors); counts this one otherwise."""
    action = "contact" if request.user.is_authenticated else "contact_anonymous"
    return not ratelimit.consume(request, action=action)


@login_not_required
@one_upload_size_limited
def contact(request):
    form = ContactForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request):
            form.add_error(
                None, _("Je hebt de afgelopen tijd al veel berichten verstuurd. Probeer het over een uur opnieuw, of mail ons.")
            )
            status = 429
        else:
            sent = _send(request, form)
            if sent is not None:
                return sent
    return render(request, "contact/contact_form.html", {"form": form}, status=status)


def _send(request, form):
    data = form.cleaned_data
    try:
        contact_message = services.contact_message_create(
            actor=request.user,
            name=data.get("name", ""),
            email=data.get("email", ""),
            phone=data["phone"],
            subject=data["subject"],
            message=data["message"],
            attachment=data["attachment"],
            request=request,
        )
    except services.ContactError as error:
        form.add_error(ERROR_FIELDS.get(error.code), error.as_validation_error())
        return None
    except ValidationError as error:  # the attachment, checked again
        form.add_error("attachment", error)
        return None
    if ContactMessage.objects.visible_to(request.user).filter(pk=contact_message.pk).exists():
        messages.success(
            request,
            _("Je bericht is verstuurd onder nummer %(reference)s. Je krijgt een bevestiging per e-mail; "
              "ons antwoord verschijnt ook op deze pagina.") % {"reference": contact_message.reference},
        )  # fmt: skip
        return redirect("contact:detail", pk=contact_message.pk)
    request.session[SENT_SESSION_KEY] = contact_message.reference
    return redirect("contact:sent")


@require_safe
@login_not_required
def contact_sent(request):
    reference = request.session.get(SENT_SESSION_KEY)
    if not reference:
        return redirect("contact:form")
    return render(request, "contact/contact_sent.html", {"reference": reference})


@require_safe
@customer_required
def contact_list(request):
    queryset = ContactMessage.objects.visible_to(request.user).order_by("-created_at", "-pk")
    page, query = page_of(request, queryset)
    return render(request, "contact/contact_list.html", {"page": page, "query": query})


@customer_required
def contact_detail(request, pk):
    """The message, customer service's replies, and (while it is open) a form to add to it."""
    contact_message = get_visible_or_404(ContactMessage.objects.all(), request.user, pk=pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_message_follow_up(
                actor=request.user, contact_message=contact_message, body=form.cleaned_data["body"], request=request
            )
        except services.ContactError as error:
            form.add_error("body" if error.code == "message_required" else None, error.as_validation_error())
        else:
            messages.success(request, _("Je bericht is verstuurd naar de online klantenservice."))
            return redirect("contact:detail", pk=contact_message.pk)
    return render(
        request,
        "contact/contact_detail.html",
        {
            "contact_message": contact_message,
            "thread": contact_message.replies.select_related("author"),
            # After a refusal (done a moment ago) the form stays, with what was typed.
            "form": form if permissions.can_follow_up(request.user, contact_message) or form.errors else None,
        },
    )


@require_safe
@customer_required
def contact_attachment(request, pk):
    contact_message = get_visible_or_404(ContactMessage.objects.exclude(attachment=""), request.user, pk=pk)
    return attachment_response(
        contact_message.attachment, filename=contact_message.attachment_name, content_type=contact_message.attachment_type
    )

"""Accountbeheer → API-sleutels: an administrator lists, creates and revokes the
organization's keys. Like every Accountbeheer page, it exists only for an active
administrator (404 for anyone else), and a key of another organization is a 404."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from portal.accounts.reauth import reauthentication_required
from portal.core.scoping import allowed_or_404, get_visible_or_404, membership_of
from portal.organizations.permissions import can_manage_accounts

from . import keys, page
from .forms import ApiKeyForm
from .models import ApiKey

administrator_required = allowed_or_404(can_manage_accounts)


@require_safe
@administrator_required
def key_list(request):
    rows = list(ApiKey.objects.visible_to(request.user).select_related("created_by"))
    context = {"keys": rows, "sections": page.sections(request), "tab": "api_keys"}
    return render(request, "api/key_list.html", context)


@never_cache
@administrator_required
@reauthentication_required
def key_create(request):
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = keys.api_key_create(
                actor=request.user,
                organization=membership_of(request.user).organization,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.days,
                request=request,
            )
        except keys.ApiKeyError as error:
            form.add_error(None, error.as_validation_error())
        else:
            # Shown once, in this answer only: never stored, never in a redirect.
            response = render(request, "api/key_created.html", {"key": key, "secret": secret, "tab": "api_keys"})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/key_form.html", {"form": form, "tab": "api_keys"})


@require_POST
@administrator_required
def key_revoke(request, pk):
    key = get_visible_or_404(ApiKey.objects.select_related("organization"), request.user, pk=pk)
    try:
        keys.api_key_revoke(actor=request.user, key=key, request=request)
    except keys.ApiKeyError as error:
        messages.info(request, error.message)
    else:
        messages.success(request, _("De sleutel ‘%(name)s’ is ingetrokken en werkt niet meer.") % {"name": key.name})
    return redirect("api_keys:list")

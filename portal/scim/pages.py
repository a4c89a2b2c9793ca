"""The organization's choice for accounts created through SCIM, on Accountbeheer's
API-sleutels page: its section of the page and the view its form posts to, registered
with the page (``api.page``) from the app's ``ready``. Like every Accountbeheer page, for
an active administrator only (404 for anyone else); changing it asks for the password
again, as creating a key does."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.reauth import reauthentication_required
from portal.core.scoping import allowed_or_404, membership_of
from portal.organizations.permissions import can_manage_accounts

from . import options
from .forms import ScimSettingsForm

administrator_required = allowed_or_404(can_manage_accounts)


def section(request):
    """The setting's part of the API-sleutels page (the page is the administrator's only)."""
    organization = membership_of(request.user).organization
    form = ScimSettingsForm(initial={"create_active": options.creates_active(organization)})
    return render_to_string("scim/settings_section.html", {"scim_form": form}, request=request)


@require_POST
@administrator_required
@reauthentication_required
def scim_settings(request):
    """The organization's choice for accounts created through SCIM (invited, or active at
    once without a mail)."""
    form = ScimSettingsForm(request.POST)
    if form.is_valid():
        changed = options.scim_create_active_set(
            actor=request.user, organization=membership_of(request.user).organization,
            create_active=form.cleaned_data["create_active"], request=request,
        )  # fmt: skip
        if changed:
            messages.success(request, _("De instelling voor accounts uit SCIM is opgeslagen."))
    return redirect("api_keys:list")


# Under accountbeheer/api-sleutels/, named in the page's namespace (api_keys:scim_settings).
urlpatterns = [path("scim/", scim_settings, name="scim_settings")]

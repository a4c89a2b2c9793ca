from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from portal.accounts.staff import is_staff_member
from portal.core.home import home_panels
from portal.core.scoping import membership_of


@require_safe
def home(request):
    """The home page: staff land in the back office; a customer sees the panels the apps
    register (``portal.core.home``)."""
    if is_staff_member(request.user):
        return redirect("backoffice:home")
    membership = membership_of(request.user)
    panels = home_panels(request.user, membership) if membership is not None else []
    return render(request, "site/home.html", {"panels": panels, "membership": membership})

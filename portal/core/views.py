from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from portal.backoffice.permissions import is_staff_member
from portal.core.home import home_panels
from portal.core.scoping import membership_of


def bad_request(request, exception):
    """A request the portal cannot read (a form in another character set than UTF-8, a
    broken upload, too many fields): the portal's 400 page.

    Django's own 400 view checks the CSRF token first, and so reads the form data
    again; a body that could not be read fails again there and became a 500."""
    return render(request, "400.html", {"error_code": "unreadable_request"}, status=400)


@require_safe
def home(request):
    if is_staff_member(request.user):  # staff land in the back office
        return redirect("backoffice:home")
    membership = membership_of(request.user)
    panels = home_panels(request.user, membership) if membership is not None else []
    return render(request, "core/home.html", {"panels": panels, "membership": membership})

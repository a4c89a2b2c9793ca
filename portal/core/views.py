from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

RETURN_PARAMETER = "terug"


def return_path(request):
    """The page of this site to go back to after a form (``?terug=/pad/``), or None. Only
    a path on this host: never another site, so the parameter cannot send anyone away."""
    path = request.GET.get(RETURN_PARAMETER, "")
    local = url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return path if local and path.startswith("/") else None


def bad_request(request, exception):
    """A request the portal cannot read (a form in another character set than UTF-8, a
    broken upload, too many fields): the portal's 400 page.

    Django's own 400 view checks the CSRF token first, and so reads the form data
    again; a body that could not be read fails again there and became a 500."""
    return render(request, "400.html", {"error_code": "unreadable_request"}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_not_required
def language(request):
    """The language choice on a page of its own: a link at the foot of every page leads
    here, and only the button on this page changes the language (Django's set_language
    stores it in the language cookie and goes back to the page the visitor came from)."""
    if request.method == "POST":
        return set_language(request)
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("home")
    languages = [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]
    return render(request, "core/language.html", {"back": back, "languages": languages})

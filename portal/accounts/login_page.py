"""The login page as nearly every visitor gets it, rendered once per process and language.

Most requests for the login page ask for the same page: a visitor who is not logged in,
no page to return to (``?next=``), no message (a session that ended says why in a
message), an empty form. Rendering it through the templates was about two thirds of the
page's CPU, and the page holds nothing personal: only the CSRF token differs, and Django
masks that anew for every page anyway. So that page is rendered once per process and
language with the token taken out, and each visitor gets it with a token of their own
(Django's ``get_token``, which sets the CSRF cookie as the template tag does). Any other
request for the login page (a query string, a message, a logged-in user, a POST with its
errors) is rendered as before, as is every request while ``DEBUG`` is on (templates
then change without a restart). While the tests run (``PREPARED_QUERIES_VERIFY``) every
page served from it is compared with the page rendered as before.
"""

import re

from allauth.account.views import LoginView as AllauthLoginView
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language

CSRF_INPUT_START = 'name="csrfmiddlewaretoken" value="'
TOKEN = re.compile(f'({re.escape(CSRF_INPUT_START)})([^"]+)(")')
_pages = {}  # language: (the page split where its tokens go, its content type)


class LoginView(AllauthLoginView):
    def get(self, request, *args, **kwargs):
        language = _plain(request)
        if language is None:
            return super().get(request, *args, **kwargs)
        if language not in _pages:
            response = super().get(request, *args, **kwargs)
            response.render()
            # [text, prefix, token, suffix, text, ..., text]: the texts around the tokens.
            parts = TOKEN.split(response.content.decode(response.charset))
            if response.status_code == 200 and len(parts) > 1:
                _pages[language] = (parts[0::4], response["Content-Type"])
            return response
        return _served(request, language, args, kwargs)


def _served(request, language, args, kwargs):
    pieces, content_type = _pages[language]
    token = f'{CSRF_INPUT_START}{get_token(request)}"'
    response = HttpResponse(token.join(pieces), content_type=content_type)
    if getattr(settings, "PREPARED_QUERIES_VERIFY", False):
        _verify(request, response, args, kwargs)
    return response


_view = LoginView.as_view()


def login(request, *args, **kwargs):
    """The login page. The plain page, once rendered, is served before allauth's view and
    its decorators, which add nothing to it but the headers that keep it from being
    stored (added here): its limit counts only what is posted, and the rest concerns a
    logged-in visitor or a posted form."""
    if request.method == "GET" and (language := _plain(request)) in _pages:
        response = _served(request, language, args, kwargs)
        add_never_cache_headers(response)
        return response
    return _view(request, *args, **kwargs)


login.__dict__.update(_view.__dict__)  # what the view says of itself: no login required, its class


@receiver(setting_changed)
def _forget(**kwargs):
    """A setting changed (the tests do that): the page may differ now."""
    _pages.clear()


def _plain(request):
    """The language of a request for the plain login page, or None for any other."""
    if settings.DEBUG or request.GET or request.user.is_authenticated:
        return None
    storage = getattr(request, "_messages", None)
    if storage is not None and (storage._queued_messages or storage._loaded_messages):
        return None
    return get_language()


def _verify(request, response, args, kwargs):
    view = LoginView()
    view.setup(request, *args, **kwargs)
    rendered = AllauthLoginView.get(view, request, *args, **kwargs)
    rendered.render()
    expected = TOKEN.sub(r"\1…\3", rendered.content.decode(rendered.charset))
    served = TOKEN.sub(r"\1…\3", response.content.decode(response.charset))
    if served != expected or rendered.status_code != response.status_code:
        raise AssertionError("The login page served from its first rendering differs from the page rendered now.")

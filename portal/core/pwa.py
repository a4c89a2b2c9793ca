"""What makes the portal an installable web app: the web app manifest, the service
worker (served from the root, so that its scope is the whole portal) and the page it
shows without a connection.

The service worker keeps only static files and the offline page, never a page of the
portal: those carry personal data and always come from the server. The offline page
is a page of its own (no name, no menu, no form with a CSRF token) and the worker
fetches it without cookies.
"""

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

THEME_COLOR = "#0b4f6c"
BACKGROUND_COLOR = "#f4f6f8"
# The static files the service worker keeps, so that the offline page has its style.
PRECACHED_STATIC = [
    "portal/portal.css",
    "portal/portal.js",
    "portal/icons/icon-192.png",
    "portal/icons/favicon-32.png",
]
ICONS = [
    {"src": "portal/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "portal/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "portal/icons/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
]


def _public(response, seconds):
    """The same for everyone, nothing personal: a shared cache may keep it."""
    patch_cache_control(response, public=True, max_age=seconds)
    return response


@require_safe
@login_not_required
def manifest(request):
    data = {
        "id": "/",
        "name": "Mijn HartingBank",
        "short_name": "HartingBank",
        "description": "De portal van HartingBank voor zakelijke klanten.",
        "lang": "nl",
        "dir": "ltr",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [{**icon, "src": static(icon["src"])} for icon in ICONS],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    return _public(response, 3600)


def precache_urls():
    return [reverse("offline"), *(static(name) for name in PRECACHED_STATIC)]


def cache_name(urls):
    """Changes whenever a kept file changes (its content, or its hashed name in
    production), so a new worker replaces the old cache."""
    digest = hashlib.sha256("\n".join(urls).encode())
    for name in PRECACHED_STATIC:
        path = finders.find(name)
        if path:
            with open(path, "rb") as file:
                digest.update(file.read())
    return f"mijn-hartingbank-{digest.hexdigest()[:12]}"


@require_safe
@login_not_required
def service_worker(request):
    urls = precache_urls()
    body = render(
        request,
        "core/sw.js",
        {
            "cache_name": cache_name(urls),
            "precache": json.dumps(urls),
            "offline_url": json.dumps(reverse("offline")),
            "static_prefix": json.dumps(settings.STATIC_URL),
        },
    ).content
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker at every visit.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
@login_not_required
def offline(request):
    response = render(request, "core/offline.html")
    return _public(response, 3600)

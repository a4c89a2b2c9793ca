"""The installable web app: the manifest, its icons, and a service worker that keeps
static files and the offline page only, never a page with personal data."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from portal.core import pwa


def manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content)


def worker_constant(body, name):
    return json.loads(re.search(rf"const {name} = (.+);", body).group(1))


@pytest.mark.django_db
class TestManifest:
    def test_what_chromium_needs_to_install_it(self, client):
        data = manifest(client)
        assert data["name"] == "Mijn HartingBank" and len(data["short_name"]) <= 12
        assert data["start_url"] == "/" and data["display"] == "standalone"
        assert data["theme_color"] == "#0b4f6c"
        purposes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
        assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes

    def test_the_icons_exist_at_their_sizes(self):
        for icon in [*pwa.ICONS, {"src": "portal/icons/apple-touch-icon.png", "sizes": "180x180"}]:
            path = finders.find(icon["src"])
            with Image.open(path) as image:
                assert image.format == "PNG" and "x".join(map(str, image.size)) == icon["sizes"]

    def test_every_page_links_it_and_the_apple_touch_icon(self, client):
        page = client.get("/inloggen/").content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page
        assert 'rel="apple-touch-icon"' in page and 'data-service-worker="/sw.js"' in page


@pytest.mark.django_db
class TestServiceWorker:
    def test_served_from_the_root_and_checked_at_every_visit(self, client):
        response = client.get("/sw.js")
        assert response["Content-Type"].startswith("text/javascript")
        assert response["Cache-Control"] == "no-cache"

    def test_keeps_only_static_files_and_the_offline_page(self, client, settings):
        body = client.get("/sw.js").content.decode()
        kept = worker_constant(body, "PRECACHE")
        assert "/offline/" in kept
        assert all(url == "/offline/" or url.startswith(settings.STATIC_URL) for url in kept)
        # A page is fetched from the network only; nothing fetched is ever put in the cache.
        assert "cache.put" not in body and ".add(" not in body
        assert body.count("cache.addAll") == 1
        assert worker_constant(body, "STATIC_PREFIX") == settings.STATIC_URL

    def test_the_cache_name_changes_with_the_files(self):
        urls = pwa.precache_urls()
        assert pwa.cache_name(urls) == pwa.cache_name(urls)
        assert pwa.cache_name(urls) != pwa.cache_name([*urls, "/static/portal/new.css"])


@pytest.mark.django_db
class TestOfflinePage:
    def test_nothing_personal_even_when_logged_in(self, client, admin_user):
        client.force_login(admin_user)
        response = client.get("/offline/")
        page = response.content.decode()
        assert response.status_code == 200 and "Geen verbinding" in page
        for personal in (admin_user.full_name, admin_user.email, "csrfmiddlewaretoken", "Accountbeheer", "Uitloggen"):
            assert personal not in page
        assert response["Cache-Control"] == "public, max-age=3600"

    def test_pages_with_personal_data_are_never_stored(self, client, employee):
        client.force_login(employee)
        response = client.get("/mijn-account/")
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

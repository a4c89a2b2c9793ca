"""Every portal URL sends an anonymous visitor to the login page, and back after login."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import PASSWORD

# Pages that are for visitors who are not logged in.
PUBLIC = {
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_inactive",
    "account_logout",
    # The second step of a login (it needs the first), and a login with a passkey.
    "mfa_authenticate",
    "mfa_login_webauthn",
    "set_language",
    "invitation_accept",
    # Help and contact, and what makes the portal an installable app.
    "help:faq",
    "help:faq_topic",
    "help:faq_question",
    "help:faq_search",
    "help:shortcut",
    "help:manual",
    "contact:form",
    "contact:sent",
    "manifest",
    "service_worker",
    "offline",
}


def portal_urls(resolver=None, prefix="", namespace=""):
    """(name, path) of every route; a name in a namespace as reverse() takes it ("help:faq")."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from portal_urls(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and f"{namespace}{pattern.name}" not in PUBLIC:
            route = prefix + str(pattern.pattern)
            route = re.sub(r"\(\?P<\w+>(\w+)[^)]*\)", r"\1", route)  # a regex group: its first choice
            route = re.sub(r"<(?:\w+:)?\w+>", "1", route)
            path = "/" + route.replace("^", "").replace("$", "")
            yield f"{namespace}{pattern.name}" if pattern.name else path, path  # the admin has a few unnamed redirects


# The API and SCIM answer a request without a key with 401, not a login page
# (portal/api/tests, portal/scim/tests); their documentation page is the portal's.
API_PREFIXES = ("/api/v1/", "/scim/v2/")
ROUTES = sorted(r for r in set(portal_urls()) if not r[1].startswith(API_PREFIXES) or r[0] == "api_docs")


def test_the_list_of_routes_is_not_empty():
    assert len(ROUTES) >= 3


@pytest.mark.django_db
@pytest.mark.parametrize("name, path", ROUTES)
def test_anonymous_visitor_is_sent_to_login(client, name, path):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, (name, path)
        assert response.url.startswith("/inloggen/?next="), (name, path)


@pytest.mark.django_db
def test_after_login_the_visitor_is_back_on_the_page(client, employee):
    response = client.get("/mijn-account/")
    response = client.post(response.url, {"login": employee.email, "password": PASSWORD})
    assert response.url == "/mijn-account/"

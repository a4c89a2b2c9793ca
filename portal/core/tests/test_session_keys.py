"""A session cookie the portal did not make is no session: it is never looked up."""

import pytest
from django.conf import settings
from django.test import Client

from portal.core.sessions import SessionStore


@pytest.mark.parametrize("key", ["\x00" * 32, "abc\x00defghijk", "a" * 31 + "\n", "a" * 300, "ABCDEFGH-IJKLMNOP", "é" * 32])
def test_a_key_the_portal_did_not_make_is_not_valid(key):
    assert not SessionStore()._validate_session_key(key)


@pytest.mark.django_db
def test_a_key_the_portal_made_is_valid():
    assert SessionStore()._validate_session_key(SessionStore()._get_new_session_key())


def test_the_portal_uses_it_without_redis():
    if not settings.REDIS_URL:
        assert settings.SESSION_ENGINE == "portal.core.sessions"


@pytest.mark.django_db
def test_a_session_cookie_with_nul_characters_is_no_session():
    """A quoted cookie value may hold octal escapes: "\\000" reached PostgreSQL as a NUL
    character in the session key (a 500 on every page)."""
    client = Client(raise_request_exception=False)
    response = client.get("/contact/", HTTP_COOKIE='sessionid="' + "\\000" * 32 + '"')
    assert response.status_code == 200

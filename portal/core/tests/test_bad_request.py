"""A request the portal cannot read gets the portal's own 400 page, in Dutch, never a 500."""

import pytest
from django.test import Client

LATIN1_FORM = "application/x-www-form-urlencoded; charset=latin-1"


def post_latin1(client, path, body):
    """``body`` sent as latin-1 (the test client encodes it in the charset named)."""
    return client.post(path, data=body, content_type=LATIN1_FORM)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/inloggen/", "/contact/", "/wachtwoord-vergeten/"])
def test_a_form_in_another_charset_is_a_400_page_for_a_visitor(path):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(path)  # the CSRF cookie, as a browser has it
    response = post_latin1(client, path, "login=jos\xe9@test.example&password=x")
    assert response.status_code == 400
    assert response.context["error_code"] == "unreadable_request"
    assert "Je verzoek kon niet worden gelezen" in response.content.decode()


@pytest.mark.django_db
def test_a_form_in_another_charset_is_a_400_page_for_a_logged_in_user(employee):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(employee)
    client.get("/wijzigingen/nieuw/")
    response = post_latin1(client, "/wijzigingen/nieuw/", "description=caf\xe9")
    assert response.status_code == 400
    assert response.context["error_code"] == "unreadable_request"


@pytest.mark.django_db
def test_the_400_page_is_in_english_for_who_chose_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post_latin1(client, "/inloggen/", "login=x")
    assert response.status_code == 400
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_a_broken_multipart_body_is_a_400_page(client):
    response = client.post(
        "/contact/", data=b"--x\r\nContent-Disposition: form-data\r\n\r\n", content_type="multipart/form-data; boundary="
    )
    assert response.status_code == 400
    assert response.context["error_code"] == "unreadable_request"


@pytest.mark.django_db
def test_the_400_page_says_it_in_english_to_who_chose_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post_latin1(client, "/inloggen/", "login=x")
    assert "Your request could not be read" in response.content.decode()

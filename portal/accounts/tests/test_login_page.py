"""The login page in the order one fills it in: e-mail address, password, and only then
"Wachtwoord vergeten?" (Tab follows the page's order; no positive tabindex)."""

import re

import pytest
from django.urls import reverse

from conftest import PASSWORD


@pytest.mark.django_db
def test_forgot_password_comes_after_the_password_field(client):
    form = client.get(reverse("account_login")).content.decode().split('action="/inloggen/"')[1].split("</form>")[0]
    email, password = form.index('id="id_login"'), form.index('<input type="password"')
    forgot = form.index(f'href="{reverse("account_reset_password")}"')
    assert email < password < forgot < form.index('type="submit"')
    assert not re.search(r'tabindex="[1-9]', form)
    # The link still describes the field as before, and errors still show.
    assert 'aria-describedby="id_password_helptext"' in form and 'id="id_password_helptext"' in form


@pytest.mark.django_db
def test_a_wrong_password_is_still_said(client, employee):
    response = client.post(reverse("account_login"), {"login": employee.email, "password": "fout"})
    assert response.status_code == 200 and 'class="form-errors" role="alert"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"login": "iemand@test.example", "password": "fout"},
        {"login": "", "password": ""},
        {"login": "geen-adres", "password": "x"},
    ],
)
def test_the_fields_are_written_as_their_widgets_render_them(client, data):
    """The page writes the two inputs itself (their templates cost a sixth of the page):
    they must stay what Django's widgets render, errors and all."""
    url = reverse("account_login")
    response = client.get(url) if data is None else client.post(url, data)
    page, form = response.content.decode(), response.context["form"]
    assert set(form.fields) == {"login", "password"}
    for name in form.fields:
        assert str(form[name].as_widget()) in page, name
        for error in form[name].errors:
            assert f'<ul class="errorlist" id="id_{name}_errors"><li>{error}</li></ul>' in page


@pytest.mark.django_db
class TestThePlainPageRenderedOnce:
    """The login page as nearly every visitor gets it is rendered once per language; each
    visitor gets a CSRF token of their own, and every other request for it is rendered as
    before (while the tests run, each page served from the first is also compared with a
    fresh rendering: ``login_page._verify``)."""

    @pytest.fixture(autouse=True)
    def empty(self):
        from portal.accounts import login_page

        login_page._pages.clear()
        yield
        login_page._pages.clear()

    def get(self, client, *args, **kwargs):
        """The page, and how many templates were rendered for it."""
        from unittest import mock

        from django.template.base import Template

        render = Template.render
        with mock.patch.object(Template, "render", autospec=True, side_effect=render) as rendered:
            response = client.get(*args, **kwargs)
        return response, rendered.call_count

    def token(self, response):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)

    def test_rendered_once_with_a_token_for_each_visitor_that_logs_in(self, client, employee, settings):
        from django.test import Client

        settings.PREPARED_QUERIES_VERIFY = False  # what runs in production
        first, templates = self.get(client, reverse("account_login"))
        assert templates >= 1
        visitor = Client(enforce_csrf_checks=True)
        second, templates = self.get(visitor, reverse("account_login"))
        assert templates == 0 and second.status_code == 200
        assert second.content.decode().count(self.token(second)) == 2  # the login form's and the passkey's
        assert self.token(first) != self.token(second) and "csrftoken" in second.cookies
        assert second["Cache-Control"] == first["Cache-Control"] and "no-store" in second["Cache-Control"]
        response = visitor.post(
            reverse("account_login"),
            {"csrfmiddlewaretoken": self.token(second), "login": employee.email, "password": PASSWORD},
        )
        assert response.status_code == 302 and response.url == reverse("home")

    def test_served_before_allauths_view_with_the_headers_it_adds(self, client, settings, monkeypatch):
        from allauth.account.views import LoginView
        from django.test import Client

        settings.PREPARED_QUERIES_VERIFY = False
        first = client.get(reverse("account_login"))
        monkeypatch.setattr(LoginView, "dispatch", lambda *args, **kwargs: pytest.fail("allauth's view was asked"))
        second = Client().get(reverse("account_login"))
        assert second.status_code == 200 and "csrftoken" in second.cookies
        assert set(second.headers) == set(first.headers)
        assert {name: value for name, value in second.headers.items() if name not in ("Expires", "X-Request-ID")} == {
            name: value for name, value in first.headers.items() if name not in ("Expires", "X-Request-ID")
        }

    def test_a_message_a_next_page_or_another_language_is_rendered_for_itself(self, client, settings):
        settings.PREPARED_QUERIES_VERIFY = False
        self.get(client, reverse("account_login"))
        response, templates = self.get(client, reverse("account_login"), {"next": "/bestellen/"})
        assert templates >= 1 and 'value="/bestellen/"' in response.content.decode()
        client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32  # a session that is gone: "Je sessie is verlopen"
        response, templates = self.get(client, reverse("account_login"))
        assert templates >= 1 and "Je sessie is verlopen" in response.content.decode()
        del client.cookies[settings.SESSION_COOKIE_NAME]
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english, templates = self.get(client, reverse("account_login"))
        assert templates >= 1 and 'lang="en"' in english.content.decode()
        again, templates = self.get(client, reverse("account_login"))
        assert templates == 0 and 'lang="en"' in again.content.decode()

    def test_the_tests_compare_what_is_served_with_a_fresh_rendering(self, client, settings):
        from portal.accounts import login_page

        settings.PREPARED_QUERIES_VERIFY = True
        client.get(reverse("account_login"))
        pieces, content_type = login_page._pages["nl"]
        login_page._pages["nl"] = ([pieces[0].replace("Inloggen", "Inlogen", 1), *pieces[1:]], content_type)
        with pytest.raises(AssertionError, match="differs"):
            client.get(reverse("account_login"))


@pytest.mark.django_db
def test_the_link_to_a_new_password_is_made_once_per_language(client, employee, monkeypatch):
    """allauth looks the link up and renders it for every form; the portal once."""
    from allauth.account import fields

    from portal.accounts.forms import _reset_link

    made = []
    render = fields.render_to_string
    monkeypatch.setattr(fields, "render_to_string", lambda *args, **kwargs: made.append(args) or render(*args, **kwargs))
    _reset_link.cache_clear()
    for _ in range(3):
        response = client.post(reverse("account_login"), {"login": employee.email, "password": "fout"})
        assert f'<a href="{reverse("account_reset_password")}">Wachtwoord vergeten?</a>' in response.content.decode()
    assert len(made) == 1

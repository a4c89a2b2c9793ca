"""The login page in the order one fills it in: e-mail address, password, and only then
"Wachtwoord vergeten?" (Tab follows the page's order; no positive tabindex)."""

import re

import pytest
from django.urls import reverse


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

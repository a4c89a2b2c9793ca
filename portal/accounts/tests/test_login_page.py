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

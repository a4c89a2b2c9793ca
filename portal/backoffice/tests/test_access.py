"""Every back-office URL: an anonymous visitor gets the login page, a customer account
404 (the back office does not exist for them), the wrong staff role 403 (staff know the
back office exists; the page is not for their role), the right role the page."""

import pytest
from django.urls import reverse

from conftest import give_totp

# (URL name, arguments, the role that may open it: "am" account manager, "cs" customer service, "both")
PAGES = [
    ("backoffice:home", [], "both"),
    ("backoffice:organization_list", [], "both"),
    ("backoffice:organization_create", [], "am"),
    ("backoffice:organization_detail", ["organization"], "both"),
    ("backoffice:organization_update", ["organization"], "am"),
    ("backoffice:service_request_list", [], "cs"),
    ("backoffice:service_request_detail", ["service_request"], "cs"),
    ("backoffice:change_request_list", [], "cs"),
    ("backoffice:change_request_detail", ["change_request"], "cs"),
    ("backoffice:contact_message_list", [], "cs"),
    ("backoffice:contact_message_detail", ["contact_message"], "cs"),
    ("backoffice:account_list", [], "cs"),
    ("backoffice:account_detail", ["membership"], "cs"),
    ("backoffice:audit", [], "both"),
    ("backoffice_admin:index", [], "both"),
    ("backoffice_admin:locations_location_changelist", [], "both"),
    ("backoffice_admin:locations_location_change", ["location"], "both"),
    ("backoffice_admin:locations_location_add", [], "am"),
    ("backoffice_admin:ordering_product_changelist", [], "am"),
    ("backoffice_admin:ordering_category_add", [], "am"),
    ("backoffice_admin:help_faqquestion_changelist", [], "cs"),
]
POSTS = [
    ("backoffice:organization_access", ["organization"], "am"),
    ("backoffice:administrator_invite", ["organization"], "am"),
    ("backoffice:account_action", ["membership", "deactivate"], "cs"),
]


@pytest.fixture
def objects(organization, employee, locations, service_request, change_request, contact_message):
    return {
        "organization": organization.pk,
        "membership": employee.membership.pk,
        "location": locations[0].pk,
        "service_request": service_request.pk,
        "change_request": change_request.pk,
        "contact_message": contact_message.pk,
    }


def url(name, args, objects):
    return reverse(name, args=[objects.get(a, a) for a in args])


@pytest.fixture
def users(db, admin_user, account_manager, staff_user):
    return {"customer": admin_user, "am": account_manager, "cs": staff_user}


@pytest.mark.django_db
@pytest.mark.parametrize("name, args, role", PAGES + POSTS)
def test_anonymous_visitor_gets_the_login_page(client, objects, name, args, role):
    response = client.get(url(name, args, objects))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("name, args, role", PAGES + POSTS)
def test_a_customer_gets_404(client, objects, users, name, args, role):
    client.force_login(users["customer"])
    assert client.get(url(name, args, objects)).status_code == 404
    assert client.post(url(name, args, objects)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name, args, role", [p for p in PAGES + POSTS if p[2] != "both"])
def test_the_wrong_staff_role_is_refused(client, objects, users, name, args, role):
    client.force_login(users["cs" if role == "am" else "am"])
    assert client.get(url(name, args, objects)).status_code == 403
    assert client.post(url(name, args, objects)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name, args, role", PAGES)
def test_the_right_role_gets_the_page(client, objects, users, name, args, role):
    for who in ["am", "cs"] if role == "both" else [role]:
        client.force_login(users[who])
        response = client.get(url(name, args, objects))
        assert response.status_code == 200, who


@pytest.mark.django_db
def test_staff_without_a_role_see_nothing_of_it(client, objects):
    from portal.accounts.models import User

    nobody = User.objects.create_user("nieuw@hartingbank.example", "Lang-genoeg-wachtwoord", is_staff=True)
    give_totp(nobody)
    client.force_login(nobody)
    assert client.get(reverse("backoffice:home")).status_code == 200
    assert client.get(reverse("backoffice:organization_list")).status_code == 403
    assert client.get(reverse("backoffice_admin:locations_location_changelist")).status_code == 403


@pytest.mark.django_db
def test_staff_land_in_the_back_office_after_login(client, staff_user):
    from conftest import PASSWORD, totp_code

    response = client.post(reverse("account_login"), {"login": staff_user.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")  # staff always log in with two steps
    response = client.post(response.url, {"code": totp_code()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("backoffice:home")


@pytest.mark.django_db
def test_the_tabs_follow_the_role(client, account_manager, staff_user):
    client.force_login(account_manager)
    page = client.get(reverse("backoffice:home")).content.decode()
    assert reverse("backoffice:organization_list") in page and reverse("backoffice:service_request_list") not in page
    client.force_login(staff_user)
    page = client.get(reverse("backoffice:home")).content.decode()
    assert reverse("backoffice:service_request_list") in page and reverse("backoffice:account_list") in page


@pytest.mark.django_db
def test_no_password_page_in_the_admin(client, account_manager):
    client.force_login(account_manager)
    page = client.get(reverse("backoffice_admin:index")).content.decode()
    assert "password" not in page.lower() and "wachtwoord" not in page.lower()
    assert client.get("/backoffice/stamgegevens/password_change/").status_code == 404

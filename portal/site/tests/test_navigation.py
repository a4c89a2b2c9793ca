import pytest

from portal.site.navigation import menu_for


def keys(user):
    return [item["key"] for item in menu_for(user)]


@pytest.mark.django_db
class TestMenu:
    def test_employee_never_sees_accountbeheer(self, client, employee):
        assert "accountbeheer" not in keys(employee)
        client.force_login(employee)
        assert 'data-menu="accountbeheer"' not in client.get("/").content.decode()

    def test_other_organizations_admin_gets_no_rights_here(self, admin_user, other_admin, organization):
        from portal.organizations.permissions import can_manage_accounts

        assert can_manage_accounts(admin_user, organization)
        assert not can_manage_accounts(other_admin, organization)
        assert not can_manage_accounts(admin_user.__class__(), organization)

    def test_deactivated_administrator_may_not_manage(self, admin_user, organization):
        from portal.organizations.models import Status
        from portal.organizations.permissions import can_manage_accounts

        admin_user.membership.status = Status.DEACTIVATED
        assert not can_manage_accounts(admin_user, organization)

    def test_items_without_pages_are_not_shown(self, admin_user):
        # Only pages that exist are offered; every item shown resolves to a page.
        from django.urls import resolve

        for item in menu_for(admin_user):
            resolve(item["url"])

    def test_staff_start_at_the_back_office_and_do_not_contact_themselves(self, staff_user, employee):
        assert keys(staff_user)[0] == "backoffice" and "contact" not in keys(staff_user)
        assert "contact" in keys(employee) and "backoffice" not in keys(employee)

    def test_menu_marks_the_current_page(self, client, employee):
        client.force_login(employee)
        assert 'aria-current="page">Mijn account' in client.get("/mijn-account/").content.decode()


@pytest.mark.django_db
class TestLanguage:
    def test_dutch_whatever_the_browser_asks(self, client):
        response = client.get("/inloggen/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert response.headers["Content-Language"] == "nl"
        assert '<html lang="nl"' in response.content.decode()

    def test_english_when_chosen(self, client):
        response = client.post("/taal/", {"language": "en", "next": "/inloggen/"})
        assert response.status_code == 302
        response = client.get("/inloggen/")
        assert response.headers["Content-Language"] == "en"

    def test_no_click_at_the_foot_of_a_page_changes_the_language(self, client, admin_user):
        client.force_login(admin_user)
        footer = client.get("/accountbeheer/?status=active").content.decode().split('<footer class="footer">')[1]
        # Only a link to the language page, which keeps the page to come back to; no
        # button that switches the language of the session.
        assert "<form" not in footer and 'name="language"' not in footer
        assert (
            '<a href="/taal/?next=/accountbeheer/%3Fstatus%3Dactive">Taal <span lang="en">(language)</span>: Nederlands</a>'
            in footer
        )

    def test_the_language_page_changes_it_only_with_its_button(self, client):
        page = client.get("/taal/", {"next": "/inloggen/"})
        assert page.status_code == 200
        body = page.content.decode()
        assert 'type="radio" name="language" value="nl" id="language-nl" checked' in body
        assert 'name="next" value="/inloggen/"' in body and '<button type="submit" class="button">Wijzig taal</button>' in body
        assert client.cookies.get("django_language") is None  # looking changed nothing
        response = client.post("/taal/", {"language": "en", "next": "/inloggen/"})
        assert response.status_code == 302 and response.url == "/inloggen/"
        english = client.get("/inloggen/")
        assert english.headers["Content-Language"] == "en"
        assert 'Language <span lang="nl">(taal)</span>: English' in english.content.decode()

    def test_the_language_page_goes_back_only_to_the_portal(self, client):
        body = client.get("/taal/", {"next": "https://elders.example/"}).content.decode()
        assert 'name="next" value="/"' in body and "elders.example" not in body


@pytest.mark.django_db
def test_the_menus_addresses_are_looked_up_once_and_follow_the_site_prefix(admin_user, monkeypatch):
    """Every page shows the menu: its addresses are looked up once per site prefix (the
    server's SCRIPT_NAME) and URL configuration, not at every page."""
    from django.urls import set_script_prefix

    from portal.site import navigation

    navigation._url_of.cache_clear()
    first = menu_for(admin_user)
    looked_up = []
    monkeypatch.setattr(navigation, "reverse", lambda *args, **kwargs: looked_up.append(args))
    assert menu_for(admin_user) == first and looked_up == []
    monkeypatch.undo()
    set_script_prefix("/portaal/")
    try:
        assert [item["url"] for item in menu_for(admin_user)] == [f"/portaal{item['url']}" for item in first]
    finally:
        set_script_prefix("/")

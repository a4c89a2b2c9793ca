"""In a real browser: Tab on the login page goes from the e-mail address to the password,
and only then to "Wachtwoord vergeten?"; the language is chosen on a page of its own,
without JavaScript."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tab_goes_from_the_email_address_to_the_password(browser, live_server):
    page = browser.new_page()
    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("E-mailadres").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Wachtwoord vergeten?"
    assert page.locator("[tabindex]:not([tabindex='-1']):not([tabindex='0'])").count() == 0
    page.close()


def test_the_language_is_chosen_on_its_own_page_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_role("link", name="Taal (language): Nederlands").click()
    assert page.url == f"{live_server.url}/taal/?next=/inloggen/"
    page.get_by_label("English").check()
    page.get_by_role("button", name="Wijzig taal").click()
    assert page.url == f"{live_server.url}/inloggen/"
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Language (taal): English").click()
    page.get_by_label("Nederlands").check()
    page.get_by_role("button", name="Change language").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    context.close()

"""The main menu. Each item names the permission function that decides whether it
shows; the same function guards the item's pages. Items whose pages do not exist
(their URL name does not resolve) are left out."""

from dataclasses import dataclass
from typing import Callable

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.staff import is_staff_member
from portal.contact.permissions import can_use_contact
from portal.core.once import per_settings
from portal.locations.permissions import can_view_locations
from portal.ordering.permissions import can_order
from portal.organizations import permissions


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    allowed: Callable[[object], bool]


def _anyone(user):
    return True


MENU = [
    NavItem("backoffice", _("Backoffice"), "backoffice:home", is_staff_member),
    NavItem("account", _("Mijn account"), "accounts:my_account", _anyone),
    NavItem("locations", _("Locaties"), "locations:list", can_view_locations),
    NavItem("ordering", _("Bestellen"), "ordering:catalogue", can_order),
    NavItem("service", _("Serviceaanvragen"), "service:list", permissions.can_use_portal),
    NavItem("faq", _("Veelgestelde vragen"), "help:faq", _anyone),
    NavItem("manual", _("Handleiding"), "help:manual", _anyone),
    NavItem("contact", _("Contact"), "contact:form", can_use_contact),
    NavItem("accountbeheer", _("Accountbeheer"), "accountbeheer:list", permissions.can_open_accountbeheer),
]


# A visitor who is not logged in: the pages anyone may read, and the way in.
PUBLIC_MENU = [
    NavItem("faq", _("Veelgestelde vragen"), "help:faq", _anyone),
    NavItem("manual", _("Handleiding"), "help:manual", _anyone),
    NavItem("contact", _("Contact"), "contact:form", _anyone),
    NavItem("login", _("Inloggen"), "account_login", _anyone),
]


def menu_for(user, path=""):
    items = []
    for item in MENU if user.is_authenticated else PUBLIC_MENU:
        if not item.allowed(user):
            continue
        url = _url_of(item.url_name, get_script_prefix(), get_urlconf())
        if url is None:
            continue
        current = path.startswith(url)
        items.append({"key": item.key, "label": item.label, "url": url, "current": current})
    return items


@per_settings
def _url_of(url_name, script_prefix, urlconf):
    """The address of a menu item, looked up once per site prefix and URL configuration
    (every page shows the menu); None when its page does not exist."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None

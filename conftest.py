"""Fixtures shared by every test: two organizations with locations and accounts of
each role, so that every view can be tried as the right role, the wrong role and the
wrong organization with the same setup."""

import pytest
from django.core.cache import cache

from bench.common import totp_code as bench_totp_code
from portal.accounts.models import User
from portal.accounts.staff import ACCOUNT_MANAGER, CUSTOMER_SERVICE
from portal.locations.models import Address, AddressKind, Department, Location, LocationLink
from portal.organizations.models import Membership, Organization, Role, Status
from portal.site.demo import DEMO_TOTP_SECRET

PASSWORD = "Zonnige-Dinsdag-42"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_chance_pruning(monkeypatch):
    """A login deletes old failed-login rows by chance (``ratelimits.PRUNE_CHANCE``):
    off in tests, so that counted statements do not vary by chance; a test of the
    pruning sets it to 1."""
    from portal.accounts import ratelimits

    monkeypatch.setattr(ratelimits, "PRUNE_CHANCE", 0)


@pytest.fixture(autouse=True)
def _force_login_is_a_password_login(monkeypatch):
    """``Client.force_login`` leaves the session as a password login through allauth
    would: with the record of that login, which counts for the re-authentication
    before sensitive actions (``accounts.reauth``) for its first minutes."""
    import time

    from allauth.account.internal.flows import login as allauth_login
    from django.test import Client

    original = Client._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time(), "email": user.email}
        ]
        session[allauth_login._AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
        session.save()

    monkeypatch.setattr(Client, "_login", _login)


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root):
    """The files stored under ``root`` (none when nothing was ever stored)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def make_location(organization, code, name):
    location = Location.objects.create(organization=organization, code=code, name=name)
    Address.objects.create(
        location=location, kind=AddressKind.VISITING, street=f"{name}straat 1", postal_code="1234 AB", city=name
    )
    Address.objects.create(location=location, kind=AddressKind.DELIVERY, street=f"{name}laan 2", postal_code="1234 AC", city=name)
    Department.objects.create(location=location, name="Winkel")
    return location


def make_account(
    organization,
    email,
    *,
    role=Role.EMPLOYEE,
    status=Status.ACTIVE,
    may_use_portal=True,
    may_order=False,
    locations=(),
    password=PASSWORD,
    full_name="",
):
    user = User.objects.create_user(
        email, password if status != Status.INVITED else None, full_name=full_name or email.split("@")[0].title()
    )
    membership = Membership.objects.create(
        user=user,
        organization=organization,
        role=role,
        status=status,
        may_use_portal=may_use_portal,
        may_order=may_order,
    )
    for location in locations:
        LocationLink.objects.create(membership=membership, location=location)
    return user


@pytest.fixture
def organization(db):
    return Organization.objects.create(name="Bakkerij Test B.V.", customer_number="T-1")


@pytest.fixture
def other_organization(db):
    return Organization.objects.create(name="Fietsen Anders", customer_number="T-2")


@pytest.fixture
def locations(organization):
    return [make_location(organization, "L1", "Utrecht"), make_location(organization, "L2", "Amersfoort")]


@pytest.fixture
def other_location(other_organization):
    return make_location(other_organization, "X1", "Zwolle")


@pytest.fixture
def admin_user(organization, locations):
    return make_account(
        organization, "admin@test.example", role=Role.ADMINISTRATOR, may_order=True, locations=locations, full_name="Anna Admin"
    )


@pytest.fixture
def employee(organization, locations):
    return make_account(organization, "employee@test.example", locations=locations[:1], full_name="Erik Employee")


@pytest.fixture
def other_admin(other_organization, other_location):
    return make_account(
        other_organization, "admin@other.example", role=Role.ADMINISTRATOR, locations=[other_location], full_name="Olga Other"
    )


# The models whose permissions the back office's migrations granted under "support", and
# the apps they belong to since that app was split.
SPLIT_FROM_SUPPORT = {"changerequest": "changes", "contactmessage": "contact", "faqtopic": "help", "faqquestion": "help"}


def staff_roles_granted():
    """The staff groups with their permissions, as the migrations made them: added again
    after a transactional test (a browser test) emptied the tables."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    import_module("portal.accounts.migrations.0002_staff_groups").create_groups(apps, None)
    first = import_module("portal.backoffice.migrations.0001_staff_permissions")
    second = import_module("portal.backoffice.migrations.0002_contact_and_faq_permissions")
    first.create_all_permissions(apps)
    grants = [
        (group, app_label, codename)
        for group, by_app in first.ROLES.items()
        for app_label, codenames in by_app.items()
        for codename in codenames
    ]
    grants += [(second.CUSTOMER_SERVICE, "support", codename) for codename in second.CODENAMES]
    for group_name, app_label, codename in grants:
        if app_label == "support":
            app_label = SPLIT_FROM_SUPPORT[codename.split("_", 1)[1]]
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


# The authenticator app of test accounts that log in with two-step login (staff always):
# the demo's, so that a browser test logs in as a demo account the same way.
TOTP_SECRET = DEMO_TOTP_SECRET


def totp_code(secret=TOTP_SECRET, at=None):
    """The code an authenticator app shows for ``secret`` (``bench.common.totp_code``)."""
    return bench_totp_code(secret, at)


def give_totp(user, secret=TOTP_SECRET):
    """Set up an authenticator app for ``user``, as its owner would."""
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret).instance


def make_staff(email, group_name, full_name):
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=group_name).first()
    if group is None or not group.permissions.exists():
        staff_roles_granted()
        group = Group.objects.get(name=group_name)
    user = User.objects.create_user(email, PASSWORD, full_name=full_name, is_staff=True)
    user.groups.add(group)
    give_totp(user)  # HartingBank's staff always log in with two-step login
    return user


@pytest.fixture
def staff_user(db):
    """Online customer service."""
    return make_staff("staff@hartingbank.example", CUSTOMER_SERVICE, "Sam Staff")


@pytest.fixture
def account_manager(db):
    return make_staff("accountmanager@hartingbank.example", ACCOUNT_MANAGER, "Alex Accountmanager")

"""Every Accountbeheer URL: the administrator gets the page, everyone else a 404, and
an administrator of another organization gets a 404 for every id of this one."""

import pytest
from django.urls import reverse

from portal.organizations.models import ImportBatch, PendingAccountChange, Role, Status

# (url name, method, the id it takes: None, "account", "batch" or "pending": a change of
# the account waiting for a second administrator, asked by an administrator of its
# organization, or by the account itself when there is none)
URLS = [
    ("accountbeheer:list", "get", None),
    ("accountbeheer:export", "get", None),
    ("accountbeheer:invite", "get", None),
    ("accountbeheer:bulk", "post", None),
    ("accountbeheer:activity", "get", None),
    ("accountbeheer:security", "get", None),
    ("accountbeheer:import_detail", "get", "batch"),
    ("accountbeheer:import_confirm", "post", "batch"),
    ("accountbeheer:import_cancel", "post", "batch"),
    ("accountbeheer:import", "get", None),
    ("accountbeheer:import_sample", "get", None),
    ("accountbeheer:activity_export", "get", None),
    ("accountbeheer:detail", "get", "account"),
    ("accountbeheer:change", "get", "account"),
    ("accountbeheer:deactivate", "get", "account"),
    ("accountbeheer:reactivate", "post", "account"),
    ("accountbeheer:delete", "get", "account"),
    ("accountbeheer:invitation_resend", "post", "account"),
    ("accountbeheer:invitation_withdraw", "post", "account"),
    ("accountbeheer:mfa_reset", "get", "account"),
    ("accountbeheer:inactivity", "get", None),
    ("accountbeheer:leave", "get", "account"),
    ("accountbeheer:handover", "get", "account"),
    ("accountbeheer:four_eyes", "get", None),
    ("accountbeheer:four_eyes_approve", "post", "pending"),
    ("accountbeheer:four_eyes_refuse", "post", "pending"),
    ("accountbeheer:four_eyes_withdraw", "post", "pending"),
]
WITH_ID = [u for u in URLS if u[2]]


def url_for(name, takes_id, account):
    """The URL, with the id of ``account``, of an import batch of its organization or of a
    change of ``account`` waiting for a second administrator."""
    if takes_id == "pending":
        membership = account.membership
        administrator = membership.organization.memberships.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
        pending = PendingAccountChange.objects.create(
            organization=membership.organization, membership=membership, version=membership.version,
            requested_by=administrator.user if administrator else account, values={"role": Role.ADMINISTRATOR},
        )  # fmt: skip
        return reverse(name, args=[pending.pk])
    if takes_id == "account":
        return reverse(name, args=[account.membership.pk])
    if takes_id == "batch":
        batch = ImportBatch.objects.create(organization=account.membership.organization, created_by=account, filename="a.csv")
        return reverse(name, args=[batch.pk])
    return reverse(name)


def test_every_accountbeheer_url_is_listed_here():
    from portal.organizations.urls import urlpatterns

    assert {f"accountbeheer:{p.name}" for p in urlpatterns} == {name for name, *_ in URLS}


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes_id", URLS)
class TestWhoReachesAccountbeheer:
    def test_administrator_reaches_it(self, client, admin_user, employee, name, method, takes_id):
        client.force_login(admin_user)
        response = getattr(client, method)(url_for(name, takes_id, employee))
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response.url.startswith("/inloggen/")

    def test_employee_gets_404(self, client, admin_user, employee, name, method, takes_id):
        client.force_login(employee)
        assert getattr(client, method)(url_for(name, takes_id, admin_user)).status_code == 404

    def test_staff_gets_404(self, client, staff_user, employee, name, method, takes_id):
        client.force_login(staff_user)
        assert getattr(client, method)(url_for(name, takes_id, employee)).status_code == 404

    def test_deactivated_until_reactivated_administrator_gets_404(
        self, client, admin_user, employee, organization, name, method, takes_id
    ):
        from conftest import make_account
        from portal.organizations.models import Role

        other = make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
        other.membership.status = Status.DEACTIVATED
        other.membership.save()
        client.force_login(other)  # a stale session of a deactivated administrator
        assert getattr(client, method)(url_for(name, takes_id, employee)).status_code in (302, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes_id", WITH_ID)
def test_other_organizations_administrator_gets_404_for_our_ids(client, other_admin, employee, name, method, takes_id):
    client.force_login(other_admin)
    assert getattr(client, method)(url_for(name, takes_id, employee)).status_code == 404


@pytest.mark.django_db
def test_bulk_never_touches_another_organization(client, other_admin, employee):
    client.force_login(other_admin)
    client.post(reverse("accountbeheer:bulk"), {"action": "deactivate", "ids": [employee.membership.pk]})
    employee.membership.refresh_from_db()
    assert employee.membership.status == Status.ACTIVE


@pytest.mark.django_db
def test_overview_and_export_show_only_own_organization(client, admin_user, employee, other_admin):
    client.force_login(admin_user)
    page = client.get(reverse("accountbeheer:list")).content.decode()
    export = b"".join(client.get(reverse("accountbeheer:export")).streaming_content).decode()
    for body in (page, export):
        assert "employee@test.example" in body
        assert "admin@other.example" not in body


@pytest.mark.django_db
def test_menu_shows_accountbeheer_to_administrators_only(client, admin_user, employee):
    client.force_login(admin_user)
    assert 'data-menu="accountbeheer"' in client.get("/").content.decode()
    client.force_login(employee)
    assert 'data-menu="accountbeheer"' not in client.get("/").content.decode()

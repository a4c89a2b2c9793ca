"""Location managers and approvers: who reaches which page of Accountbeheer with which
account, and the rules the services hold (a manager acts only within their locations,
never on an administrator, and grants nothing; only an administrator grants)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_account, make_location
from portal.core.models import AuditEvent
from portal.locations.models import LocationLink
from portal.organizations import services
from portal.organizations.models import Membership, Role, Status
from portal.organizations.services import AccountRuleError, Grants

from .test_access import URLS, WITH_ID, url_for

# What a location manager reaches, for the accounts they manage; the rest is the administrator's.
MANAGER_URLS = {
    "accountbeheer:list", "accountbeheer:invite", "accountbeheer:detail", "accountbeheer:change",
    "accountbeheer:deactivate", "accountbeheer:reactivate", "accountbeheer:invitation_resend",
    "accountbeheer:invitation_withdraw",
}  # fmt: skip


def grant(user, location, *, manages=False, approval_limit=None):
    """What an administrator grants, set directly (the service is tested below)."""
    LocationLink.objects.update_or_create(
        membership=user.membership, location=location, defaults={"manages": manages, "approval_limit": approval_limit}
    )
    Membership.objects.filter(pk=user.membership.pk).update(
        manages_locations=LocationLink.objects.filter(membership=user.membership, manages=True).exists(),
        approves_orders=LocationLink.objects.filter(membership=user.membership, approval_limit__isnull=False).exists(),
    )
    user.membership.refresh_from_db()
    return user


@pytest.fixture
def manager(organization, locations):
    """Manages Utrecht (locations[0]); works for nothing else."""
    user = make_account(organization, "manager@test.example", locations=[locations[0]], full_name="Mia Manager")
    return grant(user, locations[0], manages=True)


@pytest.fixture
def both(organization, locations):
    """Works for Utrecht and Amersfoort: outside a manager of Utrecht alone."""
    return make_account(organization, "both@test.example", locations=locations, full_name="Bo Beide")


class TestWhomAManagerManages:
    def test_employees_of_their_locations_only(self, manager, employee, both, admin_user, organization, locations):
        peer = grant(make_account(organization, "peer@test.example", locations=[locations[0]]), locations[0], manages=True)
        unlinked = make_account(organization, "unlinked@test.example")
        deleted = make_account(organization, "gone@test.example", locations=[locations[0]], status=Status.DELETED)
        managed = set(Membership.objects.manageable_by(manager).values_list("user__email", flat=True))
        assert managed == {employee.email}
        for outside in (manager, both, admin_user, peer, unlinked, deleted):
            assert outside.email not in managed

    def test_a_manager_deactivated_manages_nobody(self, manager, employee):
        Membership.objects.filter(pk=manager.membership.pk).update(status=Status.DEACTIVATED)
        manager.membership.refresh_from_db()
        assert not Membership.objects.manageable_by(manager).exists()

    def test_an_administrator_manages_every_account(self, admin_user, employee, both, manager):
        assert Membership.objects.manageable_by(admin_user).count() == 4

    def test_an_employee_manages_nobody(self, employee, both):
        assert not Membership.objects.manageable_by(employee).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes_id", URLS)
class TestWhatAManagerReaches:
    def test_the_accounts_they_manage(self, client, manager, employee, name, method, takes_id):
        client.force_login(manager)
        response = getattr(client, method)(url_for(name, takes_id, employee))
        assert response.status_code in ((200, 302) if name in MANAGER_URLS else (404,))

    def test_an_approver_is_no_manager(self, client, organization, locations, employee, name, method, takes_id):
        approver = grant(
            make_account(organization, "appr@test.example", locations=[locations[0]]), locations[0], approval_limit=500
        )
        client.force_login(approver)
        assert getattr(client, method)(url_for(name, takes_id, employee)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes_id", WITH_ID)
class TestAnAccountAManagerDoesNotManage:
    def test_not_an_account_also_of_another_location(self, client, manager, both, name, method, takes_id):
        client.force_login(manager)
        assert getattr(client, method)(url_for(name, takes_id, both)).status_code == 404

    def test_not_an_administrator(self, client, manager, admin_user, name, method, takes_id):
        client.force_login(manager)
        assert getattr(client, method)(url_for(name, takes_id, admin_user)).status_code == 404

    def test_not_another_organization(self, client, manager, other_admin, name, method, takes_id):
        client.force_login(manager)
        assert getattr(client, method)(url_for(name, takes_id, other_admin)).status_code == 404


class TestTheManagersPages:
    def test_the_list_shows_only_the_managed_accounts_and_no_administrators_tools(self, client, manager, employee, both):
        client.force_login(manager)
        page = client.get(reverse("accountbeheer:list")).content.decode()
        assert employee.email in page and both.email not in page and manager.email not in page
        assert reverse("accountbeheer:export") not in page and reverse("accountbeheer:bulk") not in page
        assert reverse("accountbeheer:import") not in page and reverse("accountbeheer:security") not in page

    @pytest.mark.parametrize(
        "filters, stored",
        [({"role": "employee"}, "active"), ({"status": "deactivated"}, "deactivated"), ({"status": "expired"}, "invited")],
    )
    def test_a_filter_read_from_its_index_still_shows_only_the_managed_accounts(
        self, client, manager, employee, both, admin_user, filters, stored
    ):
        """The few ids a filter's index holds are the whole organization's (narrowed_ids):
        the list still keeps to the accounts the manager manages."""
        Membership.objects.filter(user__in=[employee, both, admin_user]).update(status=stored)
        client.force_login(manager)
        rows = client.get(reverse("accountbeheer:list"), filters).context["page"].rows
        assert [row["user__email"] for row in rows] == [employee.email]

    def test_the_form_offers_only_their_locations_and_no_role(self, client, manager, employee, locations):
        client.force_login(manager)
        page = client.get(reverse("accountbeheer:invite")).content.decode()
        assert 'name="role"' not in page and 'name="manages"' not in page and 'name="approval_limit"' not in page
        assert f'value="{locations[0].pk}"' in page and f'value="{locations[1].pk}"' not in page

    def test_a_manager_invites_for_their_location(
        self, client, manager, locations, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.force_login(manager)
        data = {"full_name": "Nina Nieuw", "email": "nina@test.example", "may_use_portal": "on", "locations": [locations[0].pk]}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accountbeheer:invite"), data)
        assert response.status_code == 302
        membership = Membership.objects.get(user__email="nina@test.example")
        assert membership.role == Role.EMPLOYEE and list(membership.location_links.values_list("location", flat=True)) == [
            locations[0].pk
        ]
        assert [m.to for m in mailoutbox] == [["nina@test.example"]]

    def test_a_forged_location_keeps_what_was_typed(self, client, manager, locations):
        client.force_login(manager)
        data = {"full_name": "Nina Nieuw", "email": "nina@test.example", "may_use_portal": "on", "locations": [locations[1].pk]}
        response = client.post(reverse("accountbeheer:invite"), data)
        assert response.status_code == 200 and "Nina Nieuw" in response.content.decode()
        assert not Membership.objects.filter(user__email="nina@test.example").exists()

    def test_a_manager_changes_rights_and_deactivates(self, client, manager, employee, locations):
        grant(manager, locations[0], manages=True, approval_limit=Decimal("200"))  # a limit up to this amount
        client.force_login(manager)
        membership = employee.membership
        data = {
            "full_name": employee.full_name, "email": employee.email, "may_use_portal": "on", "may_order": "on",
            "order_limit": "150", "locations": [locations[0].pk], "version": membership.version,
        }  # fmt: skip
        assert client.post(reverse("accountbeheer:change", args=[membership.pk]), data).status_code == 302
        membership.refresh_from_db()
        assert membership.may_order and membership.order_limit == Decimal("150")
        assert client.post(reverse("accountbeheer:deactivate", args=[membership.pk]), {}).status_code == 302
        membership.refresh_from_db()
        assert membership.status == Status.DEACTIVATED
        assert AuditEvent.objects.filter(action="account_deactivated", actor=manager).exists()


class TestTheRules:
    def test_a_manager_makes_nobody_an_administrator(self, manager, organization, locations):
        with pytest.raises(AccountRuleError) as error:
            services.account_invite(
                actor=manager, organization=organization, email="x@test.example", full_name="X",
                role=Role.ADMINISTRATOR, locations=[locations[0]],
            )  # fmt: skip
        assert error.value.code == "manager_role"

    @pytest.mark.parametrize("which", [[], [1], [0, 1]])
    def test_a_manager_invites_only_for_their_locations(self, manager, organization, locations, which):
        with pytest.raises(AccountRuleError) as error:
            services.account_invite(
                actor=manager, organization=organization, email="x@test.example", full_name="X",
                locations=[locations[i] for i in which],
            )  # fmt: skip
        assert error.value.code == "manager_locations"
        assert not Membership.objects.filter(user__email="x@test.example").exists()

    def test_a_manager_grants_nothing(self, manager, organization, locations):
        with pytest.raises(AccountRuleError) as error:
            services.account_invite(
                actor=manager, organization=organization, email="x@test.example", full_name="X",
                locations=[locations[0]], grants=Grants(manages=frozenset({locations[0].pk})),
            )  # fmt: skip
        assert error.value.code == "manager_grants"

    def test_a_manager_cannot_move_an_account_outside_their_locations(self, manager, employee, locations):
        membership = employee.membership
        with pytest.raises(AccountRuleError) as error:
            services.account_update(
                actor=manager, membership=membership, expected_version=membership.version,
                data={"role": Role.EMPLOYEE}, locations=[locations[0], locations[1]],
            )  # fmt: skip
        assert error.value.code == "manager_locations"
        assert list(membership.location_links.values_list("location", flat=True)) == [locations[0].pk]

    def test_a_manager_cannot_touch_an_account_they_do_not_manage(self, manager, both, admin_user):
        for outside in (both, admin_user):
            with pytest.raises(AccountRuleError) as error:
                services.account_deactivate(actor=manager, membership=outside.membership)
            assert error.value.code == "not_allowed"
            with pytest.raises(AccountRuleError):
                services.account_update(
                    actor=manager, membership=outside.membership, expected_version=outside.membership.version,
                    data={"job_title": "Anders"}, locations=[],
                )  # fmt: skip
        assert Membership.objects.get(pk=admin_user.membership.pk).status == Status.ACTIVE

    @pytest.mark.parametrize(
        "before, after, allowed",
        [
            ((False, None), (True, None), False),  # no limit: never
            ((False, None), (True, Decimal("0")), True),  # every order waits
            ((False, None), (True, Decimal("200")), True),  # up to their own approval amount
            ((False, None), (True, Decimal("200.01")), False),
            ((True, Decimal("900")), (True, Decimal("900")), True),  # an administrator's limit, left as it was
            ((True, Decimal("900")), (True, Decimal("500")), True),  # lowered
            ((True, Decimal("900")), (True, Decimal("901")), False),
            ((True, None), (True, None), True),  # no limit an administrator gave, left as it was
            ((True, None), (True, Decimal("5000")), True),  # a limit where there was none: lower
        ],
    )
    def test_a_manager_lets_nobody_order_more_than_they_approve(self, manager, employee, locations, before, after, allowed):
        grant(manager, locations[0], manages=True, approval_limit=Decimal("200"))
        membership = employee.membership
        Membership.objects.filter(pk=membership.pk).update(may_order=before[0], order_limit=before[1])
        membership.refresh_from_db()
        update = lambda: services.account_update(  # noqa: E731
            actor=manager, membership=membership, expected_version=membership.version,
            data={"may_order": after[0], "order_limit": after[1]}, locations=[locations[0]],
        )  # fmt: skip
        if allowed:
            update()
        else:
            with pytest.raises(AccountRuleError) as error:
                update()
            assert error.value.code == "manager_order_limit"

    def test_a_manager_invites_an_orderer_within_their_amount_only(self, manager, organization, locations):
        with pytest.raises(AccountRuleError) as error:
            services.account_invite(
                actor=manager, organization=organization, email="x@test.example", full_name="X",
                may_order=True, order_limit=None, locations=[locations[0]],
            )  # fmt: skip
        assert error.value.code == "manager_order_limit"
        services.account_invite(
            actor=manager, organization=organization, email="x@test.example", full_name="X",
            may_order=True, order_limit=Decimal("0"), locations=[locations[0]],
        )  # fmt: skip

    def test_an_approver_is_not_a_managers_to_manage(self, manager, organization, locations):
        approver = grant(
            make_account(organization, "appr@test.example", locations=[locations[0]]), locations[0], approval_limit=5000
        )
        assert not Membership.objects.manageable_by(manager).filter(pk=approver.membership.pk).exists()
        with pytest.raises(AccountRuleError):  # (an invited approver's address would be a takeover)
            services.account_update(
                actor=manager, membership=approver.membership, expected_version=approver.membership.version,
                data={"email": "mine@test.example"}, locations=[locations[0]],
            )  # fmt: skip

    def test_a_leaver_is_not_reactivated_until_the_date_is_cleared(self, admin_user, employee):
        from datetime import timedelta

        from django.utils import timezone

        services.account_deactivate(actor=admin_user, membership=employee.membership)
        Membership.objects.filter(pk=employee.membership.pk).update(leaves_on=timezone.localdate() - timedelta(days=1))
        employee.membership.refresh_from_db()
        with pytest.raises(AccountRuleError) as error:
            services.account_reactivate(actor=admin_user, membership=employee.membership)
        assert error.value.code == "left"

    def test_a_manager_never_deletes(self, manager, employee):
        with pytest.raises(AccountRuleError):
            services.account_delete(actor=manager, membership=employee.membership)

    def test_an_administrator_grants_for_linked_locations_audited(self, admin_user, employee, locations):
        membership = employee.membership
        grants = Grants(
            manages=frozenset({locations[0].pk}), approves=frozenset({locations[0].pk}), approval_limit=Decimal("250")
        )
        changes = services.account_update(
            actor=admin_user, membership=membership, expected_version=membership.version, data={},
            locations=[locations[0]], grants=grants,
        )  # fmt: skip
        membership.refresh_from_db()
        assert membership.manages_locations and membership.approves_orders
        assert Grants.of(membership) == grants
        assert changes["managed_locations"] == [[], ["Utrecht"]] and changes["approval_limit"] == [None, "250.00"]
        assert AuditEvent.objects.get(action="account_updated").readable_changes()["approved_locations"] == [[], ["Utrecht"]]
        # Unlinking the location takes the grants along.
        services.account_update(
            actor=admin_user, membership=membership, expected_version=membership.version, data={}, locations=[locations[1]]
        )
        membership.refresh_from_db()
        assert not membership.manages_locations and not membership.approves_orders and Grants.of(membership) == Grants()

    @pytest.mark.parametrize(
        "role, grants, code",
        [
            (Role.EMPLOYEE, Grants(manages=frozenset({"second"})), "grant_unlinked"),
            (Role.EMPLOYEE, Grants(approves=frozenset({"first"})), "approval_limit_required"),
            (Role.ADMINISTRATOR, Grants(manages=frozenset({"first"})), "grants_for_administrator"),
        ],
    )
    def test_what_an_administrator_cannot_grant(self, admin_user, employee, locations, role, grants, code):
        ids = {"first": locations[0].pk, "second": locations[1].pk}
        grants = Grants(
            frozenset(ids[x] for x in grants.manages), frozenset(ids[x] for x in grants.approves), grants.approval_limit
        )
        membership = employee.membership
        with pytest.raises(AccountRuleError) as error:
            services.account_update(
                actor=admin_user, membership=membership, expected_version=membership.version, data={"role": role},
                locations=[locations[0]], grants=grants,
            )  # fmt: skip
        assert error.value.code == code
        membership.refresh_from_db()
        assert membership.role == Role.EMPLOYEE and not membership.manages_locations

    def test_promoting_to_administrator_drops_the_grants(self, admin_user, manager, locations):
        membership = manager.membership
        services.account_update(
            actor=admin_user, membership=membership, expected_version=membership.version,
            data={"role": Role.ADMINISTRATOR}, locations=[locations[0]],
        )  # fmt: skip
        membership.refresh_from_db()
        assert membership.is_administrator and not membership.manages_locations

    def test_the_administrators_form_grants(self, client, admin_user, employee, locations):
        client.force_login(admin_user)
        membership = employee.membership
        data = {
            "full_name": employee.full_name, "email": employee.email, "role": Role.EMPLOYEE, "may_use_portal": "on",
            "locations": [locations[0].pk], "version": membership.version, "approves": [locations[1].pk],
            "approval_limit": "300",
        }  # fmt: skip
        response = client.post(reverse("accountbeheer:change", args=[membership.pk]), data)
        assert response.status_code == 200 and "gekoppeld" in response.content.decode()  # Amersfoort is not linked
        data["approves"] = [locations[0].pk]
        data["manages"] = [locations[0].pk]
        assert client.post(reverse("accountbeheer:change", args=[membership.pk]), data).status_code == 302
        membership.refresh_from_db()
        assert membership.manages_locations and membership.approves_orders
        page = client.get(reverse("accountbeheer:detail", args=[membership.pk])).content.decode()
        assert "Locatiebeheerder van" in page and "€\xa0300,00" in page


def test_another_organizations_manager_reaches_nothing_here(client, other_organization, employee):
    far = make_location(other_organization, "X9", "Verweg")
    outsider = grant(make_account(other_organization, "far@other.example", locations=[far]), far, manages=True)
    client.force_login(outsider)
    assert client.get(reverse("accountbeheer:detail", args=[employee.membership.pk])).status_code == 404
    assert employee.email not in client.get(reverse("accountbeheer:list")).content.decode()

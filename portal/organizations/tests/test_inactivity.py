"""Unused accounts and leavers: the setting, the leave date, the handover page, and the
two daily jobs on frozen days (warned once, deactivated on the date named, administrators
never deactivated as unused, the last administrator kept), with their audit events."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.core.management import call_command
from django.urls import reverse

from conftest import make_account
from portal.core.models import AuditEvent
from portal.organizations.models import Membership, Role, Status
from portal.organizations.services.dormancy import process_dormant_accounts
from portal.organizations.services.leavers import process_leavers

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY_ONE = datetime(2026, 3, 2, 2, 0, tzinfo=AMSTERDAM)  # the job's first run, at night


def form_codes(response, field=None):
    errors = response.context["form"].errors.as_data()
    keys = [field] if field else list(errors)
    return {e.code for key in keys for e in errors.get(key, [])}


def last_login(user, moment):
    type(user).objects.filter(pk=user.pk).update(last_login=moment)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a job as the worker does: its mails go out when each account's transaction commits."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def mails_to(mailoutbox, address):
    return [m for m in mailoutbox if address in m.to]


# --- the setting -----------------------------------------------------------------------------


@pytest.mark.django_db
class TestSetting:
    def test_administrator_turns_it_on_audited(self, client, admin_user, organization):
        client.force_login(admin_user)
        response = client.post(reverse("accountbeheer:inactivity"), {"days": "90", "grace_days": "14"})
        assert response.status_code == 302
        organization.refresh_from_db()
        assert (organization.dormancy_days, organization.dormancy_grace_days) == (90, 14)
        event = AuditEvent.objects.get(action="dormancy_settings_changed")
        assert event.organization == organization and event.actor == admin_user
        assert event.changes == {"dormancy_days": [None, 90], "dormancy_grace_days": [30, 14]}
        page = client.get(reverse("accountbeheer:inactivity")).content.decode()
        assert "90 dagen niet heeft ingelogd" in page

    def test_a_value_not_offered_is_refused_and_kept(self, client, admin_user, organization):
        client.force_login(admin_user)
        response = client.post(reverse("accountbeheer:inactivity"), {"days": "7", "grace_days": "30"})
        assert response.status_code == 200
        assert form_codes(response, "days") == {"invalid_choice"}
        assert response.context["form"]["grace_days"].value() == "30"
        organization.refresh_from_db()
        assert organization.dormancy_days is None

    def test_turning_it_off_withdraws_the_warnings(self, run, client, admin_user, employee, organization):
        organization.dormancy_days = 90
        organization.save()
        last_login(employee, DAY_ONE - timedelta(days=100))
        run(process_dormant_accounts, now=DAY_ONE)
        assert Membership.objects.get(user=employee).dormancy_deadline is not None
        client.force_login(admin_user)
        client.post(reverse("accountbeheer:inactivity"), {"days": "", "grace_days": "30"})
        membership = Membership.objects.get(user=employee)
        assert membership.dormancy_warned_at is None and membership.dormancy_deadline is None
        with time_machine.travel(DAY_ONE + timedelta(days=40)):
            assert run(process_dormant_accounts, now=DAY_ONE + timedelta(days=40)) == (0, 0)
        assert Membership.objects.get(user=employee).status == Status.ACTIVE


# --- the dormancy job -------------------------------------------------------------------------


@pytest.fixture
def dormancy_on(organization):
    organization.dormancy_days = 90
    organization.dormancy_grace_days = 30
    organization.save()
    return organization


@pytest.mark.django_db
class TestDormancyJob:
    def test_warns_once_then_deactivates_the_employee_on_the_date_named(
        self, run, client, dormancy_on, admin_user, employee, mailoutbox
    ):
        last_login(employee, DAY_ONE - timedelta(days=91))
        last_login(admin_user, DAY_ONE - timedelta(days=1))
        assert run(process_dormant_accounts, now=DAY_ONE) == (1, 0)
        assert run(process_dormant_accounts, now=DAY_ONE + timedelta(hours=12)) == (0, 0)  # twice a day: one mail
        warnings = mails_to(mailoutbox, "employee@test.example")
        assert len(warnings) == 1
        assert "1 april 2026" in warnings[0].subject and "1 april 2026" in warnings[0].body
        membership = Membership.objects.get(user=employee)
        assert membership.dormancy_deadline == date(2026, 4, 1) and membership.is_flagged_dormant
        event = AuditEvent.objects.get(action="account_dormancy_warned", target_user=employee)
        assert event.changes == {"inactive_since": "2025-12-01", "deactivation_date": "2026-04-01"}

        client.force_login(admin_user)
        assert "Niet gebruikt" in client.get(reverse("accountbeheer:list")).content.decode()
        assert "1 april 2026" in client.get(reverse("accountbeheer:detail", args=[membership.pk])).content.decode()
        assert "Erik Employee" in client.get(reverse("accountbeheer:inactivity")).content.decode()

        UserSession.objects.filter(user=employee).delete()
        client.force_login(employee)
        last_login(employee, DAY_ONE - timedelta(days=91))  # the login above is not the one we test
        assert run(process_dormant_accounts, now=datetime(2026, 3, 31, 2, 0, tzinfo=AMSTERDAM)) == (0, 0)  # a day early
        with time_machine.travel(datetime(2026, 4, 1, 2, 0, tzinfo=AMSTERDAM)):
            run(call_command, "process_dormant_accounts")
        membership.refresh_from_db()
        assert membership.status == Status.DEACTIVATED and membership.deactivated_until is None
        assert membership.dormancy_warned_at is None
        assert not UserSession.objects.filter(user=employee).exists()  # its sessions ended
        event = AuditEvent.objects.get(action="account_deactivated", target_user=employee)
        assert (
            event.actor is None and event.changes["status"] == [Status.ACTIVE, Status.DEACTIVATED] and "reason" in event.changes
        )
        assert len(mails_to(mailoutbox, "employee@test.example")) == 2  # the warning, then the deactivation

    def test_a_login_after_the_warning_keeps_the_account(self, run, dormancy_on, admin_user, employee, mailoutbox):
        last_login(employee, DAY_ONE - timedelta(days=91))
        run(process_dormant_accounts, now=DAY_ONE)
        last_login(employee, DAY_ONE + timedelta(days=3))
        assert not Membership.objects.select_related("user").get(user=employee).is_flagged_dormant
        assert run(process_dormant_accounts, now=DAY_ONE + timedelta(days=31)) == (0, 0)
        membership = Membership.objects.get(user=employee)
        assert membership.status == Status.ACTIVE and membership.dormancy_warned_at is None

    def test_an_administrator_is_flagged_and_never_deactivated(self, run, dormancy_on, admin_user, mailoutbox):
        other = make_account(dormancy_on, "admin2@test.example", role=Role.ADMINISTRATOR)
        last_login(other, DAY_ONE)
        last_login(admin_user, DAY_ONE - timedelta(days=200))
        assert run(process_dormant_accounts, now=DAY_ONE) == (1, 0)
        (warning,) = mails_to(mailoutbox, "admin@test.example")
        assert "niet gedeactiveerd" in warning.body
        for days in (31, 120, 400):
            run(process_dormant_accounts, now=DAY_ONE + timedelta(days=days))
        membership = Membership.objects.select_related("user").get(user=admin_user)
        assert membership.status == Status.ACTIVE and membership.dormancy_deadline is None
        assert membership.is_flagged_dormant
        assert len(mails_to(mailoutbox, "admin@test.example")) == 1

    def test_who_is_not_counted(self, run, dormancy_on, other_organization, admin_user, mailoutbox):
        old = DAY_ONE - timedelta(days=400)
        last_login(admin_user, DAY_ONE)
        invited = make_account(dormancy_on, "invited@test.example", status=Status.INVITED)
        no_rights = make_account(dormancy_on, "norights@test.example", may_use_portal=False)
        elsewhere = make_account(other_organization, "other@other.example")  # rule off there
        for user in (invited, no_rights, elsewhere):
            Membership.objects.filter(user=user).update(created_at=old)
        never = make_account(dormancy_on, "never@test.example")  # never logged in, created long ago
        Membership.objects.filter(user=never).update(created_at=old)
        assert run(process_dormant_accounts, now=DAY_ONE) == (1, 0)
        assert [m.to for m in mailoutbox] == [["never@test.example"]]
        dormancy_on.portal_access = False
        dormancy_on.save()
        assert run(process_dormant_accounts, now=DAY_ONE + timedelta(days=31)) == (0, 0)  # no access: no one can log in
        assert Membership.objects.get(user=never).status == Status.ACTIVE


# --- the leave date ---------------------------------------------------------------------------


@pytest.mark.django_db
class TestLeaveDate:
    def test_administrator_sets_and_clears_it_audited(self, client, admin_user, employee):
        client.force_login(admin_user)
        pk = employee.membership.pk
        leaves_on = date.today() + timedelta(days=20)
        response = client.post(reverse("accountbeheer:leave", args=[pk]), {"leaves_on": leaves_on.isoformat()})
        assert response.status_code == 302
        assert Membership.objects.get(pk=pk).leaves_on == leaves_on
        event = AuditEvent.objects.get(action="account_leave_date_set")
        assert event.actor == admin_user and event.changes == {"leaves_on": [None, leaves_on.isoformat()]}
        page = client.get(reverse("accountbeheer:detail", args=[pk])).content.decode()
        assert "Uit dienst per" in page and reverse("accountbeheer:handover", args=[pk]) in page
        client.post(reverse("accountbeheer:leave", args=[pk]), {"clear": "1"})
        assert Membership.objects.get(pk=pk).leaves_on is None
        assert AuditEvent.objects.get(action="account_leave_date_cleared").changes == {"leaves_on": [leaves_on.isoformat(), None]}

    def test_a_past_date_is_refused_and_kept(self, client, admin_user, employee):
        client.force_login(admin_user)
        response = client.post(reverse("accountbeheer:leave", args=[employee.membership.pk]), {"leaves_on": "2020-01-31"})
        assert response.status_code == 200
        assert form_codes(response, "leaves_on") == {"leave_date_past"}
        assert 'value="2020-01-31"' in response.content.decode()
        assert Membership.objects.get(user=employee).leaves_on is None

    def test_not_for_ones_own_account_nor_an_invitation(self, client, admin_user, organization):
        client.force_login(admin_user)
        tomorrow = (date.today() + timedelta(days=1)).isoformat()
        client.post(reverse("accountbeheer:leave", args=[admin_user.membership.pk]), {"leaves_on": tomorrow})
        invited = make_account(organization, "invited@test.example", status=Status.INVITED)
        client.post(reverse("accountbeheer:leave", args=[invited.membership.pk]), {"leaves_on": tomorrow})
        assert not Membership.objects.filter(leaves_on__isnull=False).exists()
        assert not AuditEvent.objects.filter(action="account_leave_date_set").exists()


# --- the leavers job --------------------------------------------------------------------------


@pytest.mark.django_db
class TestLeaversJob:
    def test_deactivates_on_the_date_and_mails_the_administrators_once(self, run, client, admin_user, employee, mailoutbox):
        Membership.objects.filter(user=employee).update(leaves_on=date(2026, 3, 2))
        client.force_login(employee)
        assert run(process_leavers, today=date(2026, 3, 1)) == (0, 0)
        with time_machine.travel(DAY_ONE):
            run(call_command, "process_leavers")
            assert run(process_leavers) == (0, 0)  # run again the same day: nothing more
        membership = Membership.objects.get(user=employee)
        assert membership.status == Status.DEACTIVATED and membership.left_at is not None
        assert not UserSession.objects.filter(user=employee).exists()
        event = AuditEvent.objects.get(action="account_deactivated", target_user=employee)
        assert (
            event.actor is None and event.changes["status"] == [Status.ACTIVE, Status.DEACTIVATED] and "reason" in event.changes
        )
        (mail,) = mailoutbox
        assert mail.to == ["admin@test.example"]
        assert reverse("accountbeheer:handover", args=[membership.pk]) in mail.body
        client.force_login(admin_user)
        with time_machine.travel(DAY_ONE + timedelta(days=1)):  # the list's notice: left in the last 30 days
            page = client.get(reverse("accountbeheer:list")).content.decode()
        assert "Over te dragen" in page and reverse("accountbeheer:handover", args=[membership.pk]) in page
        # Reactivated by an administrator, the leaver stays active: the date was processed.
        Membership.objects.filter(pk=membership.pk).update(status=Status.ACTIVE)
        assert run(process_leavers, today=date(2026, 3, 5)) == (0, 0)

    def test_the_last_administrator_is_kept_and_told_once(
        self, run, admin_user, employee, organization, account_manager, mailoutbox
    ):
        organization.account_manager = account_manager
        organization.save()
        Membership.objects.filter(user=admin_user).update(leaves_on=date(2026, 3, 2))
        assert run(process_leavers, today=date(2026, 3, 2)) == (0, 1)
        assert run(process_leavers, today=date(2026, 3, 3)) == (0, 1)
        membership = Membership.objects.get(user=admin_user)
        assert membership.status == Status.ACTIVE and membership.leave_blocked_at is not None
        assert sorted(m.to[0] for m in mailoutbox) == ["accountmanager@hartingbank.example", "admin@test.example"]
        assert AuditEvent.objects.filter(action="account_leave_blocked", target_user=admin_user).count() == 1
        # Once someone else is administrator, the next run deactivates the leaver.
        make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
        assert run(process_leavers, today=date(2026, 3, 4)) == (1, 0)
        assert Membership.objects.get(user=admin_user).status == Status.DEACTIVATED
        assert mails_to(mailoutbox, "admin2@test.example")

    def test_a_leaver_deactivated_already_stays_so_and_is_handed_over(self, run, admin_user, employee, mailoutbox):
        Membership.objects.filter(user=employee).update(
            leaves_on=date(2026, 3, 2), status=Status.DEACTIVATED, deactivated_until=date(2099, 4, 1)
        )
        assert run(process_leavers, today=date(2026, 3, 2)) == (1, 0)
        assert run(process_leavers, today=date(2026, 3, 3)) == (0, 0)
        membership = Membership.objects.get(user=employee)
        assert membership.status == Status.DEACTIVATED and membership.deactivated_until is None and membership.left_at
        assert AuditEvent.objects.filter(action="account_left", target_user=employee).count() == 1
        assert [m.to for m in mailoutbox] == [["admin@test.example"]]

    def test_the_handover_page_shows_what_is_left(self, client, admin_user, employee):
        client.force_login(admin_user)
        response = client.get(reverse("accountbeheer:handover", args=[employee.membership.pk]))
        assert response.status_code == 200
        assert "Niets over te dragen" in response.content.decode()

"""Vier ogen: a promotion or a raised order limit waits for a second administrator, who
approves (applied with both names in the trail) or refuses it; the one who asked or any
administrator withdraws it; a change of the account meanwhile stops the approval; off, or
within the amount, a change takes effect at once. Who reaches the pages is in
test_access (every URL, wrong role and organization) and below for a location manager."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_account
from portal.core.models import AuditEvent
from portal.locations.models import Location
from portal.organizations import services
from portal.organizations.models import Membership, PendingAccountChange, Role, Status
from portal.organizations.services import FourEyesError

from .test_accountbeheer import change_data
from .test_location_roles import grant

Pending = PendingAccountChange.Status


@pytest.fixture
def second_admin(organization, locations):
    return make_account(organization, "bert@test.example", role=Role.ADMINISTRATOR, locations=locations, full_name="Bert Beheer")


@pytest.fixture
def four_eyes(admin_user, second_admin, organization):
    services.organization_four_eyes_set(actor=admin_user, organization=organization, on=True, amount=Decimal("500"))
    organization.refresh_from_db()
    return organization


def update(actor, account, **changes):
    """Accountbeheer's change of ``account`` by ``actor``: the stored values with ``changes``."""
    membership = Membership.objects.get(pk=account.membership.pk)
    user = membership.user
    data = {"full_name": user.full_name, "email": user.email, "phone": user.phone, "job_title": user.job_title}
    data |= {"role": membership.role, "may_use_portal": membership.may_use_portal}
    data |= {"may_order": membership.may_order, "order_limit": membership.order_limit, **changes}
    return services.account_update(
        actor=actor, membership=membership, expected_version=membership.version, data=data,
        locations=list(Location.objects.filter(links__membership=membership)),
    )  # fmt: skip


def fresh(account):
    return Membership.objects.get(pk=account.membership.pk)


class TestTheSetting:
    def test_needs_two_active_administrators(self, admin_user, organization):
        with pytest.raises(FourEyesError) as refused:
            services.organization_four_eyes_set(actor=admin_user, organization=organization, on=True, amount=Decimal("1"))
        assert refused.value.code == "four_eyes_one_administrator"
        organization.refresh_from_db()
        assert not organization.four_eyes

    def test_needs_an_amount(self, admin_user, second_admin, organization):
        with pytest.raises(FourEyesError) as refused:
            services.organization_four_eyes_set(actor=admin_user, organization=organization, on=True)
        assert refused.value.code == "four_eyes_amount_required"

    def test_only_an_administrator(self, employee, second_admin, admin_user, organization):
        with pytest.raises(FourEyesError) as refused:
            services.organization_four_eyes_set(actor=employee, organization=organization, on=True, amount=Decimal("1"))
        assert refused.value.code == "not_allowed"

    def test_on_and_off_are_audited_and_off_is_mailed_to_the_others(
        self, four_eyes, admin_user, second_admin, mailoutbox, django_capture_on_commit_callbacks
    ):
        assert AuditEvent.objects.filter(action="four_eyes_on", actor=admin_user).get().changes["four_eyes_amount"][1] == "500.00"
        with django_capture_on_commit_callbacks(execute=True):
            services.organization_four_eyes_set(actor=admin_user, organization=four_eyes, on=False)
        assert AuditEvent.objects.filter(action="four_eyes_off", actor=admin_user).exists()
        assert [mail.to for mail in mailoutbox] == [[second_admin.email]]
        assert "Vier ogen is uitgezet" in mailoutbox[0].subject


class TestAChangeWaits:
    def test_a_promotion_waits_and_the_rest_is_applied(
        self, four_eyes, admin_user, second_admin, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            changes = update(admin_user, employee, role=Role.ADMINISTRATOR, job_title="Bedrijfsleider")
        membership = fresh(employee)
        assert membership.role == Role.EMPLOYEE and membership.user.job_title == "Bedrijfsleider"
        pending = PendingAccountChange.objects.get()
        assert changes["four_eyes"] == pending.pk and "role" not in changes
        assert (pending.status, pending.requested_by, pending.values) == (Pending.PENDING, admin_user, {"role": "administrator"})
        assert pending.version == membership.version
        event = AuditEvent.objects.get(action="four_eyes_requested")
        assert event.actor == admin_user and event.changes["role"] == ["employee", "administrator"]
        assert [mail.to for mail in mailoutbox] == [[second_admin.email]]  # the other administrator, not the one asking
        assert "Erik Employee" in mailoutbox[0].subject and "Anna Admin" in mailoutbox[0].body

    def test_a_limit_raised_above_the_amount_waits(self, four_eyes, admin_user, employee):
        Membership.objects.filter(pk=employee.membership.pk).update(may_order=True, order_limit=Decimal("100"))
        update(admin_user, employee, order_limit=Decimal("750"))
        assert fresh(employee).order_limit == Decimal("100")
        assert PendingAccountChange.objects.get().values == {"may_order": True, "order_limit": "750.00"}

    @pytest.mark.parametrize(
        "before, after, waits",
        [
            ((True, "100"), (True, "500"), False),  # up to the amount: at once
            ((True, "100"), (True, "500.01"), True),
            ((True, "100"), (True, None), True),  # no limit is the highest
            ((True, "600"), (True, "700"), True),  # above the amount, and higher
            ((True, "700"), (True, "600"), False),  # lower
            ((True, None), (True, "900"), False),
            ((False, None), (True, None), True),  # the right to order without a limit
            ((False, None), (True, "200"), False),
            ((True, "900"), (False, None), False),
        ],
    )
    def test_which_limits_wait(self, four_eyes, admin_user, employee, before, after, waits):
        Membership.objects.filter(pk=employee.membership.pk).update(
            may_order=before[0], order_limit=None if before[1] is None else Decimal(before[1])
        )
        update(admin_user, employee, may_order=after[0], order_limit=None if after[1] is None else Decimal(after[1]))
        assert PendingAccountChange.objects.exists() == waits
        membership, now = fresh(employee), before if waits else after
        assert (membership.may_order, membership.order_limit) == (now[0], None if now[1] is None else Decimal(now[1]))

    def test_off_everything_at_once_as_before(self, admin_user, second_admin, employee):
        update(admin_user, employee, role=Role.ADMINISTRATOR)
        assert fresh(employee).role == Role.ADMINISTRATOR and not PendingAccountChange.objects.exists()

    def test_one_change_of_an_account_waits_at_a_time(self, four_eyes, admin_user, employee):
        update(admin_user, employee, role=Role.ADMINISTRATOR)
        with pytest.raises(FourEyesError) as refused:
            update(admin_user, employee, may_order=True, order_limit=None, job_title="Nieuw")
        assert refused.value.code == "four_eyes_pending_exists"
        assert fresh(employee).user.job_title == ""  # refused whole

    def test_without_a_second_active_administrator_refused_whole(self, four_eyes, admin_user, second_admin, employee):
        Membership.objects.filter(pk=second_admin.membership.pk).update(status=Status.DEACTIVATED)
        with pytest.raises(FourEyesError) as refused:
            update(admin_user, employee, role=Role.ADMINISTRATOR, job_title="Nieuw")
        assert refused.value.code == "four_eyes_no_second"
        membership = fresh(employee)
        assert membership.role == Role.EMPLOYEE and membership.user.job_title == ""
        assert not PendingAccountChange.objects.exists()

    def test_an_invitation_cannot_wait(self, four_eyes, admin_user, locations):
        for rights in ({"role": Role.ADMINISTRATOR}, {"may_order": True, "order_limit": Decimal("501")}, {"may_order": True}):
            with pytest.raises(FourEyesError) as refused:
                services.account_invite(
                    actor=admin_user, organization=four_eyes, email="new@test.example", full_name="Nieuw", **rights
                )
            assert refused.value.code == "four_eyes_invite" and "500,00" in refused.value.message
        services.account_invite(
            actor=admin_user, organization=four_eyes, email="new@test.example", full_name="Nieuw", may_order=True,
            order_limit=Decimal("500"),
        )  # fmt: skip

    def test_a_location_managers_raise_waits_for_an_administrator(self, four_eyes, admin_user, employee, locations):
        manager = grant(make_account(four_eyes, "mia@test.example", locations=[locations[0]]), locations[0], manages=True)
        update(manager, employee, may_order=True, order_limit=None)
        pending = PendingAccountChange.objects.get()
        assert pending.requested_by == manager and not fresh(employee).may_order
        services.four_eyes_approve(actor=admin_user, pending=pending)
        assert fresh(employee).may_order


class TestDeciding:
    @pytest.fixture
    def pending(self, four_eyes, admin_user, employee):
        update(admin_user, employee, role=Role.ADMINISTRATOR)
        return PendingAccountChange.objects.get()

    def test_another_administrator_approves_with_both_names_in_the_trail(
        self, pending, admin_user, second_admin, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.four_eyes_approve(actor=second_admin, pending=pending)
        assert fresh(employee).role == Role.ADMINISTRATOR
        pending.refresh_from_db()
        assert (pending.status, pending.decided_by) == (Pending.APPROVED, second_admin) and pending.decided_at
        requested = AuditEvent.objects.get(action="four_eyes_requested")
        approved = AuditEvent.objects.get(action="four_eyes_approved")
        updated = AuditEvent.objects.filter(action="account_updated", target_user=employee).latest("pk")
        assert (requested.actor, approved.actor, updated.actor) == (admin_user, second_admin, second_admin)
        assert requested.changes["four_eyes_request"] == approved.changes["four_eyes_request"] == pending.pk
        assert updated.changes["role"] == ["employee", "administrator"]
        assert [mail.to for mail in mailoutbox] == [[admin_user.email]] and "Goedgekeurd" in mailoutbox[0].subject

    def test_the_one_who_asked_neither_approves_nor_refuses(self, pending, admin_user, employee):
        for decide in (services.four_eyes_approve, services.four_eyes_refuse):
            with pytest.raises(FourEyesError) as refused:
                decide(actor=admin_user, pending=pending)
            assert refused.value.code == "four_eyes_own"
        pending.refresh_from_db()
        assert pending.status == Pending.PENDING and fresh(employee).role == Role.EMPLOYEE

    def test_not_an_employee_nor_customer_service(self, pending, employee, staff_user):
        for actor in (employee, staff_user):
            with pytest.raises(FourEyesError) as refused:
                services.four_eyes_approve(actor=actor, pending=pending)
            assert refused.value.code == "not_allowed"
            with pytest.raises(FourEyesError):
                services.four_eyes_withdraw(actor=actor, pending=pending)

    def test_refused_nothing_changes(self, pending, second_admin, employee):
        services.four_eyes_refuse(actor=second_admin, pending=pending)
        pending.refresh_from_db()
        assert pending.status == Pending.REFUSED and fresh(employee).role == Role.EMPLOYEE
        assert AuditEvent.objects.filter(action="four_eyes_refused", actor=second_admin).exists()
        with pytest.raises(FourEyesError) as refused:
            services.four_eyes_approve(actor=second_admin, pending=pending)
        assert refused.value.code == "four_eyes_closed"

    @pytest.mark.parametrize("by", ["admin_user", "second_admin"])
    def test_withdrawn_by_either(self, pending, employee, by, request):
        actor = request.getfixturevalue(by)
        services.four_eyes_withdraw(actor=actor, pending=pending)
        pending.refresh_from_db()
        assert (pending.status, pending.decided_by) == (Pending.WITHDRAWN, actor)
        assert fresh(employee).role == Role.EMPLOYEE
        assert AuditEvent.objects.filter(action="four_eyes_withdrawn", actor=actor).exists()
        update(actor, employee, role=Role.ADMINISTRATOR)  # a new one may be asked
        assert PendingAccountChange.objects.filter(status=Pending.PENDING).count() == 1

    def test_the_account_changed_meanwhile(self, pending, admin_user, second_admin, employee):
        update(admin_user, employee, job_title="Nieuw")
        with pytest.raises(FourEyesError) as refused:
            services.four_eyes_approve(actor=second_admin, pending=pending)
        assert refused.value.code == "four_eyes_stale"
        pending.refresh_from_db()
        assert pending.status == Pending.PENDING and pending.is_stale and fresh(employee).role == Role.EMPLOYEE


@pytest.mark.django_db
class TestThePages:
    def test_the_change_form_says_what_waits(self, client, four_eyes, admin_user, employee):
        client.force_login(admin_user)
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        response = client.post(url, change_data(employee, role="administrator", job_title="Chef"), follow=True)
        text = response.content.decode()
        assert "De andere wijzigingen zijn opgeslagen." in text and "wacht op" in text
        assert "Wacht op een tweede administrator" in text  # the notice on the account's page
        membership = fresh(employee)
        assert membership.role == Role.EMPLOYEE and membership.user.job_title == "Chef"

    def test_the_page_lists_what_waits_and_approving_applies_it(
        self, client, four_eyes, admin_user, second_admin, employee, django_assert_max_num_queries
    ):
        update(admin_user, employee, role=Role.ADMINISTRATOR)
        pending = PendingAccountChange.objects.get()
        client.force_login(second_admin)
        with django_assert_max_num_queries(12):
            text = client.get(reverse("accountbeheer:four_eyes")).content.decode()
        assert "Erik Employee" in text and "Anna Admin" in text and "Goedkeuren" in text
        response = client.post(reverse("accountbeheer:four_eyes_approve", args=[pending.pk]), follow=True)
        assert "is goedgekeurd" in response.content.decode()
        assert fresh(employee).role == Role.ADMINISTRATOR

    def test_the_one_who_asked_sees_no_approve_button_and_is_refused(self, client, four_eyes, admin_user, employee):
        update(admin_user, employee, role=Role.ADMINISTRATOR)
        pending = PendingAccountChange.objects.get()
        client.force_login(admin_user)
        assert "Goedkeuren</button>" not in client.get(reverse("accountbeheer:four_eyes")).content.decode()
        response = client.post(reverse("accountbeheer:four_eyes_approve", args=[pending.pk]), follow=True)
        assert "eigen aanvraag" in response.content.decode() and fresh(employee).role == Role.EMPLOYEE

    def test_the_setting_keeps_what_was_typed(self, client, admin_user, second_admin, organization):
        client.force_login(admin_user)
        response = client.post(reverse("accountbeheer:four_eyes"), {"on": "1", "amount": "abc"})
        assert response.status_code == 200 and 'value="abc"' in response.content.decode()
        response = client.post(reverse("accountbeheer:four_eyes"), {"on": "1", "amount": "1000,50"}, follow=True)
        organization.refresh_from_db()
        assert organization.four_eyes and organization.four_eyes_amount == Decimal("1000.50")
        assert "Vier ogen staat aan" in response.content.decode()

    def test_the_setting_refused_with_one_administrator(self, client, admin_user, organization):
        client.force_login(admin_user)
        response = client.post(reverse("accountbeheer:four_eyes"), {"on": "1", "amount": "500"})
        assert "ten minste twee actieve administrators" in response.content.decode()
        organization.refresh_from_db()
        assert not organization.four_eyes

    def test_a_location_manager_withdraws_their_own_from_the_account_page(self, client, four_eyes, employee, locations):
        manager = grant(make_account(four_eyes, "mia@test.example", locations=[locations[0]]), locations[0], manages=True)
        update(manager, employee, may_order=True, order_limit=None)
        pending = PendingAccountChange.objects.get()
        client.force_login(manager)
        assert "Intrekken" in client.get(reverse("accountbeheer:detail", args=[employee.membership.pk])).content.decode()
        assert client.get(reverse("accountbeheer:four_eyes")).status_code == 404
        assert client.post(reverse("accountbeheer:four_eyes_approve", args=[pending.pk])).status_code == 404
        response = client.post(reverse("accountbeheer:four_eyes_withdraw", args=[pending.pk]), {"from": "account"})
        assert response.status_code == 302
        pending.refresh_from_db()
        assert pending.status == Pending.WITHDRAWN


@pytest.mark.django_db
def test_the_administrator_a_change_is_about_does_not_approve_it(admin_user, second_admin, four_eyes, organization):
    """Asked by one administrator for another's own account (to order without a limit):
    that other administrator is no second pair of eyes for it; a third one is."""
    third = make_account(organization, "derde@test.example", role=Role.ADMINISTRATOR, full_name="Dirk Derde")
    update(admin_user, second_admin, may_order=True, order_limit=None)
    pending = PendingAccountChange.objects.get(status=Pending.PENDING)
    for decide in (services.four_eyes_approve, services.four_eyes_refuse):
        with pytest.raises(FourEyesError) as refused:
            decide(actor=second_admin, pending=pending)
        assert refused.value.code == "four_eyes_subject"
    services.four_eyes_approve(actor=third, pending=pending)
    assert fresh(second_admin).may_order and fresh(second_admin).order_limit is None


@pytest.mark.django_db
def test_a_waiting_promotion_keeps_what_the_account_manages_and_approves(
    admin_user, second_admin, four_eyes, employee, locations
):
    grant(employee, locations[0], manages=True, approval_limit=Decimal("100"))
    membership = fresh(employee)
    services.account_update(
        actor=admin_user, membership=membership, expected_version=membership.version, data={"role": Role.ADMINISTRATOR},
        locations=[locations[0]], grants=services.Grants(),
    )  # fmt: skip
    assert fresh(employee).role == Role.EMPLOYEE and fresh(employee).manages_locations and fresh(employee).approves_orders


@pytest.mark.django_db
class TestNobodyDecides:
    """A change nobody decides on: the administrators who can approve it are reminded
    once after FOUR_EYES_REMINDER_DAYS, and it expires after FOUR_EYES_EXPIRY_DAYS."""

    @pytest.fixture
    def pending(self, four_eyes, admin_user, employee, mailoutbox):
        update(admin_user, employee, role=Role.ADMINISTRATOR)
        mailoutbox.clear()
        return PendingAccountChange.objects.get()

    @pytest.fixture
    def run(self, django_capture_on_commit_callbacks):
        """The daily job at ``now``, its mails sent (they go after the commit)."""

        def run(now):
            with django_capture_on_commit_callbacks(execute=True):
                return services.process_four_eyes(now=now)

        return run

    def days_after(self, pending, days):
        return pending.requested_at + timedelta(days=days, minutes=1)

    def test_reminded_once_after_the_days_set(self, pending, second_admin, mailoutbox, settings, run):
        from django.core.management import call_command

        settings.FOUR_EYES_REMINDER_DAYS = 3
        assert run(self.days_after(pending, 2)) == "0 expired, 0 reminded"
        assert run(self.days_after(pending, 3)) == "0 expired, 1 reminded"
        assert [mail.to for mail in mailoutbox] == [[second_admin.email]]
        assert "Wacht nog steeds op jouw goedkeuring" in mailoutbox[0].subject
        expires = timezone.localtime(pending.expires_at).strftime("%-d")
        assert "Beslist niemand vóór " + expires in mailoutbox[0].body
        assert run(self.days_after(pending, 5)) == "0 expired, 0 reminded"  # once
        call_command("process_four_eyes", stdout=io.StringIO())  # the daily job's command: nothing more today
        assert len(mailoutbox) == 1
        pending.refresh_from_db()
        assert pending.status == Pending.PENDING and pending.reminded_at is not None

    def test_expires_nothing_changes_and_the_one_who_asked_is_told(
        self, pending, admin_user, second_admin, employee, mailoutbox, settings, run
    ):
        settings.FOUR_EYES_EXPIRY_DAYS = 14
        assert run(self.days_after(pending, 13)).startswith("0 expired")
        mailoutbox.clear()
        assert run(self.days_after(pending, 14)) == "1 expired, 0 reminded"
        pending.refresh_from_db()
        assert (pending.status, pending.decided_by) == (Pending.EXPIRED, None) and pending.decided_at
        assert fresh(employee).role == Role.EMPLOYEE
        event = AuditEvent.objects.get(action="four_eyes_expired")
        assert (event.actor, event.target_user, event.changes["four_eyes_request"]) == (None, employee, pending.pk)
        assert [mail.to for mail in mailoutbox] == [[admin_user.email]] and "Verlopen" in mailoutbox[0].subject
        with pytest.raises(FourEyesError) as refused:
            services.four_eyes_approve(actor=second_admin, pending=pending)
        assert refused.value.code == "four_eyes_closed"
        update(admin_user, employee, role=Role.ADMINISTRATOR)  # it may be asked again
        assert PendingAccountChange.objects.filter(status=Pending.PENDING).count() == 1

    def test_a_decided_change_neither_reminds_nor_expires(self, pending, second_admin, mailoutbox, run):
        services.four_eyes_refuse(actor=second_admin, pending=pending)
        mailoutbox.clear()
        assert run(self.days_after(pending, 30)) == "0 expired, 0 reminded"
        pending.refresh_from_db()
        assert pending.status == Pending.REFUSED and mailoutbox == []

    def test_the_page_says_when_it_expires_and_lists_it_expired(self, client, pending, second_admin, run):
        client.force_login(second_admin)
        page = client.get(reverse("accountbeheer:four_eyes")).content.decode()
        assert "Vervalt op " in page and "Beslist niemand binnen 14 dagen" in page
        run(self.days_after(pending, 30))
        page = client.get(reverse("accountbeheer:four_eyes")).content.decode()
        assert "Verlopen" in page and "niemand heeft op tijd beslist" in page

    def test_an_expired_change_without_a_decider_is_allowed_and_others_are_not(self, pending, admin_user):
        from django.db import IntegrityError, transaction

        with transaction.atomic(), pytest.raises(IntegrityError):
            PendingAccountChange.objects.filter(pk=pending.pk).update(status=Pending.REFUSED, decided_at=timezone.now())
        PendingAccountChange.objects.filter(pk=pending.pk).update(status=Pending.EXPIRED, decided_at=timezone.now())
        with transaction.atomic(), pytest.raises(IntegrityError):
            PendingAccountChange.objects.filter(pk=pending.pk).update(decided_by=admin_user)

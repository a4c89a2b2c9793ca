import re
from decimal import Decimal

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, make_account
from portal.accounts.models import User
from portal.core.models import AuditEvent
from portal.organizations import services
from portal.organizations.models import Invitation, Membership, Role, Status


def form_codes(response, field=None):
    errors = response.context["form"].errors.as_data()
    keys = [field] if field else list(errors)
    return {e.code for key in keys for e in errors.get(key, [])}


def invite_data(locations=(), **overrides):
    data = {
        "full_name": "Nina Nieuw",
        "email": "Nina@Test.example",
        "phone": "030 123 45 67",
        "job_title": "Verkoper",
        "role": Role.EMPLOYEE,
        "may_use_portal": "on",
        "locations": [loc.pk for loc in locations],
    }
    data.update(overrides)
    return data


def link_in(mail):
    return re.search(r"https?://[^/\s]+(/uitnodiging/\S+/)", mail.body).group(1)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def invite(admin_client, locations, django_capture_on_commit_callbacks):
    def do(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            data = invite_data(locations[:1])
            data.update(overrides)
            return admin_client.post(reverse("accountbeheer:invite"), data)

    return do


@pytest.mark.django_db
class TestInvite:
    def test_creates_an_invited_account_and_mails_a_link(self, invite, organization, locations, admin_user, mailoutbox):
        response = invite()
        membership = Membership.objects.get(user__email="nina@test.example")
        assert response.status_code == 302 and response.url == reverse("accountbeheer:detail", args=[membership.pk])
        assert membership.status == Status.INVITED and membership.organization == organization
        assert not membership.user.has_usable_password()
        assert list(membership.location_links.values_list("location", flat=True)) == [locations[0].pk]
        assert [m.to for m in mailoutbox] == [["nina@test.example"]]
        assert "/uitnodiging/" in mailoutbox[0].body
        # Names typed by an administrator stay out of a mail to an address typed by one.
        assert membership.user.full_name not in mailoutbox[0].body
        assert admin_user.full_name not in mailoutbox[0].body
        assert f"Een administrator van {organization.name} heeft een account" in mailoutbox[0].body
        event = AuditEvent.objects.get(action="account_invited")
        assert event.actor == admin_user and event.target_user == membership.user

    def test_an_address_in_use_is_refused_and_nothing_is_created(self, invite, employee, mailoutbox):
        before = User.objects.count()
        response = invite(email="EMPLOYEE@test.example")
        assert response.status_code == 200
        assert form_codes(response, "email") == {"email_in_use"}
        assert User.objects.count() == before and mailoutbox == []
        assert response.context["form"]["full_name"].value() == "Nina Nieuw"  # what was typed stays

    def test_half_filled_form_keeps_what_was_typed(self, invite):
        response = invite(email="", phone="06 1234 5678")
        assert "required" in form_codes(response, "email")
        assert response.context["form"]["phone"].value() == "06 1234 5678"
        assert not User.objects.filter(full_name="Nina Nieuw").exists()

    def test_another_organizations_location_cannot_be_linked(self, invite, other_location):
        response = invite(locations=[other_location.pk])
        assert "invalid_choice" in form_codes(response, "locations")
        assert not User.objects.filter(full_name="Nina Nieuw").exists()

    def test_an_account_needs_a_right(self, invite):
        response = invite(may_use_portal="")
        assert form_codes(response, "may_use_portal") == {"no_rights"}

    def test_the_number_of_accounts_is_unlimited(self, invite):
        for number in range(30):
            invite(email=f"medewerker{number}@test.example")
        assert Membership.objects.filter(status=Status.INVITED).count() == 30

    def test_a_failed_write_leaves_no_partial_record(self, admin_user, organization, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(services.invitations, "invitation_issue", broken)
        with pytest.raises(RuntimeError):
            services.account_invite(actor=admin_user, organization=organization, email="x@test.example", full_name="X")
        assert not User.objects.filter(email="x@test.example").exists()
        assert not AuditEvent.objects.filter(action="account_invited").exists()


@pytest.mark.django_db
class TestInvitationLink:
    def test_invitee_chooses_a_password_and_can_log_in(self, invite, mailoutbox):
        invite()
        link = link_in(mailoutbox[0])
        anonymous = Client()
        assert anonymous.get(link).status_code == 200
        response = anonymous.post(link, {"password1": "Groene-Appel-Utrecht", "password2": "Groene-Appel-Utrecht"})
        assert response.status_code == 302 and response.url == "/"  # logged in at once
        membership = Membership.objects.get(user__email="nina@test.example")
        assert membership.status == Status.ACTIVE
        assert anonymous.get("/").context["user"] == membership.user
        assert UserSession.objects.filter(user=membership.user).exists()  # remembered, like any login
        anonymous.post(reverse("account_logout"))
        login = anonymous.post(reverse("account_login"), {"login": "nina@test.example", "password": "Groene-Appel-Utrecht"})
        assert login.status_code == 302 and login.url == "/"

    def test_password_rules_apply(self, invite, mailoutbox):
        invite()
        response = Client().post(link_in(mailoutbox[0]), {"password1": "nina@test.example", "password2": "nina@test.example"})
        assert "password_too_similar" in form_codes(response, "password1")
        response = Client().post(link_in(mailoutbox[0]), {"password1": "Groene-Appel-1", "password2": "Groene-Appel-2"})
        assert "password_mismatch" in form_codes(response, "password2")

    def test_a_used_link_does_not_work_again(self, invite, mailoutbox):
        invite()
        link = link_in(mailoutbox[0])
        Client().post(link, {"password1": "Groene-Appel-Utrecht", "password2": "Groene-Appel-Utrecht"})
        response = Client().post(link, {"password1": "Iets-Heel-Anders-9", "password2": "Iets-Heel-Anders-9"})
        assert response.status_code == 410 and response.context["reason"] == "used"
        assert User.objects.get(email="nina@test.example").check_password("Groene-Appel-Utrecht")

    def test_link_expires_after_seven_days(self, invite, mailoutbox):
        invite()
        with time_machine.travel(timezone.now() + timezone.timedelta(days=7, hours=2)):
            response = Client().get(link_in(mailoutbox[0]))
        assert response.status_code == 410 and response.context["reason"] == "expired"

    def test_resend_makes_the_old_link_dead(self, invite, admin_client, mailoutbox, django_capture_on_commit_callbacks):
        invite()
        old = link_in(mailoutbox[0])
        membership = Membership.objects.get(user__email="nina@test.example")
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(reverse("accountbeheer:invitation_resend", args=[membership.pk]))
        new = link_in(mailoutbox[1])
        assert old != new
        assert Client().get(old).context["reason"] == "revoked"
        assert Client().get(new).status_code == 200

    def test_withdraw_kills_the_link_and_frees_the_address(self, invite, admin_client, mailoutbox):
        invite()
        membership = Membership.objects.get(user__email="nina@test.example")
        admin_client.post(reverse("accountbeheer:invitation_withdraw", args=[membership.pk]))
        assert Client().get(link_in(mailoutbox[0])).status_code == 410
        assert invite().status_code == 302  # the same address can be invited again

    def test_withdraw_asks_first(self, invite, admin_client, mailoutbox):
        invite()
        membership = Membership.objects.get(user__email="nina@test.example")
        url = reverse("accountbeheer:invitation_withdraw", args=[membership.pk])
        detail = admin_client.get(reverse("accountbeheer:detail", args=[membership.pk])).content.decode()
        assert f'href="{url}"' in detail  # a link to the question, not a button that acts at once
        page = admin_client.get(url)
        assert page.status_code == 200 and "intrekken?" in page.content.decode()
        membership.refresh_from_db()
        assert membership.status == Status.INVITED  # asking changed nothing
        assert Client().get(link_in(mailoutbox[0])).status_code == 200

    def test_withdraw_of_an_account_no_longer_invited_does_nothing(self, admin_client, employee):
        url = reverse("accountbeheer:invitation_withdraw", args=[employee.membership.pk])
        assert admin_client.get(url).url == reverse("accountbeheer:detail", args=[employee.membership.pk])

    def test_unknown_link(self, client, db):
        assert client.get("/uitnodiging/onzin/").status_code == 404

    def test_only_a_hash_of_the_token_is_stored(self, invite, mailoutbox):
        invite()
        token = link_in(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
        assert not Invitation.objects.filter(token_hash=token).exists()


def change_data(account, **overrides):
    membership = account.membership
    data = {
        "full_name": account.full_name,
        "email": account.email,
        "phone": account.phone,
        "job_title": account.job_title,
        "role": membership.role,
        "may_use_portal": "on" if membership.may_use_portal else "",
        "may_order": "on" if membership.may_order else "",
        "locations": list(membership.location_links.values_list("location", flat=True)),
        "version": membership.version,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.django_db
class TestChange:
    def test_change_is_saved_and_audited_with_old_and_new_values(self, admin_client, employee, locations):
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        response = admin_client.post(
            url, change_data(employee, job_title="Teamleider", may_order="on", locations=[locations[1].pk])
        )
        assert response.status_code == 302
        employee.refresh_from_db()
        assert employee.job_title == "Teamleider" and employee.membership.may_order
        changes = AuditEvent.objects.get(action="account_updated").readable_changes()
        assert changes["job_title"] == ["", "Teamleider"]
        assert changes["may_order"] == [False, True]
        assert changes["locations"] == [["Utrecht"], ["Amersfoort"]]

    def test_an_order_limit_is_set_audited_and_dropped_with_the_right_to_order(self, admin_client, employee):
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        admin_client.post(url, change_data(employee, may_order="on", order_limit="250,50"))
        employee.membership.refresh_from_db()
        assert employee.membership.order_limit == Decimal("250.50")
        assert AuditEvent.objects.get(action="account_updated").changes["order_limit"] == [None, "250.50"]
        response = admin_client.get(reverse("accountbeheer:detail", args=[employee.membership.pk]))
        assert "€\u00a0250,50" in response.content.decode()
        admin_client.post(url, change_data(employee, may_order="", order_limit="250,50"))
        employee.membership.refresh_from_db()
        assert employee.membership.order_limit is None  # a limit means nothing without the right

    @pytest.mark.parametrize("change", [{"order_limit": ""}, {"order_limit": "5000"}, {"may_order": ""}])
    def test_nobody_changes_their_own_order_limit(self, admin_client, admin_user, change):
        membership = admin_user.membership
        membership.order_limit = Decimal("100")
        membership.save(update_fields=["order_limit"])
        url = reverse("accountbeheer:change", args=[membership.pk])
        response = admin_client.post(url, change_data(admin_user, **{"may_order": "on", "order_limit": "100", **change}))
        assert form_codes(response) == {"own_order_limit"}
        membership.refresh_from_db()
        assert (membership.order_limit, membership.may_order) == (Decimal("100.00"), True)

    def test_own_account_saves_with_the_limit_unchanged(self, admin_client, admin_user):
        membership = admin_user.membership
        membership.order_limit = Decimal("100")
        membership.save(update_fields=["order_limit"])
        url = reverse("accountbeheer:change", args=[membership.pk])
        response = admin_client.post(
            url, change_data(admin_user, full_name="Anna A. Admin", may_order="on", order_limit="100,00")
        )
        assert response.status_code == 302
        admin_user.refresh_from_db()
        assert admin_user.full_name == "Anna A. Admin"

    def test_a_negative_order_limit_is_refused(self, admin_client, employee):
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        response = admin_client.post(url, change_data(employee, may_order="on", order_limit="-5"))
        assert form_codes(response, "order_limit") == {"min_value"}

    def test_second_of_two_concurrent_edits_is_refused_and_keeps_the_typing(self, client, admin_user, organization, employee):
        second_admin = make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
        first, second = Client(), Client()
        first.force_login(admin_user)
        second.force_login(second_admin)
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        stale = change_data(employee)  # both opened the form at the same version
        assert first.post(url, {**stale, "job_title": "Eerste"}).status_code == 302
        response = second.post(url, {**stale, "job_title": "Tweede"})
        assert response.status_code == 200
        assert form_codes(response) == {"concurrent_edit"}
        assert response.context["form"]["job_title"].value() == "Tweede"
        assert ("Functie", "Eerste") in response.context["current"]  # what is stored now
        employee.refresh_from_db()
        assert employee.job_title == "Eerste"
        form = response.context["form"]
        assert form.differing == ["job_title"]  # marked, with what is stored now
        assert form.fields["job_title"].help_text == "Nu opgeslagen: Eerste"
        assert "field--differs" in response.content.decode() and "Nu opgeslagen: Eerste" in response.content.decode()
        retry = {name: form[name].value() for name in form.fields}
        retry = {k: v for k, v in retry.items() if v not in (None, False, "")}
        # Pressing Opslaan again does not silently undo the other change ...
        again = second.post(url, retry)
        assert again.status_code == 200 and form_codes(again) == {"concurrent_edit"}
        employee.refresh_from_db()
        assert employee.job_title == "Eerste"
        # ... choosing to store these values over it does.
        assert second.post(url, {**retry, "overwrite": "on"}).status_code == 302
        employee.refresh_from_db()
        assert employee.job_title == "Tweede"

    def test_the_choice_to_overwrite_holds_only_for_the_version_seen(self, client, admin_user, organization, employee):
        second_admin = make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
        first, second = Client(), Client()
        first.force_login(admin_user)
        second.force_login(second_admin)
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        stale = change_data(employee)
        first.post(url, {**stale, "job_title": "Eerste"})
        form = second.post(url, {**stale, "job_title": "Tweede"}).context["form"]
        retry = {k: v for k, v in ((n, form[n].value()) for n in form.fields) if v not in (None, False, "")}
        first.post(url, {**change_data(Membership.objects.get(pk=employee.membership.pk).user), "job_title": "Derde"})
        response = second.post(url, {**retry, "overwrite": "on"})  # a third change came in meanwhile
        assert form_codes(response) == {"concurrent_edit"}
        employee.refresh_from_db()
        assert employee.job_title == "Derde"

    def test_the_overwrite_choice_is_not_on_the_normal_form(self, admin_client, employee):
        page = admin_client.get(reverse("accountbeheer:change", args=[employee.membership.pk]))
        assert "overwrite" not in page.context["form"].fields

    def test_new_address_takes_effect_when_its_owner_confirms(
        self, admin_client, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(url, change_data(employee, email="erik.nieuw@test.example"))
        employee.refresh_from_db()
        assert employee.email == "employee@test.example"  # not yet
        assert sorted(m.to[0] for m in mailoutbox) == ["employee@test.example", "erik.nieuw@test.example"]
        link = re.search(
            r"https?://[^/\s]+(/mijn-account/e-mailadres-bevestigen/\S+/)", mailoutbox[0].body + mailoutbox[1].body
        ).group(1)

        # The administrator cannot confirm it, nor can anyone not logged in as the owner.
        assert admin_client.get(link).status_code == 404
        assert Client().get(link).status_code == 302

        owner = Client()
        owner.post(reverse("account_login"), {"login": "employee@test.example", "password": PASSWORD})
        assert owner.get(link).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            owner.post(link)
        employee.refresh_from_db()
        assert employee.email == "erik.nieuw@test.example"
        told = sorted(m.to[0] for m in mailoutbox[2:])
        assert told == ["employee@test.example", "erik.nieuw@test.example"]  # both addresses told
        assert (
            Client().post(reverse("account_login"), {"login": "erik.nieuw@test.example", "password": PASSWORD}).status_code == 302
        )
        assert owner.get(link).status_code == 404  # used

    def test_an_administrator_cannot_take_over_an_account_through_its_address(
        self, admin_client, employee, mailoutbox, django_capture_on_commit_callbacks
    ):
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(url, change_data(employee, email="mine@admin.example"))
            Client().post("/wachtwoord-vergeten/", {"email": "mine@admin.example"})
        assert not any("/wachtwoord-vergeten/link/" in m.body for m in mailoutbox)
        employee.refresh_from_db()
        assert employee.check_password(PASSWORD)

    def test_email_of_another_account_of_the_organization_is_refused(self, admin_client, employee, admin_user):
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        response = admin_client.post(url, change_data(employee, email=admin_user.email))
        assert form_codes(response, "email") == {"email_in_use"}

    def test_a_right_taken_away_is_gone_at_the_next_request(self, admin_client, organization, employee):
        other_admin_here = make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
        session = Client()
        session.force_login(other_admin_here)
        assert session.get(reverse("accountbeheer:list")).status_code == 200
        url = reverse("accountbeheer:change", args=[other_admin_here.membership.pk])
        admin_client.post(url, change_data(other_admin_here, role=Role.EMPLOYEE))
        assert session.get(reverse("accountbeheer:list")).status_code == 404

    def test_the_last_administrator_cannot_be_made_an_employee(self, admin_client, admin_user, organization):
        helper = make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
        services.account_deactivate(actor=admin_user, membership=helper.membership)
        # admin_user is now the only active administrator; another admin cannot demote them either.
        with pytest.raises(services.AccountRuleError) as refused:
            services.account_update(
                actor=None, membership=admin_user.membership, expected_version=admin_user.membership.version,
                data={"role": Role.EMPLOYEE}, locations=[],
            )  # fmt: skip
        assert refused.value.code == "last_administrator"

    def test_nobody_demotes_themselves(self, admin_client, admin_user, organization):
        make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
        url = reverse("accountbeheer:change", args=[admin_user.membership.pk])
        response = admin_client.post(url, change_data(admin_user, role=Role.EMPLOYEE))
        assert form_codes(response) == {"self_action"}
        admin_user.membership.refresh_from_db()
        assert admin_user.membership.role == Role.ADMINISTRATOR


@pytest.mark.django_db
class TestDeactivateAndReactivate:
    def test_deactivation_ends_open_sessions_at_once_and_blocks_login(self, admin_client, employee):
        from django.contrib.sessions.models import Session

        session = Client()
        session.post(reverse("account_login"), {"login": employee.email, "password": PASSWORD})
        key = session.session.session_key
        assert session.get("/").status_code == 200
        response = admin_client.post(reverse("accountbeheer:deactivate", args=[employee.membership.pk]))
        assert response.status_code == 302
        assert not Session.objects.filter(session_key=key).exists()  # ended, not just refused
        assert session.get("/").status_code == 302
        login = Client().post(reverse("account_login"), {"login": employee.email, "password": PASSWORD})
        assert login.url == reverse("account_inactive")
        assert AuditEvent.objects.filter(action="account_deactivated", target_user=employee).exists()

    def test_data_and_history_stay_and_reactivation_restores(self, admin_client, employee, locations):
        before = change_data(employee)
        admin_client.post(reverse("accountbeheer:deactivate", args=[employee.membership.pk]))
        admin_client.post(reverse("accountbeheer:reactivate", args=[employee.membership.pk]))
        employee.refresh_from_db()
        after = change_data(employee)
        before.pop("version"), after.pop("version")
        assert before == after and employee.membership.status == Status.ACTIVE
        assert Client().post(reverse("account_login"), {"login": employee.email, "password": PASSWORD}).url == "/"

    def test_until_a_date_then_active_again_by_itself(self, admin_client, employee):
        until = timezone.localdate() + timezone.timedelta(days=3)
        admin_client.post(reverse("accountbeheer:deactivate", args=[employee.membership.pk]), {"until": until.isoformat()})
        employee.membership.refresh_from_db()
        assert employee.membership.status == Status.DEACTIVATED and employee.membership.deactivated_until == until
        with time_machine.travel(timezone.now() + timezone.timedelta(days=3, hours=1)):
            assert Client().post(reverse("account_login"), {"login": employee.email, "password": PASSWORD}).url == "/"
            assert services.reactivate_due_accounts() == 0  # the login above stored it already
        employee.membership.refresh_from_db()
        assert employee.membership.status == Status.ACTIVE and employee.membership.deactivated_until is None

    def test_until_must_be_in_the_future(self, admin_client, employee):
        response = admin_client.post(reverse("accountbeheer:deactivate", args=[employee.membership.pk]), {"until": "2020-01-01"})
        assert form_codes(response, "until") == {"until_not_future"}

    def test_nobody_deactivates_themselves(self, admin_client, admin_user, organization):
        make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
        admin_client.post(reverse("accountbeheer:deactivate", args=[admin_user.membership.pk]))
        admin_user.membership.refresh_from_db()
        assert admin_user.membership.status == Status.ACTIVE

    def test_the_last_administrator_cannot_be_deactivated(self, admin_user, organization):
        with pytest.raises(services.AccountRuleError) as refused:
            services.account_deactivate(actor=None, membership=admin_user.membership)
        assert refused.value.code == "last_administrator"


@pytest.mark.django_db
class TestDelete:
    def test_erases_personal_data_frees_the_address_and_keeps_history(self, admin_client, employee, invite):
        services.account_update(
            actor=None, membership=employee.membership, expected_version=employee.membership.version,
            data={"job_title": "Bakker"}, locations=[],
        )  # fmt: skip
        assert admin_client.get(reverse("accountbeheer:delete", args=[employee.membership.pk])).status_code == 200
        response = admin_client.post(reverse("accountbeheer:delete", args=[employee.membership.pk]))
        assert response.status_code == 302
        employee.refresh_from_db()
        assert (employee.email, employee.full_name, employee.phone, employee.job_title) == (None, "", "", "")
        assert not employee.has_usable_password()
        assert str(employee) == "verwijderd account"
        assert AuditEvent.objects.filter(target_user=employee, action="account_updated").exists()
        assert admin_client.get(reverse("accountbeheer:detail", args=[employee.membership.pk])).status_code == 404
        assert invite(email="employee@test.example").status_code == 302  # the address is free again

    def test_nobody_deletes_themselves_or_the_last_administrator(self, admin_client, admin_user):
        admin_client.post(reverse("accountbeheer:delete", args=[admin_user.membership.pk]))
        admin_user.refresh_from_db()
        assert admin_user.email == "admin@test.example"
        with pytest.raises(services.AccountRuleError) as refused:
            services.account_delete(actor=None, membership=admin_user.membership)
        assert refused.value.code == "last_administrator"


@pytest.mark.django_db
def test_bulk_deactivates_and_reports_what_was_refused(admin_client, admin_user, organization, employee):
    others = [make_account(organization, f"bulk{n}@test.example") for n in range(3)]
    ids = [u.membership.pk for u in [*others, admin_user]]
    response = admin_client.post(reverse("accountbeheer:bulk"), {"action": "deactivate", "ids": ids}, follow=True)
    statuses = set(Membership.objects.filter(pk__in=[u.membership.pk for u in others]).values_list("status", flat=True))
    assert statuses == {Status.DEACTIVATED}
    admin_user.membership.refresh_from_db()
    assert admin_user.membership.status == Status.ACTIVE
    levels = [m.level_tag for m in response.context["messages"]]
    assert "success" in levels and "error" in levels
    admin_client.post(reverse("accountbeheer:bulk"), {"action": "reactivate", "ids": ids})
    assert set(Membership.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.ACTIVE}


@pytest.mark.django_db
def test_the_daily_command_reactivates_accounts_whose_date_has_come(employee):
    from django.core.management import call_command

    services.account_deactivate(
        actor=None, membership=employee.membership, until=timezone.localdate() + timezone.timedelta(days=1)
    )
    with time_machine.travel(timezone.now() + timezone.timedelta(days=1, hours=2)):
        call_command("reactivate_due_accounts")
    employee.membership.refresh_from_db()
    assert employee.membership.status == Status.ACTIVE
    assert AuditEvent.objects.filter(action="account_reactivated", actor=None).exists()


@pytest.mark.django_db
def test_correcting_the_address_of_an_invitation_sends_a_new_link_and_kills_the_old(
    invite, admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    invite(email="nina@verkeerd.example")
    old_link = link_in(mailoutbox[0])
    membership = Membership.objects.get(user__email="nina@verkeerd.example")
    account = membership.user
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("accountbeheer:change", args=[membership.pk]), change_data(account, email="nina@test.example"))
    assert [m.to for m in mailoutbox[1:]] == [["nina@test.example"]]
    assert Client().get(old_link).status_code == 410
    assert Client().get(link_in(mailoutbox[1])).status_code == 200


@pytest.mark.django_db
def test_an_administrator_without_rights_can_still_log_in(admin_user):
    Membership.objects.filter(user=admin_user).update(may_use_portal=False, may_order=False)
    response = Client().post(reverse("account_login"), {"login": admin_user.email, "password": PASSWORD})
    assert response.url == "/"


@pytest.mark.django_db
def test_an_invited_account_cannot_be_deactivated(admin_user, organization):
    invited = make_account(organization, "inv@test.example", status=Status.INVITED)
    with pytest.raises(services.AccountRuleError) as refused:
        services.account_deactivate(actor=admin_user, membership=invited.membership)
    assert refused.value.code == "not_active"


@pytest.mark.django_db
def test_invites_are_rate_limited_per_administrator(invite, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "accountbeheer_invite": "2/h/user"}
    assert invite(email="a1@test.example").status_code == 302
    assert invite(email="a2@test.example").status_code == 302
    response = invite(email="a3@test.example")
    assert response.status_code == 429
    assert not User.objects.filter(email="a3@test.example").exists()


HUGE = "9" * 40


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "9223372036854775808", "\u00b2"])
def test_a_location_that_is_no_id_is_refused_not_looked_up(invite, value):
    response = invite(locations=[value])
    assert response.status_code == 200
    assert form_codes(response, "locations") == {"invalid_pk_value"}
    assert response.context["form"]["full_name"].value() == "Nina Nieuw"  # what was typed stays


@pytest.mark.django_db
def test_a_version_no_column_holds_is_refused(admin_client, employee, locations):
    url = reverse("accountbeheer:change", args=[employee.membership.pk])
    response = admin_client.post(url, invite_data(locations[:1], email=employee.email, version=HUGE))
    assert response.status_code == 200 and form_codes(response, "version") == {"max_value"}


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, "9223372036854775808", "\u00b2"])
def test_bulk_ignores_ids_no_column_holds(admin_client, organization, value):
    other = make_account(organization, "bulk@test.example")
    ids = [value, other.membership.pk]
    response = admin_client.post(reverse("accountbeheer:bulk"), {"action": "deactivate", "ids": ids, "query": "q=a\r\nb"})
    assert response.status_code == 302 and "\n" not in response.url
    other.membership.refresh_from_db()
    assert other.membership.status == Status.DEACTIVATED


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, "\u00b2"])
def test_bulk_with_only_ids_no_column_holds_asks_for_an_account(admin_client, value):
    response = admin_client.post(reverse("accountbeheer:bulk"), {"action": "deactivate", "ids": [value]}, follow=True)
    assert response.status_code == 200 and [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, code",
    [("full_name", "Nina\nNieuw", "line_break"), ("full_name", "Nina\u2028Nieuw", "line_break"),
     ("phone", "030\t123", "control_character"), ("job_title", "Verkoper\x1b[31m", "control_character"),
     ("full_name", "Nina\x00", "null_characters_not_allowed"), ("email", "x" * 246 + "@example.com", "max_length")],
)  # fmt: skip
def test_personal_data_is_one_line_of_printable_text(invite, field, value, code):
    response = invite(**{field: value})
    assert response.status_code == 200 and not Membership.objects.filter(user__email="nina@test.example").exists()
    assert form_codes(response, field) == {code}
    assert response.context["form"][field].value() == value  # what was typed stays

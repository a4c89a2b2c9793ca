"""Erasure and the audit trail: a person's values in the trail are sealed with their key,
readable on the activity page, in its CSV export and in the back office's audit viewer
until the person is erased, and shown as erased after; the events stay."""

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from conftest import make_account
from portal.core import personal
from portal.core.audit import audit_record, describe_changes
from portal.core.models import AuditEvent, PersonalDataKey
from portal.locations.models import Location
from portal.organizations import services
from portal.organizations.models import Role

PHONE = "06 87654321"
JOB = "Bedrijfsleider Zuid"
REASON = "Op verzoek van Erik zelf, per telefoon"


def raw_changes(event):
    """The ``changes`` column as the database holds it, not as the model reads it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM core_auditevent WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def activity_page(client):
    return client.get(reverse("accountbeheer:activity")).content.decode()


def activity_export(client):
    return b"".join(client.get(reverse("accountbeheer:activity_export")).streaming_content).decode("utf-8-sig")


def audit_viewer(client):
    return client.get(reverse("backoffice:audit")).content.decode()


def update(actor, user, reason="", **data):
    membership = user.membership
    membership.refresh_from_db()
    services.account_update(
        actor=actor, membership=membership, expected_version=membership.version, data=data, reason=reason,
        locations=list(Location.objects.filter(links__membership=membership)),
    )  # fmt: skip
    return AuditEvent.objects.filter(action="account_updated", target_user=user).latest("pk")


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def changed(admin_user, employee):
    """Erik's telephone number and job title changed by the administrator, with a reason."""
    return update(admin_user, employee, reason=REASON, phone=PHONE, job_title=JOB)


@pytest.mark.django_db
class TestSealed:
    def test_the_database_row_holds_no_plain_personal_value(self, changed, employee):
        stored = raw_changes(changed)
        for plain in (PHONE, JOB, REASON, "Erik"):
            assert plain not in stored
        assert changed.changes["phone"][personal.OWNER] == employee.pk
        assert changed.readable_changes() == {"phone": ["", PHONE], "job_title": ["", JOB], "reason": REASON}

    def test_values_that_are_no_personal_data_stay_plain(self, admin_user, employee):
        event = update(admin_user, employee, role=Role.ADMINISTRATOR)
        assert event.changes == {"role": [Role.EMPLOYEE, Role.ADMINISTRATOR]}
        assert not PersonalDataKey.objects.filter(user=employee).exists()  # no key before it is needed

    def test_one_key_per_person_that_never_holds_a_value(self, changed, admin_user, employee):
        update(admin_user, employee, phone="06 11112222")
        [row] = PersonalDataKey.objects.filter(user=employee)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM core_personaldatakey")
            table = repr(cursor.fetchall())
        for plain in (PHONE, JOB, REASON, "06 11112222", employee.email, employee.full_name):
            assert plain not in table
        assert row.key and row.erased_at is None


@pytest.mark.django_db
class TestErasure:
    def test_readable_before_and_erased_after_on_every_page(self, changed, admin_user, employee, admin_client, staff_client):
        for text in (activity_page(admin_client), activity_export(admin_client), audit_viewer(staff_client)):
            assert PHONE in text and JOB in text and REASON in text
        services.account_delete(actor=admin_user, membership=employee.membership)
        for text in (activity_page(admin_client), activity_export(admin_client), audit_viewer(staff_client)):
            assert PHONE not in text and JOB not in text and REASON not in text
            assert "Telefoonnummer: (gewist)" in text.replace("<strong>", "").replace("</strong>", "")
            assert "Erik Employee" not in text and "employee@test.example" not in text

    def test_the_event_stays_with_its_time_actor_role_and_organization(
        self, changed, admin_user, employee, organization, admin_client
    ):
        services.account_delete(actor=admin_user, membership=employee.membership)
        event = AuditEvent.objects.get(pk=changed.pk)
        assert (event.action, event.actor, event.target_user, event.organization) == (
            "account_updated", admin_user, employee, organization,
        )  # fmt: skip
        assert event.occurred_at == changed.occurred_at
        assert event.readable_changes()["phone"] == personal.ERASED
        # (PostgreSQL's jsonb keeps the keys in an order of its own)
        assert sorted(describe_changes(event.changes)) == [
            ("Functie", None, "(gewist)"), ("Reden", None, "(gewist)"), ("Telefoonnummer", None, "(gewist)"),
        ]  # fmt: skip
        erased = AuditEvent.objects.get(action="personal_data_erased")
        assert (erased.actor, erased.target_user, erased.organization) == (admin_user, employee, organization)
        row = PersonalDataKey.objects.get(user=employee)
        assert row.key == "" and row.erased_at is not None
        assert "verwijderd account (medewerker)" in activity_page(admin_client)

    def test_an_erased_actor_is_shown_by_the_role_they_had(self, organization, admin_user, employee, admin_client, staff_client):
        colleague = make_account(organization, "tweede@test.example", role=Role.ADMINISTRATOR, full_name="Tom Tweede")
        update(colleague, employee, job_title="Kassa")
        services.account_delete(actor=admin_user, membership=colleague.membership)
        page = activity_page(admin_client)
        assert "verwijderd account (administrator)" in page and "Tom Tweede" not in page
        assert "Kassa" in page  # the employee's value: not the erased actor's
        assert "verwijderd account (administrator)" in audit_viewer(staff_client)
        assert "verwijderd account (administrator)" in activity_export(admin_client)

    def test_another_persons_values_stay_readable(self, changed, admin_user, employee, organization, admin_client):
        other = make_account(organization, "bea@test.example", full_name="Bea Blijft")
        update(admin_user, other, phone="06 22223333")
        services.account_delete(actor=admin_user, membership=employee.membership)
        assert "06 22223333" in activity_page(admin_client) and "06 22223333" in activity_export(admin_client)

    def test_what_is_recorded_after_the_erasure_is_stored_erased_not_under_a_new_key(self, changed, admin_user, employee):
        services.account_delete(actor=admin_user, membership=employee.membership)
        event = AuditEvent.objects.get(
            pk=audit_record("account_updated", actor=admin_user, target=employee, changes={"reason": "nog iets"})
        )
        assert raw_changes(event).count("nog iets") == 0
        assert event.changes == {"reason": personal.ERASED}
        assert PersonalDataKey.objects.get(user=employee).key == ""

    def test_the_reason_for_the_deletion_itself_stays_readable(self, staff_user, employee, staff_client):
        why = "Verzoek van de administrator per e-mail van 2 december"
        services.account_delete(actor=staff_user, membership=employee.membership, reason=why)
        assert AuditEvent.objects.get(action="account_deleted").changes == {"reason": why}
        assert why in audit_viewer(staff_client)

    def test_a_withdrawn_invitation_erases_too(self, admin_user, organization):
        membership = services.account_invite(
            actor=admin_user, organization=organization, email="nieuw@test.example", full_name="Nina Nieuw",
            reason="Nina begint maandag",
        )  # fmt: skip
        services.invitation_withdraw(actor=admin_user, membership=membership)
        invited = AuditEvent.objects.get(action="account_invited")
        assert invited.readable_changes()["reason"] == personal.ERASED
        assert AuditEvent.objects.filter(action="personal_data_erased", target_user=membership.user).exists()

    def test_the_key_is_destroyed_in_the_deletions_transaction(self, changed, admin_user, employee, monkeypatch):
        from portal.core.audit import personal_data_erase
        from portal.organizations.services import lifecycle

        def erase_then_fail(**kwargs):
            personal_data_erase(**kwargs)
            raise RuntimeError("after the key")

        monkeypatch.setattr(lifecycle, "personal_data_erase", erase_then_fail)
        with pytest.raises(RuntimeError):
            services.account_delete(actor=admin_user, membership=employee.membership)
        assert PersonalDataKey.objects.get(user=employee).key  # rolled back with the deletion
        assert changed.readable_changes()["phone"] == ["", PHONE]


@pytest.mark.django_db
def test_the_activity_page_reads_the_keys_of_a_page_in_one_query(
    admin_user, employee, organization, admin_client, django_assert_num_queries
):
    # session, user, the page of events with their actor and account, the persons' keys
    update(admin_user, employee, phone="06 00000000")
    with django_assert_num_queries(4) as few:
        admin_client.get(reverse("accountbeheer:activity"))
    for number in range(5):
        other = make_account(organization, f"p{number}@test.example")
        for count in range(4):
            update(admin_user, other, phone=f"06 1{number}{count}00000")
    with django_assert_num_queries(len(few.captured_queries)):
        page = activity_page(admin_client)
    assert "06 14300000" in page


@pytest.mark.django_db
def test_the_migration_seals_what_was_written_before_and_erases_the_erased(admin_user, employee, organization):
    gone = make_account(organization, "weg@test.example", full_name="Willem Weg")
    plain = {"phone": ["", PHONE], "reason": REASON, "role": [Role.EMPLOYEE, Role.ADMINISTRATOR]}
    # Rows as they were written before values were sealed (the application cannot write them any more).
    before = {
        user: AuditEvent.objects.bulk_create([AuditEvent(action="account_updated", actor=admin_user, target_user=user, changes=plain)])[0]
        for user in (employee, gone)
    }  # fmt: skip
    deleted = AuditEvent.objects.bulk_create(
        [AuditEvent(action="account_deleted", actor=admin_user, target_user=gone, changes={"reason": "Verzoek per e-mail"})]
    )[0]
    gone.email, gone.full_name = None, ""
    gone.save(update_fields=["email", "full_name"])  # deleted before
    migration = import_module("portal.core.migrations.0010_seal_personal_values")
    state = MigrationLoader(connection).project_state(("core", "0010_seal_personal_values"))

    migration.seal_existing(state.apps, None)
    sealed = AuditEvent.objects.get(pk=before[employee].pk)
    assert PHONE not in raw_changes(sealed) and REASON not in raw_changes(sealed)
    assert sealed.changes["role"] == [Role.EMPLOYEE, Role.ADMINISTRATOR]
    assert sealed.readable_changes() == plain
    erased = AuditEvent.objects.get(pk=before[gone].pk)
    assert erased.changes == {"phone": personal.ERASED, "reason": personal.ERASED, "role": plain["role"]}
    assert PersonalDataKey.objects.get(user=gone).key == ""
    assert AuditEvent.objects.get(pk=deleted.pk).changes == {"reason": "Verzoek per e-mail"}  # the evidence stays

    migration.seal_existing(state.apps, None)  # a second run changes nothing
    assert AuditEvent.objects.get(pk=sealed.pk).changes == sealed.changes

    migration.open_again(state.apps, None)
    assert AuditEvent.objects.get(pk=sealed.pk).changes == plain
    assert AuditEvent.objects.get(pk=erased.pk).changes == erased.changes  # erased stays erased

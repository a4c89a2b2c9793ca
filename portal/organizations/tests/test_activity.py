import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.core.audit import audit_record
from portal.organizations import services


def rows(client, **params):
    return [event for event, _changes in client.get(reverse("accountbeheer:activity"), params).context["rows"]]


@pytest.fixture
def history(admin_user, employee, other_admin):
    """Logins, a failed login, a change and a password change; and the other organization's."""
    Client().post(reverse("account_login"), {"login": employee.email, "password": "fout"})
    services.account_update(
        actor=admin_user, membership=employee.membership, expected_version=employee.membership.version,
        data={"job_title": "Bakker"}, locations=[],
    )  # fmt: skip
    audit_record("password_changed", actor=employee, target=employee)
    audit_record("login", actor=other_admin, target=other_admin)


@pytest.mark.django_db
class TestActivity:
    def test_shows_the_organizations_trail_only(self, client, admin_user, employee, other_admin, history):
        client.force_login(admin_user)
        events = rows(client)
        actions = {e.action for e in events}
        assert {"login_failed", "account_updated", "password_changed"} <= actions
        assert other_admin not in {e.target_user for e in events}
        page = client.get(reverse("accountbeheer:activity")).content.decode()
        assert "Functie" in page and "Bakker" in page and "127.0.0.1" in page

    def test_filter_by_account_and_period(self, client, admin_user, employee, history):
        client.force_login(admin_user)
        assert {e.target_user for e in rows(client, account="erik")} == {employee}
        assert {e.target_user for e in rows(client, id=employee.membership.pk)} == {employee}
        tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
        assert rows(client, since=tomorrow) == []
        assert len(rows(client, until=timezone.localdate().isoformat())) >= 3

    def test_reversed_period_is_an_error(self, client, admin_user):
        client.force_login(admin_user)
        response = client.get(reverse("accountbeheer:activity"), {"since": "2026-02-01", "until": "2026-01-01"})
        assert [e.code for e in response.context["form"].errors.as_data()["until"]] == ["period_reversed"]

    def test_pages_go_back_in_time(self, client, admin_user, employee):
        for _ in range(60):
            audit_record("login", actor=employee, target=employee)
        client.force_login(admin_user)
        response = client.get(reverse("accountbeheer:activity"))
        first = [e for e, _ in response.context["rows"]]
        older = rows(client, voor=response.context["next_before"])
        assert len(first) == 50 and older and max(e.pk for e in older) < min(e.pk for e in first)

    def test_export(self, client, admin_user, employee, other_admin, history):
        client.force_login(admin_user)
        body = b"".join(client.get(reverse("accountbeheer:activity_export")).streaming_content).decode("utf-8-sig")
        assert "Functie: — → Bakker" in body
        assert "Olga Other" not in body


@pytest.mark.django_db
def test_changes_are_shown_in_words_not_codes(client, admin_user, organization, employee):
    from conftest import make_account
    from portal.organizations.models import Role

    make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
    services.account_update(
        actor=admin_user, membership=employee.membership, expected_version=employee.membership.version,
        data={"role": Role.ADMINISTRATOR}, locations=[],
    )  # fmt: skip
    services.account_deactivate(
        actor=admin_user, membership=employee.membership, until=timezone.localdate() + timezone.timedelta(days=3)
    )
    client.force_login(admin_user)
    page = client.get(reverse("accountbeheer:activity")).content.decode()
    assert "Medewerker → Administrator" in page and "Actief → Gedeactiveerd" in page
    assert "employee" not in page.split("<main", 1)[1].replace("employee@test.example", "")


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_trail(client, admin_user, employee, django_assert_num_queries):
    client.force_login(admin_user)
    for _ in range(3):
        audit_record("login", actor=employee, target=employee)
    # session, user, the page of events with their actor and account
    with django_assert_num_queries(3) as small:
        client.get(reverse("accountbeheer:activity"))
    for _ in range(40):
        audit_record("login", actor=employee, target=employee)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("accountbeheer:activity"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, day", [("since", "0001-01-01"), ("until", "9999-12-31"), ("since", "2100-01-01"), ("until", "1899-12-31")]
)
def test_a_day_outside_the_calendar_the_portal_knows_is_refused(client, admin_user, history, field, day):
    client.force_login(admin_user)
    response = client.get(reverse("accountbeheer:activity"), {field: day, "account": "erik"})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == ["date_out_of_range"]
    assert response.context["form"].data[field] == day  # what was typed stays
    assert response.context["rows"]  # the other filter still applies


@pytest.mark.django_db
def test_the_export_refuses_a_filter_that_is_not_valid_instead_of_an_empty_file(client, admin_user, history):
    client.force_login(admin_user)
    response = client.get(reverse("accountbeheer:activity_export"), {"since": "0001-01-01"})
    assert response.status_code == 302
    assert response.url == reverse("accountbeheer:activity") + "?since=0001-01-01"
    page = client.get(response.url)
    assert [e.code for e in page.context["form"].errors.as_data()["since"]] == ["date_out_of_range"]
    assert "De export is niet gemaakt" in page.content.decode()


@pytest.mark.django_db
def test_the_export_of_the_earliest_and_latest_day_works(client, admin_user, history):
    client.force_login(admin_user)
    response = client.get(reverse("accountbeheer:activity_export"), {"since": "1900-01-01", "until": "2099-12-31"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and "Functie: — → Bakker" in body


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["\u00b2", "9" * 40, "-1", "0"])
def test_an_id_or_cursor_that_is_no_id_is_ignored(client, admin_user, history, value):
    client.force_login(admin_user)
    for params in ({"voor": value}, {"id": value}):
        response = client.get(reverse("accountbeheer:activity"), params)
        assert response.status_code == 200 and response.context["rows"]

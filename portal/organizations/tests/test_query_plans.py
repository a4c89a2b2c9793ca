"""The account list reads an index of the organization's accounts, never all of them:
checked in the database's own plan, as the test's few rows would be read in no time
either way (`make bench-accounts` measures it with 100,000 accounts)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.accounts import search
from portal.accounts.models import User, search_text_of
from portal.core.apps import _statistics_after_migrate
from portal.core.maintenance import refresh_planner_statistics
from portal.organizations import overview
from portal.organizations.home import back_within_a_week
from portal.organizations.models import Membership, Status
from portal.organizations.services.dormancy import flagged
from portal.organizations.services.leavers import recent_leavers

pytestmark = pytest.mark.django_db


def _plan(queryset):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a few rows: PostgreSQL would rightly read them all
            cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def _add_accounts(organization, count, start):
    users = User.objects.bulk_create(
        User(
            email=f"persoon{n:05d}@test.example",
            full_name=f"Persoon {n:05d}",
            search_text=search_text_of(f"Persoon {n:05d}", f"persoon{n:05d}@test.example"),
            organization=organization,
        )
        for n in range(start, start + count)
    )
    Membership.objects.bulk_create(Membership(user=user, organization=organization) for user in users)


def test_the_notice_of_leavers_reads_only_the_accounts_with_a_leave_date(admin_user, employee):
    membership = Membership.objects.get(user=employee)
    Membership.objects.filter(pk=membership.pk).update(leaves_on=timezone.localdate(), left_at=timezone.now())
    assert [m.pk for m in recent_leavers(admin_user)] == [membership.pk]
    assert "membership_org_leaving" in _plan(recent_leavers(admin_user))


def test_the_accounts_warned_as_unused_and_those_back_within_a_week_are_read_from_their_indexes(admin_user, employee):
    membership = Membership.objects.get(user=employee)
    Membership.objects.filter(pk=membership.pk).update(dormancy_warned_at=timezone.now())
    assert [m.pk for m in flagged(Membership.objects.visible_to(admin_user))] == [membership.pk]
    if connection.vendor == "sqlite":  # PostgreSQL may start from the users' index of so few rows, with seqscan off or not
        assert "membership_org_warned" in _plan(flagged(Membership.objects.visible_to(admin_user)))
    today = timezone.localdate()
    Membership.objects.filter(pk=membership.pk).update(status=Status.DEACTIVATED, deactivated_until=today + timedelta(days=3))
    assert [m.pk for m in back_within_a_week(membership.organization_id, today)] == [membership.pk]
    assert "membership_org_until" in _plan(back_within_a_week(membership.organization_id, today))


def test_by_account_the_same_accounts_are_visible_and_sqlite_is_kept_from_the_users_index(
    admin_user, employee, organization, other_organization
):
    """The API and SCIM list accounts by id: SQLite is not to start from the index of the
    users' organization (with 100,000 accounts it sorted all of them for a page of 50)."""
    stray = User.objects.create_user("verdwaald@test.example", None)
    Membership.objects.create(user=stray, organization=organization)
    User.objects.filter(pk=stray.pk).update(organization=other_organization)  # its user is of another organization
    by_account = Membership.objects.visible_to(admin_user, by_account=True)
    assert set(by_account) == set(Membership.objects.visible_to(admin_user)) == {admin_user.membership, employee.membership}
    sql = str(by_account.order_by("pk").query)
    if connection.vendor == "sqlite":
        assert '+"accounts_user"."organization_id"' in sql
        assert "organizations_membership_organization_id" in _plan(by_account.order_by("pk")[:51])
    else:
        assert '"accounts_user"."organization_id" = ' in sql


def test_a_leave_is_processed_only_for_an_account_with_a_leave_date(employee):
    """What lets the notice read that index: an account without a leave date neither left nor was blocked."""
    membership = Membership.objects.get(user=employee)
    for fields in ({"left_at": timezone.now()}, {"leave_blocked_at": timezone.now()}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.filter(pk=membership.pk).update(**fields)
    Membership.objects.filter(pk=membership.pk).update(leaves_on=timezone.localdate() - timedelta(days=1), left_at=timezone.now())


def _statistics_of_accounts(cursor):
    cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'organizations_membership'")
    return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its statistics itself")
def test_with_the_statistics_refreshed_the_first_page_is_read_in_the_order_of_an_index(
    admin_user, organization, other_organization
):
    """With the statistics of the users but none of the accounts (a migration had rebuilt
    that table), SQLite read 100,000 accounts of an organization through the index of
    their organization and sorted them all for a page of 25: 20 to 50 ms instead of
    under 1 (`make bench-accounts`). The job and every migrate refresh them."""
    _add_accounts(organization, 3000, 0)
    _add_accounts(other_organization, 3000, 3000)
    assert refresh_planner_statistics() == "statistics refreshed"
    sort = overview.SORTS[overview.DEFAULT_SORT]
    first_page = (
        overview.filtered(Membership.objects.visible_to(admin_user))
        .order_by(*overview._ordering(sort, True))
        .values_list("pk", flat=True)[: overview.PAGE_SIZE + 1]
    )
    plan = _plan(first_page)
    assert "user_org_name" in plan and "TEMP B-TREE" not in plan
    with connection.cursor() as cursor:
        assert _statistics_of_accounts(cursor)
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'organizations_membership'")
        _statistics_after_migrate(sender=None, using="default", plan=[])  # nothing migrated: nothing to do
        assert not _statistics_of_accounts(cursor)
        _statistics_after_migrate(sender=None, using="default", plan=[("a migration", False)])
        assert _statistics_of_accounts(cursor)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite's statistics: above")
def test_other_databases_keep_their_statistics_themselves():
    assert refresh_planner_statistics() == "kept by the database itself"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigram index; PostgreSQL has pg_trgm's")
def test_a_search_for_one_address_reads_the_few_users_the_trigram_index_names(client, admin_user, organization):
    """Without it, SQLite read the organization's whole (organization, name, e-mail, search
    text) index for an address: 17 ms with 100,000 users (`make bench-accounts`). The
    list asks the index once, and the accounts of the users it names."""
    _add_accounts(organization, 3000, 0)
    Membership.objects.filter(organization=organization).update(status=Status.ACTIVE)
    refresh_planner_statistics()
    search.refresh_counts()
    searched = overview.searched_users(organization.pk, q="persoon00042@")
    assert [user.email for user in searched] == ["persoon00042@test.example"]
    plan = _plan(searched)
    assert "INTEGER PRIMARY KEY" in plan and "user_org_name" not in plan
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        rows = client.get(reverse("accountbeheer:list"), {"q": "persoon00042@", "status": Status.ACTIVE}).context["page"].rows
    assert [row["user__email"] for row in rows] == ["persoon00042@test.example"]
    assert sum(f"FROM {search.INDEX} " in query["sql"] for query in captured.captured_queries) == 1
    with CaptureQueriesContext(connection) as captured:
        rows = client.get(reverse("accountbeheer:list"), {"q": "persoon00042@"}).context["page"].rows
    assert [row["user__email"] for row in rows] == ["persoon00042@test.example"]
    assert sum(f"FROM {search.INDEX} " in query["sql"] for query in captured.captured_queries) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's choice between its trigram index and the name order")
def test_on_postgresql_a_common_word_is_read_in_name_order_and_a_rare_one_from_the_trigram_index(admin_user, organization):
    """Without an order PostgreSQL read a common surname from its trigram index too: all of
    the users who have it, 30 ms of its time among 100,000 accounts, against 9 in name order
    until enough are found (`make bench-accounts`)."""
    _add_accounts(organization, 3000, 0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
    queryset = overview.filtered(Membership.objects.visible_to(admin_user), search_index=False)
    for q, index, not_read in (
        ("persoon", "user_org_name", "user_search_trgm"),
        ("persoon00042@", "user_search_trgm", "user_org_name"),
    ):
        searched = overview.searched_users(organization.pk, q=q)
        with CaptureQueriesContext(connection) as captured:
            overview._first_ids(overview.filtered(queryset, q=q, search_index=False), searched)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan and not_read not in plan, (q, plan)


def test_the_beveiliging_page_counts_the_accounts_without_a_second_factor_on_their_own_index(
    client, admin_user, employee, organization
):
    """Through the users' index of their organization SQLite counted 100,000 accounts in
    270 ms, against 44 on the accounts' own (`visible_to`'s ``by_account``)."""
    _add_accounts(organization, 30, 0)
    Membership.objects.filter(organization=organization).update(status=Status.ACTIVE)
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("accountbeheer:security"))
    assert response.context["without_count"] == 32 == len(response.context["without"])  # the 30, the employee, the administrator
    (count,) = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT COUNT(*)")]
    if connection.vendor == "sqlite":
        assert '+"accounts_user"."organization_id"' in count

"""The session and the user of every request, read with SQL made once: the same objects
the ORM gives, and no query built per request."""

from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from conftest import make_account, make_staff
from portal.accounts.backends import PortalBackend, _user_with_membership
from portal.core import prepared
from portal.core.prepared import PreparedGet, PreparedQuery
from portal.core.sessions import SessionStore
from portal.locations.models import Location
from portal.organizations.models import Role

User = get_user_model()


def compiled_during(function, *args):
    """How many queries the ORM built while ``function`` ran (and its result)."""
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        result = function(*args)
    return as_sql.call_count, result


@pytest.mark.django_db
class TestTheUserOfARequest:
    def test_the_same_user_membership_and_organization_as_the_orm_gives(self, admin_user, organization):
        membership = admin_user.membership
        membership.order_limit = Decimal("123.45")
        membership.save()
        User.objects.filter(pk=admin_user.pk).update(last_login=timezone.now())
        expected = _user_with_membership().get(pk=admin_user.pk)
        user = PreparedGet(_user_with_membership()).get(admin_user.pk)
        for obj, other in ((user, expected), (user.membership, expected.membership)):
            for field in type(obj)._meta.concrete_fields:
                assert getattr(obj, field.attname) == getattr(other, field.attname), field.name
        assert user.last_login.tzinfo is not None and isinstance(user.membership.order_limit, Decimal)
        assert user.membership.is_active_administrator and user.membership.role == Role.ADMINISTRATOR

    def test_its_relations_come_along(self, admin_user, organization, django_assert_num_queries):
        getter = PreparedGet(_user_with_membership())
        with django_assert_num_queries(1):
            user = getter.get(str(admin_user.pk))  # as the session holds it
            assert user.membership.organization.name == organization.name

    def test_a_user_without_a_membership_has_none_without_asking_again(self, db, django_assert_num_queries):
        staff = make_staff("staf@hartingbank.example", "Online klantenservice", "Sam Staf")
        getter = PreparedGet(_user_with_membership())
        with django_assert_num_queries(1):
            user = getter.get(staff.pk)
            assert user.email == "staf@hartingbank.example"
            assert getattr(user, "membership", None) is None

    @pytest.mark.parametrize("key", [999999, "999999", "abc", "", None, "1; DROP TABLE x"])
    def test_no_such_user_is_none(self, db, key):
        assert PreparedGet(_user_with_membership()).get(key) is None

    def test_the_query_is_built_once(self, admin_user, employee):
        backend = PortalBackend()
        backend.get_user(admin_user.pk)  # this thread's first use builds it
        built, user = compiled_during(backend.get_user, employee.pk)
        assert (built, user) == (0, employee)

    def test_who_may_not_log_in_is_still_refused(self, employee):
        employee.membership.status = "deactivated"
        employee.membership.save()
        assert PortalBackend().get_user(employee.pk) is None

    def test_only_a_lookup_by_key(self, db):
        with pytest.raises(ValueError):
            PreparedGet(User.objects.filter(email="iemand@test.example")).get(1)


@pytest.mark.django_db
class TestTheSessionOfARequest:
    def make(self, data, expires_in=timedelta(hours=1)):
        store = SessionStore()
        store.update(data)
        store.save()
        Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
        return store.session_key

    def test_it_reads_what_was_saved(self):
        key = self.make({"a": 1, "name": "Zoë"})
        store = SessionStore(key)
        assert dict(store.items()) == {"a": 1, "name": "Zoë"} and store.session_key == key

    def test_an_expired_or_unknown_session_is_empty_and_gets_no_key(self):
        for key in (self.make({"a": 1}, expires_in=timedelta(seconds=-1)), "x" * 32):
            store = SessionStore(key)
            assert dict(store.items()) == {} and store.session_key is None

    def test_the_query_is_built_once(self):
        key = self.make({"a": 1})
        SessionStore(key).load()
        built, data = compiled_during(SessionStore(key).load)
        assert (built, data) == (0, {"a": 1})


def test_a_users_page_reads_session_and_user_without_building_them(client, employee):
    """Every logged-in request: neither the session's nor the user's query is built."""
    client.force_login(employee)
    client.get("/mijn-account/")
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        client.get("/mijn-account/")
    tables = {call.args[0].query.get_meta().db_table for call in as_sql.call_args_list}
    assert "django_session" not in tables and "accounts_user" not in tables


@pytest.mark.django_db
def test_an_account_without_rights_is_refused(organization):
    """An account without a right to log in is refused as before."""
    user = make_account(organization, "geen@test.example", may_use_portal=False)
    assert PortalBackend().get_user(user.pk) is None


# --- A person's query, prepared per kind of person --------------------------------------


def _person(user):
    """The user as a request has it: with membership and organization."""
    return _user_with_membership().get(pk=user.pk)


def _locations(user):
    return Location.objects.visible_to(user).order_by("code")


def _codes(rows):
    return [location.code for location in rows]


@pytest.mark.django_db
class TestAPersonsQuery:
    @pytest.fixture
    def other_admin(self, other_organization, other_location):
        return make_account(
            other_organization, "admin@anders.example", role=Role.ADMINISTRATOR, may_order=True, locations=[other_location]
        )

    def test_each_person_gets_their_own_rows(self, admin_user, employee, other_admin, settings):
        settings.PREPARED_QUERIES_VERIFY = False  # what runs in production
        query = PreparedQuery(_locations)
        assert _codes(query.rows(_person(admin_user))) == ["L1", "L2"]
        assert _codes(query.rows(_person(other_admin))) == ["X1"]  # same shape, other organization
        assert _codes(query.rows(_person(employee))) == ["L1"]  # another shape: linked locations only
        assert len(query._local.by_shape) == 2

    def test_the_sql_is_made_once_per_kind_of_person(self, admin_user, other_admin, settings):
        settings.PREPARED_QUERIES_VERIFY = False
        query = PreparedQuery(_locations)
        query.rows(_person(admin_user))
        built, rows = compiled_during(query.rows, _person(other_admin))
        assert (built, _codes(rows)) == (0, ["X1"])

    def test_the_objects_are_the_orms(self, admin_user, settings):
        settings.PREPARED_QUERIES_VERIFY = False
        query = PreparedQuery(lambda user: _locations(user).select_related("organization"))
        query.rows(_person(admin_user))
        rows = query.rows(_person(admin_user))
        expected = list(_locations(admin_user).select_related("organization"))
        assert [(row.pk, row.name, row.organization.name) for row in rows] == [
            (row.pk, row.name, row.organization.name) for row in expected
        ]
        values = PreparedQuery(lambda user: _locations(user).values("code", "organization__name"))
        values.rows(_person(admin_user))
        assert values.rows(_person(admin_user)) == list(_locations(admin_user).values("code", "organization__name"))

    def test_nobody_sees_nothing(self, db, settings):
        settings.PREPARED_QUERIES_VERIFY = False
        staff = make_staff("staf@hartingbank.example", "Online klantenservice", "Sam Staf")
        query = PreparedQuery(_locations)
        assert query.rows(_person(staff)) == [] and query.rows(_person(staff)) == []

    @pytest.mark.parametrize(
        "when",
        [
            lambda: {"organization__created_at__lte": timezone.now()},
            # On SQLite a date is written as text: still a query of today.
            lambda: {"organization__created_at__date__lte": timezone.localdate()},
        ],
        ids=["now", "today"],
    )
    def test_a_query_of_now_or_today_is_built_each_time(self, admin_user, settings, when):
        """A date or time in the query would be frozen in prepared SQL: not prepared."""
        settings.PREPARED_QUERIES_VERIFY = False
        query = PreparedQuery(lambda user: _locations(user).filter(**when()))
        query.rows(_person(admin_user))
        built, rows = compiled_during(query.rows, _person(admin_user))
        assert built >= 1 and _codes(rows) == ["L1", "L2"]

    def test_a_query_that_reads_while_it_is_built_is_built_each_time(self, admin_user, other_admin, settings):
        """Rows read while building would be the stand-in's (none), not the person's."""
        settings.PREPARED_QUERIES_VERIFY = False

        def linked_codes(user):
            ids = list(Location.objects.visible_to(user).values_list("pk", flat=True))
            return Location.objects.filter(pk__in=ids).order_by("code")

        query = PreparedQuery(linked_codes)
        assert _codes(query.rows(_person(admin_user))) == ["L1", "L2"]
        assert _codes(query.rows(_person(other_admin))) == ["X1"]

    def test_the_tests_check_every_use_against_the_orm(self, admin_user, organization, locations, settings):
        """A query that depends on something the shape does not hold (here the name) gets
        one person's SQL for another: with the check on, that fails loudly."""
        settings.PREPARED_QUERIES_VERIFY = True
        named = make_account(
            organization, "naam@test.example", role=Role.ADMINISTRATOR, may_order=True, locations=locations, full_name="Zed"
        )

        def by_name(user):
            locations = _locations(user)
            return locations.filter(code="L1") if user.full_name.startswith("Z") else locations

        query = PreparedQuery(by_name)
        query.rows(_person(admin_user))
        with pytest.raises(AssertionError, match="differs from the ORM's"):
            query.rows(_person(named))

    def test_a_query_of_anything_else_of_the_person_is_built_each_time(self, admin_user, other_admin, settings):
        """A field outside the shape (here the address) is made up in the stand-ins, another
        in each: a query that depends on it is not prepared, and each gets their own."""
        settings.PREPARED_QUERIES_VERIFY = False

        def own_address(user):
            return Location.objects.filter(links__membership__user__email=user.email).order_by("code")

        query = PreparedQuery(own_address)
        assert _codes(query.rows(_person(admin_user))) == ["L1", "L2"]
        assert _codes(query.rows(_person(other_admin))) == ["X1"]
        assert list(query._local.by_shape.values()) == [prepared._NOT_PREPARED]

    def test_what_is_cached_on_the_person_does_not_reach_the_sql(self, admin_user, other_admin, settings):
        """A stand-in is a new object: what the real one has prefetched (here its links)
        is not what the query of another person of the shape reads."""
        from django.db.models import prefetch_related_objects

        settings.PREPARED_QUERIES_VERIFY = False
        query = PreparedQuery(lambda user: Location.objects.filter(links__in=user.membership.location_links.all()))
        first = _person(admin_user)
        prefetch_related_objects([first.membership], "location_links")
        assert sorted(_codes(query.rows(first))) == ["L1", "L2"]
        assert _codes(query.rows(_person(other_admin))) == ["X1"]


# --- A query of its arguments, an update, an insert -------------------------------------


def _compiled_by_any(function, *args, **kwargs):
    """Which tables the ORM built a statement of (select, insert, update or delete) while
    ``function`` ran, and its result."""
    from django.db.models.sql import compiler

    classes = (compiler.SQLCompiler, compiler.SQLInsertCompiler, compiler.SQLUpdateCompiler, compiler.SQLDeleteCompiler)
    tables = []
    patches = []
    for klass in classes:
        original = klass.__dict__["as_sql"]

        def spy(self, *a, _original=original, **k):
            tables.append(self.query.get_meta().db_table)
            return _original(self, *a, **k)

        patches.append(mock.patch.object(klass, "as_sql", spy))
    for patch in patches:
        patch.start()
    try:
        result = function(*args, **kwargs)
    finally:
        for patch in patches:
            patch.stop()
    return tables, result


def _by_address(address, since):
    return User.objects.filter(email=address, date_joined__gte=since).order_by("pk").values_list("email", flat=True)


@pytest.mark.django_db
class TestAQueryOfItsArguments:
    @pytest.fixture(autouse=True)
    def production(self, settings):
        settings.PREPARED_QUERIES_VERIFY = False  # what runs in production

    def test_the_rows_of_each_call_and_the_sql_made_once(self, admin_user, employee):
        query = prepared.PreparedRows(_by_address)
        since = timezone.now() - timedelta(days=1)
        assert query.rows(admin_user.email, since) == [admin_user.email]
        tables, rows = _compiled_by_any(query.rows, employee.email, since)
        assert (tables, rows) == ([], [employee.email])
        assert query.rows(employee.email, timezone.now() + timedelta(days=1)) == []  # the moment is an argument too

    def test_an_argument_the_query_changes_is_built_each_time(self, admin_user):
        """A search for part of an address puts ``%address%`` in the SQL: not prepared."""
        query = prepared.PreparedRows(lambda part: User.objects.filter(email__contains=part).values_list("email", flat=True))
        query.rows("admin@")
        tables, rows = _compiled_by_any(query.rows, "admin@")
        assert tables and rows == [admin_user.email]

    def test_a_query_of_now_is_built_each_time(self, admin_user):
        query = prepared.PreparedRows(
            lambda address: User.objects.filter(email=address, date_joined__lte=timezone.now()).values_list("pk", flat=True)
        )
        query.rows(admin_user.email)
        tables, rows = _compiled_by_any(query.rows, admin_user.email)
        assert tables and rows == [admin_user.pk]

    def test_other_kinds_of_arguments_are_built_each_time(self, admin_user):
        query = prepared.PreparedRows(lambda flag: User.objects.filter(is_staff=flag).values_list("pk", flat=True))
        query.rows(False)
        tables, rows = _compiled_by_any(query.rows, False)
        assert tables and admin_user.pk in rows

    def test_the_tests_check_every_use_against_the_orm(self, admin_user, settings):
        """A build whose SQL depends on more than its arguments (here a changing setting)
        is caught while the tests run."""
        settings.PREPARED_QUERIES_VERIFY = True
        settings.PREPARED_TEST_FIELD = "email"
        query = prepared.PreparedRows(
            lambda value: User.objects.filter(**{settings.PREPARED_TEST_FIELD: value}).values_list("pk", flat=True)
        )
        assert query.rows(admin_user.email) == [admin_user.pk]
        settings.PREPARED_TEST_FIELD = "full_name"
        with pytest.raises(AssertionError, match="differs from the ORM"):
            query.rows(admin_user.full_name)

    def test_each_use_runs_on_the_connection_of_now(self, admin_user, employee):
        """The connection the SQL was made with may have been replaced since (the tests'
        live server replaces the thread's): each use runs on the thread's connection now."""
        from portal.accounts.models import LoginAttempt

        query = prepared.PreparedRows(_by_address)
        insert = prepared.PreparedInsert(LoginAttempt, "login_key", "client_key", "attempted_at")
        since = timezone.now() - timedelta(days=1)
        query.rows(admin_user.email, since)
        insert.insert(login_key="a" * 64, client_key="b" * 64, attempted_at=since)
        gone = object()  # a connection that no longer is
        query._local.by_kinds[(str, (datetime, True))].compiler.connection = gone
        compiler, sql = insert._local.by_alias["default"]
        compiler.connection = gone
        assert query.rows(employee.email, since) == [employee.email]
        assert LoginAttempt.objects.filter(pk=insert.insert(login_key="c" * 64, client_key="d" * 64, attempted_at=since)).exists()

    def test_an_update_counts_its_rows_and_is_made_once(self, admin_user, employee):
        update = prepared.PreparedUpdate(lambda pk: User.objects.filter(pk=pk), "full_name", "last_login")
        moment = timezone.now().replace(microsecond=654321)
        assert update.update(admin_user.pk, full_name="Eerste Naam", last_login=moment) == 1
        tables, count = _compiled_by_any(update.update, employee.pk, full_name="Tweede Naam", last_login=moment)
        assert (tables, count) == ([], 1)
        assert update.update(0, full_name="Niemand", last_login=moment) == 0
        rows = User.objects.filter(pk__in=[admin_user.pk, employee.pk]).order_by("pk").values_list("full_name", "last_login")
        assert sorted(rows) == [("Eerste Naam", moment), ("Tweede Naam", moment)]

    def test_an_insert_returns_its_key_and_stores_what_the_orm_would(self, db, settings):
        from portal.accounts.models import LoginAttempt

        insert = prepared.PreparedInsert(LoginAttempt, "login_key", "client_key", "attempted_at")
        moment = timezone.now().replace(microsecond=123456)
        first = insert.insert(login_key="a" * 64, client_key="b" * 64, attempted_at=moment)
        tables, second = _compiled_by_any(insert.insert, login_key="c" * 64, client_key="d" * 64, attempted_at=moment)
        assert tables == [] and second != first
        row = LoginAttempt.objects.get(pk=second)
        assert (row.login_key, row.client_key, row.attempted_at) == ("c" * 64, "d" * 64, moment)
        settings.PREPARED_QUERIES_VERIFY = True
        third = insert.insert(login_key="e" * 64, client_key="f" * 64, attempted_at=moment)
        assert LoginAttempt.objects.filter(pk=third, login_key="e" * 64).exists()

    def test_an_insert_keeps_a_moment_the_orm_would_fill_itself(self, employee, settings):
        """``auto_now_add`` is given as the other fields are (the audit trail's moment)."""
        from portal.core.models import AuditEvent

        settings.PREPARED_QUERIES_VERIFY = True
        insert = prepared.PreparedInsert(AuditEvent, "occurred_at", "action", "actor_id", "request_id", "changes")
        moment = timezone.now().replace(microsecond=112233) - timedelta(minutes=5)
        event = AuditEvent.objects.get(
            pk=insert.insert(occurred_at=moment, action="login", actor_id=employee.pk, request_id="", changes={"a": [1, 2]})
        )
        assert (event.occurred_at, event.action, event.actor, event.changes) == (moment, "login", employee, {"a": [1, 2]})

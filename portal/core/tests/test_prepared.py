"""The session and the user of every request, read with SQL made once: the same objects
the ORM gives, and no query built per request."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from conftest import make_account, make_staff
from portal.accounts.backends import PortalBackend, _user_with_membership
from portal.core.prepared import PreparedGet
from portal.core.sessions import SessionStore
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

"""A session given a new key at login is written once, as a new row, at the end of the
request: not looked up, written, and written again (see portal/core/sessions.py)."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core.sessions import SessionStore


def statements(captured):
    return [q["sql"].split()[0].upper() for q in captured.captured_queries if "django_session" in q["sql"]]


@pytest.mark.django_db
class TestSessionWrites:
    def test_a_new_session_is_one_insert_without_a_lookup(self):
        session = SessionStore()
        session["x"] = 1
        with CaptureQueriesContext(connection) as captured:
            session.save()
        assert statements(captured) == ["INSERT"]

    def test_a_cycled_key_is_written_once_at_the_save(self):
        session = SessionStore()
        session["before"] = 1
        session.save()
        old = session.session_key
        with CaptureQueriesContext(connection) as captured:
            session.cycle_key()
            session["login"] = 2
            session.save()
        assert statements(captured) == ["DELETE", "INSERT"]  # the old key gone, the new one written
        assert not Session.objects.filter(session_key=old).exists()
        assert SessionStore(session.session_key).load() == {"before": 1, "login": 2}

    def test_a_session_without_a_key_cycled_is_one_insert(self):
        session = SessionStore()
        with CaptureQueriesContext(connection) as captured:
            session.cycle_key()
            session["login"] = 2
            session.save()
            session["more"] = 3
            session.save()  # written: from now on an update
        assert statements(captured) == ["INSERT", "UPDATE"]
        assert SessionStore(session.session_key).load() == {"login": 2, "more": 3}


@pytest.mark.django_db(transaction=True)
class TestOutsideATransaction:
    """At the end of a request, outside any transaction: the new row is the one statement,
    without a transaction around it."""

    def test_a_cycled_key_is_one_statement(self):
        session = SessionStore()
        with CaptureQueriesContext(connection) as captured:
            session.cycle_key()
            session["login"] = 2
            session.save()
        assert [q["sql"].split()[0].upper() for q in captured.captured_queries] == ["INSERT"]
        assert SessionStore(session.session_key).load() == {"login": 2}


@pytest.mark.parametrize(
    "transaction",
    [
        pytest.param(False, marks=pytest.mark.django_db, id="in a transaction"),
        pytest.param(True, marks=pytest.mark.django_db(transaction=True), id="outside one"),
    ],
)
def test_a_key_that_is_taken_is_replaced_by_another(monkeypatch, transaction):
    taken = SessionStore()
    taken["someone"] = "else"
    taken.save()
    keys = iter([taken.session_key, "m" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    session = SessionStore()
    session.cycle_key()
    session["login"] = 1
    session.save()
    assert session.session_key == "m" * 32 and SessionStore(session.session_key).load() == {"login": 1}
    assert SessionStore(taken.session_key).load() == {"someone": "else"}

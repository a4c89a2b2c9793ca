"""The search in the users' name and address (``accounts.search``): on SQLite a trigram
index narrows it, and must never change what it finds."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.accounts import search
from portal.accounts.apps import _search_index_after_migrate
from portal.accounts.models import User, search_key
from portal.core.jobs import jobs

pytestmark = pytest.mark.django_db
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigram index; PostgreSQL has pg_trgm's")


def _found(*terms):
    """What the search finds with the index, and what the condition alone finds."""
    keys = [search_key(term) for term in terms]
    plain = User.objects.all()
    for key in keys:
        plain = plain.filter(search_text__contains=key)
    return set(search.containing(User.objects.all(), keys).values_list("pk", flat=True)), set(plain.values_list("pk", flat=True))


def _trigrams_read(captured):
    """The trigrams the search asked the index for, and the most users it read."""
    (match,) = [query["sql"] for query in captured.captured_queries if " MATCH " in query["sql"]]
    expression, limit = re.search(r"MATCH '(.*?)' LIMIT (\d+)", match).groups()
    return [trigram.strip('"') for trigram in expression.split(" AND ")], int(limit)


def _integrity_check():
    with connection.cursor() as cursor:  # raises when the index differs from the users' table
        cursor.execute(f"INSERT INTO {search.INDEX}({search.INDEX}, rank) VALUES ('integrity-check', 1)")


@on_sqlite
def test_the_index_follows_every_new_changed_and_deleted_user():
    user = User.objects.create_user("kees@test.example", full_name="Kees Zwaluw")
    assert search.matching_users(["zwaluw"]) == [user.pk]
    user.full_name = "Kees Merel"
    user.save()
    assert search.matching_users(["zwaluw"]) == [] and search.matching_users(["merel"]) == [user.pk]
    User.objects.filter(pk=user.pk).update(search_text="iets anders")  # the column itself, past save()
    assert search.matching_users(["merel"]) == [] and search.matching_users(["anders"]) == [user.pk]
    _integrity_check()
    user.delete()
    assert search.matching_users(["anders"]) == []
    _integrity_check()


@on_sqlite
def test_the_rarest_trigrams_are_read_and_a_common_word_is_left_to_the_scan(monkeypatch):
    common = [User.objects.create_user(f"j{n}@test.example", full_name=f"Jan Jansen {n}") for n in range(5)]
    rare = User.objects.create_user("fleur@test.example", full_name="Fleur Jansenius")
    assert (
        search.refresh_counts()
        == f"{len(search._trigrams(User.objects.values_list('search_text', flat=True)))} trigram(s) counted"
    )
    with CaptureQueriesContext(connection) as captured:
        assert sorted(search.matching_users(["jansen"])) == sorted(u.pk for u in [*common, rare])
    assert _trigrams_read(captured) == (["ans", "jan", "nse"], search.CANDIDATES + 1)  # the rarest three, alphabetically on a tie
    # "nius" is Fleur's alone: its trigrams are chosen before those of "jansen"
    with CaptureQueriesContext(connection) as captured:
        assert search.matching_users(["jansenius"]) == [rare.pk]
    assert set(_trigrams_read(captured)[0]) == {"eni", "niu", "ius"}
    monkeypatch.setattr(search, "CANDIDATES", 5)
    assert search.matching_users(["jansen"]) is None  # six: common, the search reads in name order
    assert search.matching_users(["jansenius"]) == [rare.pk]
    assert search.matching_users(["ja"]) is None  # no trigram in it
    assert {u.pk for u in search.containing(User.objects.all(), ["jansen"])} == {u.pk for u in [*common, rare]}


@on_sqlite
def test_a_word_new_since_the_counts_is_found():
    search.refresh_counts()
    user = User.objects.create_user("q@test.example", full_name="Quirijn Xylofoon")
    assert search.matching_users(["xylofoon"]) == [user.pk]


def test_on_postgresql_nothing_is_narrowed_and_the_job_says_why():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite: above")
    User.objects.create_user("k.zwaluw@test.example", full_name="Kees Zwaluw")
    assert search.matching_users(["zwaluw"]) is None
    assert search.refresh_counts() == "PostgreSQL's trigram index needs no counts of ours"
    assert search.repair() is False


def test_the_counts_are_a_daily_job():
    assert "count_search_trigrams" in {job.name for job in jobs()}


@on_sqlite
def test_lost_triggers_are_put_back_after_migrate_and_the_index_rebuilt():
    """A migration that rebuilds the users' table (SQLite alters a table by copying it)
    drops its triggers: the receiver after migrate puts them back and rebuilds the index
    with what changed meanwhile."""
    kept = User.objects.create_user("kees@test.example", full_name="Kees Zwaluw")
    with connection.cursor() as cursor:
        for name in search.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    missed = User.objects.create_user("merel@test.example", full_name="Merel Spreeuw")
    assert search.matching_users(["spreeuw"]) == []  # the index missed her
    assert search.repair() is True
    assert search.matching_users(["spreeuw"]) == [missed.pk] and search.matching_users(["zwaluw"]) == [kept.pk]
    _integrity_check()
    assert search.repair() is False  # nothing to do
    _search_index_after_migrate(sender=None, using="default", plan=[])
    later = User.objects.create_user("later@test.example", full_name="Lotte Kwikstaart")
    assert search.matching_users(["kwikstaart"]) == [later.pk]


# Names and addresses from a few letters (so that searches find something), with what
# makes a search hard: case, accents, a letter that becomes capitals when decomposed
# ("ℌ" is "H"), quotes, the wildcards of LIKE, and short words.
LETTERS = "aeinrs" + "AÉé" + "ℌ" + "\"'%_-." + " "
text = st.text(alphabet=LETTERS, min_size=0, max_size=14)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=st.lists(st.tuples(text, text), min_size=1, max_size=6), data=st.data())
def test_the_index_never_changes_what_a_search_finds(people, data):
    with transaction.atomic():
        for n, (name, local) in enumerate(people):
            User.objects.create_user(f"{local.replace(' ', '')}{n}@x.example", full_name=name)
        if data.draw(st.booleans(), label="counted"):
            search.refresh_counts()
        stored = list(User.objects.values_list("search_text", flat=True))
        pick = data.draw(st.sampled_from(stored), label="from")
        start = data.draw(st.integers(0, len(pick)), label="start")
        terms = [
            pick[start : start + data.draw(st.integers(0, 8), label="length")],
            *data.draw(st.lists(text, max_size=1), label="another"),
        ]
        with_index, without = _found(*terms)
        assert with_index == without
        transaction.set_rollback(True)

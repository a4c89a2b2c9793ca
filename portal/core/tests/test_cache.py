from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                  "db": {"BACKEND": "portal.core.cache.DatabaseCache", "LOCATION": "test_portal_cache"}}  # fmt: skip


@pytest.fixture
def db_cache(db):
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", "--database", "default", verbosity=0)
        cache = caches["db"]
        yield cache
        cache.clear()
        cache.close()


def later(time_machine, seconds):
    """Expiry is stored to the second."""
    time_machine.move_to(timezone.now() + timedelta(seconds=seconds))


def rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM test_portal_cache ORDER BY cache_key")
        return [key.rsplit(":", 1)[1] for (key,) in cursor.fetchall()]


def test_each_write_is_one_statement(db_cache):
    with CaptureQueriesContext(connection) as queries:
        assert db_cache.add("lock", True, timeout=10) is True
        db_cache.set("history", [1.0, 2.0], timeout=60)
        db_cache.set("history", [3.0], timeout=60)
    assert len(queries) == 3
    assert db_cache.get("history") == [3.0]


def test_add_refuses_a_live_entry_and_takes_an_expired_one(db_cache, time_machine):
    assert db_cache.add("lock", "first", timeout=10) is True
    assert db_cache.add("lock", "second", timeout=10) is False
    assert db_cache.get("lock") == "first"
    db_cache.set("stale", "old", timeout=1)
    later(time_machine, 3)
    assert db_cache.get("stale") is None
    db_cache.set("stale", "old", timeout=1)
    later(time_machine, 3)
    assert db_cache.add("stale", "new", timeout=10) is True
    assert db_cache.get("stale") == "new"


def test_set_without_timeout_never_expires_and_delete_removes(db_cache):
    db_cache.set("forever", {"a": 1}, timeout=None)
    assert db_cache.get("forever") == {"a": 1}
    assert db_cache.delete("forever") is True
    assert db_cache.get("forever", "gone") == "gone"


def test_culling_deletes_only_expired_entries(db_cache, monkeypatch, time_machine):
    monkeypatch.setattr(type(db_cache), "cull_every", 3)
    db_cache.set("live", 1, timeout=600)
    db_cache.set("expired", 2, timeout=1)
    later(time_machine, 3)
    db_cache.set("third", 3, timeout=600)  # the third write culls
    assert rows() == ["live", "third"]

"""The cache used without Redis: Django's database cache, with each write one statement.

allauth's rate limits take a lock, read, write and unlock for every rule they apply (the
failed-login limits, which are the most of them, are counted in a table of their own:
``accounts.ratelimits``). Django's backend counts the whole table and
then opens a transaction to select and insert or update, for each of them; on SQLite
every one of those transactions takes the database's write lock. Here a write is one
upsert, which both SQLite and PostgreSQL make atomic by themselves.

Django also culls a full cache by deleting a third of its entries, live ones included,
which would forget rate-limit histories. Here only expired entries are deleted, every
``cull_every``-th write of a process: what the portal caches (rate-limit histories and
their locks) expires within a day, and an entry without a timeout stays until deleted.
"""

import base64
import itertools
import pickle
from datetime import datetime, timezone

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
    cull_every = 200

    def __init__(self, table, params):
        super().__init__(table, params)
        self._writes = itertools.count(1)

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        if mode == "touch":
            return super()._base_set(mode, key, value, timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table, key_column, value_column, expires_column = map(quote_name, (self._table, "cache_key", "value", "expires"))
        timeout = self.get_backend_timeout(timeout)
        tz = timezone.utc if settings.USE_TZ else None
        expires = datetime.max if timeout is None else datetime.fromtimestamp(timeout, tz=tz)
        now = tz_now().replace(microsecond=0)
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        sql = (
            f"INSERT INTO {table} ({key_column}, {value_column}, {expires_column}) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {value_column} = EXCLUDED.{value_column}, "
            f"{expires_column} = EXCLUDED.{expires_column}"
        )
        params = [key, encoded, connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))]
        if mode == "add":  # only over an entry that has expired
            sql += f" WHERE {table}.{expires_column} < %s"
            params.append(connection.ops.adapt_datetimefield_value(now))
        with connection.cursor() as cursor:
            if next(self._writes) % self.cull_every == 0:
                cursor.execute(
                    f"DELETE FROM {table} WHERE {expires_column} < %s",
                    [connection.ops.adapt_datetimefield_value(now)],
                )
            cursor.execute(sql, params)
            return cursor.rowcount > 0

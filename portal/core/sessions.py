"""The session store: Django's database sessions, taking only keys the portal makes.

Django checks a session key only for its length before it looks the key up, so any
cookie value of eight characters or more became a query; a quoted cookie value may hold
octal escapes ("\\000"), which reached PostgreSQL as NUL characters and failed the query
on every page. A key the portal did not make (32 lower-case letters and digits) is no
session: the visitor gets a new one, as with an expired key.

At a login Django gives the session a new key (``cycle_key``), which wrote the session
under it at once, after asking whether the key was free, and then wrote it again at the
end of the request with the login in it: three statements and two transactions. Here a
new key is not looked up first (32 random characters: the primary key refuses the one
that is taken, and another is drawn, as Django does), and the session cycled is written
once, at the end of the request, as a new row (one statement made once, without a
transaction around it when there is none already). It is the same database session, so
ending it, or all of a user's sessions, still ends it everywhere at the next request.
Ending one is one statement too.

Reading a session, which every request with a cookie does, runs one statement whose SQL
is made once per database (through the ORM, making it cost about ten times the lookup
itself); it reads what Django's lookup reads: an unexpired row with this key."""

import string
from functools import cache

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from .prepared import PreparedInsert

KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)  # what Django's keys are made of
KEY_LENGTH = 32


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return bool(key) and len(key) == KEY_LENGTH and set(key) <= KEY_CHARACTERS

    def load(self):
        """The session's data, as Django's ``load``: empty (and no key any more) when the
        row is gone or expired."""
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(
                _load_sql(self.model, alias), [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())]
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])

    @classmethod
    def load_many(cls, keys):
        """The data of the sessions with these keys, by key, in one query: what ``load``
        gives each (a session that is gone, expired or unreadable is empty)."""
        store = cls()
        keys = [key for key in keys if store._validate_session_key(key)]
        rows = cls.get_model_class().objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        found = {key: store.decode(data) for key, data in rows.values_list("session_key", "session_data")}
        return {key: found.get(key, {}) for key in keys}

    @property
    def key_is_new(self):
        """Whether the session's key was made in this request (``cycle_key``, at a login)
        and is not written yet: nothing can have remembered it."""
        return getattr(self, "_not_written", False)

    def _get_new_session_key(self):
        return get_random_string(KEY_LENGTH, VALID_KEY_CHARS)

    def cycle_key(self):
        """A new key for the same data, written at the next save (and only then)."""
        data = self._session
        key = self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data
        self._not_written = True
        self.modified = True
        if key:
            self.delete(key)

    def delete(self, session_key=None):
        """One statement (Django reads the row first, then deletes it)."""
        session_key = session_key or self.session_key
        if session_key is not None:
            self.model.objects.filter(session_key=session_key).delete()

    def save(self, must_create=False):
        if not getattr(self, "_not_written", False) or self.session_key is None:
            return super().save(must_create=must_create)
        data = self._get_session(no_load=True)
        while True:
            try:
                self._insert(data)
            except IntegrityError:  # the key was taken after all: another one
                self._session_key = self._get_new_session_key()
                continue
            self._not_written = False
            return

    def _insert(self, data):
        """The new row in one statement made once. Outside a transaction (the end of a
        request) a refused key leaves nothing to roll back, so Django's transaction
        around it (two more statements) is only needed inside one, as a savepoint."""
        alias = router.db_for_write(self.model)
        values = {"session_key": self.session_key, "session_data": self.encode(data), "expire_date": self.get_expiry_date()}
        if connections[alias].in_atomic_block:
            with transaction.atomic(using=alias):
                _new_row.insert(**values)
        else:
            _new_row.insert(**values)


_new_row = PreparedInsert(SessionStore.get_model_class(), "session_key", "session_data", "expire_date")


@cache
def _load_sql(model, alias):
    """SELECT the data of an unexpired session by key, in the dialect of database ``alias``."""
    quote = connections[alias].ops.quote_name
    meta = model._meta
    data, key, expires = (quote(meta.get_field(name).column) for name in ("session_data", "session_key", "expire_date"))
    return f"SELECT {data} FROM {quote(meta.db_table)} WHERE {key} = %s AND {expires} > %s"

"""The session store: Django's database sessions, taking only keys the portal makes.

Django checks a session key only for its length before it looks the key up, so any
cookie value of eight characters or more became a query; a quoted cookie value may hold
octal escapes ("\\000"), which reached PostgreSQL as NUL characters and failed the query
on every page. A key the portal did not make (32 lower-case letters and digits) is no
session: the visitor gets a new one, as with an expired key."""

import string

from django.contrib.sessions.backends import db

KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)  # what Django's keys are made of
KEY_LENGTH = 32


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return bool(key) and len(key) == KEY_LENGTH and set(key) <= KEY_CHARACTERS

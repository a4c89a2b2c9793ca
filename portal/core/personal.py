"""Personal values in the audit trail, sealed with a key per person.

The trail keeps for ever who did what (``AuditEvent``); the personal values in an
event's ``changes`` (a name, an e-mail address, a telephone number, a typed reason) are
stored sealed with the key of the person they belong to (``PersonalDataKey``). Erasing
that person destroys the key: the event stays, its personal values can no longer be read
by anyone, and are shown as erased.

A sealed value is stored as ``{"sealed": <Fernet token of the JSON value>, "of": <user
id>}``; a value recorded after its person was erased as ``{"erased": true}``. The
functions without a database (``seal``, ``unseal``, ``is_sealed``) are used by the
migration that sealed the values written before this existed, so they stay as they are.
"""

import json

from cryptography.fernet import Fernet, InvalidToken

SEALED = "sealed"
OWNER = "of"
ERASED = {"erased": True}


def new_key():
    return Fernet.generate_key().decode()


def seal(key, owner_id, value):
    token = Fernet(key.encode()).encrypt(json.dumps(value, separators=(",", ":")).encode())
    return {SEALED: token.decode(), OWNER: owner_id}


def is_sealed(value):
    return isinstance(value, dict) and SEALED in value and OWNER in value


def is_erased(value):
    return value == ERASED


def owner_of(value):
    return value[OWNER] if is_sealed(value) else None


class Unreadable(Exception):
    """The value's key was destroyed (its person erased), or it does not open it."""


def unseal(key, value):
    if not key:
        raise Unreadable
    try:
        return json.loads(Fernet(key.encode()).decrypt(value[SEALED].encode()))
    except (InvalidToken, ValueError) as error:
        raise Unreadable from error

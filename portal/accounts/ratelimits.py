"""The limits on failed logins, counted in one table.

The rules are allauth's, as configured in ``ACCOUNT_RATE_LIMITS["login_failed"]``: so
many failures per login (the address typed) and per client address, each within its
own window. allauth keeps a history per rule in the cache, behind a lock of its own,
and counts an attempt in every rule before the password is checked and takes it back
when the password was right: some forty cache operations a login, forty statements on
the database cache, which cost a login on PostgreSQL a quarter of its throughput.

Here an attempt is a row (``LoginAttempt``), written before the password is checked;
then the attempts within every rule's window are counted in one query, and a successful
login deletes its row again: three queries, and no locks. Two attempts at the same
moment cannot both slip past a limit: each writes its row before it counts, so the one
that counts last sees the other (at worst both are refused). An attempt that is refused
is not counted, so hammering a locked account does not extend its wait.

That needs each row to be seen by other requests as soon as it is written: the login
must not run inside a transaction (``ATOMIC_REQUESTS``), which the check below refuses.

The limit on logins per client address (``LOGIN_RATE_LIMIT``, 60 a minute: allauth's
"login" rule, which kept its history in the cache behind a lock, four statements on the
database cache for every login) is counted in the same rows and the same query: a
login's row stays when its password was right, without its login key (so it is no
failure of that account nor of the address), until it is older than every window. A
login over that limit is answered as allauth answered it, with the 429 page.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_

from allauth.core.internal.ratelimit import get_ip, get_rates, parse_rates
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from portal.core.once import per_settings
from portal.core.prepared import PreparedInsert, PreparedRows, PreparedUpdate

from .models import LoginAttempt, normalize_email_address

PRUNE_CHANCE = 1 / 200  # the share of attempts that also delete those older than every window
_SOURCES = {"key": "login_key", "ip": "client_key"}


SUCCEEDED = ""  # the login key of a login whose password was right
PER_ADDRESS = "per address"  # what login_attempt_begin answers when that limit refuses


@per_settings
def _rules():
    """The limits on failed logins (``ACCOUNT_RATE_LIMITS["login_failed"]``), read once
    until a setting changes."""
    rules = tuple(get_rates(app="allauth.account", action="login_failed"))
    for rule in rules:
        if rule.per not in _SOURCES:
            raise ImproperlyConfigured(f"login_failed limits count per key or ip, not per {rule.per}")
    return rules


@per_settings
def _login_rules():
    """The limits on logins, right or wrong, per client address (``LOGIN_RATE_LIMIT``),
    read once until a setting changes."""
    rules = tuple(dict.fromkeys(parse_rates(settings.LOGIN_RATE_LIMIT)))
    for rule in rules:
        if rule.per != "ip":
            raise ImproperlyConfigured(f"LOGIN_RATE_LIMIT counts per ip, not per {rule.per}")
    return rules


@checks.register(checks.Tags.security)
def check_login_attempts(app_configs, **kwargs):
    errors = []
    try:
        _rules()
    except (ImproperlyConfigured, ValueError) as error:
        errors.append(checks.Error(f"LOGIN_FAILED_RATE_LIMIT: {error}", id="accounts.E001"))
    try:
        _login_rules()
    except (ImproperlyConfigured, ValueError) as error:
        errors.append(checks.Error(f"LOGIN_RATE_LIMIT: {error}", id="accounts.E003"))
    if get_rates(app="allauth.account", action="login"):
        errors.append(checks.Error(
            'ACCOUNT_RATE_LIMITS["login"] would count every login a second time, in the cache: the limit on logins '
            "per address is LOGIN_RATE_LIMIT (accounts.ratelimits).",
            id="accounts.E004",
        ))  # fmt: skip
    for alias, database in settings.DATABASES.items():
        if database.get("ATOMIC_REQUESTS"):
            errors.append(checks.Error(
                f"DATABASES[{alias!r}] has ATOMIC_REQUESTS: an attempt to log in would be counted only when its "
                "request ends, so attempts at the same moment would not see each other (accounts.ratelimits).",
                id="accounts.E002",
            ))  # fmt: skip
    return errors


def _keyed(kind, value):
    return salted_hmac(f"portal.accounts.ratelimits.{kind}", value, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Attempt:
    """A login attempt that the limits let through; ``rollback`` takes it back as a
    failure (allauth calls it when the password was right): it stays as a login when the
    limit per address counts it. Without any rule nothing was counted."""

    pk: int | None
    is_login: bool = False

    def rollback(self):
        if self.pk is None:
            return
        if self.is_login:
            _mark_succeeded.update(self.pk, login_key=SUCCEEDED)
        else:
            _delete(LoginAttempt.objects.filter(pk=self.pk))


def login_attempt_begin(request, *, login, is_login=True):
    """Count an attempt to log in as ``login`` from the client of ``request``: an
    ``Attempt`` when every rule still allows it, None (and nothing counted) when a limit
    on failures does not, ``PER_ADDRESS`` when the limit on logins per address does not.
    A second step (a code) is no new login: ``is_login=False`` leaves that limit out."""
    rules = _rules()
    login_rules = _login_rules() if is_login else ()
    if not rules and not login_rules:
        return Attempt(None)
    now = timezone.now()
    keys = {"login_key": _keyed("login", normalize_email_address(login)), "client_key": _keyed("ip", get_ip(request))}
    attempt = _new_attempt.insert(attempted_at=now, **keys)
    if random.random() < PRUNE_CHANCE:
        _prune(now, rules + _login_rules())
    refused = _over_a_limit(rules, login_rules, keys, now)
    if refused:
        _delete(LoginAttempt.objects.filter(pk=attempt))
        return PER_ADDRESS if refused == PER_ADDRESS else None
    return Attempt(attempt, is_login=bool(login_rules))


def _over_a_limit(rules, login_rules, keys, now):
    """Whether the attempts within some rule's window, this one included, are more than
    it allows: True for a limit on failures (a login that succeeded is none),
    ``PER_ADDRESS`` for the limit on logins per address (where it counts). Read in one
    query: the attempts within the longest window of each source."""
    windows = [(_SOURCES[rule.per], now - timedelta(seconds=rule.duration), rule.amount) for rule in rules]
    login_windows = [(now - timedelta(seconds=rule.duration), rule.amount) for rule in login_rules]
    since = {}
    for source, start, _amount in windows:
        since[source] = min(since.get(source, start), start)
    arguments = [value for source, start in since.items() for value in (keys[source], start)]
    if login_windows:  # the logins that succeeded only within the limit per address's window
        arguments += [keys["client_key"], min(start for start, _amount in login_windows)]
    shape = (tuple(since), bool(login_windows))
    if shape not in _recent_attempts:
        _recent_attempts[shape] = PreparedRows(_recent_attempts_query(*shape))
    rows = _recent_attempts[shape].rows(*arguments)
    if any(
        sum(1 for row in rows if row[source] == keys[source] and row["login_key"] != SUCCEEDED and row["attempted_at"] > start)
        > amount
        for source, start, amount in windows
    ):
        return True
    if any(
        sum(1 for row in rows if row["client_key"] == keys["client_key"] and row["attempted_at"] > start) > amount
        for start, amount in login_windows
    ):
        return PER_ADDRESS
    return False


# Every attempt is written, and each that succeeds marked, with SQL made once.
_new_attempt = PreparedInsert(LoginAttempt, "login_key", "client_key", "attempted_at")
_mark_succeeded = PreparedUpdate(lambda pk: LoginAttempt.objects.filter(pk=pk), "login_key")

# The query of the attempts within the rules' windows, per form of the rules (which keys
# count failures, and whether logins per address count too), with its SQL made once.
_recent_attempts = {}


def _recent_attempts_query(sources, with_logins):
    """The attempts within the windows: for each source its key and the start of its
    longest window (failures only), then the client's key and the start of the window of
    logins per address (every attempt)."""

    def build(*arguments):
        failures = ~Q(login_key=SUCCEEDED)
        pairs = [arguments[index : index + 2] for index in range(0, len(arguments), 2)]
        within = [Q(**{source: key, "attempted_at__gt": start}) & failures for source, (key, start) in zip(sources, pairs)]
        if with_logins:
            key, start = pairs[-1]
            within.append(Q(client_key=key, attempted_at__gt=start))
        return LoginAttempt.objects.filter(reduce(or_, within)).values(*_SOURCES.values(), "attempted_at")

    return build


def _delete(attempts):
    """Delete in one statement: an attempt has no relations and no signals to send, so
    Django's transaction around its delete (a BEGIN and a COMMIT on SQLite) adds nothing."""
    attempts._raw_delete(attempts.db)


def login_attempts_clear(*, login):
    """Forget the failed attempts to log in as ``login`` (after its password was reset);
    those of the client addresses stay."""
    LoginAttempt.objects.filter(login_key=_keyed("login", normalize_email_address(login))).delete()


def _prune(now, rules):
    _delete(LoginAttempt.objects.filter(attempted_at__lte=now - timedelta(seconds=max(rule.duration for rule in rules))))

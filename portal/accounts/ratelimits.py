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
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_

from allauth.core.internal.ratelimit import get_ip, get_rates
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import LoginAttempt, normalize_email_address

PRUNE_CHANCE = 1 / 200  # the share of attempts that also delete those older than every window
_SOURCES = {"key": "login_key", "ip": "client_key"}


def _rules():
    rules = get_rates(app="allauth.account", action="login_failed")
    for rule in rules:
        if rule.per not in _SOURCES:
            raise ImproperlyConfigured(f"login_failed limits count per key or ip, not per {rule.per}")
    return rules


@checks.register(checks.Tags.security)
def check_login_attempts(app_configs, **kwargs):
    errors = []
    try:
        _rules()
    except (ImproperlyConfigured, ValueError) as error:
        errors.append(checks.Error(f"LOGIN_FAILED_RATE_LIMIT: {error}", id="accounts.E001"))
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
    """A login attempt that the limits let through; ``rollback`` takes it back (allauth
    calls it when the password was right). Without any rule nothing was counted."""

    pk: int | None

    def rollback(self):
        if self.pk is not None:
            LoginAttempt.objects.filter(pk=self.pk).delete()


def login_attempt_begin(request, *, login):
    """Count an attempt to log in as ``login`` from the client of ``request``: an
    ``Attempt`` when every rule still allows it, None (and nothing counted) when one
    does not."""
    rules = _rules()
    if not rules:
        return Attempt(None)
    now = timezone.now()
    keys = {"login_key": _keyed("login", normalize_email_address(login)), "client_key": _keyed("ip", get_ip(request))}
    attempt = LoginAttempt.objects.create(attempted_at=now, **keys)
    if random.random() < PRUNE_CHANCE:
        _prune(now, rules)
    if _over_a_limit(rules, keys, now):
        attempt.delete()
        return None
    return Attempt(attempt.pk)


def _over_a_limit(rules, keys, now):
    """Whether the attempts within some rule's window, this one included, are more than
    it allows. Read in one query: the attempts within the longest window of each source,
    no more rows than the largest limit of each allows."""
    windows = [(_SOURCES[rule.per], now - timedelta(seconds=rule.duration), rule.amount) for rule in rules]
    since = {}
    for source, start, _amount in windows:
        since[source] = min(since.get(source, start), start)
    within = reduce(or_, (Q(**{source: keys[source], "attempted_at__gt": start}) for source, start in since.items()))
    rows = list(LoginAttempt.objects.filter(within).values(*_SOURCES.values(), "attempted_at"))
    return any(
        sum(1 for row in rows if row[source] == keys[source] and row["attempted_at"] > start) > amount
        for source, start, amount in windows
    )


def login_attempts_clear(*, login):
    """Forget the failed attempts to log in as ``login`` (after its password was reset);
    those of the client addresses stay."""
    LoginAttempt.objects.filter(login_key=_keyed("login", normalize_email_address(login))).delete()


def _prune(now, rules):
    LoginAttempt.objects.filter(attempted_at__lte=now - timedelta(seconds=max(rule.duration for rule in rules))).delete()

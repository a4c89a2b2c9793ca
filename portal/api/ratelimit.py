"""Requests per API key: fixed windows counted in the shared cache (Redis or the
database cache), so every process and machine counts together.

``API_RATE_LIMIT`` (setting and environment variable) holds rules such as
``"120/m,3000/h"``: at most 120 requests per minute and 3000 per hour per key.
"""

import time

from django.conf import settings
from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DEFAULT = "120/m,5000/h"


def rules(text=None):
    parsed = []
    for rule in (text if text is not None else getattr(settings, "API_RATE_LIMIT", DEFAULT)).split(","):
        rule = rule.strip()
        if not rule:
            continue
        amount, _, period = rule.partition("/")
        parsed.append((int(amount), PERIODS[period.strip()]))
    return parsed


def consume(key_id, now=None):
    """Count one request of the key; returns 0 when it may go ahead, otherwise the
    seconds until it may try again."""
    now = int(now if now is not None else time.time())
    wait = 0
    for amount, seconds in rules():
        window = now // seconds
        cache_key = f"api-rate:{key_id}:{seconds}:{window}"
        if cache.add(cache_key, 1, timeout=seconds + 1):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between the two calls
                cache.set(cache_key, 1, timeout=seconds + 1)
                count = 1
        if count > amount:
            wait = max(wait, (window + 1) * seconds - now)
    return wait

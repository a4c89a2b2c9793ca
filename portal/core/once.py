"""What the portal works out once per process from its settings."""

from functools import lru_cache

from django.core.signals import setting_changed


def per_settings(function=None, *, maxsize=None):
    """``function`` with its results kept (``functools.lru_cache``: all of them, or the
    last ``maxsize``) until a setting changes: in production never; the tests change
    settings, and then all it kept is forgotten."""
    if function is None:
        return lambda function: per_settings(function, maxsize=maxsize)
    kept = lru_cache(maxsize=maxsize)(function)

    def forget(**kwargs):
        kept.cache_clear()

    setting_changed.connect(forget, weak=False)
    return kept

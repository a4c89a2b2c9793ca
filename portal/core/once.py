"""What the portal works out once per process from its settings."""

from functools import cache

from django.core.signals import setting_changed


def per_settings(function):
    """``function`` with its results kept (``functools.cache``) until a setting changes:
    in production never; the tests change settings, and then all it kept is forgotten."""
    kept = cache(function)

    def forget(**kwargs):
        kept.cache_clear()

    setting_changed.connect(forget, weak=False)
    return kept

"""Tenant scoping in one place.

Every model that belongs to an organization gets a queryset derived from
``ScopedQuerySet`` and implements ``visible_to(user)``. Views fetch objects only
through ``get_visible_or_404``, so an id of another organization answers a plain 404,
never a 403 that would confirm the object exists.
"""

from functools import wraps

from django.db import models
from django.http import Http404


def membership_of(user):
    """The customer membership of a logged-in user; None for staff and visitors."""
    if not user.is_authenticated:
        return None
    return getattr(user, "membership", None)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):  # pragma: no cover - every subclass defines it
        raise NotImplementedError(f"{type(self).__name__} must define visible_to(user)")

    def of_administered_organization(self, user, field="organization_id"):
        """The rows of the organization that ``user`` administers; none for anyone who
        is not an active administrator of a customer organization."""
        membership = membership_of(user)
        if membership is None or not membership.is_active_administrator:
            return self.none()
        return self.filter(**{field: membership.organization_id})


def get_visible_or_404(queryset, user, **lookup):
    """The object matching ``lookup`` among those ``user`` may see, or a 404."""
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError("get_visible_or_404 needs a ScopedQuerySet")
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def allowed_or_404(check):
    """A view decorator: the view answers only when ``check(user)`` holds (one of the
    named permission functions); for anyone else the URL does not exist (404)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

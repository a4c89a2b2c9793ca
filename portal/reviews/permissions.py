"""Who may do what with access reviews. The same functions guard the views, decide the
menu item and are asked again by the services."""

from portal.core.scoping import membership_of
from portal.organizations.models import Membership

from .models import AccessReviewItem


def _administers(user, organization_id) -> bool:
    membership = membership_of(user)
    return bool(membership and membership.is_active_administrator and membership.organization_id == organization_id)


def can_review(user) -> bool:
    """The review pages and their menu item: an active administrator, and an active
    location manager for the accounts they manage (of their own organization's reviews;
    ``AccessReview.objects.visible_to`` scopes them)."""
    membership = membership_of(user)
    return bool(membership and (membership.is_active_administrator or membership.is_active_location_manager))


def can_run_reviews(user, organization) -> bool:
    """Starting and finishing a review, and the quarterly setting: the organization's
    active administrators."""
    return _administers(user, organization.pk)


def items_reviewable_by(user, review):
    """THE decision which accounts of ``review`` ``user`` may see and confirm or change:
    an active administrator of the review's organization all of them; a location manager
    of that organization the accounts they manage now (``Membership.objects.manageable_by``);
    anyone else none. Every page, export and service of the reviews asks this function."""
    if _administers(user, review.organization_id):
        return AccessReviewItem.objects.filter(review=review)
    membership = membership_of(user)
    if membership and membership.is_active_location_manager and membership.organization_id == review.organization_id:
        return AccessReviewItem.objects.filter(review=review, membership__in=Membership.objects.manageable_by(user))
    return AccessReviewItem.objects.none()

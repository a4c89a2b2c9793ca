"""Starting, reviewing and finishing an access review; the quarterly schedule and the
reminders. Each service runs in one transaction with the review's row locked, asks the
permission functions itself, records an audit event and queues its mail in it.

A review never changes an account: a reviewer changes one through Accountbeheer's own
pages and services, and the review records what changed (the account now against its
snapshot)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.audit import audit_record
from portal.core.errors import RuleError
from portal.core.mail import mail_render, mail_send, site_url
from portal.core.references import next_reference
from portal.organizations.models import Membership, Organization

from .models import AccessReview, AccessReviewItem, Outcome, ReviewSchedule
from .permissions import can_run_reviews, items_reviewable_by
from .snapshot import differences, snapshot_of, snapshots_of, with_locations

REFERENCE_PREFIX = "TC"
REMINDER_INTERVAL = timedelta(days=7)


class ReviewRuleError(RuleError):
    """A rule of the access reviews refused the action."""

    MESSAGES = {
        "not_allowed": _("Je mag dit niet doen in deze toegangscontrole."),
        "review_open": _("Er loopt al een toegangscontrole. Rond die eerst af voordat je een nieuwe start."),
        "review_finished": _("Deze toegangscontrole is afgerond: er kan niets meer aan veranderen."),
        "items_open": _(
            "Nog niet elk account is gecontroleerd (nog open: %(count)s). Bevestig of wijzig eerst elk account; "
            "daarna kun je de toegangscontrole afronden."
        ),
        "already_decided": _("Dit account is al gecontroleerd in deze toegangscontrole."),
        "changed_since_start": _(
            "Dit account is gewijzigd sinds de start van de toegangscontrole. Leg de wijziging vast in plaats "
            "van te bevestigen dat het klopt."
        ),
        "nothing_changed": _(
            "Aan dit account is sinds de start van de toegangscontrole niets gewijzigd (of de wijziging is al "
            "vastgelegd). Wijzig het eerst via Wijzigen of Deactiveren, of bevestig dat het klopt."
        ),
    }


# --- starting ---------------------------------------------------------------------------------


@transaction.atomic
def review_start(*, actor, organization, request=None):
    """Start a review of ``organization``: one item per account that is not deleted, with
    its role, status, rights and locations as they are now. ``actor`` None is the
    quarterly schedule (the administrators are then told by mail)."""
    if actor is not None and not can_run_reviews(actor, organization):
        raise ReviewRuleError("not_allowed")
    Organization.objects.select_for_update().get(pk=organization.pk)  # one start at a time
    if AccessReview.objects.open().filter(organization=organization).exists():
        raise ReviewRuleError("review_open")
    review = AccessReview.objects.create(organization=organization, reference=next_reference(REFERENCE_PREFIX), started_by=actor)
    total = 0
    for batch in snapshots_of(organization):
        AccessReviewItem.objects.bulk_create(
            AccessReviewItem(review_id=review.pk, membership_id=pk, snapshot=snapshot) for pk, snapshot in batch
        )
        total += len(batch)
    audit_record(
        "access_review_started",
        actor=actor,
        organization=organization,
        request=request,
        changes={"reference": review.reference},
    )
    if actor is None:
        _mail_administrators(review, "reviews/email/started", open_count=total, total=total)
    return review


# --- reviewing one account --------------------------------------------------------------------


def _lock_open(review):
    review = AccessReview.objects.select_for_update().get(pk=review.pk)
    if not review.is_open:
        raise ReviewRuleError("review_finished")
    return review


def _lock_item(actor, review, item_pk):
    """The item, locked, if ``actor`` may act on it (``items_reviewable_by``)."""
    item = items_reviewable_by(actor, review).select_for_update().filter(pk=item_pk).first()
    if item is None:
        raise ReviewRuleError("not_allowed")
    return item


def _now(item):
    membership = with_locations(Membership.objects.filter(pk=item.membership_id)).get()
    return membership, snapshot_of(membership)


@transaction.atomic
def review_item_confirm(*, actor, item, request=None):
    """The account is as it should be ("klopt"): only while it is as in the snapshot."""
    review = _lock_open(item.review)
    item = _lock_item(actor, review, item.pk)
    if item.outcome != Outcome.OPEN:
        raise ReviewRuleError("already_decided")
    membership, now = _now(item)
    if differences(item.snapshot, now):
        raise ReviewRuleError("changed_since_start")
    item.outcome, item.decided_by, item.decided_at = Outcome.CONFIRMED, actor, timezone.now()
    item.save(update_fields=["outcome", "decided_by", "decided_at"])
    audit_record(
        "access_review_confirmed",
        actor=actor,
        target=membership.user,
        organization=review.organization,
        request=request,
        changes={"reference": review.reference},
    )
    return item


@transaction.atomic
def review_item_record_change(*, actor, item, request=None):
    """The account was changed (through Accountbeheer) since the review started: record
    what changed, the account now against its snapshot. Also for an account confirmed
    before and changed after, or changed again."""
    review = _lock_open(item.review)
    item = _lock_item(actor, review, item.pk)
    membership, now = _now(item)
    changes = differences(item.snapshot, now)
    if not changes or (item.outcome == Outcome.CHANGED and changes == item.changes):
        raise ReviewRuleError("nothing_changed")
    item.outcome, item.decided_by, item.decided_at, item.changes = Outcome.CHANGED, actor, timezone.now(), changes
    item.save(update_fields=["outcome", "decided_by", "decided_at", "changes"])
    audit_record(
        "access_review_changed",
        actor=actor,
        target=membership.user,
        organization=review.organization,
        request=request,
        changes={"reference": review.reference, **changes},
    )
    return item


# --- finishing --------------------------------------------------------------------------------


@transaction.atomic
def review_finish(*, actor, review, request=None):
    """Close the review once every account is confirmed or changed; it is kept as it is."""
    if not can_run_reviews(actor, review.organization):
        raise ReviewRuleError("not_allowed")
    review = _lock_open(review)
    still_open = review.items.filter(outcome=Outcome.OPEN).count()
    if still_open:
        raise ReviewRuleError("items_open", count=still_open)
    review.finished_at, review.finished_by = timezone.now(), actor
    review.save(update_fields=["finished_at", "finished_by"])
    audit_record(
        "access_review_finished",
        actor=actor,
        organization=review.organization,
        request=request,
        changes={"reference": review.reference},
    )
    return review


# --- the quarterly schedule -------------------------------------------------------------------


@transaction.atomic
def review_schedule_set(*, actor, organization, quarterly, request=None):
    """Switch the quarterly review on (from the next first day of a quarter, or today if
    that is one) or off. Returns whether anything changed."""
    if not can_run_reviews(actor, organization):
        raise ReviewRuleError("not_allowed")
    schedule, _created = ReviewSchedule.objects.select_for_update().get_or_create(organization=organization)
    if quarterly == (schedule.quarterly_since is not None):
        return False
    schedule.quarterly_since = timezone.localdate() if quarterly else None
    schedule.save(update_fields=["quarterly_since", "changed_at"])
    action = "access_review_quarterly_on" if quarterly else "access_review_quarterly_off"
    audit_record(action, actor=actor, organization=organization, request=request)
    return True


def quarter_start(day):
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def next_quarter_start(day):
    start = quarter_start(day)
    return start if start == day else quarter_start(start.replace(day=28) + timedelta(days=95))


def start_quarterly_reviews(today=None):
    """The daily job: start a review for each organization with the quarterly review on
    that has none started in this quarter (since the setting was switched on) and none
    open. On the quarter's first day, or the next day the job runs."""
    today = today or timezone.localdate()
    start = quarter_start(today)
    start_moment = timezone.make_aware(datetime.combine(start, time.min))
    organizations = Organization.objects.filter(
        pk__in=ReviewSchedule.objects.filter(quarterly_since__lte=start).values("organization_id"), portal_access=True
    ).exclude(pk__in=AccessReview.objects.filter(started_at__gte=start_moment).values("organization_id"))
    started = 0
    for organization in organizations.exclude(pk__in=AccessReview.objects.open().values("organization_id")):
        try:
            review_start(actor=None, organization=organization)
        except ReviewRuleError:  # started meanwhile
            continue
        started += 1
    return f"{started} started"


# --- reminders --------------------------------------------------------------------------------


def _reminder_due(now):
    return AccessReview.objects.open().filter(
        Q(reminded_at__lte=now - REMINDER_INTERVAL) | Q(reminded_at__isnull=True, started_at__lte=now - REMINDER_INTERVAL)
    )


@transaction.atomic
def review_remind(*, review, now=None):
    """Mail the organization's active administrators how far the review is, if it is
    still open and its last reminder (or its start) is a week ago; True when sent."""
    now = now or timezone.now()
    review = _reminder_due(now).select_for_update().filter(pk=review.pk).first()
    if review is None:
        return False
    total = review.items.count()
    still_open = review.items.filter(outcome=Outcome.OPEN).count()
    _mail_administrators(review, "reviews/email/reminder", open_count=still_open, total=total)
    review.reminded_at = now
    review.save(update_fields=["reminded_at"])
    return True


def send_review_reminders(now=None):
    """The daily job: remind once a week while a review is open."""
    now = now or timezone.now()
    sent = sum(review_remind(review=review, now=now) for review in _reminder_due(now).only("pk"))
    return f"{sent} reminded"


def _mail_administrators(review, template, **context):
    administrators = (
        Membership.objects.active_administrators(review.organization_id)
        .filter(user__is_active=True)
        .exclude(user__email__isnull=True)
        .select_related("user", "organization")
    )
    url = site_url(reverse("reviews:detail", args=[review.pk]))
    for membership in administrators:
        subject, body = mail_render(
            template,
            {"user": membership.user, "organization": membership.organization, "review": review, "url": url, **context},
        )
        mail_send(to=membership.user.email, subject=subject, body=body)

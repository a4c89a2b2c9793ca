"""The daily jobs: the quarterly start and the weekly reminders, each once."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import make_account
from portal.core.jobs import jobs
from portal.core.models import AuditEvent
from portal.organizations.models import Role, Status
from portal.reviews import services
from portal.reviews.models import AccessReview, Outcome, ReviewSchedule


def at(day, hour=6):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


def test_both_jobs_are_registered():
    names = {job.name for job in jobs()}
    assert {"start_quarterly_access_reviews", "remind_access_reviews"} <= names


@pytest.mark.parametrize(
    "day, start, following",
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1)),
        (date(2026, 2, 14), date(2026, 1, 1), date(2026, 4, 1)),
        (date(2026, 6, 30), date(2026, 4, 1), date(2026, 7, 1)),
        (date(2026, 11, 3), date(2026, 10, 1), date(2027, 1, 1)),
    ],
)
def test_quarters(day, start, following):
    assert services.quarter_start(day) == start
    assert services.next_quarter_start(day) == following


@pytest.mark.django_db
def test_the_setting_is_saved_from_the_page_and_audited(client, admin_user, organization):
    client.force_login(admin_user)
    client.post(reverse("reviews:schedule"), {"quarterly": "on"})
    assert ReviewSchedule.objects.get(organization=organization).quarterly_since == timezone.localdate()
    assert "De volgende start op" in client.get(reverse("reviews:list")).content.decode()
    client.post(reverse("reviews:schedule"), {})
    assert ReviewSchedule.objects.get(organization=organization).quarterly_since is None
    actions = list(
        AuditEvent.objects.filter(organization=organization, action__startswith="access_review")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["access_review_quarterly_on", "access_review_quarterly_off"]


@pytest.mark.django_db
def test_the_quarterly_review_starts_once_on_the_first_day_of_a_quarter(
    admin_user, employee, organization, other_admin, other_organization, django_capture_on_commit_callbacks
):
    second_admin = make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
    away = make_account(organization, "admin3@test.example", role=Role.ADMINISTRATOR, status=Status.DEACTIVATED)
    ReviewSchedule.objects.create(organization=organization, quarterly_since=date(2026, 2, 10))

    assert services.start_quarterly_reviews(today=date(2026, 3, 31)) == "0 started"  # switched on mid-quarter: waits
    with django_capture_on_commit_callbacks(execute=True):
        assert services.start_quarterly_reviews(today=date(2026, 4, 1)) == "1 started"
    review = AccessReview.objects.get()
    assert review.organization == organization and review.started_by is None and review.items.count() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, second_admin.email])  # active administrators
    assert away.email not in str([m.to for m in mail.outbox])
    assert "Toegangscontrole van Bakkerij Test B.V. gestart" in mail.outbox[0].subject
    assert reverse("reviews:detail", args=[review.pk]) in mail.outbox[0].body
    assert AuditEvent.objects.get(action="access_review_started").actor is None

    # Idempotent: again that day, the next day, while it is open and after it is finished.
    assert services.start_quarterly_reviews(today=date(2026, 4, 1)) == "0 started"
    review.items.update(outcome=Outcome.CONFIRMED, decided_by=admin_user, decided_at=timezone.now())
    services.review_finish(actor=admin_user, review=review)
    AccessReview.objects.filter(pk=review.pk).update(started_at=at(date(2026, 4, 1)))
    assert services.start_quarterly_reviews(today=date(2026, 5, 2)) == "0 started"
    assert services.start_quarterly_reviews(today=date(2026, 7, 2)) == "1 started"  # the next quarter, a day late
    assert AccessReview.objects.filter(organization=other_organization).count() == 0  # not switched on there


@pytest.mark.django_db
def test_no_quarterly_review_while_one_is_open_or_when_switched_off(admin_user, employee, organization):
    services.review_start(actor=admin_user, organization=organization)
    ReviewSchedule.objects.create(organization=organization, quarterly_since=date(2026, 1, 1))
    assert services.start_quarterly_reviews(today=date(2026, 4, 1)) == "0 started"
    AccessReview.objects.update(finished_at=timezone.now(), finished_by=admin_user)
    ReviewSchedule.objects.update(quarterly_since=None)
    assert services.start_quarterly_reviews(today=date(2026, 4, 1)) == "0 started"


@pytest.mark.django_db
def test_reminders_go_weekly_while_the_review_is_open(admin_user, employee, organization, django_capture_on_commit_callbacks):
    review = services.review_start(actor=admin_user, organization=organization)
    services.review_item_confirm(actor=admin_user, item=review.items.get(membership=employee.membership))
    started = review.started_at

    assert services.send_review_reminders(now=started + timedelta(days=6)) == "0 reminded"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_review_reminders(now=started + timedelta(days=7)) == "1 reminded"
    [reminder] = mail.outbox
    assert reminder.to == [admin_user.email] and "loopt nog" in reminder.subject
    assert "Nog te controleren: 1 van 2 accounts" in reminder.body
    # once: the same day, and the next days of that week, nothing more
    assert services.send_review_reminders(now=started + timedelta(days=7, hours=1)) == "0 reminded"
    assert services.send_review_reminders(now=started + timedelta(days=13)) == "0 reminded"
    assert services.send_review_reminders(now=started + timedelta(days=14)) == "1 reminded"

    services.review_item_confirm(actor=admin_user, item=review.items.get(membership=admin_user.membership))
    services.review_finish(actor=admin_user, review=review)
    assert services.send_review_reminders(now=started + timedelta(days=30)) == "0 reminded"

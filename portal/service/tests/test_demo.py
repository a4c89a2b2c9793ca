"""The demo service requests: every status for both demo organizations, threads with
customer service's replies, attachments; loading twice creates nothing new."""

import pytest
from django.apps import apps

from conftest import stored_files
from portal.accounts.models import User
from portal.accounts.staff import CUSTOMER_SERVICE
from portal.core.models import AuditEvent, OutgoingMail
from portal.organizations.models import Organization
from portal.service import demo
from portal.service.models import ServiceRequest, Status
from portal.site import demo as site_demo


def orgs_and_staff():
    orgs = []
    for organization in Organization.objects.filter(customer_number__in=demo.REQUESTS):
        orgs.append({
            "organization": organization,
            "locations": {loc.code: loc for loc in organization.locations.all()},
            "users": {m.user.email: m.user for m in organization.memberships.select_related("user")},
        })  # fmt: skip
    staff = {g: User.objects.get(groups__name=g) for g in ("Accountmanager", CUSTOMER_SERVICE)}
    return orgs, staff


def snapshot():
    rows = {
        model._meta.label: sorted(map(repr, model.objects.values_list())) for model in apps.get_app_config("service").get_models()
    }
    rows["audit"] = AuditEvent.objects.count()
    rows["mail"] = OutgoingMail.objects.count()
    return rows


@pytest.mark.django_db
def test_loading_twice_creates_nothing_new(settings, media_root):
    settings.DEBUG = True
    site_demo.load()  # organizations, locations, accounts, staff (and whatever areas it loads)
    orgs, staff = orgs_and_staff()
    counter = site_demo._Counter()
    demo.load(counter, orgs, staff)
    first, files = snapshot(), stored_files(media_root)
    assert ServiceRequest.objects.exists()

    counter = site_demo._Counter()
    demo.load(counter, orgs, staff)
    assert counter.created == 0
    assert snapshot() == first and stored_files(media_root) == files


@pytest.mark.django_db
def test_every_status_for_both_organizations_with_replies_and_attachments(settings, media_root):
    settings.DEBUG = True
    site_demo.load()
    orgs, staff = orgs_and_staff()
    demo.load(site_demo._Counter(), orgs, staff)
    for org in orgs:
        statuses = set(ServiceRequest.objects.filter(organization=org["organization"]).values_list("status", flat=True))
        assert statuses == set(Status.values), org["organization"]
    replies = ServiceRequest.objects.filter(messages__from_staff=True).distinct()
    assert replies.count() >= 6
    assert {m.author for sr in replies for m in sr.messages.filter(from_staff=True)} == {staff[CUSTOMER_SERVICE]}
    kinds = set(ServiceRequest.objects.values_list("attachments__content_type", flat=True))
    assert {"image/png", "application/pdf"} <= kinds
    assert len(stored_files(media_root)) >= 2

"""What a leaver leaves to hand over: Accountbeheer's page lists the leaver's orders
waiting for approval and open service requests (registered by Bestellen and
Serviceaanvragen), each linking to where an administrator handles it; nothing finished,
nothing of a colleague, nothing of another organization."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_account
from portal.ordering import services as ordering
from portal.ordering.models import Category, Order, OrderStatus, Product
from portal.organizations.models import Membership
from portal.organizations.services.leavers import process_leavers
from portal.service import services as service
from portal.service.models import ServiceRequest
from portal.service.models import Status as RequestStatus


@pytest.fixture
def product(db):
    category = Category.objects.create(name="Kassarollen", slug="kassarollen")
    return Product.objects.create(category=category, code="ROL", name="Kassarol", unit="doos", price=Decimal("80.00"))


def place(user, location, product):
    ordering.cart_add(actor=user, product=product, quantity=1)
    order, _ = ordering.order_place(
        actor=user, location=location, department=location.departments.first(), submission_key=uuid.uuid4()
    )
    return order


def file(user, location, subject):
    return service.service_request_create(
        actor=user, location=location, department=location.departments.first(),
        category="terminal", subject=subject, description="Doet het niet.", files=[],
    )  # fmt: skip


@pytest.mark.django_db
def test_the_handover_lists_the_leavers_open_work_with_links(
    client, admin_user, organization, locations, product, mailoutbox, django_capture_on_commit_callbacks
):
    leaver = make_account(organization, "leaver@test.example", may_order=True, locations=locations[:1], full_name="Lies Leaver")
    colleague = make_account(organization, "colleague@test.example", may_order=True, locations=locations[:1])
    Membership.objects.filter(user__in=[leaver, colleague]).update(order_limit=Decimal("10.00"))
    waiting, colleagues = place(leaver, locations[0], product), place(colleague, locations[0], product)
    done = place(leaver, locations[0], product)
    Order.objects.filter(pk=done.pk).update(status=OrderStatus.RECEIVED)
    assert Order.objects.get(pk=waiting.pk).status == OrderStatus.PENDING_APPROVAL
    open_request, closed = file(leaver, locations[0], "Pinautomaat"), file(leaver, locations[0], "Kassalade")
    ServiceRequest.objects.filter(pk=closed.pk).update(status=RequestStatus.CLOSED, closed_at=closed.created_at)

    membership = Membership.objects.get(user=leaver)
    Membership.objects.filter(pk=membership.pk).update(leaves_on=date(2026, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert process_leavers(today=date(2026, 3, 2)) == (1, 0)

    client.force_login(admin_user)
    page = client.get(reverse("accountbeheer:handover", args=[membership.pk])).content.decode()
    assert reverse("ordering:order_detail", args=[waiting.pk]) in page
    assert reverse("service:detail", args=[open_request.pk]) in page
    for other in (reverse("ordering:order_detail", args=[colleagues.pk]), reverse("ordering:order_detail", args=[done.pk])):
        assert other not in page
    assert reverse("service:detail", args=[closed.pk]) not in page
    assert client.get(reverse("ordering:order_detail", args=[waiting.pk])).status_code == 200  # the link works
    mail = next(m for m in mailoutbox if m.to == ["admin@test.example"])
    assert waiting.number in mail.body and open_request.reference in mail.body and colleagues.number not in mail.body

"""Approvers: an account that approves the orders of given locations up to an amount.
Nobody approves their own order; an order above the amount, or of another location,
stays an administrator's."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from conftest import make_account
from portal.ordering import services
from portal.ordering.models import Order, OrderStatus
from portal.organizations.tests.test_location_roles import grant

from .conftest import place


@pytest.fixture
def limited(orderer):
    orderer.membership.order_limit = Decimal("50.00")
    orderer.membership.save()
    return orderer


@pytest.fixture
def approver(organization, locations):
    """Approves Utrecht's orders (locations[0]) up to € 200; may not order, so sees only those."""
    user = make_account(organization, "approver@test.example", locations=[locations[0]], full_name="Arie Approver")
    return grant(user, locations[0], approval_limit=Decimal("200.00"))


def test_an_approver_is_mailed_and_approves_within_their_amount(
    client, limited, admin_user, approver, locations, products, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(limited, locations[0], [(products["roll"], 4)])  # 110.00: above 50, within 200
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert approver.email in {m.to[0] for m in mail.outbox}
    client.force_login(approver)
    assert order in client.get(reverse("ordering:approvals")).context["page"]
    assert client.get(reverse("ordering:order_detail", args=[order.pk])).context["may_decide"]
    assert client.post(reverse("ordering:order_approve", args=[order.pk])).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.decided_by) == (OrderStatus.RECEIVED, approver)


def test_above_their_amount_it_stays_an_administrators(
    client, limited, admin_user, approver, locations, products, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(limited, locations[0], [(products["roll"], 8)])  # 220.00 > 200.00
    assert approver.email not in {m.to[0] for m in mail.outbox}
    client.force_login(approver)
    assert order not in client.get(reverse("ordering:approvals")).context["page"]
    with pytest.raises(services.OrderError) as error:
        services.order_approve(actor=approver, order=order)
    assert error.value.code == "not_approver"
    services.order_approve(actor=admin_user, order=order)


def test_not_for_another_location(admin_user, approver, organization, locations, products):
    orderer = make_account(organization, "amersfoort@test.example", may_order=True, locations=[locations[1]])
    orderer.membership.order_limit = Decimal("10.00")
    orderer.membership.save()
    order = place(orderer, locations[1], [(products["roll"], 1)])
    with pytest.raises(services.OrderError) as error:
        services.order_reject(actor=approver, order=order, reason="Nee")
    assert error.value.code == "not_approver"
    assert Order.objects.visible_to(approver).filter(pk=order.pk).exists() is False


def test_nobody_approves_their_own_order(approver, locations, products):
    membership = approver.membership
    membership.may_order, membership.order_limit = True, Decimal("10.00")
    membership.save()
    with pytest.raises(services.OrderError) as error:  # the approver is the only other one: nobody can
        place(approver, locations[0], [(products["roll"], 1)])
    assert error.value.code == "no_approver"


def test_an_approver_alone_lets_an_order_wait(limited, approver, locations, products):
    """No other administrator than the orderer's: an approver of the location is enough."""
    order = place(limited, locations[0], [(products["roll"], 4)])
    assert order.status == OrderStatus.PENDING_APPROVAL


def test_a_deactivated_approver_approves_nothing(limited, admin_user, approver, locations, products):
    order = place(limited, locations[0], [(products["roll"], 4)])
    approver.membership.status = "deactivated"
    approver.membership.save()
    with pytest.raises(services.OrderError):
        services.order_approve(actor=approver, order=order)


def test_an_approver_without_the_right_to_order_sees_their_locations_orders_only(
    client, limited, admin_user, approver, locations, products
):
    order = place(limited, locations[0], [(products["roll"], 1)])
    client.force_login(approver)
    assert client.get(reverse("ordering:order_detail", args=[order.pk])).status_code == 200
    assert client.get(reverse("ordering:catalogue")).status_code == 404  # no right to order


def test_an_approver_or_manager_does_not_cancel_an_order(client, limited, approver, organization, locations, products):
    order = place(limited, locations[0], [(products["roll"], 1)])
    manager = grant(make_account(organization, "mgr@test.example", locations=[locations[0]]), locations[0], manages=True)
    for user in (approver, manager):
        client.force_login(user)
        client.post(reverse("ordering:order_cancel", args=[order.pk]))
        order.refresh_from_db()
        assert order.status == OrderStatus.RECEIVED

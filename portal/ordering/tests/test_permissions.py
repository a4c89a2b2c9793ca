"""Cancelling and deciding on an order: one rule each, asked alike by the order's page
(does the button show?) and by the service (which refuses what the rule refuses)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_account
from portal.ordering import permissions, services

from .conftest import place

pytestmark = pytest.mark.django_db


def shown(client, user, order):
    client.force_login(user)
    context = client.get(reverse("ordering:order_detail", args=[order.pk])).context
    return context["may_cancel"], context["may_decide"]


def test_cancelling(client, orderer, admin_user, organization, locations, products):
    order = place(orderer, locations[0], [(products["roll"], 1)])
    colleague = make_account(organization, "collega@test.example", may_order=True, locations=locations[:1])
    for user, allowed in ((colleague, False), (orderer, True), (admin_user, True)):
        assert permissions.can_cancel(user, order) is allowed
        assert shown(client, user, order)[0] is allowed
    with pytest.raises(services.OrderError):
        services.order_cancel(actor=colleague, order=order)
    services.order_cancel(actor=orderer, order=order)
    order.refresh_from_db()
    assert not permissions.can_cancel(admin_user, order) and shown(client, admin_user, order)[0] is False


def test_deciding(client, orderer, admin_user, second_admin, locations, products):
    orderer.membership.order_limit = Decimal("10.00")
    orderer.membership.save()
    order = place(orderer, locations[0], [(products["roll"], 4)])  # waits for approval
    own = place(second_admin, locations[0], [(products["roll"], 1)])
    assert permissions.can_decide(admin_user, order) and shown(client, admin_user, order)[1]
    assert not permissions.can_decide(orderer, order) and not shown(client, orderer, order)[1]
    with pytest.raises(services.OrderError) as refused:
        services.order_approve(actor=orderer, order=order)
    assert refused.value.code == "not_approver"
    assert not permissions.can_decide(second_admin, own)  # not pending, and their own
    services.order_approve(actor=admin_user, order=order)
    order.refresh_from_db()
    assert not permissions.can_decide(admin_user, order) and not shown(client, admin_user, order)[1]
    with pytest.raises(services.OrderError) as refused:
        services.order_reject(actor=admin_user, order=order, reason="Te laat")
    assert refused.value.code == "not_pending"

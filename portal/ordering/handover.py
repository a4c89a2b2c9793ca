"""What Bestellen lists on the handover page of an account that leaves: its orders still
waiting for approval. An administrator approves, rejects or cancels them on the order's
page (nobody can take an order over: it stays the leaver's order)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.core.money import money
from portal.organizations.handover import LIMIT, HandoverGroup, HandoverItem

from .models import Order, OrderStatus


def pending_orders(membership):
    orders = list(
        Order.objects.filter(
            organization_id=membership.organization_id, placed_by_id=membership.user_id, status=OrderStatus.PENDING_APPROVAL
        )
        .select_related("location")
        .only("number", "status", "subtotal", "created_at", "location__name")
        .order_by("created_at", "pk")[: LIMIT + 1]
    )
    return HandoverGroup(
        key="orders",
        title=_("Bestellingen die wachten op goedkeuring"),
        items=[
            HandoverItem(
                label=order.number,
                url=reverse("ordering:order_detail", args=[order.pk]),
                status=order.get_status_display(),
                detail=f"{order.location.name} · {date_format(timezone.localtime(order.created_at), 'j b Y')} · {money(order.subtotal)}",
            )
            for order in orders[:LIMIT]
        ],
        more=len(orders) > LIMIT,
        how=_("Keur ze goed of wijs ze af, of annuleer ze, op de pagina van de bestelling."),
    )

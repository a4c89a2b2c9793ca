"""What Bestellen puts on the home page: the orders waiting for this administrator's
approval, and the orderer's own orders still under way."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.core.addresses import reverse
from portal.core.home import PAGE, HomeItem, HomePanel, first_page, label_of
from portal.core.money import money
from portal.core.prepared import PreparedQuery

from .models import Order, OrderStatus
from .permissions import can_approve_orders, can_order

FINISHED = (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REJECTED)


def _item(order, detail, attention=False):
    return HomeItem(
        label=order.number,
        url=reverse("ordering:order_detail", args=[order.pk]),
        status=label_of(OrderStatus, order.status),
        detail=detail,
        attention=attention,
    )


def _awaiting(user):
    queryset = Order.objects.awaiting_decision_by(user).select_related("placed_by").order_by("created_at")
    return queryset.only("number", "status", "subtotal", "created_at", "placed_by__full_name")[: PAGE + 1]


def _under_way(user):
    queryset = Order.objects.visible_to(user).filter(placed_by=user).exclude(status__in=FINISHED).order_by("-created_at")
    return queryset.only("number", "status", "subtotal", "created_at")[: PAGE + 1]


_awaiting_of = PreparedQuery(_awaiting)
_under_way_of = PreparedQuery(_under_way)


def approvals_panel(user, membership):
    if not can_approve_orders(user):
        return None
    orders, more = first_page(_awaiting_of.rows(user))
    if not orders:
        return None
    return HomePanel(
        key="approvals",
        title=_("Wacht op je goedkeuring"),
        items=[
            _item(order, f"{order.placed_by.full_name if order.placed_by else ''} · {money(order.subtotal)}", True)
            for order in orders
        ],
        more_url=reverse("ordering:approvals"),
        more_label=_("Alle bestellingen die wachten") if more else _("Beoordelen"),
        attention=True,
    )


def my_orders_panel(user, membership):
    if not can_order(user):
        return None
    orders, _more = first_page(_under_way_of.rows(user))
    return HomePanel(
        key="orders",
        title=_("Je lopende bestellingen"),
        items=[
            _item(order, f"{date_format(timezone.localtime(order.created_at), 'j b Y')} · {money(order.subtotal)}")
            for order in orders
        ],
        more_url=reverse("ordering:orders") if orders else reverse("ordering:catalogue"),
        more_label=_("Alle bestellingen") if orders else _("Naar de producten"),
        empty_text=_("Je hebt geen bestellingen die nog lopen."),
    )

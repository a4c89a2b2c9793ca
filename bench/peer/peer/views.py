"""The peer's pages, each reading what the portal's matching page reads, with as many
queries (session, user, then the page's own)."""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import render

from .models import ChangeRequest, Location, Order, ServiceRequest

OPEN_ORDER = ["delivered", "cancelled", "rejected"]
OPEN_SERVICE = ["new", "in_progress", "waiting_for_customer"]
CLOSED_CHANGE = ["done", "rejected", "withdrawn"]


@login_required
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    user = request.user
    orders = Order.objects.filter(placed_by=user, location__users=user).exclude(status__in=OPEN_ORDER)
    requests = ServiceRequest.objects.filter(location__users=user, status__in=OPEN_SERVICE)
    changes = ChangeRequest.objects.filter(created_by=user).exclude(status__in=CLOSED_CHANGE)
    return render(request, "peer/home.html", {
        "orders": orders.order_by("-created_at")[:6],
        "requests": requests.order_by("-updated_at")[:6],
        "changes": changes.order_by("-updated_at")[:6],
    })  # fmt: skip


@login_required
def account(request):
    locations = request.user.locations.order_by("name").prefetch_related("addresses", "departments")
    return render(request, "peer/account.html", {"locations": locations})


@login_required
def orders(request):
    user = request.user
    rows = (
        Order.objects.filter(location__users=user)
        .order_by("-created_at", "-pk")
        .values("pk", "number", "status", "created_at", "total", "reference",
                location_name=F("location__name"), placed_by_name=F("placed_by__first_name"))[:26]
    )  # fmt: skip
    return render(request, "peer/orders.html", {
        "orders": rows,
        "locations": Location.objects.filter(users=user).order_by("name"),
        "cart_count": user.cartitem_set.count(),
    })  # fmt: skip

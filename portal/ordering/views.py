"""The ordering environment. Catalogue, cart and checkout need the right to order; the
order history also opens for administrators, approvers and location managers. For anyone else every
URL here answers 404, and orders come only through ``Order.objects.visible_to``."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.core.forms import filter_controls
from portal.core.paging import PAGE_SIZE, page_of
from portal.core.prepared import PreparedQuery
from portal.core.scoping import allowed_or_404, get_visible_or_404, membership_of
from portal.locations.models import Location

from . import services
from .forms import AddToCartForm, CatalogueFilterForm, CheckoutForm, OrderFilterForm, QuantityField, RejectForm
from .models import Category, Order, OrderLine, OrderStatus, Product
from .permissions import approves_every_order, can_approve_orders, can_cancel, can_decide, can_order, can_view_orders
from .pricing import cart_totals, order_totals

order_right_required = allowed_or_404(can_order)
orders_viewer_required = allowed_or_404(can_view_orders)
approver_required = allowed_or_404(can_approve_orders)


def _cart_size(user):
    items = membership_of(user).cart_items.order_by().values("membership")
    return items.annotate(count=Count("pk")).values_list("count", flat=True)


def _awaiting_count(user):
    orders = Order.objects.awaiting_decision_by(user).order_by().values("organization")
    return orders.annotate(count=Count("pk")).values_list("count", flat=True)


# The two counts in the tabs of every page here, each with its SQL made once per kind of
# person (a count grouped by the one membership or organization: no row is none).
_cart_size_of = PreparedQuery(_cart_size)
_awaiting_count_of = PreparedQuery(_awaiting_count)


def _tabs(request, current):
    """The ordering environment's tabs, with the cart's size and the orders waiting for
    approval (two small counts)."""
    may_order = can_order(request.user)
    return {
        "tab": current,
        "may_order": may_order,
        "cart_count": sum(_cart_size_of.rows(request.user)) if may_order else 0,
        "approval_count": sum(_awaiting_count_of.rows(request.user)) if can_approve_orders(request.user) else 0,
    }


# --- catalogue -------------------------------------------------------------------------------


@require_safe
@order_right_required
def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    categories = list(Category.objects.offered().annotate(
        offered=Count("products", filter=Q(products__is_archived=False))
    ).filter(offered__gt=0))  # fmt: skip
    category = next((c for c in categories if c.slug == request.GET.get("categorie")), None)
    products = Product.objects.offered().select_related("category").order_by("category__position", "category__name", "name")
    if category:
        products = products.filter(category=category)
    for word in query.split():
        products = products.filter(
            Q(name__icontains=word) | Q(code__icontains=word) | Q(description__icontains=word) | Q(category__name__icontains=word)
        )
    return render(
        request,
        "ordering/catalogue.html",
        {"form": form, "query": query, "categories": categories, "category": category, "products": list(products),
         **_tabs(request, "catalogue")},
    )  # fmt: skip


def _product(pk):
    return get_object_or_404(Product.objects.offered().select_related("category"), pk=pk)


@require_safe
@order_right_required
def product_detail(request, pk):
    product = _product(pk)
    return render(
        request, "ordering/product_detail.html", {"product": product, "form": AddToCartForm(), **_tabs(request, "catalogue")}
    )


@require_POST
@order_right_required
def cart_add(request, pk):
    product = _product(pk)
    form = AddToCartForm(request.POST)
    if form.is_valid():
        try:
            services.cart_add(actor=request.user, product=product, quantity=form.cleaned_data["quantity"])
        except services.OrderError as error:
            form.add_error("quantity", error.message)
        else:
            messages.success(
                request,
                _("%(quantity)s × %(product)s staat in je winkelwagen.")
                % {"quantity": form.cleaned_data["quantity"], "product": product.name},
            )
            return redirect("ordering:cart")
    return render(request, "ordering/product_detail.html", {"product": product, "form": form, **_tabs(request, "catalogue")})


# --- cart ------------------------------------------------------------------------------------


def _cart_rows(items, data=None):
    """Each cart item with its quantity field; after a refused update, the typed value
    and its error."""
    rows = []
    quantities = {}
    for item in items:
        name = f"quantity-{item.pk}"
        field = QuantityField(min_value=0, max_value=item.product.max_quantity)
        value = data.get(name, item.quantity) if data is not None else item.quantity
        error = None
        if data is not None:
            try:
                quantities[item.pk] = field.clean(value)
            except ValidationError as exc:  # shown beside the field
                error = " ".join(exc.messages)
        rows.append({"item": item, "name": name, "value": value, "error": error, "max": item.product.max_quantity})
    return rows, quantities


@order_right_required
def cart(request):
    membership = membership_of(request.user)
    items = services.cart_items(membership)
    rows, quantities = _cart_rows(items, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if any(row["error"] for row in rows):
            messages.error(request, _("Niet alle aantallen konden worden bijgewerkt. Kijk de gemarkeerde regels na."))
        else:
            try:
                services.cart_update(actor=request.user, quantities=quantities)
            except services.OrderError as error:  # the catalogue changed meanwhile
                messages.error(request, error.message)
            else:
                messages.success(request, _("Je winkelwagen is bijgewerkt."))
                return redirect("ordering:cart")
    unavailable = [item for item in items if not item.product.is_offered]
    return render(
        request,
        "ordering/cart.html",
        {"rows": rows, "amounts": cart_totals(items), "unavailable": unavailable, **_tabs(request, "cart")},
    )


@require_POST
@order_right_required
def cart_remove(request, pk):
    if not services.cart_remove(actor=request.user, item_id=pk):
        raise Http404  # not in this account's cart
    messages.success(request, _("Het product is uit je winkelwagen gehaald."))
    return redirect("ordering:cart")


# --- checkout --------------------------------------------------------------------------------


@order_right_required
def checkout(request):
    membership = membership_of(request.user)
    locations = Location.objects.offered_to(membership).prefetch_related("addresses").order_by("name")
    items = services.cart_items(membership)
    shown_cart = services.cart_fingerprint(items)
    form = CheckoutForm(request.POST or None, locations=locations, initial={"cart": shown_cart})
    if request.method == "POST" and "show_departments" in request.POST:
        # Without the script: the page again, with the chosen location's departments and
        # what was typed, placing nothing.
        typed = {name: request.POST.get(name) for name in form.fields if name != "cart"}
        form = CheckoutForm(locations=locations, initial={**typed, "cart": shown_cart})
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order, created = services.order_place(
                actor=request.user, location=data["location"], department=data["department"],
                submission_key=data["submission_key"], reference=data["reference"],
                wished_delivery_date=data["wished_delivery_date"], remarks=data["remarks"],
                expected_cart=data["cart"], request=request,
            )  # fmt: skip
        except services.OrderError as error:
            field = {"location_not_linked": "location", "department_mismatch": "department", "no_delivery_address": "location"}
            form.add_error(field.get(error.code), error.message)
        else:
            if not created:
                messages.info(request, _("Deze bestelling was al geplaatst. Je ziet haar hieronder; er is niets dubbel besteld."))
            elif order.status == OrderStatus.PENDING_APPROVAL:
                messages.success(
                    request,
                    _("Bedankt. Je bestelling %(number)s is ontvangen en wacht op goedkeuring door een administrator, "
                      "omdat het bedrag boven je bestellimiet ligt. Je krijgt bericht zodra ze is beoordeeld.")
                    % {"number": order.number},
                )  # fmt: skip
            else:
                messages.success(
                    request,
                    _("Bedankt. Je bestelling %(number)s is geplaatst. De bevestiging is naar %(email)s gestuurd.")
                    % {"number": order.number, "email": request.user.email},
                )
            return redirect("ordering:order_detail", pk=order.pk)
    if form.is_bound:  # shown again: the overview below is what the next submit confirms
        form.data = form.data.copy()
        form.data["cart"] = shown_cart
    return render(
        request,
        "ordering/checkout.html",
        {"form": form, "items": items, "amounts": cart_totals(items), "locations": list(locations),
         "order_limit": membership.order_limit, **_tabs(request, "cart")},
    )  # fmt: skip


# --- orders ----------------------------------------------------------------------------------


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _order_rows(orders):
    # Plain values, not model instances: a page of 25 orders with their location and
    # orderer cost more to build as models than to query.
    return orders.order_by("-created_at", "-pk").values(
        "pk", "number", "status", "created_at", "total", "reference",
        location_name=F("location__name"), placed_by_name=F("placed_by__full_name"),
    )  # fmt: skip


def _first_orders(user):
    return _order_rows(Order.objects.visible_to(user))[: PAGE_SIZE + 1]


def _location_options(user):
    return Location.objects.visible_to(user).order_by("name")


# The order history as most people open it (no filter, the first page), and the choice
# of locations above it: each with its SQL made once per kind of person.
_first_orders_of = PreparedQuery(_first_orders)
_location_options_of = PreparedQuery(_location_options)


@require_safe
@orders_viewer_required
def order_list(request):
    user = request.user
    # The locations that may be chosen are read as a queryset only to check a choice made.
    locations = _location_options(user) if request.GET.get("location") else Location.objects.none()
    form = OrderFilterForm(request.GET or None, locations=locations, options=_location_options_of.rows(user))
    form.is_valid()  # an invalid field is shown as an error; the valid ones still filter
    data = getattr(form, "cleaned_data", {})

    def orders():
        orders = Order.objects.visible_to(user)
        if data.get("location"):
            orders = orders.filter(location=data["location"])
        if data.get("status"):
            orders = orders.filter(status=data["status"])
        # Bounds at local midnight, so the (organization, created_at) index serves the range.
        if data.get("date_from"):
            orders = orders.filter(created_at__gte=_local_midnight(data["date_from"]))
        if data.get("date_to"):
            orders = orders.filter(created_at__lt=_local_midnight(data["date_to"] + timedelta(days=1)))
        return _order_rows(orders)

    filtered = any(data.values())
    first = request.GET.get("pagina") in (None, "", "1")
    head = _first_orders_of.rows(user) if first and not filtered else None
    page, query = page_of(request, orders, head=head)
    page.object_list = [{**row, "status_label": OrderStatus(row["status"]).label} for row in page.object_list]
    return render(
        request,
        "ordering/order_list.html",
        {"form": form, "controls": filter_controls(form), "page": page, "query": query, **_tabs(request, "orders")},
    )


def _order(request, pk):
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    queryset = Order.objects.select_related("location", "department", "placed_by", "decided_by", "cancelled_by")
    return get_visible_or_404(queryset.prefetch_related(lines), request.user, pk=pk)


def _detail(request, order, reject_form=None, status=200):
    lines = list(order.lines.all())
    approves = can_approve_orders(request.user)
    context = {
        "order": order,
        "lines": lines,
        "amounts": order_totals(lines),
        "may_cancel": can_cancel(request.user, order),
        "may_decide": can_decide(request.user, order),
        "own_pending": order.status == OrderStatus.PENDING_APPROVAL and order.placed_by_id == request.user.pk,
        "may_reorder": can_order(request.user),
        "reject_form": reject_form or RejectForm(),
        **_tabs(request, "approvals" if order.status == OrderStatus.PENDING_APPROVAL and approves else "orders"),
    }
    return render(request, "ordering/order_detail.html", context, status=status)


@require_safe
@orders_viewer_required
def order_detail(request, pk):
    return _detail(request, _order(request, pk))


def _run(request, action, success, **kwargs):
    try:
        action(actor=request.user, request=request, **kwargs)
    except services.OrderError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


@require_POST
@orders_viewer_required
def order_cancel(request, pk):
    order = _order(request, pk)
    _run(request, services.order_cancel, _("Bestelling %(number)s is geannuleerd.") % {"number": order.number},
         order=order)  # fmt: skip
    return redirect("ordering:order_detail", pk=order.pk)


@require_POST
@order_right_required
def order_reorder(request, pk):
    order = _order(request, pk)
    missing = services.order_again(actor=request.user, order=order)
    if missing:
        messages.warning(
            request,
            _("Niet meer leverbaar en dus niet toegevoegd: %(products)s.") % {"products": ", ".join(missing)},
        )
    messages.success(request, _("De producten van %(number)s staan in je winkelwagen, tegen de huidige prijzen. Kijk de aantallen na.")
                     % {"number": order.number})  # fmt: skip
    return redirect("ordering:cart")


@require_POST
@approver_required
def order_approve(request, pk):
    order = _order(request, pk)
    if _run(request, services.order_approve, _("Bestelling %(number)s is goedgekeurd.") % {"number": order.number},
            order=order):  # fmt: skip
        return redirect("ordering:approvals")
    return redirect("ordering:order_detail", pk=order.pk)


@require_POST
@approver_required
def order_reject(request, pk):
    order = _order(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, order, reject_form=form, status=200)
    if _run(request, services.order_reject, _("Bestelling %(number)s is afgewezen.") % {"number": order.number},
            order=order, reason=form.cleaned_data["reason"]):  # fmt: skip
        return redirect("ordering:approvals")
    return redirect("ordering:order_detail", pk=order.pk)


@require_safe
@approver_required
def approvals(request):
    """An administrator sees every order waiting (their own marked as such); an approver
    those they may decide on: of their locations, within their amount."""
    if approves_every_order(request.user):
        orders = Order.objects.visible_to(request.user).filter(status=OrderStatus.PENDING_APPROVAL)
    else:
        orders = Order.objects.awaiting_decision_by(request.user)
    orders = orders.select_related("location", "placed_by", "placed_by__membership").order_by("created_at", "pk")
    page, query = page_of(request, orders)
    return render(request, "ordering/approvals.html", {"page": page, "query": query, **_tabs(request, "approvals")})

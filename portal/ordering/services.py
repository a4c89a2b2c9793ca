"""Every change in the ordering environment: the cart, placing an order, approval,
cancelling and ordering again.

Each service takes keyword-only arguments including the acting user, runs in one
transaction, records an audit event where the organization will want to see it, and
sends its mail after the commit. Rules live here, in one spot:

- an order is placed for a location linked to the orderer, a department of it and its
  registered delivery address; prices are copied into the order;
- the same checkout form sent twice is one order;
- an order above the orderer's limit waits for another administrator's approval;
- only an order HartingBank has not started on can be cancelled.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.audit import audit_record
from portal.core.errors import RuleError
from portal.core.mail import mail_render, mail_send, site_url
from portal.core.references import next_reference
from portal.core.scoping import membership_of
from portal.locations.models import Location, LocationLink
from portal.organizations.models import Membership, Role

from . import permissions
from .models import CartItem, Order, OrderLine, OrderStatus
from .pricing import cart_totals, order_totals


class OrderError(RuleError):
    """A rule of the ordering environment refused the action."""

    MESSAGES = {
        "no_right": _("Je mag niet bestellen."),
        "cart_empty": _("Je winkelwagen is leeg."),
        "product_unavailable": _(
            "Een of meer producten in je winkelwagen zijn niet meer leverbaar. Haal ze uit je winkelwagen en probeer het opnieuw."
        ),
        "quantity_too_high": _("Dit aantal is hoger dan je in één keer kunt bestellen."),
        "location_not_linked": _("Je kunt alleen bestellen voor een locatie die aan je account is gekoppeld."),
        "department_mismatch": _("Deze afdeling hoort niet bij de gekozen locatie."),
        "no_delivery_address": _(
            "Voor deze locatie is nog geen afleveradres geregistreerd. Geef een wijziging door om het te laten toevoegen."
        ),
        "not_pending": _("Deze bestelling wacht niet (meer) op goedkeuring."),
        "own_order": _(
            "Je kunt je eigen bestelling niet goedkeuren of afwijzen; een andere administrator of goedkeurder moet dat doen."
        ),
        "not_approver": _(
            "Alleen een administrator van de organisatie, of een goedkeurder van deze locatie tot het bedrag van "
            "deze bestelling, kan haar goedkeuren of afwijzen."
        ),
        "not_cancellable": _("Deze bestelling is al in behandeling genomen en kan niet meer worden geannuleerd."),
        "already_ended": _("Deze bestelling is al geannuleerd of afgewezen."),
        "not_allowed": _("Alleen wie de bestelling plaatste of een administrator kan haar annuleren."),
        "reason_required": _("Geef een reden op."),
        "status_transition": _("Deze statuswijziging is niet mogelijk."),
        "cart_changed": _(
            "Je winkelwagen of de prijzen zijn gewijzigd sinds je het overzicht opende. Kijk het overzicht "
            "hieronder na en plaats de bestelling opnieuw."
        ),
        "no_approver": _(
            "Deze bestelling ligt boven je bestellimiet, maar er is geen andere actieve administrator of "
            "goedkeurder van deze locatie die haar kan goedkeuren. Vraag een administrator om een goedkeurder "
            "aan te wijzen, of laat je limiet aanpassen."
        ),
        "not_staff": _("Alleen HartingBank kan de voortgang van een bestelling bijwerken."),
    }


def _membership(actor):
    membership = membership_of(actor)
    if membership is None:
        raise OrderError("no_right")
    return membership


# --- cart ------------------------------------------------------------------------------------


def _locked_membership(actor):
    """The actor's account, locked: changes to one cart (and placing its order) take
    turns, so two clicks at once cannot both add the same product or both order."""
    return Membership.objects.select_for_update().select_related("organization").get(pk=_membership(actor).pk)


def cart_fingerprint(items):
    """What the checkout page showed: each product, quantity and price. Placing the
    order checks it is still so."""
    shown = sorted((item.product_id, item.quantity, str(item.product.price), item.product.vat_rate) for item in items)
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:32]


def cart_items(membership):
    return list(CartItem.objects.filter(membership=membership).select_related("product", "product__category"))


@transaction.atomic
def cart_add(*, actor, product, quantity):
    """Put ``quantity`` of a product in the cart, on top of what is there already."""
    membership = _locked_membership(actor)
    if not permissions.can_order(actor, membership):
        raise OrderError("no_right")
    if not product.is_offered:
        raise OrderError("product_unavailable")
    item = CartItem.objects.filter(membership=membership, product=product).first()
    new_quantity = quantity + (item.quantity if item else 0)
    if new_quantity > product.max_quantity:
        raise OrderError("quantity_too_high")
    if item is None:
        return CartItem.objects.create(membership=membership, product=product, quantity=new_quantity)
    item.quantity = new_quantity
    item.save(update_fields=["quantity"])
    return item


@transaction.atomic
def cart_update(*, actor, quantities):
    """Set the quantities of the cart's items ({item id: quantity}); 0 removes the item."""
    membership = _locked_membership(actor)
    items = {item.pk: item for item in CartItem.objects.filter(membership=membership).select_related("product")}
    for pk, quantity in quantities.items():
        item = items.get(pk)
        if item is None:
            continue  # removed in another tab meanwhile
        if quantity == 0:
            item.delete()
        elif quantity > item.product.max_quantity:
            raise OrderError("quantity_too_high")
        elif quantity != item.quantity:
            item.quantity = quantity
            item.save(update_fields=["quantity"])


def cart_remove(*, actor, item_id):
    """Take an item out of the actor's cart; False when it is not there."""
    deleted, _ = CartItem.objects.filter(membership=_membership(actor), pk=item_id).delete()
    return bool(deleted)


# --- placing an order ------------------------------------------------------------------------


def order_place(
    *, actor, location, department, submission_key, reference="", wished_delivery_date=None, remarks="",
    expected_cart=None, request=None, orderer=None, lines=None,
):  # fmt: skip
    """Turn the cart into an order. Returns ``(order, created)``: the same
    ``submission_key`` a second time returns the order it placed the first time.

    ``orderer``: the account the order is placed as, when that is not the actor (an API
    key placing an order for an orderer it names): the orderer's right, limit and
    locations count and the order is theirs, the audit trail names the actor. ``lines``:
    ``[(product, quantity)]`` ordered as given instead of the orderer's cart, which is
    left as it is."""
    orderer = orderer or actor
    existing = Order.objects.filter(submission_key=submission_key, placed_by=orderer).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            order = _order_create(
                actor=actor, orderer=orderer, lines=lines, location=location, department=department,
                submission_key=submission_key, reference=reference, wished_delivery_date=wished_delivery_date,
                remarks=remarks, expected_cart=expected_cart, request=request,
            )  # fmt: skip
    except _AlreadyPlaced as placed:
        return placed.order, False
    except IntegrityError:
        # The same form, sent again while the first was being written.
        existing = Order.objects.filter(submission_key=submission_key, placed_by=orderer).first()
        if existing is None:
            raise
        return existing, False
    return order, True


class _AlreadyPlaced(Exception):
    def __init__(self, order):
        self.order = order


def _order_create(
    *, actor, orderer, lines, location, department, submission_key, reference, wished_delivery_date, remarks,
    expected_cart, request,
):  # fmt: skip
    membership = _locked_membership(orderer)
    # The same form sent twice at once: the second waited for the lock above, and finds
    # the order the first one placed.
    existing = Order.objects.filter(submission_key=submission_key, placed_by=orderer).first()
    if existing is not None:
        raise _AlreadyPlaced(existing)
    if not permissions.can_order(orderer, membership):
        raise OrderError("no_right")
    address = _delivery_address(membership, location, department)
    items = _order_items(membership, lines, expected_cart)
    amounts = cart_totals(items)
    needs_approval = membership.order_limit is not None and amounts.subtotal > membership.order_limit
    if needs_approval and not _approvers(membership.organization_id, orderer, location.pk, amounts.subtotal).exists():
        raise OrderError("no_approver")
    order = Order.objects.create(
        number=next_reference("B"),
        organization=membership.organization,
        placed_by=orderer,
        location=location,
        department=department,
        delivery_street=address.street,
        delivery_postal_code=address.postal_code,
        delivery_city=address.city,
        reference=reference,
        wished_delivery_date=wished_delivery_date,
        remarks=remarks,
        status=OrderStatus.PENDING_APPROVAL if needs_approval else OrderStatus.RECEIVED,
        subtotal=amounts.subtotal,
        vat_total=amounts.vat_total,
        total=amounts.total,
        submission_key=submission_key,
    )
    _order_lines_create(order, items)
    if lines is None:
        CartItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    audit_record(
        "order_placed",
        actor=actor,
        target=orderer,
        organization=membership.organization,
        request=request,
        changes={"order": order.number, "total_excl_vat": f"{order.subtotal:.2f}", "status": order.status},
    )
    _mail_orderer(order, "ordering/email/order_placed")
    if needs_approval:
        _mail_approvers(order)
    return order


def _delivery_address(membership, location, department):
    """The registered delivery address of ``location``, once the order may go there: a
    location linked to the orderer and one of its departments still in use."""
    if not Location.objects.offered_to(membership).filter(pk=location.pk).exists():
        raise OrderError("location_not_linked")
    if department.location_id != location.pk or department.is_archived:
        raise OrderError("department_mismatch")
    address = location.delivery_address
    if address is None:
        raise OrderError("no_delivery_address")
    return address


def _order_items(membership, lines, expected_cart):
    """What is ordered: the cart's items, or ``lines`` as given (the same checks as a
    cart's items, the cart itself untouched); each offered, within its maximum, and as
    the checkout page showed them (``expected_cart``)."""
    if lines is None:
        items = cart_items(membership)
    else:
        items = [CartItem(membership=membership, product=product, quantity=quantity) for product, quantity in lines]
    if not items:
        raise OrderError("cart_empty")
    if not all(item.product.is_offered for item in items):
        raise OrderError("product_unavailable")
    if any(item.quantity > item.product.max_quantity for item in items):
        raise OrderError("quantity_too_high")
    if expected_cart is not None and expected_cart != cart_fingerprint(items):
        raise OrderError("cart_changed")
    return items


def _order_lines_create(order, items):
    """The order's lines, with the product's code, name, unit and price copied in."""
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product=item.product,
                product_code=item.product.code,
                product_name=item.product.name,
                unit=item.product.unit,
                unit_price=item.product.price,
                vat_rate=item.product.vat_rate,
                quantity=item.quantity,
                line_total=item.product.price * item.quantity,
            )
            for item in items
        ]
    )


# --- approval --------------------------------------------------------------------------------


def _check_approver(actor, order):
    if not (permissions.is_administrator_of(actor, order) or permissions.is_approver_of(actor, order)):
        raise OrderError("not_approver")
    if order.placed_by_id == actor.pk:
        raise OrderError("own_order")


def _locked(order):
    return Order.objects.select_for_update().get(pk=order.pk)


def _refuse_unless_may_decide(actor, order):
    """``permissions.can_decide``, with the reason when it says no."""
    if not permissions.can_decide(actor, order):
        _check_approver(actor, order)
        raise OrderError("not_pending")


@transaction.atomic
def order_approve(*, actor, order, request=None):
    order = _locked(order)
    _refuse_unless_may_decide(actor, order)
    order.status = OrderStatus.RECEIVED
    order.decided_by, order.decided_at = actor, timezone.now()
    order.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        "order_approved",
        actor=actor,
        target=order.placed_by,
        organization=order.organization,
        request=request,
        changes={"order": order.number},
    )
    _mail_orderer(order, "ordering/email/order_approved")
    return order


@transaction.atomic
def order_reject(*, actor, order, reason, request=None):
    reason = (reason or "").strip()
    if not reason:
        raise OrderError("reason_required")
    order = _locked(order)
    _refuse_unless_may_decide(actor, order)
    order.status = OrderStatus.REJECTED
    order.decided_by, order.decided_at = actor, timezone.now()
    order.rejection_reason = reason
    order.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason", "updated_at"])
    audit_record(
        "order_rejected", actor=actor, target=order.placed_by, organization=order.organization, request=request,
        changes={"order": order.number, "reason": reason},
    )  # fmt: skip
    _mail_orderer(order, "ordering/email/order_rejected")
    return order


# --- cancelling, ordering again, progress ------------------------------------------------------


@transaction.atomic
def order_cancel(*, actor, order, request=None):
    order = _locked(order)
    if not permissions.can_cancel(actor, order):  # the reason why not:
        if order.placed_by_id != actor.pk and not permissions.is_administrator_of(actor, order):
            raise OrderError("not_allowed")
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
            raise OrderError("already_ended")  # a second tab or a repeated click
        raise OrderError("not_cancellable")
    order.status = OrderStatus.CANCELLED
    order.cancelled_by, order.cancelled_at = actor, timezone.now()
    order.save(update_fields=["status", "cancelled_by", "cancelled_at", "updated_at"])
    audit_record(
        "order_cancelled",
        actor=actor,
        target=order.placed_by,
        organization=order.organization,
        request=request,
        changes={"order": order.number},
    )
    _mail_orderer(order, "ordering/email/order_cancelled")
    return order


@transaction.atomic
def order_again(*, actor, order):
    """Put the products of an earlier order in the cart at today's prices. Returns the
    names of the products that are no longer offered (and so were left out)."""
    membership = _locked_membership(actor)
    if not permissions.can_order(actor, membership):
        raise OrderError("no_right")
    in_cart = {item.product_id: item for item in CartItem.objects.filter(membership=membership)}
    missing = []
    for line in order.lines.select_related("product", "product__category"):
        product = line.product
        if not product.is_offered:
            missing.append(line.product_name)
            continue
        item = in_cart.get(product.pk) or CartItem(membership=membership, product=product, quantity=0)
        item.quantity = min(item.quantity + line.quantity, product.max_quantity)
        item.save(update_fields=["quantity"] if item.pk else None)
    return missing


# What HartingBank does with an order once it is received.
PROGRESS = {
    OrderStatus.RECEIVED: {OrderStatus.PROCESSING},
    OrderStatus.PROCESSING: {OrderStatus.SHIPPED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED},
}


@transaction.atomic
def order_progress(*, actor, order, status):
    """HartingBank's side: received → in behandeling → verzonden → geleverd. The orderer
    is told by mail at each step."""
    if not permissions.can_record_progress(actor):
        raise OrderError("not_staff")
    order = _locked(order)
    if status not in PROGRESS.get(order.status, set()):
        raise OrderError("status_transition")
    old = order.status
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    audit_record(
        "order_status_changed", actor=actor, target=order.placed_by, organization=order.organization,
        changes={"order": order.number, "status": [old, status]},
    )  # fmt: skip
    _mail_orderer(order, "ordering/email/order_status")
    return order


# --- mail ------------------------------------------------------------------------------------


def _order_context(order):
    lines = list(order.lines.all())
    return {
        "order": order,
        "lines": lines,
        "amounts": order_totals(lines),
        "url": site_url(reverse("ordering:order_detail", args=[order.pk])),
    }


def _mail_orderer(order, template):
    user = order.placed_by
    if not user.email:
        return  # the account was deleted meanwhile
    subject, body = mail_render(template, {**_order_context(order), "user": user})
    mail_send(to=user.email, subject=subject, body=body)


def _approvers(organization_id, orderer, location_id, amount):
    """Who may decide on an order of ``orderer`` for ``location_id`` of ``amount`` (excl.
    VAT): every other administrator, and every other approver of that location whose
    amount the order stays within."""
    approves = LocationLink.objects.filter(location_id=location_id, approval_limit__gte=amount).values("membership_id")
    return (
        Membership.objects.effectively_active()
        .filter(organization_id=organization_id, user__is_active=True)
        .filter(Q(role=Role.ADMINISTRATOR) | Q(approves_orders=True, pk__in=approves))
        .exclude(user_id=orderer.pk)
    )


def _mail_approvers(order):
    approvers = _approvers(order.organization_id, order.placed_by, order.location_id, order.subtotal).select_related("user")
    context = {**_order_context(order), "approvals_url": site_url(reverse("ordering:approvals"))}
    for membership in approvers:
        subject, body = mail_render("ordering/email/approval_needed", {**context, "user": membership.user})
        mail_send(to=membership.user.email, subject=subject, body=body)

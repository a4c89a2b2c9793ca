"""The ordering environment (bestelomgeving): HartingBank's catalogue, each account's
cart, and the orders of a customer organization."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet, membership_of
from portal.locations.models import LocationLink


class VatRate(models.TextChoices):
    HIGH = "21.00", _("21% (hoog tarief)")
    LOW = "9.00", _("9% (laag tarief)")
    ZERO = "0.00", _("0%")


class CategoryQuerySet(models.QuerySet):
    def offered(self):
        return self.filter(is_archived=False)


class ProductQuerySet(models.QuerySet):
    def offered(self):
        """What can be ordered now: neither the product nor its category is archived
        (``Product.is_offered`` for one product)."""
        return self.filter(is_archived=False, category__is_archived=False)


class Category(models.Model):
    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("korte naam in de URL"), max_length=60, unique=True)
    description = models.CharField(_("omschrijving"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    is_archived = models.BooleanField(_("gearchiveerd"), default=False)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("categorie")
        verbose_name_plural = _("categorieën")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("categorie"))
    code = models.CharField(_("artikelnummer"), max_length=30, unique=True)
    name = models.CharField(_("naam"), max_length=150)
    description = models.TextField(_("waarvoor"), blank=True)
    unit = models.CharField(_("eenheid"), max_length=80, help_text=_("Bijvoorbeeld: doos van 50 rollen"))
    price = models.DecimalField(_("prijs per eenheid (excl. btw)"), max_digits=10, decimal_places=2)
    vat_rate = models.CharField(_("btw-tarief"), max_length=5, choices=VatRate.choices, default=VatRate.HIGH)
    max_quantity = models.PositiveIntegerField(_("hoogste aantal per bestelling"), default=100)
    is_archived = models.BooleanField(_("gearchiveerd"), default=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("producten")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(condition=models.Q(vat_rate__in=VatRate.values), name="product_vat_rate_valid"),
            models.CheckConstraint(condition=models.Q(max_quantity__gte=1), name="product_max_quantity_positive"),
        ]
        indexes = [models.Index(fields=["category", "is_archived", "name"], name="product_category_offered")]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_offered(self) -> bool:
        """Orderable now: neither the product nor its category is archived."""
        return not self.is_archived and not self.category.is_archived

    @property
    def vat_percentage(self) -> Decimal:
        return Decimal(self.vat_rate)


class CartItem(models.Model):
    """One product in an account's cart. The cart is kept in the database, so it is
    still there at the next login and on another device."""

    membership = models.ForeignKey("organizations.Membership", on_delete=models.CASCADE, related_name="cart_items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("aantal"))
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "product"], name="cart_item_unique_product"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cart_item_quantity_positive"),
        ]

    @property
    def line_total(self) -> Decimal:
        return self.product.price * self.quantity


class OrderStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Wacht op goedkeuring")
    REJECTED = "rejected", _("Afgewezen")
    RECEIVED = "received", _("Ontvangen")
    PROCESSING = "processing", _("In behandeling")
    SHIPPED = "shipped", _("Verzonden")
    DELIVERED = "delivered", _("Geleverd")
    CANCELLED = "cancelled", _("Geannuleerd")


# Not yet processed by HartingBank: the orderer or an administrator may still cancel.
CANCELLABLE = (OrderStatus.PENDING_APPROVAL, OrderStatus.RECEIVED)


class OrderQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """An active administrator sees every order of the organization; an account that
        may order sees the orders of the locations linked to it; anyone else none."""
        membership = membership_of(user)
        if membership is None:
            return self.none()
        if membership.is_active_administrator:
            return self.of_administered_organization(user)
        links = LocationLink.objects.filter(membership=membership)
        if not membership.may_order:  # only the locations managed or approved for
            if not (membership.is_active_location_manager or membership.is_active_approver):
                return self.none()
            links = links.filter(Q(manages=True) | Q(approval_limit__isnull=False))
        return self.filter(organization_id=membership.organization_id, location_id__in=links.values("location_id"))

    def awaiting_decision_by(self, user):
        """Orders waiting for approval that ``user`` may decide on, without their own
        (nobody approves their own): an administrator all of them, an approver those of
        their locations within their amount."""
        orders = self.visible_to(user).filter(status=OrderStatus.PENDING_APPROVAL).exclude(placed_by=user)
        membership = membership_of(user)
        if membership is None or membership.is_active_administrator:
            return orders
        if not membership.is_active_approver:
            return self.none()
        within = LocationLink.objects.filter(
            membership=membership, location_id=OuterRef("location_id"), approval_limit__gte=OuterRef("subtotal")
        )
        return orders.filter(Exists(within))


class Order(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="orders", verbose_name=_("organisatie")
    )
    number = models.CharField(_("bestelnummer"), max_length=20, unique=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("besteld door")
    )
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, related_name="orders", verbose_name=_("locatie"))
    department = models.ForeignKey(
        "locations.Department", on_delete=models.PROTECT, related_name="orders", verbose_name=_("afdeling")
    )
    # The delivery address as it was when the order was placed.
    delivery_street = models.CharField(_("straat en huisnummer"), max_length=200)
    delivery_postal_code = models.CharField(_("postcode"), max_length=10)
    delivery_city = models.CharField(_("plaats"), max_length=100)
    reference = models.CharField(_("je referentie"), max_length=35, blank=True)
    wished_delivery_date = models.DateField(_("gewenste leverdatum"), null=True, blank=True)
    remarks = models.CharField(_("opmerkingen"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices)
    subtotal = models.DecimalField(_("totaal excl. btw"), max_digits=12, decimal_places=2)
    vat_total = models.DecimalField(_("btw"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("totaal incl. btw"), max_digits=12, decimal_places=2)
    # The key of the checkout form that placed it: the same form sent twice is one order.
    submission_key = models.UUIDField(unique=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("beoordeeld door"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    rejection_reason = models.CharField(_("reden van afwijzing"), max_length=500, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("geannuleerd door"),
    )  # fmt: skip
    cancelled_at = models.DateTimeField(_("geannuleerd op"), null=True, blank=True)
    created_at = models.DateTimeField(_("besteld op"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("bestelling")
        verbose_name_plural = _("bestellingen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(
                condition=models.Q(subtotal__gte=0, vat_total__gte=0, total__gte=0), name="order_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=OrderStatus.REJECTED) | ~models.Q(rejection_reason=""),
                name="order_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="order_org_created"),
            models.Index(fields=["location", "-created_at", "-id"], name="order_location_created"),
            models.Index(fields=["organization", "status"], name="order_org_status"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_cancellable(self) -> bool:
        return self.status in CANCELLABLE

    @property
    def delivery_address(self) -> str:
        return f"{self.delivery_street}, {self.delivery_postal_code} {self.delivery_city}"


class OrderLine(models.Model):
    """A product as it was ordered: code, name, unit, price and VAT are copied, so a
    later change in the catalogue does not alter the order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    product_code = models.CharField(_("artikelnummer"), max_length=30)
    product_name = models.CharField(_("product"), max_length=150)
    unit = models.CharField(_("eenheid"), max_length=80)
    unit_price = models.DecimalField(_("prijs per eenheid (excl. btw)"), max_digits=10, decimal_places=2)
    vat_rate = models.CharField(_("btw-tarief"), max_length=5, choices=VatRate.choices)
    quantity = models.PositiveIntegerField(_("aantal"))
    line_total = models.DecimalField(_("bedrag excl. btw"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.UniqueConstraint(fields=["order", "product"], name="order_line_unique_product"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_name}"

from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet, membership_of


class LocationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """An administrator sees all locations of the organization; anyone else only
        the locations linked to their own account."""
        membership = membership_of(user)
        if membership is None:
            return self.none()
        if membership.is_active_administrator:
            return self.of_administered_organization(user)
        return self.filter(organization_id=membership.organization_id, links__membership=membership)

    def linked_to(self, membership):
        return self.filter(links__membership=membership)

    def offered_to(self, membership):
        """The locations ``membership`` may choose for a new order or service request:
        linked to the account, of its organization, and not archived."""
        return self.linked_to(membership).filter(organization_id=membership.organization_id, is_archived=False)

    def for_overview(self, membership):
        """What the Locaties list shows, in one query: the city of the visiting address,
        the number of departments and whether the location is linked to ``membership``."""
        city = Address.objects.filter(location=OuterRef("pk"), kind=AddressKind.VISITING).values("city")[:1]
        return self.annotate(
            city=Subquery(city),
            department_count=Count("departments", distinct=True),
            is_linked=Exists(LocationLink.objects.filter(location=OuterRef("pk"), membership=membership)),
        ).order_by("name", "pk")

    def for_detail(self):
        """Addresses and departments read along (two queries, however many there are)."""
        return self.prefetch_related(
            Prefetch("addresses", queryset=Address.objects.order_by("kind")),
            Prefetch("departments", queryset=Department.objects.order_by("name")),
        )


class Location(models.Model):
    """A location of a customer organization, registered by HartingBank."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="locations",
        verbose_name=_("organisatie"),
    )
    name = models.CharField(_("naam"), max_length=150)
    code = models.CharField(_("locatiecode"), max_length=20)
    # An archived location stays with the orders and requests that name it, but is no
    # longer offered for new ones. (One that nothing refers to can simply be deleted.)
    is_archived = models.BooleanField(_("gearchiveerd"), default=False)

    objects = LocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="location_code_unique_per_organization"),
        ]

    def __str__(self):
        return self.name

    def address(self, kind):
        return next((a for a in self.addresses.all() if a.kind == kind), None)

    @property
    def visiting_address(self):
        return self.address(AddressKind.VISITING)

    @property
    def delivery_address(self):
        return self.address(AddressKind.DELIVERY)


class DepartmentQuerySet(models.QuerySet):
    def offered(self):
        """Departments that can be chosen for a new order or service request."""
        return self.filter(is_archived=False)


class Department(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="departments", verbose_name=_("locatie"))
    name = models.CharField(_("naam"), max_length=150)
    is_archived = models.BooleanField(_("gearchiveerd"), default=False)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("afdeling")
        verbose_name_plural = _("afdelingen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="department_name_unique_per_location"),
        ]

    def __str__(self):
        return self.name


class AddressKind(models.TextChoices):
    VISITING = "visiting", _("Bezoekadres")
    DELIVERY = "delivery", _("Afleveradres")


class Address(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("locatie"))
    kind = models.CharField(_("soort"), max_length=20, choices=AddressKind.choices)
    street = models.CharField(_("straat en huisnummer"), max_length=200)
    postal_code = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("plaats"), max_length=100)

    class Meta:
        verbose_name = _("adres")
        verbose_name_plural = _("adressen")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["location", "kind"], name="address_kind_unique_per_location"),
            models.CheckConstraint(condition=models.Q(kind__in=AddressKind.values), name="address_kind_valid"),
        ]

    def __str__(self):
        return f"{self.street}, {self.postal_code} {self.city}"


class LocationLink(models.Model):
    """A location linked to an account: the account works for that location."""

    membership = models.ForeignKey("organizations.Membership", on_delete=models.CASCADE, related_name="location_links")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField(auto_now_add=True)
    # What an administrator grants an account for this location besides working for it:
    # managing the accounts that work only for locations it manages (location manager),
    # and approving the location's orders up to an amount (approver; empty: not one).
    manages = models.BooleanField(_("locatiebeheerder"), default=False)
    approval_limit = models.DecimalField(
        _("keurt bestellingen goed tot (excl. btw)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("gekoppelde locatie")
        verbose_name_plural = _("gekoppelde locaties")
        constraints = [
            models.UniqueConstraint(fields=["membership", "location"], name="location_link_unique"),
            models.CheckConstraint(
                condition=models.Q(approval_limit__isnull=True) | models.Q(approval_limit__gte=0),
                name="location_link_approval_limit_not_negative",
            ),
        ]

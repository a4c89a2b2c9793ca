"""What the peer's pages read: the same rows as the portal's pages for the benchmark's
orderer (copied from the portal's database when the benchmark prepares, see
peer_seed), in plain models with the foreign keys and indexes a team would write."""

from django.conf import settings
from django.db import models


class Location(models.Model):
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="locations", blank=True)


class Address(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20)
    street = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=10)
    city = models.CharField(max_length=100)


class Department(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(max_length=200)


class Order(models.Model):
    number = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    location = models.ForeignKey(Location, on_delete=models.PROTECT)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(db_index=True)

    def get_status_display_nl(self):
        return self.status.replace("_", " ")


class ServiceRequest(models.Model):
    reference = models.CharField(max_length=20)
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=30)
    location = models.ForeignKey(Location, on_delete=models.PROTECT)
    updated_at = models.DateTimeField(db_index=True)


class ChangeRequest(models.Model):
    reference = models.CharField(max_length=20)
    kind = models.CharField(max_length=30)
    status = models.CharField(max_length=30)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    updated_at = models.DateTimeField(db_index=True)


class CartItem(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    product = models.CharField(max_length=100)
    quantity = models.PositiveIntegerField(default=1)

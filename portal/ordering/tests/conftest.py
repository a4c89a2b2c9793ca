import uuid
from decimal import Decimal

import pytest

from conftest import make_account
from portal.ordering import services
from portal.ordering.models import Category, Product, VatRate
from portal.organizations.models import Role


@pytest.fixture
def category(db):
    return Category.objects.create(name="Kassarollen", slug="kassarollen")


@pytest.fixture
def products(category):
    return {
        "roll": Product.objects.create(
            category=category,
            code="ROL-57",
            name="Kassarol 57 mm",
            unit="doos van 50",
            price=Decimal("27.50"),
            vat_rate=VatRate.HIGH,
            max_quantity=40,
        ),
        "folder": Product.objects.create(
            category=category,
            code="FOLDER",
            name="Folder veilig pinnen",
            unit="pak van 100",
            price=Decimal("14.00"),
            vat_rate=VatRate.LOW,
        ),
        "coins": Product.objects.create(
            category=category, code="MUNT-2", name="Muntrol € 2", unit="per rol", price=Decimal("50.00"), vat_rate=VatRate.ZERO
        ),
    }


@pytest.fixture
def orderer(organization, locations):
    """May order, linked to the first location only, with a limit of € 100."""
    return make_account(organization, "orderer@test.example", may_order=True, locations=locations[:1], full_name="Olaf Orderer")


@pytest.fixture
def second_admin(organization, locations):
    return make_account(
        organization, "admin2@test.example", role=Role.ADMINISTRATOR, may_order=True, locations=locations, full_name="Bea Beheer"
    )


def place(user, location, lines, **kwargs):
    """Fill the cart and place an order; returns the order."""
    for product, quantity in lines:
        services.cart_add(actor=user, product=product, quantity=quantity)
    order, _ = services.order_place(
        actor=user, location=location, department=location.departments.first(),
        submission_key=kwargs.pop("submission_key", uuid.uuid4()), **kwargs,
    )  # fmt: skip
    return order

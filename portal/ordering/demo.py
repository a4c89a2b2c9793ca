"""Demo data for the ordering environment: HartingBank's catalogue and, for each demo
organization, orders in every status, placed through the services (so their mails,
audit events and copied prices are real). Each demo order has a fixed submission key,
so a second load finds it and creates nothing."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.accounts.staff import ACCOUNT_MANAGER

from . import services
from .models import CartItem, Category, Order, OrderStatus, Product, VatRate

H, L, Z = VatRate.HIGH, VatRate.LOW, VatRate.ZERO

CATALOGUE = [
    (
        "betaalautomaten",
        "Betaalautomaten",
        "Pinnen aan de kassa, aan tafel of onderweg.",
        [
            (
                "PIN-T200",
                "Betaalautomaat HB Counter T200",
                "Vaste betaalautomaat voor aan de kassa, met kabel naar het netwerk. Pinnen, contactloos betalen en betalen met de telefoon.",
                "per stuk",
                "329.00",
                H,
                10,
            ),
            (
                "PIN-M300",
                "Mobiele betaalautomaat HB Go M300",
                "Draadloze betaalautomaat met eigen simkaart, voor aan tafel, op de markt of bij de klant thuis. Inclusief laadstation.",
                "per stuk",
                "389.00",
                H,
                10,
            ),
            (
                "PIN-P10",
                "Klantdisplay met PIN-pad HB P10",
                "Los PIN-pad voor de klant aan de andere kant van de toonbank; werkt samen met de HB Counter T200.",
                "per stuk",
                "149.00",
                H,
                10,
            ),
            (
                "PIN-STD",
                "Draaibare standaard voor betaalautomaat",
                "Zet de betaalautomaat vast op de toonbank; draait naar de klant toe.",
                "per stuk",
                "39.50",
                H,
                20,
            ),
        ],
    ),
    (
        "kassarollen",
        "Kassarollen en bonpapier",
        "Thermische rollen voor betaalautomaten en bonprinters.",
        [
            (
                "ROL-57-40",
                "Kassarol thermisch 57 mm × 40 m",
                "Past in alle HB-betaalautomaten en de meeste bonprinters.",
                "doos van 50 rollen",
                "27.50",
                H,
                40,
            ),
            (
                "ROL-57-BPA",
                "Kassarol thermisch 57 mm, BPA-vrij",
                "Als de gewone kassarol, zonder bisfenol A; aanbevolen waar medewerkers veel bonnen aanraken.",
                "doos van 50 rollen",
                "31.00",
                H,
                40,
            ),
            (
                "ROL-80-80",
                "Kassarol thermisch 80 mm × 80 m",
                "Voor brede bonprinters aan de kassa.",
                "doos van 30 rollen",
                "42.00",
                H,
                40,
            ),
            (
                "ROL-INK",
                "Inktlint voor bonprinter",
                "Voor oudere naaldprinters die nog met inktlint werken.",
                "pak van 5",
                "12.50",
                H,
                20,
            ),
        ],
    ),
    (
        "geld-en-afstorten",
        "Geld en afstorten",
        "Sealbags, geldzakken en wisselgeld voor het afstorten en de kassa.",
        [
            (
                "SEAL-S",
                "Sealbag klein",
                "Fraudebestendige zak voor het afstorten van bankbiljetten, tot € 5.000 per zak. Genummerd, met afscheurstrook.",
                "pak van 100",
                "38.00",
                H,
                20,
            ),
            (
                "SEAL-L",
                "Sealbag groot",
                "Als de kleine sealbag, voor stortingen tot € 25.000 of met munten.",
                "pak van 100",
                "49.00",
                H,
                20,
            ),
            (
                "ZAK-SLOT",
                "Geldzak met ritssluiting en slot",
                "Stevige zak voor het vervoer van de kassa-inhoud binnen het pand.",
                "per stuk",
                "24.95",
                H,
                20,
            ),
            (
                "MUNT-100",
                "Wisselgeld: rollen van € 1",
                "Rol van 25 munten van € 1. Het bedrag is de waarde van de munten; geldtransport wordt apart gefactureerd.",
                "per rol (€ 25)",
                "25.00",
                Z,
                100,
            ),
            (
                "MUNT-200",
                "Wisselgeld: rollen van € 2",
                "Rol van 25 munten van € 2. Het bedrag is de waarde van de munten; geldtransport wordt apart gefactureerd.",
                "per rol (€ 50)",
                "50.00",
                Z,
                100,
            ),
        ],
    ),
    (
        "kaartlezers",
        "Kaartlezers en accessoires",
        "Voor internetbankieren en voor de mobiele betaalautomaat.",
        [
            (
                "KL-USB",
                "Kaartlezer voor internetbankieren",
                "Leest de bankpas om in te loggen en betalingen te bevestigen.",
                "per stuk",
                "19.95",
                H,
                25,
            ),
            (
                "KL-QR",
                "Scanner voor betaalverzoeken (QR)",
                "Scant QR-codes van betaalverzoeken aan de kassa.",
                "per stuk",
                "59.00",
                H,
                10,
            ),
            (
                "LAAD-M300",
                "Laadstation voor HB Go M300",
                "Extra laadstation, bijvoorbeeld voor een tweede kassa.",
                "per stuk",
                "24.00",
                H,
                10,
            ),
            (
                "ACCU-M300",
                "Reservebatterij voor HB Go M300",
                "Vervangende batterij; gaat een volle dag mee.",
                "per stuk",
                "34.50",
                H,
                10,
            ),
        ],
    ),
    (
        "winkelmateriaal",
        "Winkelmateriaal",
        "Laat klanten zien hoe ze bij u kunnen betalen.",
        [
            (
                "STICK-PIN",
                "Raamsticker 'Hier pinnen en contactloos betalen'",
                "Voor de deur of het raam, 15 × 15 cm.",
                "set van 5",
                "6.50",
                H,
                50,
            ),
            (
                "BORD-TOON",
                "Toonbankbordje 'Wij accepteren'",
                "Staand bordje met de betaalmerken die u accepteert.",
                "per stuk",
                "9.95",
                H,
                20,
            ),
            (
                "FOLDER-VP",
                "Folder 'Veilig pinnen' voor klanten",
                "Tips voor klanten over veilig betalen, om mee te geven aan de kassa.",
                "pak van 100",
                "14.00",
                L,
                20,
            ),
        ],
    ),
]

# (key, orderer, location, department, [(product code, quantity)], what happens after, days ago)
ORDERS = {
    "HB-100231": [
        (
            "vd-delivered",
            "besteller@vandijk.example",
            "UTC",
            "Winkel",
            [("ROL-57-40", 4), ("SEAL-S", 2)],
            ["processing", "shipped", "delivered"],
            34,
        ),
        (
            "vd-shipped",
            "beheerder@vandijk.example",
            "AMF",
            "Winkel",
            [("STICK-PIN", 2), ("FOLDER-VP", 1)],
            ["processing", "shipped"],
            6,
        ),
        ("vd-processing", "besteller@vandijk.example", "UTO", "Magazijn", [("ROL-80-80", 2)], ["processing"], 3),
        ("vd-received", "besteller@vandijk.example", "UTC", "Kantoor", [("KL-USB", 3), ("MUNT-200", 2)], [], 1),
        ("vd-cancelled", "besteller@vandijk.example", "UTO", "Winkel", [("ZAK-SLOT", 2)], ["cancel"], 12),
        ("vd-rejected", "besteller@vandijk.example", "UTC", "Winkel", [("PIN-M300", 1)], ["reject"], 9),
        ("vd-pending", "besteller@vandijk.example", "UTC", "Bakkerij", [("PIN-T200", 1), ("PIN-STD", 1)], [], 0),
    ],
    "HB-200874": [
        (
            "fj-delivered",
            "beheerder@jansen.example",
            "ZWO",
            "Winkel",
            [("ROL-57-40", 2)],
            ["processing", "shipped", "delivered"],
            21,
        ),
        ("fj-shipped", "beheerder@jansen.example", "KAM", "Werkplaats", [("ACCU-M300", 1)], ["processing", "shipped"], 4),
        ("fj-processing", "werkplaats@jansen.example", "ZWO", "Werkplaats", [("SEAL-S", 1)], ["processing"], 2),
        ("fj-received", "werkplaats@jansen.example", "KAM", "Werkplaats", [("MUNT-100", 4)], [], 1),
        ("fj-cancelled", "beheerder@jansen.example", "ZWO", "Winkel", [("BORD-TOON", 1)], ["cancel"], 15),
        ("fj-rejected", "werkplaats@jansen.example", "ZWO", "Werkplaats", [("PIN-M300", 1)], ["reject"], 8),
    ],
}


def _key(name):
    return uuid.uuid5(uuid.NAMESPACE_URL, f"mijn-hartingbank-demo-order/{name}")


def _load_catalogue(counter):
    products = {}
    for position, (slug, name, description, rows) in enumerate(CATALOGUE):
        category, _ = counter.get_or_create(
            Category, slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        for code, pname, pdescription, unit, price, vat, max_quantity in rows:
            product, _ = counter.get_or_create(
                Product,
                code=code,
                defaults={"category": category, "name": pname, "description": pdescription, "unit": unit,
                          "price": Decimal(price), "vat_rate": vat, "max_quantity": max_quantity},
            )  # fmt: skip
            products[code] = product
    return products


def _administrators(org):
    return [u for u in org["users"].values() if u.membership.is_active_administrator]


def _place(counter, org, row, products, staff):
    key, email, code, department_name, lines, after, days_ago = row
    if Order.objects.filter(submission_key=_key(key)).exists():
        return
    user = org["users"][email]
    location = org["locations"][code]
    with transaction.atomic():
        CartItem.objects.filter(membership=user.membership).delete()
        for product_code, quantity in lines:
            services.cart_add(actor=user, product=products[product_code], quantity=quantity)
        order, _ = services.order_place(
            actor=user, location=location, department=location.departments.get(name=department_name),
            submission_key=_key(key), reference=f"PO-{int(_key(key).hex[:4], 16) % 9000 + 1000}",
        )  # fmt: skip
        approver = next((a for a in _administrators(org) if a.pk != user.pk), None)
        for step in after:
            if step == "cancel":
                services.order_cancel(actor=user, order=order)
            elif step == "reject":
                services.order_reject(
                    actor=approver, order=order, reason="Dit hebben we dit kwartaal niet begroot. Bestel het in januari opnieuw."
                )
            else:
                if order.status == OrderStatus.PENDING_APPROVAL:
                    order = services.order_approve(actor=approver, order=order)
                order = services.order_progress(actor=staff[ACCOUNT_MANAGER], order=order, status=step)
        placed = timezone.now() - timedelta(days=days_ago, hours=days_ago % 5)
        Order.objects.filter(pk=order.pk).update(created_at=placed)
    counter.created += 1


def load(counter, orgs, staff):
    products = _load_catalogue(counter)
    for org in orgs:
        for row in ORDERS.get(org["organization"].customer_number, []):
            _place(counter, org, row, products, staff)

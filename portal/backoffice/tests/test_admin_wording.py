"""The master data pages (Django's admin) read right in Dutch: what a screen reader reads
out is Dutch, a model's name that starts a title starts with a capital, and staff are
addressed with "je", as everywhere in the portal."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.locations.models import Location
from portal.ordering.models import Category, Product

ENGLISH = re.compile(r'>\s*(Model name|Add link|Change or view list link)\s*<|alt="(True|False|None|Search)"')


def page(client, name, *args):
    response = client.get(reverse(f"backoffice_admin:{name}", args=args))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_nothing_is_read_out_in_english(am_client, locations):
    for name, args in [("index", ()), ("locations_location_changelist", ()), ("ordering_product_changelist", ()),
                       ("locations_location_change", (locations[0].pk,))]:  # fmt: skip
        body = page(am_client, name, *args)
        assert not ENGLISH.search(body), (name, ENGLISH.search(body))
    index = page(am_client, "index")
    assert '<th scope="col">Soort gegevens</th>' in index
    changelist = page(am_client, "locations_location_changelist")
    assert '<img src="/static/admin/img/icon-no.svg" alt="nee">' in changelist
    assert '<label for="searchbar"><img src="/static/admin/img/search.svg" alt="Zoeken"></label>' in changelist


@pytest.mark.django_db
def test_a_models_name_that_starts_a_title_starts_with_a_capital(am_client, locations):
    changelist = page(am_client, "locations_location_changelist")
    assert re.search(r'class="addlink">\s*Locatie toevoegen\s*</a>', changelist)
    add = page(am_client, "locations_location_add")
    assert "<h1>Locatie toevoegen</h1>" in add and "<title>Locatie toevoegen | " in add
    assert "&rsaquo; Locatie toevoegen" in add or "› Locatie toevoegen" in add
    # The inlines' link to add one more: "Adres toevoegen", not "Nog een Adres toevoegen".
    assert "&quot;addText&quot;: &quot;Adres toevoegen&quot;" in add and "Afdeling toevoegen" in add
    assert "Nog een Adres" not in add and "Nog een Afdeling" not in add
    assert "<h1>Locatie wijzigen</h1>" in page(am_client, "locations_location_change", locations[0].pk)


@pytest.mark.django_db
def test_staff_are_addressed_with_je(am_client, organization):
    location = Location.objects.create(organization=organization, code="L9", name="Nieuw")
    confirmation = page(am_client, "locations_location_delete", location.pk)
    assert "Weet je zeker dat je locatie ‘Nieuw’ wilt verwijderen?" in confirmation
    assert not re.search(r"\b([Uu]w?)\b", re.sub(r"<[^>]+>", " ", confirmation.split('id="content"')[1]))


@pytest.mark.django_db
def test_a_saved_record_is_named_without_an_article(am_client):
    """Django's Dutch says "De product ..."; the portal names the record and its kind."""
    category = Category.objects.create(name="Kassarollen", slug="kassarollen")
    product = Product.objects.create(category=category, code="ROL-57", name="Kassarol 57 mm", unit="doos", price=Decimal("27.50"))
    url = reverse("backoffice_admin:ordering_product_change", args=[product.pk])
    data = {"category": category.pk, "code": "ROL-57", "name": "Kassarol 57 mm", "description": "", "unit": "doos van 50",
            "price": "27.50", "vat_rate": product.vat_rate, "max_quantity": 100, "_continue": "1"}  # fmt: skip
    response = am_client.post(url, data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("‘<a href=") and message.endswith(
        "’ (product) is gewijzigd. Je kunt het hieronder verder bewerken."
    )


@pytest.mark.django_db
def test_the_faqs_old_master_data_addresses_lead_to_the_new_ones(client, staff_user):
    """The FAQ's models were the app "support"'s and are "help"'s: an old bookmark works."""
    client.force_login(staff_user)
    response = client.get("/backoffice/stamgegevens/support/faqquestion/?q=wachtwoord")
    assert response.status_code == 301
    assert response.url == "/backoffice/stamgegevens/help/faqquestion/?q=wachtwoord"
    assert client.get(response.url).status_code == 200

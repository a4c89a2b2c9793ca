"""An order's reference is "Je referentie" only for whoever placed the order; an
administrator who approves someone else's order reads "Referentie"."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from .conftest import place


@pytest.fixture
def limited_order(orderer, admin_user, locations, products, django_capture_on_commit_callbacks):
    orderer.membership.order_limit = Decimal("100.00")
    orderer.membership.save()
    with django_capture_on_commit_callbacks(execute=True):
        return place(orderer, locations[0], [(products["roll"], 4)], reference="PO-4711")  # waits for approval


def fact(client, order, label_text):
    body = client.get(reverse("ordering:order_detail", args=[order.pk])).content.decode()
    return f"<dt>{label_text}</dt><dd>PO-4711</dd>" in body


@pytest.mark.django_db
def test_the_orderer_reads_je_referentie(client, orderer, limited_order):
    client.force_login(orderer)
    assert fact(client, limited_order, "Je referentie")


@pytest.mark.django_db
def test_an_administrator_approving_someone_elses_order_reads_referentie(client, admin_user, limited_order):
    client.force_login(admin_user)
    assert fact(client, limited_order, "Referentie") and not fact(client, limited_order, "Je referentie")


@pytest.mark.django_db
def test_the_mails_say_whose_reference_it_is(orderer, admin_user, limited_order):
    [to_orderer] = [m for m in mail.outbox if m.to == [orderer.email]]
    [to_approver] = [m for m in mail.outbox if m.to == [admin_user.email]]
    assert "\nJe referentie: PO-4711\n" in to_orderer.body
    assert "\nReferentie: PO-4711\n" in to_approver.body and "Je referentie" not in to_approver.body

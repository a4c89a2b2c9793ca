"""Every sensitive action asks for the password again when the last login or
confirmation is older than REAUTHENTICATION_TIMEOUT, and changes nothing until then
(README, "Two-step login, sessions and re-authentication"). One row per action; the
invitation, a promotion, setting up an app, the change requests' new address and API
keys have their own tests beside their pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import give_totp
from portal.organizations.models import EmailChange, ImportBatch, Membership
from portal.organizations.tests.test_accountbeheer import change_data

LATER = timedelta(minutes=6)
CSV = "naam;e-mailadres;telefoonnummer;functie;rol;portal;bestellen;locaties\nNoor de Vries;noor@test.example;;;medewerker;ja;nee;L1\n"


def _raise_limit(client, employee):
    membership = employee.membership
    membership.may_order, membership.order_limit = True, Decimal("100.00")
    membership.save()
    url = reverse("accountbeheer:change", args=[membership.pk])
    data = change_data(employee, may_order="on", order_limit="5000")
    return url, data, lambda: Membership.objects.get(pk=membership.pk).order_limit == Decimal("100.00")


def _new_address(client, employee):
    url = reverse("accountbeheer:change", args=[employee.membership.pk])
    data = change_data(employee, email="nieuw-adres@test.example")
    return url, data, lambda: not EmailChange.objects.filter(new_email="nieuw-adres@test.example").exists()


def _import(client, employee):
    client.post(reverse("accountbeheer:import"), {"file": SimpleUploadedFile("a.csv", CSV.encode(), "text/csv")})
    batch = ImportBatch.objects.get()
    url = reverse("accountbeheer:import_confirm", args=[batch.pk])
    return url, {}, lambda: not Membership.objects.filter(user__email="noor@test.example").exists()


def _require_two_step(client, employee):
    organization = employee.membership.organization
    url = reverse("accountbeheer:security")
    data = {"required": "1", "grace_days": "14"}
    return url, data, lambda: type(organization).objects.get(pk=organization.pk).mfa_deadline is None


def _reset_second_factor(client, employee):
    give_totp(employee)
    url = reverse("accountbeheer:mfa_reset", args=[employee.membership.pk])
    return url, {"reason": "telefoon kwijt"}, lambda: Authenticator.objects.filter(user=employee).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action", [_raise_limit, _new_address, _import, _require_two_step, _reset_second_factor], ids=lambda f: f.__name__
)
def test_asked_again_later_and_nothing_changes_until_then(client, admin_user, employee, locations, action):
    client.force_login(admin_user)
    url, data, unchanged = action(client, employee)
    with time_machine.travel(timezone.now() + LATER, tick=False):
        response = client.post(url, data)
        assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    assert unchanged()


@pytest.mark.django_db
def test_customer_service_is_asked_again_before_resetting_a_second_factor(client, staff_user, admin_user):
    give_totp(admin_user)
    client.force_login(staff_user)
    url = reverse("backoffice:account_action", args=[admin_user.membership.pk, "mfa_reset"])
    with time_machine.travel(timezone.now() + LATER, tick=False):
        response = client.post(url, {"mfa_reset-reason": "administrator belde: telefoon kwijt"})
        assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=admin_user).exists()

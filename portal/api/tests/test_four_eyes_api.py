"""Vier ogen through the API: what would wait for a second administrator in Accountbeheer
is refused here (409, four_eyes_required), and nothing changes; within the amount, or
with the setting off, the change is made as before."""

from decimal import Decimal

import pytest

from conftest import make_account
from portal.organizations import services
from portal.organizations.models import Membership, PendingAccountChange, Role

from .test_rest_accounts import problem


@pytest.fixture
def four_eyes(organization, admin_user, locations):
    make_account(organization, "bert@test.example", role=Role.ADMINISTRATOR, locations=locations)
    services.organization_four_eyes_set(actor=admin_user, organization=organization, on=True, amount=Decimal("500"))
    organization.refresh_from_db()
    return organization


@pytest.mark.django_db
class TestFourEyesThroughTheApi:
    def test_a_promotion_is_refused_and_nothing_changes(self, api_for, four_eyes, employee):
        url = f"/api/v1/accounts/{employee.membership.pk}"
        body = problem(
            api_for(four_eyes)("patch", url, {"role": "administrator", "may_use_portal": False}), 409, "four_eyes_required"
        )
        assert "Accountbeheer" in body["detail"]
        membership = Membership.objects.get(pk=employee.membership.pk)
        assert membership.role == Role.EMPLOYEE and membership.may_use_portal
        assert not PendingAccountChange.objects.exists()

    def test_a_limit_above_the_amount_is_refused_within_it_made(self, api_for, four_eyes, employee):
        api, url = api_for(four_eyes), f"/api/v1/accounts/{employee.membership.pk}"
        problem(api("patch", url, {"may_order": True, "order_limit": "500.01"}), 409, "four_eyes_required")
        assert api("patch", url, {"may_order": True, "order_limit": "500.00"}).json()["order_limit"] == "500.00"

    def test_an_invitation_as_administrator_is_refused(self, api_for, four_eyes):
        body = {"email": "nieuw@test.example", "full_name": "Nieuw", "role": "administrator"}
        problem(api_for(four_eyes)("post", "/api/v1/accounts", body), 409, "four_eyes_invite")

    def test_off_as_before(self, api_for, organization, admin_user, employee):
        response = api_for(organization)("patch", f"/api/v1/accounts/{employee.membership.pk}", {"role": "administrator"})
        assert response.status_code == 200 and response.json()["role"] == "administrator"

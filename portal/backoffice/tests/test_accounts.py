"""Accounts on request, with the reason in the audit trail; staff passwords; the audit viewer."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from portal.accounts.models import User
from portal.core.audit import audit_record
from portal.core.models import AuditEvent
from portal.organizations import services
from portal.organizations.models import Status

# On SQLite a search of the users first reads the trigram counts, the trigram index and the
# users it names (accounts.search).
SEARCH_INDEX_QUERIES = 3 if connection.vendor == "sqlite" else 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, status_before, status_after, audit_action",
    [
        ("deactivate", Status.ACTIVE, Status.DEACTIVATED, "account_deactivated"),
        ("reactivate", Status.DEACTIVATED, Status.ACTIVE, "account_reactivated"),
        ("delete", Status.ACTIVE, Status.DELETED, "account_deleted"),
        ("resend", Status.INVITED, Status.INVITED, "invitation_resent"),
    ],
)
def test_an_action_on_request_records_the_reason(
    cs_client, staff_user, employee, action, status_before, status_after, audit_action
):
    membership = employee.membership
    membership.status = status_before
    membership.save(update_fields=["status"])
    url = reverse("backoffice:account_action", args=[membership.pk, action])
    response = cs_client.post(url, {f"{action}-reason": "Verzoek van de administrator per e-mail"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == status_after
    event = AuditEvent.objects.get(action=audit_action)
    assert event.actor == staff_user and event.readable_changes()["reason"] == "Verzoek van de administrator per e-mail"


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, -3])
def test_an_end_date_must_lie_in_the_future(cs_client, employee, days):
    from datetime import timedelta

    from django.utils import timezone

    url = reverse("backoffice:account_action", args=[employee.membership.pk, "deactivate"])
    until = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = cs_client.post(url, {"deactivate-reason": "Op verzoek", "deactivate-until": until})
    assert {e.code for e in response.context["deactivate_form"].errors.as_data()["until"]} == {"until_not_future"}
    employee.membership.refresh_from_db()
    assert employee.membership.status == Status.ACTIVE


@pytest.mark.django_db
def test_without_a_reason_nothing_happens_and_the_form_says_why(cs_client, employee):
    url = reverse("backoffice:account_action", args=[employee.membership.pk, "deactivate"])
    response = cs_client.post(url, {"deactivate-reason": "  "})
    assert response.status_code == 200
    assert response.context["deactivate_form"].errors["reason"]
    employee.membership.refresh_from_db()
    assert employee.membership.status == Status.ACTIVE


@pytest.mark.django_db
def test_the_service_wants_a_reason_from_staff(staff_user, employee):
    with pytest.raises(services.AccountRuleError) as refused:
        services.account_deactivate(actor=staff_user, membership=employee.membership)
    assert refused.value.code == "reason_required"


@pytest.mark.django_db
def test_the_account_manager_may_not_deactivate(account_manager, employee):
    with pytest.raises(services.AccountRuleError) as refused:
        services.account_deactivate(actor=account_manager, membership=employee.membership, reason="x")
    assert refused.value.code == "not_allowed"


@pytest.mark.django_db
def test_the_last_administrator_stays_for_staff_too(cs_client, admin_user):
    url = reverse("backoffice:account_action", args=[admin_user.membership.pk, "delete"])
    response = cs_client.post(url, {"delete-reason": "Op verzoek"})
    assert {e.code for e in response.context["delete_form"].non_field_errors().as_data()} == {"last_administrator"}
    admin_user.membership.refresh_from_db()
    assert admin_user.membership.status == Status.ACTIVE


@pytest.mark.django_db
def test_an_unknown_action_is_404(cs_client, employee):
    assert cs_client.post(reverse("backoffice:account_action", args=[employee.membership.pk, "impersonate"])).status_code == 404


@pytest.mark.django_db
def test_no_password_on_the_account_page(cs_client, employee):
    page = cs_client.get(reverse("backoffice:account_detail", args=[employee.membership.pk])).content.decode().lower()
    assert "wachtwoord" not in page and 'type="password"' not in page


@pytest.mark.django_db
def test_account_list_search_and_query_count(cs_client, employee, admin_user, other_admin, django_assert_num_queries):
    # session, user, permissions (2), the page (shorter than one: no count)
    with django_assert_num_queries(5 + SEARCH_INDEX_QUERIES):
        response = cs_client.get(reverse("backoffice:account_list"), {"q": "erik"})
    assert [m.user for m in response.context["page"]] == [employee]


@pytest.mark.django_db
def test_staff_passwords_have_at_least_12_characters(staff_user, employee):
    with pytest.raises(ValidationError) as refused:
        validate_password("Kort-genoeg", user=staff_user)  # 11 characters
    assert "password_too_short" in [e.code for e in refused.value.error_list]
    validate_password("Lang-genoeg-nu", user=staff_user)
    validate_password("Appel-42", user=employee)  # customers keep the FAQ's 7


@pytest.mark.django_db
def test_only_staff_read_the_staff_rule(client, staff_user, employee):
    client.force_login(employee)
    assert "12 tekens" not in client.get(reverse("account_change_password")).content.decode()
    client.force_login(staff_user)
    assert "12 tekens" in client.get(reverse("account_change_password")).content.decode()


@pytest.mark.django_db
def test_the_demo_staff_password_is_long_enough():
    from portal.site import demo

    assert len(demo.DEMO_PASSWORD) >= 12


@pytest.mark.django_db
def test_audit_viewer_filters_and_shows_staff_actions(
    cs_client, staff_user, employee, other_admin, organization, django_assert_num_queries
):
    services.account_deactivate(actor=staff_user, membership=employee.membership, reason="Op verzoek")
    audit_record("login", actor=other_admin, target=other_admin)  # another organization
    url = reverse("backoffice:audit")
    # session, user, permissions (2), matching organizations, matching actors, page, keys
    with django_assert_num_queries(8 + SEARCH_INDEX_QUERIES):
        response = cs_client.get(url, {"organization": organization.customer_number, "actor": "sam staff"})
    events = [event for event, _changes in response.context["rows"]]
    assert [(e.action, e.target_user) for e in events] == [("account_deactivated", employee)]
    assert ("Reden", None, "Op verzoek") in response.context["rows"][0][1]
    response = cs_client.get(url, {"account": "olga"})
    assert [e.target_user for e, _ in response.context["rows"]] == [other_admin]
    response = cs_client.get(url, {"since": "2030-01-01"})
    assert response.context["rows"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("field, day", [("since", "0001-01-01"), ("until", "9999-12-31")])
def test_the_audit_trail_refuses_a_day_at_the_end_of_the_calendar(cs_client, field, day):
    response = cs_client.get(reverse("backoffice:audit"), {field: day})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == ["date_out_of_range"]


@pytest.mark.django_db
def test_a_search_matching_too_many_is_refused_not_cut_off(cs_client, employee, monkeypatch):
    from portal.backoffice.views import audit

    monkeypatch.setattr(audit, "MATCHES", 1)
    response = cs_client.get(reverse("backoffice:audit"), {"actor": "e"})  # matches several accounts
    assert {e.code for e in response.context["form"].errors.as_data()["actor"]} == {"too_vague"}
    assert response.context["rows"] == []


@pytest.mark.django_db
def test_locations_are_linked_on_request_with_the_reason(cs_client, staff_user, employee, locations, other_location):
    url = reverse("backoffice:account_action", args=[employee.membership.pk, "locations"])
    refused = cs_client.post(url, {"locations-locations": [other_location.pk], "locations-reason": "Verzoek"})
    assert "invalid_choice" in {e.code for e in refused.context["locations_form"].errors.as_data()["locations"]}
    response = cs_client.post(
        url, {"locations-locations": [loc.pk for loc in locations], "locations-reason": "Verzoek per telefoon"}
    )
    assert response.status_code == 302
    assert set(employee.membership.location_links.values_list("location", flat=True)) == {loc.pk for loc in locations}
    event = AuditEvent.objects.get(action="account_updated", actor=staff_user)
    assert event.readable_changes()["reason"] == "Verzoek per telefoon"


@pytest.mark.django_db
def test_createsuperuser_keeps_the_staff_minimum_also_without_questions(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Kort-genoeg")  # 11 characters
    with pytest.raises(CommandError, match="12 tekens"):
        call_command("createsuperuser", "--noinput", email="beheer@hartingbank.example", full_name="Beheer", verbosity=0)
    assert not User.objects.filter(email="beheer@hartingbank.example").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Lang-genoeg-voor-staf")
    call_command("createsuperuser", "--noinput", email="beheer@hartingbank.example", full_name="Beheer", verbosity=0)
    assert User.objects.get(email="beheer@hartingbank.example").is_superuser


@pytest.mark.django_db
def test_deleting_twice_erases_and_records_once(staff_user, employee):
    services.account_delete(actor=staff_user, membership=employee.membership, reason="Op verzoek")
    with pytest.raises(services.AccountRuleError) as refused:
        services.account_delete(actor=staff_user, membership=employee.membership, reason="Op verzoek")
    assert refused.value.code == "already_deleted"
    assert AuditEvent.objects.filter(action="account_deleted").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["\u00b2", "9" * 40])
def test_the_audit_trail_ignores_a_cursor_that_is_no_id(cs_client, value):
    assert cs_client.get(reverse("backoffice:audit"), {"voor": value}).status_code == 200


@pytest.mark.django_db
def test_linking_a_location_that_is_no_id_is_refused(cs_client, employee):
    url = reverse("backoffice:account_action", args=[employee.membership.pk, "locations"])
    response = cs_client.post(url, {"locations-locations": ["9" * 40], "locations-reason": "Verzoek"})
    assert response.status_code == 200
    assert {e.code for e in response.context["locations_form"].errors.as_data()["locations"]} == {"invalid_pk_value"}

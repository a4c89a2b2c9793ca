"""Master data in the admin: what orders or requests refer to is archived, not deleted,
and archived locations and departments are no longer offered; changes are audited."""

import pytest
from django.urls import reverse

from portal.core.models import AuditEvent
from portal.locations.models import Location
from portal.service.forms import ServiceRequestForm


@pytest.mark.django_db
def test_a_location_in_use_is_archived_not_deleted(am_client, service_request, locations):
    location = locations[0]
    response = am_client.post(reverse("backoffice_admin:locations_location_delete", args=[location.pk]), {"post": "yes"})
    assert response.url == reverse("backoffice_admin:locations_location_change", args=[location.pk])
    assert Location.objects.filter(pk=location.pk).exists()
    page = am_client.get(response.url).content.decode()
    assert "kan daarom niet worden verwijderd" in page

    am_client.post(
        reverse("backoffice_admin:locations_location_changelist"),
        {"action": "archive", "_selected_action": [location.pk]},
    )
    location.refresh_from_db()
    assert location.is_archived
    assert AuditEvent.objects.filter(action="master_data_changed", organization=location.organization).exists()


@pytest.mark.django_db
def test_an_unused_location_can_be_deleted(am_client, organization):
    location = Location.objects.create(organization=organization, code="L9", name="Nieuw")
    am_client.post(reverse("backoffice_admin:locations_location_delete", args=[location.pk]), {"post": "yes"})
    assert not Location.objects.filter(pk=location.pk).exists()
    assert AuditEvent.objects.filter(action="master_data_deleted", organization=organization).exists()


@pytest.mark.django_db
def test_archived_locations_and_departments_are_not_offered(employee, locations):
    membership = employee.membership
    assert list(Location.objects.offered_to(membership)) == [locations[0]]
    locations[0].departments.update(is_archived=True)
    form = ServiceRequestForm(locations=Location.objects.offered_to(membership))
    assert list(form.fields["department"].queryset) == []
    Location.objects.filter(pk=locations[0].pk).update(is_archived=True)
    assert list(Location.objects.offered_to(membership)) == []


@pytest.mark.django_db
def test_a_service_request_for_an_archived_location_is_refused(employee, locations):
    from portal.service.models import Category
    from portal.service.services import ServiceRuleError, service_request_create

    Location.objects.filter(pk=locations[0].pk).update(is_archived=True)
    with pytest.raises(ServiceRuleError) as refused:
        service_request_create(
            actor=employee, location=locations[0], department=locations[0].departments.first(),
            category=Category.OTHER, subject="x", description="y",
        )  # fmt: skip
    assert refused.value.code == "location_not_linked"


@pytest.mark.django_db
def test_customer_service_only_looks_at_locations(cs_client, locations):
    assert cs_client.get(reverse("backoffice_admin:locations_location_change", args=[locations[0].pk])).status_code == 200
    response = cs_client.post(reverse("backoffice_admin:locations_location_delete", args=[locations[0].pk]), {"post": "yes"})
    assert response.status_code == 403


def change_form_data(location, **extra_departments):
    """The location's change form as the admin shows it, with its two inlines."""
    data = {"name": location.name, "code": location.code}
    inlines = (
        ("addresses", list(location.addresses.all()), ["kind", "street", "postal_code", "city"]),
        ("departments", list(location.departments.all()), ["name"]),
    )
    for prefix, objects, fields in inlines:
        data.update({f"{prefix}-TOTAL_FORMS": len(objects), f"{prefix}-INITIAL_FORMS": len(objects),
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})  # fmt: skip
        for i, obj in enumerate(objects):
            data.update({f"{prefix}-{i}-id": obj.pk, f"{prefix}-{i}-location": location.pk})
            data.update({f"{prefix}-{i}-{field}": getattr(obj, field) for field in fields})
    return data


@pytest.mark.django_db
def test_departments_are_added_and_renamed_in_the_location_form_and_audited(am_client, locations):
    location = locations[0]
    data = change_form_data(location)
    data["departments-0-name"] = "Winkel voor"
    data.update({"departments-TOTAL_FORMS": 2, "departments-1-location": location.pk, "departments-1-name": "Magazijn"})
    response = am_client.post(reverse("backoffice_admin:locations_location_change", args=[location.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert sorted(location.departments.values_list("name", flat=True)) == ["Magazijn", "Winkel voor"]
    events = AuditEvent.objects.filter(organization=location.organization).order_by("pk")
    assert [(e.action, e.changes.get("object")) for e in events] == [
        ("master_data_created", "afdeling Magazijn"),
        ("master_data_changed", "afdeling Winkel voor"),
    ]
    assert events[1].changes["Naam"] == ["Winkel", "Winkel voor"]


@pytest.mark.django_db
def test_a_department_in_use_cannot_be_deleted_in_the_location_form(am_client, locations, service_request):
    location = locations[0]
    data = change_form_data(location)
    data["departments-0-DELETE"] = "on"
    response = am_client.post(reverse("backoffice_admin:locations_location_change", args=[location.pk]), data)
    assert response.status_code == 200  # the form again, with the admin's error
    assert location.departments.count() == 1
    assert not AuditEvent.objects.filter(action="master_data_deleted").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("selected", [[""], ["9" * 40], ["\u00b2"], ["abc"]])
def test_an_action_on_a_selection_that_holds_no_id_changes_nothing(am_client, locations, selected):
    response = am_client.post(
        reverse("backoffice_admin:locations_location_changelist"),
        {"action": "archive", "_selected_action": selected},
        follow=True,
    )
    assert response.status_code == 200
    assert not Location.objects.filter(is_archived=True).exists()


@pytest.mark.django_db
def test_an_action_takes_the_ids_of_a_selection_and_leaves_the_rest(am_client, locations):
    selected = [locations[0].pk, "9" * 40, ""]
    am_client.post(reverse("backoffice_admin:locations_location_changelist"), {"action": "archive", "_selected_action": selected})
    assert list(Location.objects.filter(is_archived=True)) == [locations[0]]

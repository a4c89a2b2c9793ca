import pytest
from django.urls import reverse

from portal.changes import services
from portal.changes.models import ChangeRequest, Kind, Status
from portal.core.models import AuditEvent

URL = "/wijzigingen/nieuw/"


def form_codes(response, field=None):
    errors = response.context["form"].errors.as_data()
    keys = [field] if field else list(errors)
    return {e.code for key in keys for e in errors.get(key, [])}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def do(user, **data):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, data)

    return do


@pytest.mark.django_db
class TestCreate:
    def test_files_a_request_mails_both_sides_and_records_it(self, post, employee, organization, locations, settings, mailoutbox):
        settings.SITE_URL = "https://portal.example"
        response = post(
            employee, kind=Kind.LOCATION_CHANGE, location=locations[0].pk,
            department=locations[0].departments.get().pk, description="  Nieuw afleveradres: Lijnmarkt 6.  ",
        )  # fmt: skip
        change_request = ChangeRequest.objects.get()
        assert response.status_code == 302 and response.url == reverse("changes:detail", args=[change_request.pk])
        assert change_request.organization == organization and change_request.created_by == employee
        assert change_request.status == Status.NEW and change_request.location == locations[0]
        assert change_request.description == "Nieuw afleveradres: Lijnmarkt 6."
        assert (
            change_request.reference == f"WV-{change_request.created_at.year}-000001"
        )  # the first of the year (core.references)
        to_requester, to_service = mailoutbox
        assert to_requester.to == ["employee@test.example"]
        assert change_request.reference in to_requester.subject
        assert f"https://portal.example/wijzigingen/{change_request.pk}/" in to_requester.body
        assert to_service.to == [settings.CUSTOMER_SERVICE_EMAIL]
        for text in (change_request.reference, "Bakkerij Test B.V.", "Een locatie, afdeling of adres wijzigen", "Erik Employee"):
            assert text in to_service.subject + to_service.body
        assert "Lijnmarkt" not in to_service.body  # the content stays in the portal
        event = AuditEvent.objects.get(action="change_request_created")
        assert event.actor == employee and event.target_user == employee and event.organization == organization
        assert event.changes == {"change_request": change_request.reference}

    def test_references_are_unique(self, file_request, employee, admin_user):
        first, second = file_request(employee), file_request(admin_user)
        assert first.reference != second.reference

    def test_without_description_nothing_is_filed_and_what_was_typed_stays(self, post, employee, locations, mailoutbox):
        response = post(employee, kind=Kind.LOCATION_REMOVE, location=locations[0].pk, description="   ")
        assert response.status_code == 200
        assert form_codes(response) == {"description_required"}  # required unless personal data is asked for
        form = response.context["form"]
        assert form["kind"].value() == Kind.LOCATION_REMOVE and str(form["location"].value()) == str(locations[0].pk)
        assert not ChangeRequest.objects.exists() and mailoutbox == []

    def test_without_kind_the_description_stays(self, post, employee):
        response = post(employee, description="Mijn naam is Erik Jansen.")
        assert form_codes(response, "kind") == {"required"}
        assert response.context["form"]["description"].value() == "Mijn naam is Erik Jansen."
        assert "Mijn naam is Erik Jansen." in response.content.decode()

    def test_a_location_change_needs_a_location(self, post, employee):
        response = post(employee, kind=Kind.LOCATION_CHANGE, description="Adres klopt niet.")
        assert form_codes(response) == {"location_required"}

    def test_personal_data_needs_no_location(self, post, employee):
        post(employee, kind=Kind.PERSONAL_DATA, description="Nieuwe functie: teamleider.")
        assert ChangeRequest.objects.get().location is None

    def test_a_location_of_another_organization_is_refused(self, post, admin_user, other_location):
        response = post(admin_user, kind=Kind.LOCATION_CHANGE, location=other_location.pk, description="x")
        assert form_codes(response, "location") == {"invalid_choice"}
        assert not ChangeRequest.objects.exists()

    def test_a_location_not_linked_to_the_employee_is_refused(self, post, employee, locations):
        response = post(employee, kind=Kind.LOCATION_CHANGE, location=locations[1].pk, description="x")
        assert form_codes(response, "location") == {"invalid_choice"}
        assert not ChangeRequest.objects.exists()

    def test_a_department_of_another_location_is_refused(self, post, admin_user, locations):
        other_department = locations[1].departments.get()
        response = post(
            admin_user, kind=Kind.LOCATION_REMOVE, location=locations[0].pk, department=other_department.pk, description="x"
        )
        assert form_codes(response, "department") == {"department_not_of_location"}
        assert not ChangeRequest.objects.exists()

    def test_a_department_alone_brings_its_location(self, post, admin_user, locations):
        department = locations[1].departments.get()
        post(admin_user, kind=Kind.LOCATION_REMOVE, department=department.pk, description="Afdeling sluit.")
        assert ChangeRequest.objects.get().location == locations[1]

    def test_staff_gets_404(self, post, staff_user):
        assert post(staff_user, kind=Kind.OTHER, description="x").status_code == 404


@pytest.mark.django_db
class TestPrefill:
    def test_kind_and_location_from_the_query_string(self, client, employee, locations):
        client.force_login(employee)
        response = client.get(URL, {"soort": Kind.LOCATION_REMOVE, "locatie": locations[0].pk})
        assert response.context["form"].initial == {"kind": Kind.LOCATION_REMOVE, "location": locations[0].pk}
        page = response.content.decode()
        assert f'value="{locations[0].pk}" selected' in page
        assert f'value="{Kind.LOCATION_REMOVE}" required id="id_kind_3" checked' in page

    def test_a_location_alone_means_a_location_change(self, client, employee, locations):
        client.force_login(employee)
        form = client.get(URL, {"locatie": locations[0].pk}).context["form"]
        assert form.initial == {"kind": Kind.LOCATION_CHANGE, "location": locations[0].pk}

    @pytest.mark.parametrize(
        "query", [{"soort": "iets"}, {"locatie": "abc"}, {"locatie": "999999"}, {"locatie": "\u00b2"}, {"locatie": "9" * 40}]
    )
    def test_values_that_do_not_fit_are_left_out(self, client, employee, query):
        client.force_login(employee)
        assert client.get(URL, query).context["form"].initial == {}

    def test_a_location_not_visible_is_not_prefilled(self, client, employee, locations, other_location):
        client.force_login(employee)
        for location in (locations[1], other_location):
            assert client.get(URL, {"locatie": location.pk}).context["form"].initial == {}

    def test_the_form_offers_only_visible_locations_and_their_departments(self, client, employee, locations, other_location):
        client.force_login(employee)
        form = client.get(URL).context["form"]
        assert list(form.fields["location"].queryset) == [locations[0]]
        assert {d.location for d in form.fields["department"].queryset} == {locations[0]}

    def test_the_help_text_tells_what_to_write_for_each_kind(self, client, employee):
        client.force_login(employee)
        page = client.get(URL, {"soort": Kind.PERSONAL_DATA}).content.decode()
        for text in ("Mijn persoonlijke gegevens:", "Mijn gekoppelde locaties:", "Verwijderen:", "Iets anders:"):
            assert text in page
        assert "onlineklantenservice@harting-bank.nl" in page


@pytest.mark.django_db
class TestCreateService:
    """The service checks again what the form checks, for callers without a form."""

    def test_refuses_a_location_not_visible(self, employee, locations, other_location):
        for location in (locations[1], other_location):
            with pytest.raises(services.ChangeRequestError) as refused:
                services.change_request_create(actor=employee, kind=Kind.LOCATION_CHANGE, description="x", location=location)
            assert refused.value.code == "location_not_visible"

    def test_refuses_a_department_of_another_location(self, admin_user, locations):
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_create(
                actor=admin_user, kind=Kind.LOCATION_REMOVE, description="x",
                location=locations[0], department=locations[1].departments.get(),
            )  # fmt: skip
        assert refused.value.code == "department_not_of_location"

    @pytest.mark.parametrize(
        "kwargs, code",
        [
            ({"kind": "nonsense", "description": "x"}, "kind_invalid"),
            ({"kind": Kind.OTHER, "description": " "}, "description_required"),
            ({"kind": Kind.LOCATION_REMOVE, "description": "x"}, "location_required"),
        ],
    )
    def test_refuses_incomplete_requests(self, employee, kwargs, code):
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_create(actor=employee, **kwargs)
        assert refused.value.code == code

    def test_refuses_staff(self, staff_user):
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_create(actor=staff_user, kind=Kind.OTHER, description="x")
        assert refused.value.code == "not_customer"

    def test_a_location_unlinked_since_the_form_was_shown_is_refused(self, employee, locations):
        from portal.locations.models import LocationLink

        LocationLink.objects.filter(membership=employee.membership).delete()
        with pytest.raises(services.ChangeRequestError) as refused:
            services.change_request_create(actor=employee, kind=Kind.LOCATION_CHANGE, description="x", location=locations[0])
        assert refused.value.code == "location_not_visible"

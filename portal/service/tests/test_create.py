"""Filing a new request through the page: valid and invalid data, locations and
departments, attachments."""

import pytest
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse

from conftest import make_account, stored_files
from portal.core.models import AuditEvent
from portal.locations.models import Department
from portal.service import services
from portal.service.models import ServiceAttachment, ServiceRequest, Status

from .helpers import file_request, pdf_file, png_bytes, png_file, text_as_png


def form_codes(response, field=None):
    errors = response.context["form"].errors.as_data()
    keys = [field] if field else list(errors)
    return {e.code for key in keys for e in errors.get(key, [])}


def data_for(location, **overrides):
    data = {
        "location": location.pk,
        "department": location.departments.first().pk,
        "category": "card_reader",
        "subject": "Kaartlezer leest geen passen",
        "description": "Sinds gisteren leest de kaartlezer bij de kassa geen enkele pas.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def post(client, employee, django_capture_on_commit_callbacks):
    client.force_login(employee)

    def do(data, user=None):
        if user is not None:
            client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("service:create"), data)

    return do


@pytest.mark.django_db
class TestCreate:
    def test_valid_request_is_filed_and_shown(self, post, employee, locations, organization):
        response = post(data_for(locations[0]))
        sr = ServiceRequest.objects.get()
        assert response.status_code == 302 and response.url == reverse("service:detail", args=[sr.pk])
        assert (sr.organization, sr.location, sr.created_by, sr.status) == (organization, locations[0], employee, Status.NEW)
        assert sr.reference.startswith(f"SA-{sr.created_at.year}-") and len(sr.reference) == 14
        assert AuditEvent.objects.filter(action="service_request_created", organization=organization).count() == 1

    def test_page_shows_only_linked_locations_and_their_departments_grouped(self, client, employee, locations):
        Department.objects.create(location=locations[1], name="Magazijn")
        client.force_login(employee)
        body = client.get(reverse("service:create")).content.decode()
        assert "Utrecht" in body and "Amersfoort" not in body and "Magazijn" not in body
        assert '<optgroup label="Utrecht">' in body

    def test_administrator_files_only_for_linked_locations(self, client, organization, locations):
        admin = make_account(organization, "admin2@test.example", role="administrator", locations=locations[1:])
        client.force_login(admin)
        body = client.get(reverse("service:create")).content.decode()
        assert "Amersfoort" in body and '<optgroup label="Utrecht">' not in body

    def test_account_without_locations_is_told_why(self, client, organization):
        user = make_account(organization, "nergens@test.example")
        client.force_login(user)
        response = client.get(reverse("service:create"))
        assert response.status_code == 200 and "Er zijn geen locaties aan je account gekoppeld" in response.content.decode()

    def test_invalid_form_keeps_what_was_typed(self, post):
        response = post({"category": "terminal", "subject": "Pin doet het niet", "description": ""})
        assert response.status_code == 200
        assert form_codes(response) == {"required"}
        form = response.context["form"]
        assert form["subject"].value() == "Pin doet het niet" and form["category"].value() == "terminal"
        assert 'value="Pin doet het niet"' in response.content.decode()
        assert not ServiceRequest.objects.exists()

    def test_unknown_category_is_refused(self, post, locations):
        response = post(data_for(locations[0], category="iets"))
        assert form_codes(response, "category") == {"invalid_choice"}

    def test_department_of_another_location_is_refused(self, post, locations, employee):
        employee.membership.location_links.create(location=locations[1])
        other_department = locations[1].departments.first()
        response = post(data_for(locations[0], department=other_department.pk))
        assert response.status_code == 200
        assert form_codes(response, "department") == {"department_mismatch"}
        assert not ServiceRequest.objects.exists()

    def test_location_not_linked_is_refused(self, post, locations):
        response = post(data_for(locations[1]))  # the employee works for L1 only
        assert form_codes(response, "location") == {"invalid_choice"}
        assert not ServiceRequest.objects.exists()

    def test_location_of_another_organization_is_refused(self, post, other_location):
        response = post(data_for(other_location))
        assert form_codes(response, "location") == {"invalid_choice"}
        assert form_codes(response, "department") == {"invalid_choice"}


@pytest.mark.django_db
class TestCreateServiceRules:
    def test_location_not_linked(self, employee, locations):
        with pytest.raises(services.ServiceRuleError) as error:
            file_request(employee, locations[1])
        assert error.value.code == "location_not_linked"

    def test_administrator_too_needs_a_link(self, organization, locations):
        admin = make_account(organization, "admin2@test.example", role="administrator")
        with pytest.raises(services.ServiceRuleError) as error:
            file_request(admin, locations[0])
        assert error.value.code == "location_not_linked"

    def test_department_mismatch(self, employee, locations):
        with pytest.raises(services.ServiceRuleError) as error:
            file_request(employee, locations[0], department=locations[1].departments.first())
        assert error.value.code == "department_mismatch"

    def test_without_the_portal_right(self, organization, locations):
        user = make_account(organization, "geenrecht@test.example", may_use_portal=False, locations=locations)
        with pytest.raises(services.ServiceRuleError) as error:
            file_request(user, locations[0])
        assert error.value.code == "no_portal_right"

    def test_staff_cannot_file_for_a_customer(self, staff_user, locations):
        with pytest.raises(services.ServiceRuleError) as error:
            file_request(staff_user, locations[0])
        assert error.value.code == "no_portal_right"

    def test_references_count_up(self, employee, locations):
        first, second = file_request(employee, locations[0]), file_request(employee, locations[0])
        assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


@pytest.mark.django_db
class TestAttachments:
    def test_a_real_png_and_a_pdf_are_accepted(self, post, locations, media_root):
        response = post({**data_for(locations[0]), "attachments": [png_file("foto kassa.png"), pdf_file("bon.pdf")]})
        assert response.status_code == 302
        files = {a.original_name: a for a in ServiceAttachment.objects.all()}
        assert files["foto kassa.png"].content_type == "image/png" and files["bon.pdf"].content_type == "application/pdf"
        stored = stored_files(media_root)
        assert len(stored) == 2
        assert all("kassa" not in p.name and "bon" not in p.name for p in stored)  # random names
        assert {p.suffix for p in stored} == {".png", ".pdf"}

    def test_the_real_format_counts_not_the_name(self, post, locations):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = post(
            {**data_for(locations[0]), "attachments": [SimpleUploadedFile("scan.pdf", png_bytes(), "application/pdf")]}
        )
        assert response.status_code == 302
        attachment = ServiceAttachment.objects.get()
        assert attachment.content_type == "image/png"
        assert attachment.original_name == "scan.png"  # the download is named for what it is

    def test_a_pdf_named_as_a_program_is_downloaded_as_a_pdf(self, post, locations):
        from django.core.files.uploadedfile import SimpleUploadedFile

        post(
            {
                **data_for(locations[0]),
                "attachments": [SimpleUploadedFile("factuur.bat", b"%PDF-1.4 calc.exe", "application/pdf")],
            }
        )
        assert ServiceAttachment.objects.get().original_name == "factuur.pdf"

    def test_text_renamed_to_png_is_refused_naming_the_file(self, post, locations, media_root):
        response = post({**data_for(locations[0]), "attachments": [png_file(), text_as_png("virus.png")]})
        assert response.status_code == 200
        assert form_codes(response, "attachments") == {"file_type"}
        assert "virus.png" in response.content.decode()
        assert "Je bijlagen zijn om veiligheidsredenen niet bewaard" in response.content.decode()
        assert not ServiceRequest.objects.exists() and stored_files(media_root) == []

    def test_too_large_is_refused(self, post, locations, settings):
        settings.ATTACHMENT_MAX_BYTES = 50
        response = post({**data_for(locations[0]), "attachments": [png_file()]})
        assert form_codes(response, "attachments") == {"file_too_large"}
        assert not ServiceRequest.objects.exists()

    def test_too_many_are_refused(self, post, locations, settings):
        settings.ATTACHMENT_MAX_FILES = 2
        response = post({**data_for(locations[0]), "attachments": [png_file(f"{i}.png") for i in range(3)]})
        assert form_codes(response, "attachments") == {"too_many_files"}
        assert not ServiceRequest.objects.exists()

    def test_the_service_checks_unchecked_files_too(self, employee, locations):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as error:
            file_request(employee, locations[0], files=[text_as_png()])
        assert error.value.error_list[0].code == "file_type"
        assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
class TestDownload:
    def test_served_as_a_download_with_the_detected_type(self, client, employee, locations):
        sr = file_request(employee, locations[0], files=[png_file("kassa 2.png")])
        attachment = sr.attachments.get()
        client.force_login(employee)
        response = client.get(reverse("service:attachment", args=[sr.pk, attachment.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;") and "kassa" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == png_bytes()

    def test_only_for_who_may_see_the_request(self, client, admin_user, employee, other_admin, locations):
        sr = file_request(admin_user, locations[1], files=[pdf_file()])
        url = reverse("service:attachment", args=[sr.pk, sr.attachments.get().pk])
        client.force_login(admin_user)
        assert client.get(url).status_code == 200
        for user in (employee, other_admin):
            client.force_login(user)
            assert client.get(url).status_code == 404

    def test_a_missing_file_is_404(self, client, employee, locations, media_root):
        sr = file_request(employee, locations[0], files=[pdf_file()])
        for path in stored_files(media_root):
            path.unlink()
        client.force_login(employee)
        assert client.get(reverse("service:attachment", args=[sr.pk, sr.attachments.get().pk])).status_code == 404


@pytest.fixture
def parsed(monkeypatch):
    """Records every multipart body Django starts to parse."""
    calls = []
    original = MultiPartParser.parse

    def spy(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(MultiPartParser, "parse", spy)
    return calls


def oversized_post(client, url, length):
    return client.post(
        url, data=b"x" * 10, content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(length),
    )  # fmt: skip


@pytest.mark.django_db
def test_a_body_larger_than_the_attachments_allow_is_refused_before_it_is_read(employee, locations, settings, parsed):
    # The CSRF check reads the body of every POST; the refusal must come before it.
    settings.ATTACHMENT_MAX_FILES, settings.ATTACHMENT_MAX_BYTES = 1, 1000
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)
    response = oversized_post(client, reverse("service:create"), 2**21)
    assert response.status_code == 413
    assert "bijlagen" in response.content.decode()
    assert parsed == []
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_a_view_without_attachments_takes_no_large_body(employee, locations, settings, parsed):
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)
    response = oversized_post(client, reverse("changes:create"), settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert response.status_code == 413
    assert parsed == []


@pytest.mark.django_db
def test_a_body_within_the_limit_reaches_the_view(client, employee, locations, parsed):
    client.force_login(employee)
    response = client.post(reverse("service:create"), data={"subject": ""})
    assert response.status_code == 200  # the form with its errors
    assert len(parsed) == 1

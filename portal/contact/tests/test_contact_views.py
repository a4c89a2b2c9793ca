"""The contact pages: a visitor and a logged-in customer send a message; spam checks and
the rate limit refuse without losing what was typed; a sender follows their own
messages, nobody else reaches them."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_account
from portal.contact import services
from portal.contact.forms import started_token
from portal.contact.models import ContactMessage, ContactStatus
from portal.core.paging import PAGE_SIZE

CONTACT = "/contact/"
LIST = "/contact/berichten/"


def detail(message):
    return f"/contact/berichten/{message.pk}/"


@pytest.fixture
def no_wait(settings):
    settings.CONTACT_FORM_MIN_SECONDS = 0


def visitor_form(**overrides):
    data = {
        "name": "Vera Bezoeker",
        "email": "vera@voorbeeld.example",
        "phone": "",
        "subject": "Toegang tot Mijn HartingBank",
        "message": "Hoe krijgt onze winkel toegang tot de portal?",
        "website": "",
        "started": started_token(),
    }
    return {**data, **overrides}


@pytest.mark.django_db
class TestVisitor:
    def test_the_form_asks_for_name_and_address(self, client):
        page = client.get(CONTACT).content.decode()
        assert 'name="name"' in page and 'name="email"' in page and 'name="started"' in page
        # The field for robots is out of sight and out of the tab order.
        assert 'class="hp" aria-hidden="true"' in page and 'tabindex="-1"' in page

    def test_sends_and_sees_the_reference(self, client, no_wait, mailoutbox, media_root, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(CONTACT, visitor_form(), follow=True)
        message = ContactMessage.objects.get()
        assert response.redirect_chain[-1][0] == "/contact/verstuurd/"
        assert message.reference in response.content.decode() and message.created_by is None
        assert [m.to for m in mailoutbox] == [["vera@voorbeeld.example"], ["onlineklantenservice@harting-bank.nl"]]

    def test_the_confirmation_gives_the_address_and_number_to_quote_it_to(self, client, no_wait, media_root, settings):
        settings.CUSTOMER_SERVICE_PHONE = "020 765 43 21"
        page = client.post(CONTACT, visitor_form(), follow=True).content.decode()
        said = page.split("Noem het nummer")[1].split("</p>")[0]
        assert (
            f'href="mailto:{settings.CUSTOMER_SERVICE_EMAIL}"' in said
            and '<a href="tel:0207654321" class="nowrap">020 765 43 21</a>' in said
        )

    def test_with_an_attachment(self, client, no_wait, media_root):
        pdf = SimpleUploadedFile("bon.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        client.post(CONTACT, {**visitor_form(), "attachment": pdf})
        assert ContactMessage.objects.get().attachment_type == "application/pdf"

    def test_a_wrong_attachment_is_refused_and_the_text_stays(self, client, no_wait, media_root):
        fake = SimpleUploadedFile("foto.png", b"geen plaatje", content_type="image/png")
        response = client.post(CONTACT, {**visitor_form(), "attachment": fake})
        assert response.status_code == 200 and not ContactMessage.objects.exists()
        assert response.context["form"].has_error("attachment", "file_type")
        assert "Hoe krijgt onze winkel toegang tot de portal?" in response.content.decode()

    def test_missing_fields_are_named(self, client, no_wait):
        response = client.post(CONTACT, visitor_form(name="", email="geen-adres"))
        form = response.context["form"]
        assert form.has_error("name", "required") and form.has_error("email", "invalid")
        assert 'aria-describedby="id_name_errors"' in response.content.decode()

    @pytest.mark.parametrize(
        "field, value, code",
        [("name", "Vera\nBezoeker", "line_break"), ("subject", "Toegang\r\nNu", "line_break"),
         ("phone", "030\x1b123", "control_character"), ("message", "Hoe\x07 dan?", "control_character"),
         ("subject", "x" * 151, "max_length")],
    )  # fmt: skip
    def test_one_line_fields_refuse_line_breaks_and_control_characters(self, client, no_wait, field, value, code):
        response = client.post(CONTACT, visitor_form(**{field: value}))
        assert response.status_code == 200 and not ContactMessage.objects.exists()
        assert [e.code for e in response.context["form"].errors.as_data()[field]] == [code]
        assert "Hoe krijgt onze winkel toegang tot de portal?" in response.content.decode() or field == "message"

    def test_a_message_keeps_its_line_breaks(self, client, no_wait, media_root):
        client.post(CONTACT, visitor_form(message="Regel een\r\n\r\nRegel twee"))
        assert ContactMessage.objects.get().message == "Regel een\r\n\r\nRegel twee"

    def test_the_confirmation_page_needs_a_sent_message(self, client):
        response = client.get("/contact/verstuurd/")
        assert response.status_code == 302 and response.url == CONTACT


@pytest.mark.django_db
class TestSpam:
    def test_a_filled_in_hidden_field_is_refused(self, client, no_wait):
        response = client.post(CONTACT, visitor_form(website="https://spam.example"))
        assert response.context["form"].has_error("__all__", "spam")
        assert not ContactMessage.objects.exists()

    def test_sent_too_soon_after_it_was_shown(self, client, settings):
        settings.CONTACT_FORM_MIN_SECONDS = 3
        response = client.post(CONTACT, visitor_form(started=started_token()))
        assert response.context["form"].has_error("__all__", "too_fast")
        assert not ContactMessage.objects.exists()
        assert "Hoe krijgt onze winkel toegang tot de portal?" in response.content.decode()

    def test_after_waiting_it_goes(self, client, settings, media_root):
        settings.CONTACT_FORM_MIN_SECONDS = 3
        client.post(CONTACT, visitor_form(started=started_token(time.time() - 4)))
        assert ContactMessage.objects.count() == 1

    @pytest.mark.parametrize("started", ["", "12345", "forged:token"])
    def test_a_missing_or_forged_start_is_refused_with_a_new_one(self, client, no_wait, started):
        response = client.post(CONTACT, visitor_form(started=started))
        form = response.context["form"]
        assert form.has_error("__all__", "expired") or form.has_error("started")
        assert not ContactMessage.objects.exists()

    def test_a_form_open_too_long_gets_a_new_start(self, client, settings):
        settings.CONTACT_FORM_MAX_AGE = 60
        old = started_token(time.time() - 120)
        response = client.post(CONTACT, visitor_form(started=old))
        form = response.context["form"]
        assert form.has_error("__all__", "expired") and form.data["started"] != old

    def test_a_visitor_is_rate_limited_per_address_keeping_the_text(self, client, no_wait, settings, media_root):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "contact_anonymous": "2/h/ip"}
        for _ in range(2):
            assert client.post(CONTACT, visitor_form()).status_code == 302
        response = client.post(CONTACT, visitor_form(subject="De derde"))
        assert response.status_code == 429 and ContactMessage.objects.count() == 2
        assert 'value="De derde"' in response.content.decode()

    def test_invalid_forms_do_not_count(self, client, no_wait, settings, media_root):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "contact_anonymous": "1/h/ip"}
        client.post(CONTACT, visitor_form(subject=""))
        assert client.post(CONTACT, visitor_form()).status_code == 302


@pytest.mark.django_db
class TestLoggedIn:
    def test_the_form_is_filled_in_from_the_account(self, client, employee):
        employee.phone = "030 7654321"
        employee.save(update_fields=["phone"])
        client.force_login(employee)
        page = client.get(CONTACT).content.decode()
        assert 'name="name"' not in page and 'name="website"' not in page
        assert "Erik Employee" in page and 'value="030 7654321"' in page

    def test_sends_and_lands_on_the_message(self, client, employee, media_root, settings):
        settings.CONTACT_FORM_MIN_SECONDS = 60  # not asked of a logged-in sender
        client.force_login(employee)
        response = client.post(CONTACT, {"subject": "Factuur", "message": "Waar vind ik de factuur?", "phone": ""})
        message = ContactMessage.objects.get()
        assert response.url == detail(message) and message.created_by == employee

    def test_a_logged_in_sender_is_rate_limited_per_account(self, client, employee, settings, media_root):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "contact": "1/h/user"}
        client.force_login(employee)
        client.post(CONTACT, {"subject": "Eén", "message": "x"})
        assert client.post(CONTACT, {"subject": "Twee", "message": "x"}).status_code == 429

    def test_staff_may_write_and_gets_the_confirmation_page(self, client, staff_user, media_root):
        client.force_login(staff_user)
        response = client.post(CONTACT, {"subject": "Test", "message": "Test van de klantenservice"})
        assert response.url == "/contact/verstuurd/"


@pytest.fixture
def employee_message(send_contact, employee):
    return send_contact(employee)


@pytest.mark.django_db
class TestMessages:
    def test_the_sender_sees_the_message_and_the_reply(self, client, employee, employee_message, staff_user):
        services.contact_message_reply(
            actor=staff_user, contact_message=employee_message, body="De factuur staat bij Bestellingen."
        )
        client.force_login(employee)
        page = client.get(detail(employee_message)).content.decode()
        assert employee_message.reference in page and "De factuur staat bij Bestellingen." in page
        assert "Online klantenservice" in page

    def test_the_sender_adds_to_it(self, client, employee, employee_message, mailoutbox):
        client.force_login(employee)
        response = client.post(detail(employee_message), {"body": "Het gaat om maart."})
        assert response.url == detail(employee_message)
        assert employee_message.replies.get().body == "Het gaat om maart."

    def test_no_form_once_it_is_done(self, client, employee, employee_message, staff_user):
        services.contact_message_status_set(actor=staff_user, contact_message=employee_message, status=ContactStatus.DONE)
        client.force_login(employee)
        response = client.get(detail(employee_message))
        assert response.context["form"] is None

    def test_a_reply_arriving_while_typing_keeps_the_text(self, client, employee, employee_message, staff_user):
        client.force_login(employee)
        services.contact_message_status_set(actor=staff_user, contact_message=employee_message, status=ContactStatus.DONE)
        response = client.post(detail(employee_message), {"body": "Nog een vraag"})
        assert response.context["form"].has_error("__all__", "closed")
        assert "Nog een vraag" in response.content.decode()

    @pytest.mark.parametrize("who", ["admin_user", "other_admin", "staff_user", "colleague"])
    def test_nobody_else_reaches_it(self, client, employee_message, who, request, organization):
        user = make_account(organization, "collega@test.example") if who == "colleague" else request.getfixturevalue(who)
        client.force_login(user)
        assert client.get(detail(employee_message)).status_code == 404
        assert client.post(detail(employee_message), {"body": "x"}).status_code == 404
        assert client.get(LIST).status_code == (404 if who == "staff_user" else 200)
        assert not employee_message.replies.exists()

    def test_the_list_shows_only_ones_own(self, client, employee, employee_message, send_contact, admin_user, other_admin):
        send_contact(admin_user)
        send_contact(other_admin)
        send_contact(None)
        client.force_login(employee)
        response = client.get(LIST)
        assert [m.reference for m in response.context["page"]] == [employee_message.reference]

    @pytest.mark.parametrize("count", [1, PAGE_SIZE + 3])
    def test_list_query_count_does_not_grow(self, client, employee, send_contact, count, django_assert_num_queries):
        for _ in range(count):
            send_contact(employee)
        client.force_login(employee)
        # Session, user with membership, the page; a list longer than a page is counted too.
        with django_assert_num_queries(3 if count <= PAGE_SIZE else 4):
            client.get(LIST)


@pytest.mark.django_db
class TestAttachment:
    def test_the_sender_downloads_it(self, client, employee, send_contact):
        pdf = SimpleUploadedFile("bon.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        message = send_contact(employee, attachment=pdf)
        client.force_login(employee)
        response = client.get(f"{detail(message)}bijlage/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"] and b"".join(response.streaming_content).startswith(b"%PDF")

    @pytest.mark.parametrize("who", ["admin_user", "other_admin", "staff_user"])
    def test_nobody_else_downloads_it(self, client, employee, send_contact, who, request):
        pdf = SimpleUploadedFile("bon.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        message = send_contact(employee, attachment=pdf)
        client.force_login(request.getfixturevalue(who))
        assert client.get(f"{detail(message)}bijlage/").status_code == 404

    def test_no_attachment_no_download(self, client, employee, employee_message):
        client.force_login(employee)
        assert client.get(f"{detail(employee_message)}bijlage/").status_code == 404


@pytest.mark.django_db
def test_a_body_larger_than_one_attachment_is_refused_before_it_is_read(client, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = client.post(
        reverse("contact:form"), data=b"x" * 10, content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.ATTACHMENT_MAX_BYTES + 2**20 + 1),
    )  # fmt: skip
    assert response.status_code == 413
    assert "een bijlage mag ten hoogste" in response.content.decode()
    assert not ContactMessage.objects.exists()

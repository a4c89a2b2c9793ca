"""Mail on every change: the requester hears of customer service's changes, customer
service of the customer's; links point at SITE_URL; customer service's mail carries
no description, message or attachment."""

import pytest

from portal.service import services
from portal.service.models import Status

from .helpers import file_request, png_file

CS = "klantenservice@hartingbank.example"


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.CUSTOMER_SERVICE_EMAIL = CS
    settings.SITE_URL = "https://mijn.hartingbank.example"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def by_recipient(mailoutbox):
    return {m.to[0]: m for m in mailoutbox}


@pytest.mark.django_db
class TestMail:
    def test_create_confirms_to_the_requester_and_tells_customer_service(
        self, commit, employee, locations, organization, mailoutbox
    ):
        sr = commit(
            lambda: file_request(employee, locations[0], files=[png_file()], description="Geheime details van de storing")
        )
        mails = by_recipient(mailoutbox)
        assert set(mails) == {employee.email, CS}
        confirmation = mails[employee.email]
        assert sr.reference in confirmation.subject
        assert f"https://mijn.hartingbank.example/serviceaanvragen/{sr.pk}/" in confirmation.body
        notice = mails[CS]
        for fact in (sr.reference, organization.name, locations[0].name, sr.subject):
            assert fact in notice.body
        assert "Geheime details" not in notice.body and employee.email not in notice.body
        assert employee.full_name not in notice.body and not notice.attachments
        assert "https://mijn.hartingbank.example/serviceaanvragen/" not in notice.body  # the customer's page is 404 for staff

    def test_customer_service_mail_links_to_the_back_office_once_it_exists(
        self, commit, employee, locations, mailoutbox, monkeypatch
    ):
        monkeypatch.setattr(
            services,
            "reverse",
            lambda name, args=(): (
                f"/backoffice/serviceaanvragen/{args[0]}/" if name.startswith("backoffice:") else f"/serviceaanvragen/{args[0]}/"
            ),
        )
        sr = commit(lambda: file_request(employee, locations[0]))
        assert f"https://mijn.hartingbank.example/backoffice/serviceaanvragen/{sr.pk}/" in by_recipient(mailoutbox)[CS].body

    def test_staff_reply_mails_the_requester_without_the_text(self, commit, sr, employee, staff_user, mailoutbox):
        commit(
            lambda: services.service_request_reply(
                actor=staff_user, service_request=sr, body="Uw serienummer graag", status=Status.WAITING_FOR_CUSTOMER
            )
        )
        assert [m.to for m in mailoutbox] == [[employee.email]]
        assert sr.reference in mailoutbox[0].subject and "Uw serienummer graag" not in mailoutbox[0].body
        assert "Wacht op klant" in mailoutbox[0].body

    def test_status_change_mails_the_requester(self, commit, sr, employee, staff_user, mailoutbox):
        commit(lambda: services.service_request_status_set(actor=staff_user, service_request=sr, status=Status.RESOLVED))
        assert [m.to for m in mailoutbox] == [[employee.email]]
        assert "opgelost" in mailoutbox[0].subject and "heropenen" in mailoutbox[0].body

    def test_customer_message_tells_customer_service(self, commit, sr, employee, mailoutbox):
        commit(lambda: services.service_request_message_add(actor=employee, service_request=sr, body="Nog steeds stuk", files=[]))
        assert [m.to for m in mailoutbox] == [[CS]]
        assert sr.reference in mailoutbox[0].subject and "Nog steeds stuk" not in mailoutbox[0].body

    def test_close_and_reopen_tell_customer_service(self, commit, sr, employee, mailoutbox):
        commit(lambda: services.service_request_close(actor=employee, service_request=sr))
        commit(lambda: services.service_request_reopen(actor=employee, service_request=sr))
        assert [m.to for m in mailoutbox] == [[CS], [CS]]
        assert "gesloten" in mailoutbox[0].subject and "heropend" in mailoutbox[1].subject

    def test_administrator_closing_someone_elses_request_tells_the_requester_too(
        self, commit, sr, employee, admin_user, mailoutbox
    ):
        commit(lambda: services.service_request_close(actor=admin_user, service_request=sr))
        mails = by_recipient(mailoutbox)
        assert set(mails) == {CS, employee.email}
        assert "administrator" in mails[employee.email].body

    def test_assignment_is_internal(self, commit, sr, staff_user, mailoutbox):
        commit(lambda: services.service_request_assign(actor=staff_user, service_request=sr, assignee=staff_user))
        assert mailoutbox == []

    def test_mail_bodies_are_dutch(self, commit, employee, locations, mailoutbox):
        commit(lambda: file_request(employee, locations[0]))
        assert "Beste" in by_recipient(mailoutbox)[employee.email].body
        assert "Met vriendelijke groet" in by_recipient(mailoutbox)[employee.email].body

"""One behaviour for every kind of case (service requests, change requests, contact
messages): what used to differ between the kinds, each fix tested for all three."""

import pytest
from django.core import mail
from django.urls import reverse

from portal.casework.services import MESSAGE_REQUIRED
from portal.changes import services as change_services
from portal.changes.models import Kind
from portal.contact import services as contact_services
from portal.core.models import AuditEvent
from portal.service import services as service_services
from portal.service.models import Category


def _service_request(employee, locations):
    location = locations[0]
    return service_services.service_request_create(
        actor=employee,
        location=location,
        department=location.departments.first(),
        category=Category.TERMINAL,
        subject="Pinautomaat kassa 2 defect",
        description="Geeft foutcode 12.",
    )


def _change_request(employee, locations):
    return change_services.change_request_create(actor=employee, kind=Kind.MY_LOCATIONS, description="Graag ook Amersfoort.")


def _contact_message(employee, locations):
    return contact_services.contact_message_create(actor=employee, subject="Factuur", message="Waar vind ik de factuur?")


# name: (make a case, the kind's services, the keyword of the case, the audit prefix)
KINDS = {
    "service": (_service_request, service_services, "service_request", "service_request_"),
    "change": (_change_request, change_services, "change_request", "change_request_"),
    "contact": (_contact_message, contact_services, "contact_message", "contact_message_"),
}


@pytest.fixture(params=list(KINDS))
def kind(request, employee, locations, media_root):
    make, services, keyword, prefix = KINDS[request.param]
    case = make(employee, locations)
    mail.outbox.clear()

    def call(verb, **kwargs):
        function = getattr(services, f"{keyword}_{verb}")
        return function(**{keyword: case}, **kwargs)

    call.case, call.prefix, call.services = case, prefix, services
    return call


def _events(prefix):
    return list(AuditEvent.objects.filter(action__startswith=prefix).exclude(action=f"{prefix}created").order_by("pk"))


@pytest.mark.django_db
class TestOneBehaviour:
    def test_setting_the_status_it_has_changes_nothing_and_says_so(self, kind, staff_user, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            assert kind("status_set", actor=staff_user, status="new") is False
        assert mail.outbox == [] and _events(kind.prefix) == []

    def test_setting_another_status_answers_true_and_audits_old_and_new(self, kind, staff_user):
        assert kind("status_set", actor=staff_user, status="in_progress") is True
        [event] = _events(kind.prefix)
        assert event.changes["status"] == ["new", "in_progress"]

    def test_assigning_answers_whether_it_changed_and_audits_old_and_new(self, kind, staff_user):
        assert kind("assign", actor=staff_user, assignee=staff_user) is True
        assert kind("assign", actor=staff_user, assignee=staff_user) is False
        assert kind("assign", actor=staff_user, assignee=None) is True
        events = [event.changes["assigned_to"] for event in _events(kind.prefix)]
        assert events == [[None, staff_user.full_name], [staff_user.full_name, None]]

    def test_a_reply_moves_a_new_case_in_progress(self, kind, staff_user):
        kind("reply", actor=staff_user, body="We kijken ernaar.")
        kind.case.refresh_from_db()
        assert kind.case.status == "in_progress"
        [status_event] = [event for event in _events(kind.prefix) if "status" in event.changes]
        assert status_event.changes["status"] == ["new", "in_progress"]

    def test_an_empty_reply_has_one_code(self, kind, staff_user):
        with pytest.raises(Exception) as refused:
            kind("reply", actor=staff_user, body="  ")
        assert refused.value.code == MESSAGE_REQUIRED

    def test_an_empty_customer_message_has_the_same_code(self, kind, employee):
        verb = {"service_request_": "message_add", "change_request_": "message_add", "contact_message_": "follow_up"}[kind.prefix]
        with pytest.raises(Exception) as refused:
            kind(verb, actor=employee, body="")
        assert refused.value.code == MESSAGE_REQUIRED


@pytest.mark.django_db
def test_every_kind_numbers_its_references_without_a_gap(employee, locations, media_root):
    """One numbering scheme: per kind and year the numbers follow each other, whatever
    the database ids (change requests and contact messages used the id before)."""
    for make in (_service_request, _change_request, _contact_message):
        first, second = make(employee, locations), make(employee, locations)
        prefix, year, number = first.reference.rsplit("-", 2)
        assert second.reference == f"{prefix}-{year}-{int(number) + 1:06d}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(KINDS))
def test_the_customer_reads_every_thread_from_one_template(client, employee, locations, staff_user, media_root, name):
    make, services, keyword, _prefix = KINDS[name]
    case = make(employee, locations)
    getattr(services, f"{keyword}_reply")(**{keyword: case}, actor=staff_user, body="We kijken ernaar.")
    url = {"service": "service:detail", "change": "changes:detail", "contact": "contact:detail"}[name]
    client.force_login(employee)
    response = client.get(reverse(url, args=[case.pk]))
    assert "casework/_thread.html" in [template.name for template in response.templates]
    page = response.content.decode()
    assert 'class="thread__item thread__item--staff"' in page and "Online klantenservice HartingBank" in page

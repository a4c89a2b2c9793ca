"""Online customer service handles requests: reply (the customer sees it in the portal and
gets a mail), status, handler, carrying out a change request in one action."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.changes.models import ChangeRequest
from portal.changes.models import Status as ChangeStatus
from portal.core.models import AuditEvent
from portal.service.models import Status as ServiceStatus


@pytest.mark.django_db
def test_a_reply_reaches_the_customer_in_the_portal_and_by_mail(
    cs_client, service_request, employee, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("backoffice:service_request_detail", args=[service_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = cs_client.post(
            url, {"action": "reply", "reply-body": "We komen morgen langs.", "reply-status": ServiceStatus.IN_PROGRESS}
        )
    assert response.url == url
    service_request.refresh_from_db()
    assert service_request.status == ServiceStatus.IN_PROGRESS
    assert [m.to for m in mailoutbox] == [[employee.email]]
    customer = Client()
    customer.force_login(employee)
    assert "We komen morgen langs." in customer.get(reverse("service:detail", args=[service_request.pk])).content.decode()


@pytest.mark.django_db
def test_an_empty_reply_is_refused(cs_client, service_request):
    response = cs_client.post(
        reverse("backoffice:service_request_detail", args=[service_request.pk]), {"action": "reply", "reply-body": " "}
    )
    assert response.status_code == 200
    assert "required" in {e.code for e in response.context["reply_form"].errors.as_data()["body"]}


@pytest.mark.django_db
def test_assign_to_yourself_and_filter_on_it(cs_client, staff_user, service_request, change_request):
    cs_client.post(reverse("backoffice:change_request_detail", args=[change_request.pk]), {"action": "assign_me"})
    change_request.refresh_from_db()
    assert change_request.assigned_to == staff_user
    page = cs_client.get(reverse("backoffice:change_request_list"), {"assigned": "me"})
    assert [r.pk for r in page.context["page"]] == [change_request.pk]
    page = cs_client.get(reverse("backoffice:service_request_list"), {"assigned": "me"})
    assert list(page.context["page"]) == []


@pytest.mark.django_db
def test_counts_per_status_and_search(cs_client, service_request):
    response = cs_client.get(reverse("backoffice:service_request_list"), {"q": "kassa 2"})
    assert [r.pk for r in response.context["page"]] == [service_request.pk]
    counts = {tab["value"]: tab["count"] for tab in response.context["status_tabs"]}
    assert counts["open"] == 1 and counts[ServiceStatus.NEW] == 1 and counts[ServiceStatus.CLOSED] == 0
    assert list(cs_client.get(reverse("backoffice:service_request_list"), {"q": "onbekend"}).context["page"]) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, queries",
    [
        # session, user, permissions (2), the page (shorter than one: no count), counts per status
        ("backoffice:service_request_list", 6),
        ("backoffice:change_request_list", 6),
        ("backoffice:contact_message_list", 6),  # empty: the page finds nothing
    ],
)
def test_inbox_query_count(cs_client, service_request, change_request, name, queries, django_assert_num_queries):
    with django_assert_num_queries(queries):
        cs_client.get(reverse(name))


@pytest.mark.django_db
def test_carrying_out_a_change_request_links_the_locations_and_closes_it(
    cs_client, change_request, employee, locations, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("backoffice:change_request_detail", args=[change_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        cs_client.post(
            url, {"action": "carry_out", "carry_out-locations": [loc.pk for loc in locations], "carry_out-body": "Gekoppeld."}
        )
    change_request.refresh_from_db()
    assert change_request.status == ChangeStatus.DONE
    assert set(employee.membership.location_links.values_list("location", flat=True)) == {loc.pk for loc in locations}
    event = AuditEvent.objects.get(action="account_updated", target_user=employee)
    assert event.readable_changes()["reason"] == f"Wijzigingsverzoek {change_request.reference}"
    assert change_request.messages.get().body == "Gekoppeld."
    assert [m.to for m in mailoutbox] == [[employee.email]]


@pytest.mark.django_db
def test_another_organizations_location_cannot_be_linked(cs_client, change_request, other_location, employee):
    url = reverse("backoffice:change_request_detail", args=[change_request.pk])
    response = cs_client.post(url, {"action": "carry_out", "carry_out-locations": [other_location.pk], "carry_out-body": "x"})
    assert "invalid_choice" in {e.code for e in response.context["carry_out_form"].errors.as_data()["locations"]}
    change_request.refresh_from_db()
    assert change_request.status == ChangeStatus.NEW


@pytest.mark.django_db
def test_a_request_closed_meanwhile_is_not_carried_out_and_the_form_says_so(cs_client, change_request, employee, locations):
    ChangeRequest.objects.filter(pk=change_request.pk).update(status=ChangeStatus.REJECTED)
    links = set(employee.membership.location_links.values_list("location", flat=True))
    url = reverse("backoffice:change_request_detail", args=[change_request.pk])
    data = {"action": "carry_out", "carry_out-locations": [loc.pk for loc in locations], "carry_out-body": "Gekoppeld."}
    response = cs_client.post(url, data)
    assert response.status_code == 200 and "gesloten" in response.content.decode()
    assert response.context["carry_out_form"]["body"].value() == "Gekoppeld."  # what was typed stays
    assert set(employee.membership.location_links.values_list("location", flat=True)) == links


@pytest.mark.django_db
def test_the_account_manager_cannot_reply_through_the_service(account_manager, service_request):
    from portal.service.services import ServiceRuleError, service_request_reply

    with pytest.raises(ServiceRuleError) as refused:
        service_request_reply(actor=account_manager, service_request=service_request, body="Hallo")
    assert refused.value.code == "not_staff"


@pytest.mark.django_db
def test_a_visitors_contact_message_is_answered_by_mail(
    cs_client, contact_message, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("backoffice:contact_message_detail", args=[contact_message.pk])
    assert "Waar vind ik de factuur?" in cs_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        cs_client.post(url, {"action": "reply", "reply-body": "In Mijn HartingBank onder Facturen."})
    contact_message.refresh_from_db()
    assert contact_message.status == "in_progress"
    assert [m.to for m in mailoutbox] == [["vera@v.example"]]


@pytest.mark.django_db
def test_a_service_request_shows_the_locations_visiting_address(cs_client, service_request, django_assert_num_queries):
    url = reverse("backoffice:service_request_detail", args=[service_request.pk])
    # session, user, permissions (2), the request with what it names, the location's
    # addresses, the attachments, the thread
    with django_assert_num_queries(8):
        body = cs_client.get(url).content.decode()
    facts = body.split('<dl class="facts">')[1].split("</dl>")[0]
    assert "Utrechtstraat 1<br>1234 AB Utrecht" in facts and "Utrechtlaan 2" not in facts


@pytest.mark.django_db
@pytest.mark.parametrize("url_name, fixture", [
    ("backoffice:service_request_detail", "service_request"),
    ("backoffice:change_request_detail", "change_request"),
    ("backoffice:contact_message_detail", "contact_message"),
])  # fmt: skip
def test_choosing_the_current_status_says_nothing_changed_and_mails_nobody(
    cs_client, request, url_name, fixture, mailoutbox, django_capture_on_commit_callbacks
):
    obj = request.getfixturevalue(fixture)
    mailoutbox.clear()
    url = reverse(url_name, args=[obj.pk])

    def choose(status):
        with django_capture_on_commit_callbacks(execute=True):
            response = cs_client.post(url, {"action": "status", "status-status": status}, follow=True)
        return [str(message) for message in response.context["messages"]]

    assert choose("in_progress") == ["De status is gewijzigd; de klant krijgt een e-mail."] and len(mailoutbox) == 1
    assert choose("in_progress") == ['De status was al "In behandeling"; er is niets gewijzigd.'] and len(mailoutbox) == 1


@pytest.mark.django_db
def test_assigning_whom_it_already_has_says_nothing_changed(cs_client, staff_user, service_request):
    url = reverse("backoffice:service_request_detail", args=[service_request.pk])
    cs_client.post(url, {"action": "assign_me"}, follow=True)
    response = cs_client.post(url, {"action": "assign_me"}, follow=True)
    assert [str(message) for message in response.context["messages"]] == ["De behandelaar was al zo; er is niets gewijzigd."]

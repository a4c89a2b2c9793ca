"""The list: newest first, filtered by status and location, counts per status, pages,
and a query count that does not grow with the number of requests."""

import pytest
from django.urls import reverse

from portal.core.paging import PAGE_SIZE
from portal.service import services
from portal.service.models import ServiceRequest, Status

from .helpers import file_request


def make_requests(admin_user, locations, staff_user, count):
    made = []
    for i in range(count):
        sr = file_request(admin_user, locations[i % 2], subject=f"Storing nummer {i}")
        if i % 3 == 1:
            services.service_request_status_set(actor=staff_user, service_request=sr, status=Status.IN_PROGRESS)
        made.append(sr)
    return made


def references(response):
    return [sr.reference for sr in response.context["page"]]


@pytest.mark.django_db
class TestList:
    def test_newest_first_with_counts_per_status(self, client, admin_user, locations, staff_user):
        made = make_requests(admin_user, locations, staff_user, 5)
        client.force_login(admin_user)
        response = client.get(reverse("service:list"))
        assert references(response) == [sr.reference for sr in reversed(made)]
        counts = {tab.get("value", "all"): tab["count"] for tab in response.context["tabs"]}
        assert counts == {"all": 5, "new": 3, "in_progress": 2, "waiting_for_customer": 0, "resolved": 0, "closed": 0}
        body = response.content.decode()
        assert "table--stack" in body and 'data-label="Status"' in body and "badge--sr-in_progress" in body
        assert "klantenservice" in body  # what it is for, and to call customer service when urgent

    def test_urgent_problems_get_the_number_to_call(self, client, employee, settings):
        settings.CUSTOMER_SERVICE_PHONE = "020 765 43 21"
        client.force_login(employee)
        notice = client.get(reverse("service:list")).content.decode().split('class="notice card"')[1].split("</p>")[0]
        assert "Bel dan ook" in notice and '<a href="tel:0207654321" class="nowrap">020 765 43 21</a>' in notice

    def test_filter_by_status_and_location(self, client, admin_user, locations, staff_user):
        make_requests(admin_user, locations, staff_user, 6)
        client.force_login(admin_user)
        response = client.get(reverse("service:list"), {"status": "in_progress", "locatie": locations[1].pk})
        expected = ServiceRequest.objects.filter(status="in_progress", location=locations[1]).order_by("-created_at", "-id")
        assert references(response) == [sr.reference for sr in expected] and expected.exists()
        # The counts follow the location filter, not the status filter (so the tabs stay useful).
        counts = {tab.get("value", "all"): tab["count"] for tab in response.context["tabs"]}
        assert counts["all"] == ServiceRequest.objects.filter(location=locations[1]).count()

    def test_a_location_one_does_not_see_or_a_bad_value_filters_nothing(
        self, client, employee, locations, admin_user, staff_user
    ):
        make_requests(admin_user, locations, staff_user, 4)
        client.force_login(employee)  # linked to L1 only
        response = client.get(reverse("service:list"), {"locatie": locations[1].pk, "status": "onzin"})
        assert response.status_code == 200
        assert {sr.location_id for sr in response.context["page"]} == {locations[0].pk}

    def test_pages(self, client, admin_user, locations, staff_user):
        make_requests(admin_user, locations, staff_user, PAGE_SIZE + 2)
        client.force_login(admin_user)
        first = client.get(reverse("service:list"))
        second = client.get(reverse("service:list"), {"pagina": 2})
        assert len(references(first)) == PAGE_SIZE and len(references(second)) == 2
        assert not set(references(first)) & set(references(second))
        assert "pagina=2" in first.content.decode()

    @pytest.mark.parametrize("user_fixture", ["admin_user", "employee"])
    def test_query_count_does_not_grow(
        self, client, request, admin_user, locations, staff_user, user_fixture, django_assert_num_queries
    ):
        user = request.getfixturevalue(user_fixture)
        client.force_login(user)
        make_requests(admin_user, locations, staff_user, 3)
        # session, user with membership, locations for the filter, counts per status (which
        # are the pager's count too), the page
        with django_assert_num_queries(5):
            assert len(references(client.get(reverse("service:list")))) > 0
        make_requests(admin_user, locations, staff_user, 30)
        with django_assert_num_queries(5):
            response = client.get(reverse("service:list"))
        visible = ServiceRequest.objects.visible_to(user).count()
        assert visible > PAGE_SIZE // 2 and response.context["page"].paginator.count == visible
        with django_assert_num_queries(6):  # plus the chosen location, checked
            response = client.get(reverse("service:list"), {"locatie": locations[0].pk, "status": "new"})
        expected = ServiceRequest.objects.visible_to(user).filter(location=locations[0], status="new").count()
        assert response.context["page"].paginator.count == expected


@pytest.mark.django_db
def test_detail_query_count_does_not_grow_with_the_thread(client, employee, locations, staff_user, django_assert_max_num_queries):
    from .helpers import png_file

    sr = file_request(employee, locations[0], files=[png_file()])
    services.service_request_reply(actor=staff_user, service_request=sr, body="Eerste antwoord", files=[png_file()])
    client.force_login(employee)
    url = reverse("service:detail", args=[sr.pk])
    with django_assert_max_num_queries(8) as first:
        client.get(url)
    for i in range(10):
        services.service_request_reply(actor=staff_user, service_request=sr, body=f"Antwoord {i}", files=[png_file()])
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


@pytest.mark.django_db
def test_the_request_shows_where_the_problem_is(client, employee, locations, django_assert_num_queries):
    sr = file_request(employee, locations[0])
    client.force_login(employee)
    # session, user with membership, the request with its location and department, the
    # location's addresses, the thread, the attachments
    with django_assert_num_queries(6):
        body = client.get(reverse("service:detail", args=[sr.pk])).content.decode()
    facts = body.split('<dl class="facts">')[1].split("</dl>")[0]
    assert "Utrechtstraat 1<br>1234 AB Utrecht" in facts  # the visiting address
    assert "Utrechtlaan 2" not in facts  # not the delivery address


@pytest.mark.django_db
def test_a_location_without_a_visiting_address_says_so(client, employee, locations):
    sr = file_request(employee, locations[0])
    locations[0].addresses.filter(kind="visiting").delete()
    client.force_login(employee)
    response = client.get(reverse("service:detail", args=[sr.pk]))
    assert response.status_code == 200 and "geen bezoekadres geregistreerd" in response.content.decode()

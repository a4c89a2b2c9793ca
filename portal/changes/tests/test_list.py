import pytest

from conftest import make_account
from portal.changes import services
from portal.changes.models import ChangeRequest, Kind, Status
from portal.core.paging import PAGE_SIZE

LIST = "/wijzigingen/"


def refs(response):
    return [c.reference for c in response.context["page"]]


@pytest.mark.django_db
class TestList:
    def test_employee_sees_only_their_own(self, client, employee, admin_user, file_request, other_admin):
        mine = file_request(employee)
        file_request(admin_user)
        file_request(other_admin)
        client.force_login(employee)
        response = client.get(LIST)
        assert refs(response) == [mine.reference]
        assert "Ingediend door" not in response.content.decode()

    def test_administrator_sees_the_organizations(self, client, employee, admin_user, file_request, other_admin):
        expected = [file_request(employee).reference, file_request(admin_user).reference]
        file_request(other_admin)
        client.force_login(admin_user)
        response = client.get(LIST)
        assert sorted(refs(response)) == sorted(expected)
        page = response.content.decode()
        assert "Erik Employee" in page and "Olga Other" not in page

    def test_filters_by_status(self, client, employee, file_request, staff_user):
        new, done, rejected = file_request(employee), file_request(employee), file_request(employee)
        services.change_request_status_set(actor=staff_user, change_request=done, status=Status.DONE)
        services.change_request_status_set(actor=staff_user, change_request=rejected, status=Status.REJECTED)
        client.force_login(employee)
        assert refs(client.get(LIST, {"status": "done"})) == [done.reference]
        assert refs(client.get(LIST, {"status": "open"})) == [new.reference]
        assert len(refs(client.get(LIST, {"status": ""}))) == 3

    def test_an_unknown_status_is_an_error_and_the_list_is_unfiltered(self, client, employee, file_request):
        file_request(employee)
        client.force_login(employee)
        response = client.get(LIST, {"status": "lost"})
        assert {e.code for e in response.context["form"].errors.as_data()["status"]} == {"invalid_choice"}
        assert len(refs(response)) == 1

    def test_paginated_newest_first(self, client, employee, file_request):
        for i in range(PAGE_SIZE + 2):
            file_request(employee, description=f"Verzoek {i}")
        client.force_login(employee)
        first = client.get(LIST)
        assert len(refs(first)) == PAGE_SIZE and first.context["page"].has_next()
        second = client.get(LIST, {"pagina": 2})
        assert len(refs(second)) == 2
        assert refs(second)[-1] == ChangeRequest.objects.order_by("pk").first().reference
        assert "pagina=1" in second.content.decode()

    def test_staff_gets_404(self, client, staff_user):
        client.force_login(staff_user)
        assert client.get(LIST).status_code == 404

    @pytest.mark.parametrize("count", [1, 15])
    def test_query_count_does_not_grow(
        self, client, organization, admin_user, locations, file_request, count, django_assert_num_queries
    ):
        for i in range(count):
            user = make_account(organization, f"m{i}@test.example", locations=locations)
            file_request(
                user, kind=Kind.LOCATION_REMOVE, location=locations[i % 2], department=locations[i % 2].departments.get()
            )
        client.force_login(admin_user)
        client.get(LIST)
        with django_assert_num_queries(3):  # session, user with membership, the page (shorter than one: no count)
            response = client.get(LIST, {"status": "open"})
        assert len(refs(response)) == count

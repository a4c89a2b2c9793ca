import pytest
from django.test import RequestFactory

from portal.core.paging import PAGE_SIZE, page_of
from portal.organizations.models import Organization


def organizations(count):
    Organization.objects.bulk_create(Organization(name=f"Klant {n:03d}", customer_number=f"K-{n:03d}") for n in range(count))
    return Organization.objects.order_by("name")


@pytest.mark.django_db
class TestPageOf:
    def test_a_list_shorter_than_a_page_is_read_in_one_query(self, django_assert_num_queries):
        queryset = organizations(PAGE_SIZE)
        with django_assert_num_queries(1):
            page, query = page_of(RequestFactory().get("/", {"status": "open"}), queryset)
            assert page.paginator.count == PAGE_SIZE and not page.has_other_pages()
            assert [o.name for o in page] == [f"Klant {n:03d}" for n in range(PAGE_SIZE)]
        assert query == "status=open"

    def test_a_longer_list_is_counted_and_paged(self, django_assert_num_queries):
        queryset = organizations(PAGE_SIZE * 2 + 3)
        with django_assert_num_queries(2):
            first, _query = page_of(RequestFactory().get("/"), queryset)
            assert first.paginator.count == PAGE_SIZE * 2 + 3 and first.paginator.num_pages == 3
            assert len(first.object_list) == PAGE_SIZE and first.has_next()
        last, query = page_of(RequestFactory().get("/", {"pagina": "3", "q": "x"}), queryset)
        assert [o.name for o in last] == [f"Klant {n:03d}" for n in range(PAGE_SIZE * 2, PAGE_SIZE * 2 + 3)]
        assert query == "q=x"

    @pytest.mark.parametrize(("number", "shown"), [("0", 2), ("99", 2), ("abc", 1)])
    def test_a_page_that_does_not_exist_shows_the_last_one_or_the_first(self, number, shown):
        queryset = organizations(PAGE_SIZE + 1)
        page, _query = page_of(RequestFactory().get("/", {"pagina": number}), queryset)
        assert page.number == shown

    def test_an_empty_list_has_one_empty_page(self, db):
        page, _query = page_of(RequestFactory().get("/"), Organization.objects.none())
        assert page.paginator.count == 0 and list(page) == []

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_account
from portal.accounts.models import User
from portal.organizations import overview, services
from portal.organizations.models import Invitation, Membership, Role, Status


def add_accounts(organization, count, locations=(), start=0):
    """Accounts with names that sort in several ways, some never logged in."""
    now = timezone.now()
    for n in range(start, start + count):
        user = make_account(
            organization,
            f"user{n:03d}@test.example",
            full_name=f"{'ABCDE'[n % 5]} Persoon {n % 7}",
            locations=locations,
            password=None,
        )
        if n % 3:
            User.objects.filter(pk=user.pk).update(last_login=now - timedelta(hours=n % 4))


def walk(client, params, direction="na"):
    """Every row over all pages, following the next links."""
    seen, cursor = [], None
    while True:
        query = dict(params, **({direction: cursor} if cursor else {}))
        page = client.get(reverse("accountbeheer:list"), query).context["page"]
        seen += [row["pk"] for row in page.rows]
        cursor = page.next_cursor
        if not cursor:
            return seen, page


@pytest.mark.django_db
class TestKeysetPagination:
    @pytest.mark.parametrize("sort", list(overview.SORTS))
    def test_pages_cover_the_list_once_in_order(self, client, admin_user, organization, sort, settings):
        add_accounts(organization, 57)
        client.force_login(admin_user)
        seen, _ = walk(client, {"sort": sort})
        expected = list(
            overview.filtered(Membership.objects.visible_to(admin_user))
            .order_by(*overview._ordering(overview.SORTS[sort], True))
            .values_list("pk", flat=True)
        )
        assert seen == expected
        assert len(seen) == len(set(seen)) == 58

    def test_previous_page_returns_the_same_rows(self, client, admin_user, organization):
        add_accounts(organization, 120)
        client.force_login(admin_user)
        first = client.get(reverse("accountbeheer:list")).context["page"]
        second = client.get(reverse("accountbeheer:list"), {"na": first.next_cursor}).context["page"]
        back = client.get(reverse("accountbeheer:list"), {"voor": second.previous_cursor}).context["page"]
        assert [r["pk"] for r in back.rows] == [r["pk"] for r in first.rows]
        assert back.previous_cursor is None

    def test_a_broken_cursor_shows_the_first_page(self, client, admin_user):
        client.force_login(admin_user)
        assert client.get(reverse("accountbeheer:list"), {"na": "%%%niet-geldig"}).status_code == 200

    @pytest.mark.parametrize("value, tiebreak", [("a\x00", "b"), ("a", "b\x00"), ("x" * 5000, "b")])
    def test_a_cursor_with_what_no_row_holds_shows_the_first_page(self, client, admin_user, value, tiebreak):
        """A cursor is the client's to send: a NUL character in it failed the query on PostgreSQL."""
        cursor = overview.encode_cursor(overview.SORTS["name"], {"user__full_name": value, "user__email": tiebreak})
        client.force_login(admin_user)
        for direction in ("na", "voor"):
            response = client.get(reverse("accountbeheer:list"), {direction: cursor})
            assert response.status_code == 200 and response.context["page"].rows

    def test_query_count_does_not_grow_with_the_number_of_accounts(
        self, client, admin_user, organization, locations, django_assert_num_queries
    ):
        client.force_login(admin_user)
        add_accounts(organization, 5, locations)
        # session, user, locations for the filter, bounded id scan, the page's ids in
        # order, their columns, their locations, the accounts that left (the notice)
        with django_assert_num_queries(8) as small:
            client.get(reverse("accountbeheer:list"))
        add_accounts(organization, 80, locations, start=5)
        with django_assert_num_queries(len(small.captured_queries)):
            page = client.get(reverse("accountbeheer:list")).context["page"]
        with django_assert_num_queries(len(small.captured_queries)):
            client.get(reverse("accountbeheer:list"), {"na": page.next_cursor})

    def test_count_is_bounded(self, admin_user, organization, monkeypatch):
        monkeypatch.setattr(overview, "COUNT_LIMIT", 10)
        add_accounts(organization, 15)
        result = overview.page(Membership.objects.visible_to(admin_user))
        assert (result.count, result.count_is_exact) == (10, False)


@pytest.mark.django_db
class TestSearchAndFilters:
    def test_search_by_name_or_email(self, client, admin_user, employee):
        client.force_login(admin_user)
        for q in ("erik", "EMPLOYEE@test"):
            rows = client.get(reverse("accountbeheer:list"), {"q": q}).context["page"].rows
            assert [r["user_id"] for r in rows] == [employee.pk]

    def test_search_ignores_case_and_accents_and_needs_every_word(self, client, admin_user, organization):
        jose = make_account(organization, "j.muller@test.example", full_name="José Müller")
        make_account(organization, "jose.jansen@test.example", full_name="Jose Jansen")
        client.force_login(admin_user)

        def found(q):
            return {r["user_id"] for r in client.get(reverse("accountbeheer:list"), {"q": q}).context["page"].rows}

        assert jose.pk in found("MULLER") and jose.pk in found("josé müller")
        assert found("jose muller") == {jose.pk}
        assert found("j.muller@") == {jose.pk}

    def test_a_name_that_grows_when_normalized_still_fits_its_search_column(self, client, admin_user, employee):
        """One "\ufdfa" is 18 letters once decomposed: 150 of them overflowed the 500
        characters of the search column (a 500 on PostgreSQL)."""
        client.force_login(admin_user)
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        data = {"full_name": "\ufdfa" * 150, "email": employee.email, "role": Role.EMPLOYEE, "may_use_portal": "on",
                "version": employee.membership.version}  # fmt: skip
        assert client.post(url, data).status_code == 302
        employee.refresh_from_db()
        assert employee.full_name == "\ufdfa" * 150
        assert len(employee.search_text) <= User._meta.get_field("search_text").max_length
        rows = client.get(reverse("accountbeheer:list"), {"q": "employee@test.example"}).context["page"].rows
        assert [r["user_id"] for r in rows] == [employee.pk]  # the e-mail address is always searched whole

    def test_a_renamed_account_is_found_by_its_new_name(self, client, admin_user, employee):
        services.account_update(
            actor=admin_user, membership=employee.membership, expected_version=employee.membership.version,
            data={"full_name": "Eva Everts"}, locations=[],
        )  # fmt: skip
        client.force_login(admin_user)
        assert [r["user_id"] for r in client.get(reverse("accountbeheer:list"), {"q": "everts"}).context["page"].rows] == [
            employee.pk
        ]
        assert client.get(reverse("accountbeheer:list"), {"q": "erik"}).context["page"].rows == []

    def test_filter_by_status_role_and_location(self, client, admin_user, employee, organization, locations):
        invited = make_account(organization, "inv@test.example", status=Status.INVITED)
        Invitation.objects.create(
            membership=invited.membership, token_hash="a" * 64, expires_at=timezone.now() + timedelta(days=2)
        )
        expired = make_account(organization, "verlopen@test.example", status=Status.INVITED)
        Invitation.objects.create(
            membership=expired.membership, token_hash="b" * 64, expires_at=timezone.now() - timedelta(days=1)
        )
        paused = make_account(organization, "pauze@test.example")
        Membership.objects.filter(user=paused).update(status=Status.DEACTIVATED)
        client.force_login(admin_user)

        def emails(**params):
            rows = client.get(reverse("accountbeheer:list"), params).context["page"].rows
            return {r["user__email"] for r in rows}

        assert emails(status=Status.INVITED) == {invited.email}
        assert emails(status="expired") == {expired.email}
        assert emails(status=Status.DEACTIVATED) == {paused.email}
        assert emails(status=Status.ACTIVE) == {admin_user.email, employee.email}
        assert emails(role=Role.ADMINISTRATOR) == {admin_user.email}
        assert emails(location=locations[1].pk) == {admin_user.email}

    def test_filter_accounts_not_used_and_leaving(self, client, admin_user, employee, organization, other_organization):
        """ "Niet gebruikt": flagged as not used and not logged in since the warning (as
        the badge in the list says); "Uit dienst gemeld": a leave date not yet carried out.
        Another organization's flagged account stays out."""
        now = timezone.now()
        warned = make_account(organization, "stil@test.example")
        back = make_account(organization, "terug@test.example")
        Membership.objects.filter(user__in=[warned, back]).update(dormancy_warned_at=now - timedelta(days=3))
        User.objects.filter(pk=back.pk).update(last_login=now - timedelta(days=1))  # logged in after the warning
        elsewhere = make_account(other_organization, "stil@anders.example")
        Membership.objects.filter(user=elsewhere).update(dormancy_warned_at=now - timedelta(days=3))
        leaving = make_account(organization, "vertrekt@test.example")
        left = make_account(organization, "weg@test.example")
        Membership.objects.filter(user=leaving).update(leaves_on=timezone.localdate() + timedelta(days=10))
        Membership.objects.filter(user=left).update(leaves_on=timezone.localdate(), left_at=now, status=Status.DEACTIVATED)
        client.force_login(admin_user)

        def emails(**params):
            response = client.get(reverse("accountbeheer:list"), params)
            assert not response.context["form"].errors
            return {r["user__email"] for r in response.context["page"].rows}

        assert emails(status=overview.NOT_USED) == {warned.email}
        assert emails(status=overview.LEAVING) == {leaving.email}
        assert emails(status=overview.NOT_USED, q="stil") == {warned.email}
        response = client.get(reverse("accountbeheer:export"), {"status": overview.NOT_USED})
        export = b"".join(response.streaming_content).decode()
        assert warned.email in export and back.email not in export and employee.email not in export

    def test_a_search_alone_starts_from_the_users_and_finds_the_same_accounts(
        self, admin_user, organization, other_organization, monkeypatch
    ):
        add_accounts(organization, 30)
        add_accounts(other_organization, 5, start=100)  # "Persoon" there too
        gone = make_account(organization, "weg@test.example", full_name="A Persoon 9")
        Membership.objects.filter(user=gone).update(status=Status.DELETED)
        # A user whose own organization is this one but whose account is of another
        # (which the services never make): shown nowhere, counted nowhere.
        stray = make_account(other_organization, "verdwaald@test.example", full_name="B Persoon 1")
        User.objects.filter(pk=stray.pk).update(organization=organization)
        searched = overview.searched_users(organization.pk, q="persoon")
        assert searched is not None and overview.searched_users(organization.pk, q="persoon", role=Role.EMPLOYEE) is None
        queryset = overview.filtered(Membership.objects.visible_to(admin_user), q="persoon")
        expected = set(queryset.values_list("pk", flat=True))
        assert len(expected) == 30 and set(overview._first_ids(queryset, searched)) == expected
        result = overview.page(queryset, searched=searched)
        assert result.count == 30 and result.count_is_exact
        monkeypatch.setattr(overview, "COUNT_LIMIT", 10)
        bounded = overview.page(queryset, searched=searched)
        assert (bounded.count, bounded.count_is_exact, len(bounded.rows)) == (10, False, 25)
        assert {row["pk"] for row in bounded.rows} <= expected

    def test_a_rare_role_or_status_is_read_from_its_index_and_finds_the_same_accounts(
        self, client, admin_user, organization, other_organization, monkeypatch
    ):
        add_accounts(organization, 12)
        add_accounts(other_organization, 3, start=100)
        Membership.objects.filter(user__email__in=["user003@test.example", "user100@test.example"]).update(
            role=Role.ADMINISTRATOR
        )
        paused = ["user004@test.example", "user005@test.example", "user101@test.example"]
        Membership.objects.filter(user__email__in=paused).update(status=Status.DEACTIVATED)
        Membership.objects.filter(user__email="user005@test.example").update(deactivated_until=timezone.localdate())
        Membership.objects.filter(user__email__in=["user006@test.example", "user007@test.example"]).update(status=Status.INVITED)
        Invitation.objects.create(
            membership=Membership.objects.get(user__email="user006@test.example"),
            token_hash="c" * 64,
            expires_at=timezone.now() + timedelta(days=2),
        )
        for filters in (
            {"role": Role.ADMINISTRATOR},
            {"status": Status.DEACTIVATED},
            {"status": Status.INVITED},
            {"status": overview.EXPIRED},
            {"role": Role.ADMINISTRATOR, "status": Status.ACTIVE},
        ):
            queryset = overview.filtered(Membership.objects.visible_to(admin_user), **filters)
            expected = set(queryset.values_list("pk", flat=True))
            narrowed = overview.narrowed_ids(organization.pk, **filters)
            assert expected and expected <= set(narrowed), filters
            assert set(Membership.objects.filter(pk__in=narrowed).values_list("organization", flat=True)) == {organization.pk}
            assert {row["pk"] for row in overview.page(queryset, narrowed=narrowed).rows} == expected, filters
        # A status shown as active may be stored as deactivated (until a date passed): no index holds it.
        assert overview.narrowed_ids(organization.pk, status=Status.ACTIVE) is None
        assert overview.narrowed_ids(organization.pk, q="persoon") is None
        monkeypatch.setattr(overview, "COUNT_LIMIT", 3)
        assert overview.narrowed_ids(organization.pk, role=Role.EMPLOYEE) is None  # a common value: left to the scan
        assert len(overview.narrowed_ids(organization.pk, role=Role.EMPLOYEE, status=Status.INVITED)) == 2
        client.force_login(admin_user)
        with CaptureQueriesContext(connection) as captured:
            rows = client.get(reverse("accountbeheer:list"), {"role": Role.ADMINISTRATOR}).context["page"].rows
        assert {row["user__email"] for row in rows} == {admin_user.email, "user003@test.example"}
        first_ids = [
            query["sql"] for query in captured.captured_queries if query["sql"].endswith(f"LIMIT {overview.COUNT_LIMIT + 1}")
        ]
        assert len(first_ids) == 2 and "JOIN" not in first_ids[0]  # the index's few ids, then the list's conditions
        assert '"organizations_membership"."id" IN (' in first_ids[1]

    def test_a_search_with_a_filter_on_the_accounts_filters_both(self, client, admin_user, organization):
        add_accounts(organization, 10)
        Membership.objects.filter(user__email="user004@test.example").update(role=Role.ADMINISTRATOR)
        client.force_login(admin_user)
        rows = client.get(reverse("accountbeheer:list"), {"q": "persoon", "role": Role.ADMINISTRATOR}).context["page"].rows
        assert [r["user__email"] for r in rows] == ["user004@test.example"]

    def test_a_location_of_another_organization_is_not_a_valid_filter(self, client, admin_user, other_location):
        client.force_login(admin_user)
        response = client.get(reverse("accountbeheer:list"), {"location": other_location.pk})
        assert "location" in response.context["form"].errors


@pytest.mark.django_db
class TestExport:
    def test_exports_the_filtered_list_with_formula_cells_defused(self, client, admin_user, employee, organization):
        make_account(organization, "formule@test.example", full_name="=HYPERLINK(1)")
        client.force_login(admin_user)
        response = client.get(reverse("accountbeheer:export"), {"q": "test.example"})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
        assert rows[0][0] == "Naam"
        names = {row[0] for row in rows[1:]}
        assert "'=HYPERLINK(1)" in names and "Erik Employee" in names
        only_admins = client.get(reverse("accountbeheer:export"), {"role": Role.ADMINISTRATOR})
        body = b"".join(only_admins.streaming_content).decode("utf-8-sig")
        assert "admin@test.example" in body and "employee@test.example" not in body

    def test_each_account_s_locations_are_read_a_batch_at_a_time(self, admin_user, organization, locations):
        """The rows come in the list's order, each with its locations' names in name order,
        and each batch's names in one query (not one query set per account)."""
        for n in range(5):
            make_account(organization, f"lid{n}@test.example", locations=locations[: n % 3])
        queryset = overview.visible_accounts(admin_user)
        with CaptureQueriesContext(connection) as queries:
            rows = list(overview.export_rows(queryset, batch=2))
        assert len(queries) == 1 + -(-len(rows) // 2)  # the accounts, read as they go; the names of each batch
        assert [m.pk for m, _names in rows] == [m.pk for m, _names in overview.export_rows(queryset)]
        for membership, names in rows:
            assert names == sorted(link.location.name for link in membership.location_links.all())
        assert {len(names) for _m, names in rows} >= {0, 1, 2}

    def test_the_labels_are_in_the_language_of_the_page(self, client, admin_user, employee):
        client.force_login(admin_user)
        response = client.get(reverse("accountbeheer:export"), HTTP_ACCEPT_LANGUAGE="nl")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
        by_email = {row[1]: row for row in rows[1:]}
        assert by_email[employee.email][4:8] == ["Medewerker", "ja", "nee", "Actief"]


@pytest.mark.django_db
def test_one_invalid_filter_keeps_the_others(client, admin_user, employee, other_location):
    client.force_login(admin_user)
    response = client.get(reverse("accountbeheer:list"), {"q": "erik", "location": other_location.pk})
    assert "location" in response.context["form"].errors
    assert [r["user_id"] for r in response.context["page"].rows] == [employee.pk]
    # An export is not made without the filter that was asked for: the list shows the error.
    export = client.get(reverse("accountbeheer:export"), {"q": "erik", "location": other_location.pk})
    assert export.status_code == 302 and export.url.startswith(reverse("accountbeheer:list") + "?q=erik&location=")


@pytest.mark.django_db
def test_the_filter_form_keeps_what_was_chosen(client, admin_user, locations):
    client.force_login(admin_user)
    page = client.get(
        reverse("accountbeheer:list"), {"q": "an", "status": "invited", "location": locations[1].pk}
    ).content.decode()
    assert '<option value="invited" selected>' in page
    assert f'<option value="{locations[1].pk}" selected>' in page
    assert 'name="q" id="id_q" value="an"' in page


@pytest.mark.django_db
def test_the_export_refuses_a_filter_that_is_not_valid_instead_of_exporting_everything(client, admin_user, employee):
    client.force_login(admin_user)
    response = client.get(reverse("accountbeheer:export"), {"status": "nonsense", "role": "employee"})
    assert response.status_code == 302
    assert response.url == reverse("accountbeheer:list") + "?status=nonsense&role=employee"
    page = client.get(response.url)
    assert [e.code for e in page.context["form"].errors.as_data()["status"]] == ["invalid_choice"]


@pytest.mark.django_db
def test_an_invitation_shows_when_it_was_sent_and_until_when_it_works(client, admin_user, organization):
    valid = make_account(organization, "inv@test.example", status=Status.INVITED, full_name="Ina Uitgenodigd")
    Invitation.objects.create(membership=valid.membership, token_hash="a" * 64, expires_at=timezone.now() + timedelta(days=2))
    expired = make_account(organization, "verlopen@test.example", status=Status.INVITED, full_name="Vera Verlopen")
    Invitation.objects.create(membership=expired.membership, token_hash="b" * 64, expires_at=timezone.now() - timedelta(days=1))
    client.force_login(admin_user)
    response = client.get(reverse("accountbeheer:list"), {"status": "", "q": ""})
    rows = {row.name: row for row in response.context["rows"]}
    assert rows["Ina Uitgenodigd"].status == "invited" and "geldig tot" in rows["Ina Uitgenodigd"].invitation
    assert rows["Vera Verlopen"].status == "expired" and "verlopen op" in rows["Vera Verlopen"].invitation
    page = response.content.decode()
    resend = reverse("accountbeheer:invitation_resend", args=[expired.membership.pk])
    assert f'formaction="{resend}"' in page  # resend from the list, for the expired one only
    assert reverse("accountbeheer:invitation_resend", args=[valid.membership.pk]) not in page
    detail = client.get(reverse("accountbeheer:detail", args=[expired.membership.pk])).content.decode()
    assert "werkt niet meer" in detail and '<span class="badge badge--expired">Verlopen</span>' in detail


@pytest.mark.django_db
def test_the_filters_fold_and_stay_open_while_filtering(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("accountbeheer:list")).context["filtering"] is False
    page = client.get(reverse("accountbeheer:list"), {"status": "active"})
    assert page.context["filtering"] is True
    assert '<details class="filters-fold" data-open-wide open>' in page.content.decode()
    assert 'data-select-all="ids"' in page.content.decode()

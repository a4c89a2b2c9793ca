"""Starting a review (the snapshot), confirming and recording changes, finishing, and the
evidence (CSV and the printable page)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from conftest import make_account
from portal.core.models import AuditEvent
from portal.core.money import money
from portal.organizations import services as account_services
from portal.organizations.models import Role, Status
from portal.reviews import services
from portal.reviews.models import AccessReview, Outcome


def start(admin_user, organization):
    return services.review_start(actor=admin_user, organization=organization)


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.django_db
def test_the_snapshot_holds_every_account_as_it_is(admin_user, employee, organization, locations, other_admin):
    buyer = make_account(organization, "buyer@test.example", may_order=True, locations=locations)
    buyer.membership.order_limit = Decimal("250")
    buyer.membership.save()
    away = make_account(organization, "away@test.example", status=Status.DEACTIVATED)
    away.membership.deactivated_until = date(2099, 1, 31)
    away.membership.save()
    invited = make_account(organization, "new@test.example", status=Status.INVITED)
    make_account(organization, "gone@test.example", status=Status.DELETED)

    review = start(admin_user, organization)

    items = {item.membership.user.email: item.snapshot for item in review.items.select_related("membership__user")}
    assert set(items) == {admin_user.email, employee.email, buyer.email, away.email, invited.email}  # not deleted, not theirs
    assert items[buyer.email] == {
        "role": "employee", "status": "active", "deactivated_until": None, "may_use_portal": True, "may_order": True,
        "order_limit": "250.00", "locations": ["Amersfoort", "Utrecht"],
        "location_ids": sorted(location.pk for location in locations), "managed_locations": [], "approved_locations": [],
        "approval_limit": None,
    }  # fmt: skip
    assert items[admin_user.email]["role"] == "administrator"
    assert items[employee.email]["locations"] == ["Utrecht"] and items[employee.email]["order_limit"] is None
    assert (items[away.email]["status"], items[away.email]["deactivated_until"]) == ("deactivated", "2099-01-31")
    assert items[invited.email]["status"] == "invited"
    assert all(item.outcome == Outcome.OPEN for item in review.items.all())
    assert review.reference.startswith("TC-") and review.started_by == admin_user
    event = AuditEvent.objects.get(action="access_review_started")
    assert (event.actor, event.organization, event.changes) == (admin_user, organization, {"reference": review.reference})


@pytest.mark.django_db
def test_the_snapshots_are_read_in_batches_with_the_same_result(
    admin_user, employee, organization, locations, other_admin, django_assert_num_queries
):
    """A review of many accounts reads them a batch at a time, each batch's location links
    in one query (not all at once: 700 MB for 100,000 accounts), and takes of each the
    snapshot that snapshot_of takes of it alone."""
    from portal.organizations.models import Membership
    from portal.reviews.snapshot import snapshot_of, snapshots_of, with_locations

    for n in range(5):
        account = make_account(organization, f"lid{n}@test.example", may_order=n % 2 == 0, locations=locations[: n % 3])
        if n == 4:
            link = account.membership.location_links.get(location=locations[0])
            link.manages, link.approval_limit = True, Decimal("100")
            link.save()
    make_account(organization, "gone@test.example", status=Status.DELETED)
    with django_assert_num_queries(1 + 4):  # the accounts (read as they go), and the links of each batch of 2
        batches = list(snapshots_of(organization, batch=2))
    assert [len(batch) for batch in batches] == [2, 2, 2, 1]
    alone = {
        m.pk: snapshot_of(m)
        for m in with_locations(Membership.objects.filter(organization=organization).exclude(status=Status.DELETED))
    }
    assert dict(pair for batch in batches for pair in batch) == alone
    assert [pk for batch in batches for pk, _snapshot in batch] == sorted(alone)
    assert any(snapshot["managed_locations"] for snapshot in alone.values())


@pytest.mark.django_db
def test_only_one_review_is_open_at_a_time(admin_user, employee, organization):
    start(admin_user, organization)
    with pytest.raises(services.ReviewRuleError) as refused:
        start(admin_user, organization)
    assert refused.value.code == "review_open"
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        AccessReview.objects.create(organization=organization, reference="TC-X")


@pytest.mark.django_db
def test_confirming_records_who_and_when(admin_user, employee, organization):
    review = start(admin_user, organization)
    item = review.items.get(membership=employee.membership)
    services.review_item_confirm(actor=admin_user, item=item)
    item.refresh_from_db()
    assert (item.outcome, item.decided_by, item.changes) == (Outcome.CONFIRMED, admin_user, {})
    assert item.decided_at is not None
    event = AuditEvent.objects.get(action="access_review_confirmed")
    assert (event.actor, event.target_user, event.organization) == (admin_user, employee, organization)
    with pytest.raises(services.ReviewRuleError) as refused:
        services.review_item_confirm(actor=admin_user, item=item)
    assert refused.value.code == "already_decided"


@pytest.mark.django_db
def test_a_change_through_accountbeheer_is_recorded_against_the_snapshot(admin_user, employee, organization, locations):
    review = start(admin_user, organization)
    item = review.items.get(membership=employee.membership)
    with pytest.raises(services.ReviewRuleError) as refused:
        services.review_item_record_change(actor=admin_user, item=item)
    assert refused.value.code == "nothing_changed"

    membership = employee.membership
    account_services.account_update(
        actor=admin_user, membership=membership, expected_version=membership.version,
        data={"full_name": employee.full_name, "email": employee.email, "phone": "", "job_title": "",
              "role": Role.EMPLOYEE, "may_use_portal": True, "may_order": True, "order_limit": Decimal("100")},
        locations=locations,
    )  # fmt: skip
    with pytest.raises(services.ReviewRuleError) as refused:
        services.review_item_confirm(actor=admin_user, item=item)
    assert refused.value.code == "changed_since_start"

    services.review_item_record_change(actor=admin_user, item=item)
    item.refresh_from_db()
    assert item.outcome == Outcome.CHANGED and item.decided_by == admin_user
    assert item.changes == {
        "may_order": [False, True],
        "order_limit": [None, "100.00"],
        "locations": [["Utrecht"], ["Amersfoort", "Utrecht"]],
    }
    assert item.snapshot["may_order"] is False  # the snapshot stays as it was
    event = AuditEvent.objects.get(action="access_review_changed")
    assert event.target_user == employee and event.changes["may_order"] == [False, True]
    with pytest.raises(services.ReviewRuleError) as refused:  # recorded already
        services.review_item_record_change(actor=admin_user, item=item)
    assert refused.value.code == "nothing_changed"


@pytest.mark.django_db
def test_a_deactivation_after_a_confirmation_is_recorded_as_a_change(admin_user, employee, organization):
    review = start(admin_user, organization)
    item = review.items.get(membership=employee.membership)
    services.review_item_confirm(actor=admin_user, item=item)
    account_services.account_deactivate(actor=admin_user, membership=employee.membership)
    services.review_item_record_change(actor=admin_user, item=item)
    item.refresh_from_db()
    assert item.outcome == Outcome.CHANGED and item.changes == {"status": ["active", "deactivated"]}


@pytest.mark.django_db
def test_finishing_is_refused_while_accounts_are_open(admin_user, employee, organization):
    review = start(admin_user, organization)
    services.review_item_confirm(actor=admin_user, item=review.items.get(membership=admin_user.membership))
    with pytest.raises(services.ReviewRuleError) as refused:
        services.review_finish(actor=admin_user, review=review)
    assert refused.value.code == "items_open" and "1" in refused.value.message
    assert AccessReview.objects.get().is_open

    item = review.items.get(membership=employee.membership)
    services.review_item_confirm(actor=admin_user, item=item)
    services.review_finish(actor=admin_user, review=review)
    review.refresh_from_db()
    assert not review.is_open and review.finished_by == admin_user
    assert AuditEvent.objects.filter(action="access_review_finished", organization=organization).count() == 1
    # read-only from now on, and a new one may start
    for attempt in (services.review_item_record_change, services.review_item_confirm):
        with pytest.raises(services.ReviewRuleError) as refused:
            attempt(actor=admin_user, item=item)
        assert refused.value.code == "review_finished"
    assert start(admin_user, organization).pk != review.pk


@pytest.mark.django_db
def test_the_pages_start_confirm_and_finish(client, admin_user, employee, organization):
    client.force_login(admin_user)
    response = client.post(reverse("reviews:start"))
    review = AccessReview.objects.get()
    assert response.url == reverse("reviews:detail", args=[review.pk])
    page = client.get(response.url).content.decode()
    assert "0 van 2 accounts gecontroleerd" in page and employee.email in page
    listed = client.get(reverse("reviews:list")).content.decode()
    assert "Verder met de toegangscontrole" in listed and "Toegangscontrole starten" not in listed

    item = review.items.get(membership=employee.membership)
    response = client.post(reverse("reviews:item_confirm", args=[review.pk, item.pk]), {"filter": "open", "pagina": "1"})
    assert response.url == reverse("reviews:detail", args=[review.pk]) + f"?filter=open#account-{item.pk}"
    response = client.post(reverse("reviews:finish", args=[review.pk]), follow=True)
    assert "Nog niet elk account is gecontroleerd (nog open: 1)" in response.content.decode()

    page = client.get(reverse("reviews:detail", args=[review.pk]) + "?filter=klopt").content.decode()
    assert employee.email in page and admin_user.email not in page.split("<tbody>")[1]

    other = review.items.get(membership=admin_user.membership)
    client.post(reverse("reviews:item_confirm", args=[review.pk, other.pk]))
    response = client.post(reverse("reviews:finish", args=[review.pk]), follow=True)
    assert "is afgerond en bewaard" in response.content.decode()
    assert client.get(reverse("reviews:list")).content.decode().count(review.reference) >= 1


@pytest.mark.django_db
def test_the_page_offers_to_record_a_change_made_meanwhile(client, admin_user, employee, organization):
    review = start(admin_user, organization)
    account_services.account_deactivate(actor=admin_user, membership=employee.membership)
    client.force_login(admin_user)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Gewijzigd sinds de start" in page and "Status: Actief → Gedeactiveerd" in page
    item = review.items.get(membership=employee.membership)
    assert reverse("reviews:item_record_change", args=[review.pk, item.pk]) in page
    assert reverse("reviews:item_confirm", args=[review.pk, item.pk]) not in page


# The session, the user with their membership, the review, the counts per outcome, the page of
# accounts, their memberships and their locations.
DETAIL_QUERIES = 7


@pytest.mark.django_db
def test_the_detail_page_reads_the_same_number_of_queries_for_more_accounts(
    client, admin_user, employee, organization, other_admin, other_organization, other_location, django_assert_num_queries
):
    for number in range(6):
        make_account(other_organization, f"more{number}@other.example", locations=[other_location])
    small = start(admin_user, organization)
    large = services.review_start(actor=other_admin, organization=other_organization)
    client.force_login(admin_user)
    client.get(reverse("reviews:detail", args=[small.pk]))  # the session and the like, once
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("reviews:detail", args=[small.pk]))
    client.force_login(other_admin)
    client.get(reverse("reviews:detail", args=[large.pk]))
    with django_assert_num_queries(DETAIL_QUERIES):  # however many accounts
        assert "0 van 7 accounts" in client.get(reverse("reviews:detail", args=[large.pk])).content.decode()


@pytest.mark.django_db
def test_evidence_waits_for_the_finish(client, admin_user, employee, organization):
    review = start(admin_user, organization)
    client.force_login(admin_user)
    for name in ("reviews:export", "reviews:print"):
        response = client.get(reverse(name, args=[review.pk]), follow=True)
        assert "zodra de toegangscontrole is afgerond" in response.content.decode()


def _finished_review(admin_user, organization, employee):
    review = start(admin_user, organization)
    account_services.account_deactivate(actor=admin_user, membership=employee.membership)
    services.review_item_record_change(actor=admin_user, item=review.items.get(membership=employee.membership))
    services.review_item_confirm(actor=admin_user, item=review.items.get(membership=admin_user.membership))
    return services.review_finish(actor=admin_user, review=review)


@pytest.mark.django_db
def test_the_csv_is_the_evidence_and_safe_in_a_spreadsheet(client, admin_user, employee, organization):
    employee.full_name = '=HYPERLINK("http://evil.example")'
    employee.save()
    review = _finished_review(admin_user, organization, employee)
    client.force_login(admin_user)
    response = client.get(reverse("reviews:export", args=[review.pk]))
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(response)
    assert header[:4] == ["Naam", "E-mailadres", "Rol", "Status"] and header[-3:] == ["Wijzigingen", "Door", "Op"]
    by_email = {row[1]: row for row in rows}
    changed = by_email[employee.email]
    assert changed[0] == '\'=HYPERLINK("http://evil.example")'  # never run as a formula
    assert changed[2:11] == ["Medewerker", "Actief", "ja", "nee", "—", "Utrecht", "—", "—", "Gewijzigd"]
    assert changed[11] == "Status: Actief → Gedeactiveerd" and changed[12] == "Anna Admin" and changed[13]
    confirmed = by_email[admin_user.email]
    assert confirmed[10] == "Klopt" and confirmed[6] == "geen limiet" and confirmed[11] == ""


@pytest.mark.django_db
def test_the_evidence_is_read_as_it_goes_and_the_csv_and_the_page_show_the_same(
    client, admin_user, employee, organization, django_assert_num_queries
):
    """The evidence is read a batch at a time as the response is sent (a list of 100,000
    took 700 MB), and the CSV and the printable page give the same accounts in the same order."""
    from portal.reviews import evidence

    review = _finished_review(admin_user, organization, employee)
    for n in range(3):
        make_account(organization, f"extra{n}@test.example")  # not in the review: added after its start
    rows = evidence.evidence(review.items.order_by("membership__user__email"))
    assert iter(rows) is rows
    listed = list(rows)
    assert [row.email for row in listed] == sorted([admin_user.email, employee.email])
    changed = next(row for row in listed if row.email == employee.email)
    assert changed.outcome == "Gewijzigd" and changed.changes == [("Status", "Actief", "Gedeactiveerd")]
    assert changed.decided_by == "Anna Admin" and changed.shown["status"] == "Actief"

    client.force_login(admin_user)
    names = [row[0] for row in csv_rows(client.get(reverse("reviews:export", args=[review.pk])))[1:]]
    with django_assert_num_queries(PRINT_QUERIES):  # however many accounts
        page = b"".join(client.get(reverse("reviews:print", args=[review.pk])).streaming_content).decode()
    assert [page.index(f"<tr><td>{name}") for name in names] == sorted(page.index(f"<tr><td>{name}") for name in names)
    assert len(names) == 2 == page.count("<tr><td>")


# The session, its user, the review, its count and its items (one query however many: read
# in batches of 2,000 from the same cursor).
PRINT_QUERIES = 5


@pytest.mark.django_db
def test_the_printable_page(client, admin_user, employee, organization):
    review = _finished_review(admin_user, organization, employee)
    client.force_login(admin_user)
    response = client.get(reverse("reviews:print", args=[review.pk]))
    assert response.streaming and response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    page = b"".join(response.streaming_content).decode()
    assert review.reference in page and "reviews/print.css" in page
    assert "Status: Actief → Gedeactiveerd" in page and organization.customer_number in page
    assert page.count("Anna Admin") >= 3  # the account, who decided (twice), who finished
    assert "<dt>Accounts</dt><dd>2</dd>" in page and page.count("<tr><td>") == 2
    assert page.index("<tbody>") < page.index("<tr><td>") and page.rindex("<tr><td>") < page.index("</tbody>")
    assert "<!-- the rows -->" not in page and page.rstrip().endswith("</html>")


@pytest.mark.django_db
def test_the_printable_page_escapes_what_an_account_holds(client, admin_user, employee, organization):
    employee.full_name = '<script>alert("x")</script>'
    employee.save()
    review = _finished_review(admin_user, organization, employee)
    client.force_login(admin_user)
    page = b"".join(client.get(reverse("reviews:print", args=[review.pk])).streaming_content).decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_the_printable_page_is_the_same_in_batches_of_any_size(admin_user, employee, organization, locations):
    from portal.reviews import evidence

    buyer = make_account(organization, "buyer@test.example", may_order=True, locations=locations)
    buyer.membership.order_limit = Decimal("250")
    buyer.membership.save()
    review = start(admin_user, organization)
    review.items.update(outcome=Outcome.CONFIRMED, decided_by=admin_user, decided_at=review.started_at)
    services.review_finish(actor=admin_user, review=review)
    items = review.items.order_by("membership__user__email")
    whole = list(evidence.printed_rows(evidence.evidence(items)))
    one_by_one = list(evidence.printed_rows(evidence.evidence(items), batch=1))
    assert len(whole) == 1 and len(one_by_one) == 3 and "".join(one_by_one) == whole[0]
    assert f"Bestellen: ja<br>Limiet: {money(Decimal('250'))}</td>" in whole[0]
    assert "Bestellen: nee</td>" in whole[0] and whole[0].count("<tr><td>") == 3


@pytest.mark.django_db
def test_the_evidence_is_sent_in_the_language_of_the_request(client, admin_user, employee, organization, settings):
    """The body of a streamed response is made after the view has returned: it keeps the
    language of the request, whatever language is active by then."""
    from django.utils import translation

    review = _finished_review(admin_user, organization, employee)
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for name in ("reviews:print", "reviews:export"):
        response = client.get(reverse(name, args=[review.pk]))
        with translation.override("nl"):
            body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "Correct" in body and "Changed" in body and "Klopt" not in body and "Gewijzigd" not in body


@pytest.mark.django_db
def test_an_erased_account_stays_in_the_evidence_without_its_personal_data(client, admin_user, employee, organization):
    review = _finished_review(admin_user, organization, employee)
    account_services.account_delete(actor=admin_user, membership=employee.membership)
    client.force_login(admin_user)
    rows = csv_rows(client.get(reverse("reviews:export", args=[review.pk])))[1:]
    assert len(rows) == 2 and not any(employee.email in cell for row in rows for cell in row)


@pytest.mark.django_db
def test_the_home_page_shows_the_open_review(client, admin_user, employee, organization):
    client.force_login(admin_user)
    assert "Toegangscontrole loopt" not in client.get("/").content.decode()
    start(admin_user, organization)
    assert "0 van 2 accounts gecontroleerd" in client.get("/").content.decode()
    client.force_login(employee)
    assert "Toegangscontrole loopt" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_accounts_in_the_future_of_the_review_are_not_in_it(admin_user, employee, organization):
    review = start(admin_user, organization)
    make_account(organization, "later@test.example")
    assert review.items.count() == 2


@pytest.mark.django_db
def test_a_review_records_what_an_account_manages_and_approves(admin_user, employee, organization, locations):
    """The grants of location managers and approvers are part of the snapshot; taking one
    away is a change the reviewer records (and "Klopt" is refused for it)."""
    from decimal import Decimal

    from portal.organizations import services as accounts
    from portal.organizations.services import Grants

    membership = employee.membership
    accounts.account_update(
        actor=admin_user, membership=membership, expected_version=membership.version, data={}, locations=[locations[0]],
        grants=Grants(approves=frozenset({locations[0].pk}), approval_limit=Decimal("300")),
    )  # fmt: skip
    review = services.review_start(actor=admin_user, organization=organization)
    item = review.items.get(membership=membership)
    assert item.snapshot["approved_locations"] == ["Utrecht"] and item.snapshot["approval_limit"] == "300.00"
    membership.refresh_from_db()
    accounts.account_update(
        actor=admin_user, membership=membership, expected_version=membership.version, data={}, locations=[locations[0]],
        grants=Grants(),
    )  # fmt: skip
    with pytest.raises(services.ReviewRuleError):
        services.review_item_confirm(actor=admin_user, item=item)
    services.review_item_record_change(actor=admin_user, item=item)
    item.refresh_from_db()
    assert item.changes["approved_locations"] == [["Utrecht"], []]


@pytest.mark.django_db
def test_changing_or_deactivating_from_the_review_returns_to_its_row(client, admin_user, employee, organization):
    """The review's Wijzigen and Deactiveren lead through Accountbeheer's own pages and back
    to the review, at the account's row (and its filter), where the change can be recorded."""
    from urllib.parse import quote

    from portal.organizations.tests.test_accountbeheer import change_data

    review = start(admin_user, organization)
    item = review.items.get(membership=employee.membership)
    client.force_login(admin_user)
    here = reverse("reviews:detail", args=[review.pk]) + "?filter=open"
    back = f"{here}#account-{item.pk}"
    page = client.get(here).content.decode()
    change = reverse("accountbeheer:change", args=[employee.membership.pk]) + "?terug=" + quote(back, safe="")
    assert change.replace("&", "&amp;") in page
    form = client.get(change).content.decode()
    assert f'href="{back}"' in form  # Annuleren goes back too
    response = client.post(change, change_data(employee, job_title="Bakker"))
    assert response.status_code == 302 and response.url == back
    deactivate = reverse("accountbeheer:deactivate", args=[employee.membership.pk]) + "?terug=" + quote(back, safe="")
    assert deactivate.replace("&", "&amp;") in client.get(here).content.decode()
    response = client.post(deactivate, {})
    assert response.status_code == 302 and response.url == back
    assert "Wijziging vastleggen" in client.get(here).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("elsewhere", ["https://elders.example/", "//elders.example/pad", "javascript:alert(1)", "pad"])
def test_going_back_goes_nowhere_but_this_site(client, admin_user, employee, elsewhere):
    from urllib.parse import quote

    from portal.organizations.tests.test_accountbeheer import change_data

    client.force_login(admin_user)
    url = reverse("accountbeheer:change", args=[employee.membership.pk]) + "?terug=" + quote(elsewhere, safe="")
    assert f'href="{elsewhere}' not in client.get(url).content.decode()  # Annuleren stays here
    response = client.post(url, change_data(employee, job_title="Bakker"))
    assert response.url == reverse("accountbeheer:detail", args=[employee.membership.pk])

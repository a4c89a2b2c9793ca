import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from conftest import make_account
from portal.core.models import AuditEvent
from portal.ordering import services
from portal.ordering.models import CartItem, Order, OrderLine, OrderStatus

from .conftest import place

pytestmark = pytest.mark.django_db

# A Wednesday: the earliest delivery is Friday the 27th.
WEDNESDAY = "2026-11-25 10:00:00+01:00"


def checkout_data(location, **overrides):
    data = {
        "location": location.pk,
        "department": location.departments.first().pk,
        "reference": "PO-123",
        "wished_delivery_date": "",
        "remarks": "",
        "submission_key": str(uuid.uuid4()),
        # What the checkout page shows (one account has a cart in each of these tests).
        "cart": services.cart_fingerprint(list(CartItem.objects.select_related("product"))),
    }
    data.update(overrides)
    return data


def form_codes(response, field):
    return {e.code for e in response.context["form"].errors.as_data().get(field, [])}


# --- cart ---------------------------------------------------------------------------------


def test_the_cart_is_kept_between_sessions(client, orderer, products):
    client.force_login(orderer)
    client.post(reverse("ordering:cart_add", args=[products["roll"].pk]), {"quantity": 3})
    client.logout()
    client.force_login(orderer)
    response = client.get(reverse("ordering:cart"))
    assert [row["item"].quantity for row in response.context["rows"]] == [3]


def test_adding_twice_adds_up_and_the_maximum_holds(client, orderer, products):
    client.force_login(orderer)
    url = reverse("ordering:cart_add", args=[products["roll"].pk])
    client.post(url, {"quantity": 30})
    response = client.post(url, {"quantity": 11})  # 41 > 40
    assert response.status_code == 200
    assert response.context["form"]["quantity"].value() == "11"  # what was typed stays
    assert CartItem.objects.get().quantity == 30
    response = client.post(url, {"quantity": "veel"})
    assert form_codes(response, "quantity") == {"invalid"}


def test_an_archived_product_is_not_offered(client, orderer, products):
    products["roll"].is_archived = True
    products["roll"].save()
    client.force_login(orderer)
    assert client.get(reverse("ordering:product", args=[products["roll"].pk])).status_code == 404
    assert products["roll"].name not in client.get(reverse("ordering:catalogue")).content.decode()


def test_catalogue_search_matches_every_word_and_the_category(client, orderer, products, category):
    client.force_login(orderer)
    response = client.get(reverse("ordering:catalogue"), {"q": "kassarol 57"})
    assert [p.code for p in response.context["products"]] == ["ROL-57"]
    response = client.get(reverse("ordering:catalogue"), {"categorie": category.slug})
    assert len(response.context["products"]) == 3


def test_updating_the_cart_keeps_a_wrong_value_and_changes_nothing(client, orderer, products):
    client.force_login(orderer)
    roll = services.cart_add(actor=orderer, product=products["roll"], quantity=2)
    folder = services.cart_add(actor=orderer, product=products["folder"], quantity=1)
    response = client.post(reverse("ordering:cart"), {f"quantity-{roll.pk}": "5", f"quantity-{folder.pk}": "-1"})
    assert response.status_code == 200
    rows = {row["item"].pk: row for row in response.context["rows"]}
    assert rows[roll.pk]["value"] == "5" and rows[folder.pk]["error"]
    assert CartItem.objects.get(pk=roll.pk).quantity == 2
    response = client.post(reverse("ordering:cart"), {f"quantity-{roll.pk}": "5", f"quantity-{folder.pk}": "0"})
    assert response.status_code == 302
    assert list(CartItem.objects.values_list("quantity", flat=True)) == [5]


# --- placing an order -----------------------------------------------------------------------


def department_options(response):
    """The departments the page offers (value, label), without the placeholder."""
    return [(value, label) for value, label in response.context["form"]["department"].field.widget.choices if value != ""]


def test_checkout_offers_only_the_chosen_locations_departments(client, admin_user, locations, products):
    from portal.locations.models import Department

    Department.objects.create(location=locations[1], name="Magazijn")
    client.force_login(admin_user)
    services.cart_add(actor=admin_user, product=products["roll"], quantity=1)
    first = sorted(locations, key=lambda location: location.name)[0]  # Amersfoort
    response = client.get(reverse("ordering:checkout"))
    assert department_options(response) == [(d.pk, d.name) for d in first.departments.order_by("name")]
    # The script gets every location's, to follow a change of location.
    widget = response.context["form"]["department"].field.widget
    assert set(json.loads(widget.attrs["data-options"])) == {str(location.pk) for location in locations}


def test_without_the_script_the_departments_follow_the_location_and_nothing_is_placed(client, admin_user, locations, products):
    client.force_login(admin_user)
    services.cart_add(actor=admin_user, product=products["roll"], quantity=1)
    data = checkout_data(locations[1], department="") | {"show_departments": "1"}
    response = client.post(reverse("ordering:checkout"), data)
    assert response.status_code == 200 and not Order.objects.exists()
    assert department_options(response) == [(d.pk, d.name) for d in locations[1].departments.order_by("name")]
    assert response.context["form"]["reference"].value() == "PO-123"  # what was typed stays
    assert not response.context["form"].errors  # not sent yet, so nothing is wrong yet
    assert 'name="show_departments"' in response.content.decode()


@time_machine.travel(WEDNESDAY, tick=False)
def test_placing_an_order_copies_the_cart_and_mails_a_confirmation(
    client, orderer, locations, products, django_capture_on_commit_callbacks
):
    client.force_login(orderer)
    services.cart_add(actor=orderer, product=products["roll"], quantity=2)
    services.cart_add(actor=orderer, product=products["folder"], quantity=1)
    services.cart_add(actor=orderer, product=products["coins"], quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ordering:checkout"), checkout_data(locations[0], wished_delivery_date="2026-11-27"))
    order = Order.objects.get()
    assert response.url == reverse("ordering:order_detail", args=[order.pk])
    assert order.number == "B-2026-000001"  # the first of the year (core.references)
    assert order.status == OrderStatus.RECEIVED
    # 2 × 27.50 at 21% + 14.00 at 9% + 50.00 at 0%
    assert (order.subtotal, order.vat_total, order.total) == (Decimal("119.00"), Decimal("12.81"), Decimal("131.81"))
    delivery = locations[0].delivery_address
    assert (order.delivery_street, order.delivery_city) == (delivery.street, delivery.city)
    assert order.wished_delivery_date == date(2026, 11, 27)
    assert sorted(OrderLine.objects.values_list("product_code", "quantity", "unit_price")) == [
        ("FOLDER", 1, Decimal("14.00")), ("MUNT-2", 1, Decimal("50.00")), ("ROL-57", 2, Decimal("27.50")),
    ]  # fmt: skip
    assert not CartItem.objects.exists()
    assert [m.to for m in mail.outbox] == [[orderer.email]]
    assert order.number in mail.outbox[0].subject and "€\u00a0131,81" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="order_placed", organization=order.organization).count() == 1


def test_the_same_form_sent_twice_is_one_order(client, orderer, locations, products):
    client.force_login(orderer)
    services.cart_add(actor=orderer, product=products["roll"], quantity=1)
    data = checkout_data(locations[0])
    first = client.post(reverse("ordering:checkout"), data)
    second = client.post(reverse("ordering:checkout"), data)
    assert Order.objects.count() == 1
    assert first.url == second.url


def test_a_later_price_change_does_not_alter_the_order(orderer, locations, products):
    order = place(orderer, locations[0], [(products["roll"], 2)])
    products["roll"].price = Decimal("99.99")
    products["roll"].name = "Andere naam"
    products["roll"].save()
    order.refresh_from_db()
    line = order.lines.get()
    assert (line.unit_price, line.product_name, order.subtotal) == (Decimal("27.50"), "Kassarol 57 mm", Decimal("55.00"))


def test_a_failed_write_leaves_no_order_and_keeps_the_cart(orderer, locations, products, monkeypatch):
    services.cart_add(actor=orderer, product=products["roll"], quantity=2)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(OrderLine.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        place(orderer, locations[0], [])
    assert not Order.objects.exists() and not AuditEvent.objects.filter(action="order_placed").exists()
    assert CartItem.objects.get().quantity == 2


def test_a_location_that_is_not_linked_cannot_be_chosen(client, orderer, locations, other_location, products):
    client.force_login(orderer)
    services.cart_add(actor=orderer, product=products["roll"], quantity=1)
    for location in (locations[1], other_location):
        response = client.post(reverse("ordering:checkout"), checkout_data(location))
        assert form_codes(response, "location") == {"invalid_choice"}
        assert response.context["form"]["reference"].value() == "PO-123"  # kept
    with pytest.raises(services.OrderError) as error:
        place(orderer, locations[1], [])
    assert error.value.code == "location_not_linked"
    assert not Order.objects.exists()


def test_a_department_of_another_location_is_refused(client, admin_user, locations, products):
    client.force_login(admin_user)
    services.cart_add(actor=admin_user, product=products["roll"], quantity=1)
    other_department = locations[1].departments.first()
    response = client.post(reverse("ordering:checkout"), checkout_data(locations[0], department=other_department.pk))
    assert form_codes(response, "department") == {"department_mismatch"}
    assert not Order.objects.exists()


@time_machine.travel(WEDNESDAY, tick=False)
@pytest.mark.parametrize(
    "day, code",
    [
        ("2026-11-26", "date_too_early"),
        ("2026-11-28", "date_weekend"),
        ("2026-12-25", "date_holiday"),
        ("2027-06-01", "date_too_late"),
    ],
)
def test_the_wished_delivery_date_is_checked(client, orderer, locations, products, day, code):
    client.force_login(orderer)
    services.cart_add(actor=orderer, product=products["roll"], quantity=1)
    response = client.post(reverse("ordering:checkout"), checkout_data(locations[0], wished_delivery_date=day))
    assert form_codes(response, "wished_delivery_date") == {code}


def test_an_empty_cart_cannot_be_ordered(client, orderer, locations):
    client.force_login(orderer)
    response = client.post(reverse("ordering:checkout"), checkout_data(locations[0]))
    assert response.status_code == 200 and not Order.objects.exists()
    assert response.context["form"].non_field_errors()


def test_an_archived_product_in_the_cart_stops_the_order(orderer, locations, products):
    services.cart_add(actor=orderer, product=products["roll"], quantity=1)
    products["roll"].is_archived = True
    products["roll"].save()
    with pytest.raises(services.OrderError) as error:
        place(orderer, locations[0], [])
    assert error.value.code == "product_unavailable"


# --- approval ---------------------------------------------------------------------------------


@pytest.fixture
def limited(orderer):
    orderer.membership.order_limit = Decimal("100.00")
    orderer.membership.save()
    return orderer


def test_an_order_above_the_limit_waits_and_the_other_administrators_are_told(
    limited, admin_user, second_admin, employee, locations, products, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(limited, locations[0], [(products["roll"], 4)])  # 110.00 > 100.00
    assert order.status == OrderStatus.PENDING_APPROVAL
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([limited.email, admin_user.email, second_admin.email])
    below = place(limited, locations[0], [(products["roll"], 3)])  # 82.50: no approval needed
    assert below.status == OrderStatus.RECEIVED


def test_approving_mails_the_orderer(client, limited, admin_user, locations, products, django_capture_on_commit_callbacks):
    order = place(limited, locations[0], [(products["roll"], 4)])
    client.force_login(admin_user)
    assert order in client.get(reverse("ordering:approvals")).context["page"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ordering:order_approve", args=[order.pk]))
    assert response.url == reverse("ordering:approvals")
    order.refresh_from_db()
    assert (order.status, order.decided_by) == (OrderStatus.RECEIVED, admin_user)
    assert mail.outbox[-1].to == [limited.email] and "goedgekeurd" in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(action="order_approved").exists()


def test_rejecting_needs_a_reason_that_reaches_the_orderer(
    client, limited, admin_user, locations, products, django_capture_on_commit_callbacks
):
    order = place(limited, locations[0], [(products["roll"], 4)])
    client.force_login(admin_user)
    response = client.post(reverse("ordering:order_reject", args=[order.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert {e.code for e in response.context["reject_form"].errors.as_data()["reason"]} == {"required"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ordering:order_reject", args=[order.pk]), {"reason": "Geen budget meer"})
    order.refresh_from_db()
    assert (order.status, order.rejection_reason) == (OrderStatus.REJECTED, "Geen budget meer")
    assert "Geen budget meer" in mail.outbox[-1].body and mail.outbox[-1].to == [limited.email]
    client.force_login(limited)
    assert "Geen budget meer" in client.get(reverse("ordering:order_detail", args=[order.pk])).content.decode()


def test_nobody_approves_their_own_order(admin_user, second_admin, locations, products):
    admin_user.membership.order_limit = Decimal("10.00")
    admin_user.membership.save()
    order = place(admin_user, locations[0], [(products["roll"], 1)])
    assert order.status == OrderStatus.PENDING_APPROVAL
    with pytest.raises(services.OrderError) as error:
        services.order_approve(actor=admin_user, order=order)
    assert error.value.code == "own_order"


def test_only_a_waiting_order_can_be_decided(admin_user, orderer, locations, products):
    order = place(orderer, locations[0], [(products["roll"], 1)])
    with pytest.raises(services.OrderError) as error:
        services.order_approve(actor=admin_user, order=order)
    assert error.value.code == "not_pending"


def test_an_employee_cannot_approve(limited, admin_user, organization, locations, products):
    order = place(limited, locations[0], [(products["roll"], 4)])
    colleague = make_account(organization, "collega@test.example", may_order=True, locations=locations[:1])
    with pytest.raises(services.OrderError) as error:
        services.order_approve(actor=colleague, order=order)
    assert error.value.code == "not_approver"


# --- cancelling and ordering again ---------------------------------------------------------------


def test_the_orderer_cancels_until_hartingbank_starts(
    client, orderer, staff_user, locations, products, django_capture_on_commit_callbacks
):
    order = place(orderer, locations[0], [(products["roll"], 1)])
    client.force_login(orderer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ordering:order_cancel", args=[order.pk]))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and "geannuleerd" in mail.outbox[-1].subject
    started = place(orderer, locations[0], [(products["roll"], 1)])
    services.order_progress(actor=staff_user, order=started, status=OrderStatus.PROCESSING)
    with pytest.raises(services.OrderError) as error:
        services.order_cancel(actor=orderer, order=started)
    assert error.value.code == "not_cancellable"


def test_cancelling_an_ended_order_says_so(orderer, locations, products):
    order = place(orderer, locations[0], [(products["roll"], 1)])
    services.order_cancel(actor=orderer, order=order)
    with pytest.raises(services.OrderError) as error:
        services.order_cancel(actor=orderer, order=order)  # a second tab
    assert error.value.code == "already_ended"


def test_a_colleague_at_the_same_location_cannot_cancel_but_an_administrator_can(
    orderer, admin_user, organization, locations, products
):
    order = place(orderer, locations[0], [(products["roll"], 1)])
    colleague = make_account(organization, "collega@test.example", may_order=True, locations=locations[:1])
    with pytest.raises(services.OrderError) as error:
        services.order_cancel(actor=colleague, order=order)
    assert error.value.code == "not_allowed"
    assert services.order_cancel(actor=admin_user, order=order).status == OrderStatus.CANCELLED


def test_progress_follows_the_steps(orderer, staff_user, locations, products):
    order = place(orderer, locations[0], [(products["roll"], 1)])
    with pytest.raises(services.OrderError):
        services.order_progress(actor=staff_user, order=order, status=OrderStatus.DELIVERED)
    for status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order = services.order_progress(actor=staff_user, order=order, status=status)
    assert order.status == OrderStatus.DELIVERED


def test_ordering_again_fills_the_cart_at_todays_prices(client, orderer, locations, products):
    order = place(orderer, locations[0], [(products["roll"], 2), (products["folder"], 1)])
    products["folder"].is_archived = True
    products["folder"].save()
    products["roll"].price = Decimal("30.00")
    products["roll"].save()
    client.force_login(orderer)
    response = client.post(reverse("ordering:order_reorder", args=[order.pk]), follow=True)
    rows = response.context["rows"]
    assert [(r["item"].product.code, r["item"].quantity, r["item"].line_total) for r in rows] == [("ROL-57", 2, Decimal("60.00"))]
    assert "Folder veilig pinnen" in response.content.decode()  # named as no longer available


# --- who sees which orders ------------------------------------------------------------------------


def test_visibility_matrix(organization, locations, admin_user, employee, other_admin, products):
    at_first = make_account(organization, "eerste@test.example", may_order=True, locations=locations[:1])
    at_second = make_account(organization, "tweede@test.example", may_order=True, locations=locations[1:])
    first = place(at_first, locations[0], [(products["roll"], 1)])
    second = place(at_second, locations[1], [(products["roll"], 1)])
    expected = {
        admin_user: {first, second},
        at_first: {first},
        at_second: {second},
        employee: set(),  # linked to the first location, but may not order
        other_admin: set(),
    }
    for user, orders in expected.items():
        assert set(Order.objects.visible_to(user)) == orders, user.email


def test_the_order_list_filters_and_states_its_queries(
    client, admin_user, orderer, locations, products, django_assert_max_num_queries
):
    client.force_login(admin_user)
    for _ in range(3):
        place(orderer, locations[0], [(products["roll"], 1)])
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("ordering:orders"))
    for _ in range(25):
        place(admin_user, locations[1], [(products["folder"], 1)])
    with django_assert_max_num_queries(len(small.captured_queries) + 1):  # longer than a page: counted
        response = client.get(reverse("ordering:orders"))
    assert len(response.context["page"]) == 25 and response.context["page"].paginator.count == 28
    for _ in range(10):
        place(admin_user, locations[1], [(products["folder"], 1)])
    with django_assert_max_num_queries(len(small.captured_queries) + 1):
        client.get(reverse("ordering:orders"))
    response = client.get(reverse("ordering:orders"), {"location": locations[0].pk})
    assert response.context["page"].paginator.count == 3
    response = client.get(reverse("ordering:orders"), {"status": OrderStatus.CANCELLED})
    assert response.context["page"].paginator.count == 0
    response = client.get(reverse("ordering:orders"), {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert {e.code for e in response.context["form"].errors.as_data()["date_to"]} == {"period_reversed"}
    response = client.get(reverse("ordering:orders"), {"location": locations[0].pk, "status": "nonsense"})
    assert "status" in response.context["form"].errors
    assert response.context["page"].paginator.count == 3  # the valid location still filters


def test_the_next_page_and_a_location_of_someone_else(client, orderer, other_admin, other_location, locations, products):
    """The first page without a filter is read as most people open it; another page, and
    a location that is not the orderer's (another organization's, or one not linked),
    still go through the filter form: the one as a page, the other refused."""
    for _ in range(27):
        place(orderer, locations[0], [(products["roll"], 1)])
    client.force_login(orderer)
    first = client.get(reverse("ordering:orders")).context["page"]
    second = client.get(reverse("ordering:orders"), {"pagina": "2"}).context["page"]
    assert (len(first), first.paginator.count, len(second), second.number) == (25, 27, 2, 2)
    assert not {row["pk"] for row in first} & {row["pk"] for row in second}
    options = [control for control in client.get(reverse("ordering:orders")).context["controls"] if control["name"] == "location"]
    assert [label for _value, label, _chosen in options[0]["options"]][1:] == [locations[0].name]
    for location in (other_location, locations[1]):
        response = client.get(reverse("ordering:orders"), {"location": location.pk})
        assert [e.code for e in response.context["form"].errors.as_data()["location"]] == ["invalid_choice"]
        assert response.context["page"].paginator.count == 27  # the other filters still apply: none
    chosen = client.get(reverse("ordering:orders"), {"location": locations[0].pk})
    assert chosen.context["page"].paginator.count == 27 and not chosen.context["form"].errors


@pytest.mark.parametrize("field, day", [("date_from", "0001-01-01"), ("date_to", "9999-12-31")])
def test_a_day_at_the_end_of_the_calendar_is_refused(client, admin_user, field, day):
    client.force_login(admin_user)
    response = client.get(reverse("ordering:orders"), {field: day})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == ["date_out_of_range"]


def test_the_period_counts_whole_local_days(client, admin_user, orderer, locations, products):
    with time_machine.travel("2026-11-20 23:30:00+01:00", tick=False):  # 22:30 UTC
        late = place(orderer, locations[0], [(products["roll"], 1)])
    client.force_login(admin_user)

    def found(**period):
        return [row["pk"] for row in client.get(reverse("ordering:orders"), period).context["page"]]

    assert found(date_from="2026-11-20", date_to="2026-11-20") == [late.pk]
    assert found(date_to="2026-11-19") == []
    assert found(date_from="2026-11-21") == []


def test_the_order_list_rows_are_read_as_values_in_one_query(
    client, admin_user, orderer, locations, products, django_assert_num_queries
):
    """Session, user, the tabs' cart and approval counts, the filter's locations, and
    one query for the rows with their location and orderer (shorter than a page, so
    they are their count)."""
    client.force_login(admin_user)
    order = place(orderer, locations[0], [(products["roll"], 1)])
    with django_assert_num_queries(6):
        page = client.get(reverse("ordering:orders")).content.decode()
    for text in (order.number, locations[0].name, orderer.full_name, str(OrderStatus.RECEIVED.label)):
        assert text in page
    type(orderer).objects.filter(pk=orderer.pk).update(full_name="")  # a deleted account keeps no name
    assert "verwijderd account" in client.get(reverse("ordering:orders")).content.decode()


def test_order_detail_queries_do_not_grow_with_lines(client, admin_user, locations, products, django_assert_max_num_queries):
    client.force_login(admin_user)
    one = place(admin_user, locations[0], [(products["roll"], 1)])
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("ordering:order_detail", args=[one.pk]))
    three = place(admin_user, locations[0], [(p, 1) for p in products.values()])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("ordering:order_detail", args=[three.pk]))


def test_deliveries_take_two_working_days():
    from portal.ordering.forms import earliest_delivery_date

    assert earliest_delivery_date(date(2026, 11, 25)) == date(2026, 11, 27)  # Wednesday -> Friday
    assert earliest_delivery_date(date(2026, 11, 27)) == date(2026, 12, 1)  # Friday -> Tuesday
    assert earliest_delivery_date(date(2026, 11, 28)) == date(2026, 12, 1)  # Saturday -> Tuesday
    assert earliest_delivery_date(date(2026, 12, 23)) == date(2026, 12, 28)  # over Christmas -> Monday
    assert earliest_delivery_date(date(2027, 4, 26)) == date(2027, 4, 29)  # Koningsdag does not count


def test_order_events_appear_on_the_activity_page_in_words(client, admin_user, orderer, staff_user, locations, products):
    order = place(orderer, locations[0], [(products["roll"], 1)])
    services.order_progress(actor=staff_user, order=order, status=OrderStatus.PROCESSING)
    client.force_login(admin_user)
    page = client.get(reverse("accountbeheer:activity")).content.decode()
    assert "Bestelling geplaatst" in page and order.number in page
    assert "In behandeling" in page and "processing" not in page
    assert AuditEvent.objects.filter(action="order_status_changed", target_user=orderer).exists()


def test_a_price_change_after_the_overview_was_shown_stops_the_order(client, orderer, locations, products):
    client.force_login(orderer)
    services.cart_add(actor=orderer, product=products["roll"], quantity=2)
    data = checkout_data(locations[0])
    products["roll"].price = Decimal("30.00")
    products["roll"].save()
    response = client.post(reverse("ordering:checkout"), data)
    assert not Order.objects.exists()
    assert response.context["form"].non_field_errors() and response.context["form"]["reference"].value() == "PO-123"
    # The page now shows the new price; sending it again places the order at that price.
    data["cart"] = response.context["form"]["cart"].value()
    client.post(reverse("ordering:checkout"), data)
    assert Order.objects.get().subtotal == Decimal("60.00")


def test_a_product_of_an_archived_category_is_no_longer_offered(orderer, locations, products, category):
    order = place(orderer, locations[0], [(products["roll"], 1)])
    category.is_archived = True
    category.save()
    with pytest.raises(services.OrderError) as error:
        services.cart_add(actor=orderer, product=products["roll"], quantity=1)
    assert error.value.code == "product_unavailable"
    assert services.order_again(actor=orderer, order=order) == ["Kassarol 57 mm"]
    assert not CartItem.objects.exists()


def test_an_order_above_the_limit_needs_someone_who_can_approve_it(admin_user, locations, products):
    admin_user.membership.order_limit = Decimal("10.00")
    admin_user.membership.save()  # the only administrator
    with pytest.raises(services.OrderError) as error:
        place(admin_user, locations[0], [(products["roll"], 1)])
    assert error.value.code == "no_approver"
    assert not Order.objects.exists() and CartItem.objects.count() == 1


def test_an_administrator_whose_login_is_disabled_is_no_approver(admin_user, second_admin, locations, products):
    admin_user.membership.order_limit = Decimal("10.00")
    admin_user.membership.save()
    second_admin.is_active = False
    second_admin.save(update_fields=["is_active"])
    with pytest.raises(services.OrderError) as error:
        place(admin_user, locations[0], [(products["roll"], 1)])
    assert error.value.code == "no_approver"


def test_the_approvals_list_pages_instead_of_stopping(
    client, limited, admin_user, locations, products, django_assert_num_queries
):
    for _ in range(27):
        place(limited, locations[0], [(products["roll"], 4)])
    client.force_login(admin_user)
    with django_assert_num_queries(6):
        first = client.get(reverse("ordering:approvals"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("ordering:approvals"), {"pagina": 2})
    assert len(second.context["page"].object_list) == 2


def test_only_hartingbank_updates_an_orders_progress(orderer, admin_user, locations, products):
    order = place(orderer, locations[0], [(products["roll"], 1)])
    with pytest.raises(services.OrderError) as error:
        services.order_progress(actor=admin_user, order=order, status=OrderStatus.PROCESSING)
    assert error.value.code == "not_staff"


@time_machine.travel("2027-01-01 00:30:00+01:00", tick=False)
def test_the_order_number_has_the_local_year(orderer, locations, products):
    assert place(orderer, locations[0], [(products["roll"], 1)]).number.startswith("B-2027-")


def test_the_approvals_tab_does_not_count_your_own_order(client, admin_user, second_admin, locations, products):
    admin_user.membership.order_limit = Decimal("10.00")
    admin_user.membership.save()
    place(admin_user, locations[0], [(products["roll"], 1)])
    client.force_login(admin_user)
    assert client.get(reverse("ordering:orders")).context["approval_count"] == 0
    client.force_login(second_admin)
    assert client.get(reverse("ordering:orders")).context["approval_count"] == 1

"""Every ordering URL: who reaches it, and a 404 for everyone else (no right to order,
a location not linked, another organization, HartingBank staff)."""

import pytest
from django.urls import reverse

from conftest import make_account

from .conftest import place

# (url name, method, what id it takes, who may reach it: "order" = may order, "view" =
# may order or administrator, "admin" = administrator)
URLS = [
    ("ordering:catalogue", "get", None, "order"),
    ("ordering:product", "get", "product", "order"),
    ("ordering:cart", "get", None, "order"),
    ("ordering:cart_add", "post", "product", "order"),
    ("ordering:cart_remove", "post", "item", "order"),
    ("ordering:checkout", "get", None, "order"),
    ("ordering:orders", "get", None, "view"),
    ("ordering:order_detail", "get", "order", "view"),
    ("ordering:order_cancel", "post", "order", "view"),
    ("ordering:order_reorder", "post", "order", "order"),
    ("ordering:order_approve", "post", "order", "admin"),
    ("ordering:order_reject", "post", "order", "admin"),
    ("ordering:approvals", "get", None, "admin"),
]


def test_every_ordering_url_is_listed_here():
    from portal.ordering.urls import urlpatterns

    assert {f"ordering:{p.name}" for p in urlpatterns} == {name for name, *_ in URLS}


@pytest.fixture
def order(orderer, locations, products):
    return place(orderer, locations[0], [(products["roll"], 2)])


def url_for(name, takes, order, products):
    if takes == "product":
        return reverse(name, args=[products["roll"].pk])
    if takes == "order":
        return reverse(name, args=[order.pk])
    if takes == "item":
        from portal.ordering.models import CartItem

        item = CartItem.objects.create(membership=order.placed_by.membership, product=products["folder"], quantity=1)
        return reverse(name, args=[item.pk])
    return reverse(name)


def call(client, method, url):
    return client.post(url, {"quantity": 1, "reason": "Niet nodig"}) if method == "post" else client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes, who", URLS)
class TestWhoReachesOrdering:
    def test_the_right_account_reaches_it(self, client, orderer, admin_user, order, products, name, method, takes, who):
        client.force_login(admin_user if who == "admin" else orderer)
        response = call(client, method, url_for(name, takes, order, products))
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert not response.url.startswith("/inloggen/")

    def test_an_account_without_the_right_to_order_gets_404(self, client, employee, order, products, name, method, takes, who):
        client.force_login(employee)
        assert call(client, method, url_for(name, takes, order, products)).status_code == 404

    def test_another_organizations_administrator_gets_404(self, client, other_admin, order, products, name, method, takes, who):
        other_admin.membership.may_order = True
        other_admin.membership.save()
        client.force_login(other_admin)
        response = call(client, method, url_for(name, takes, order, products))
        if takes in ("order", "item"):
            assert response.status_code == 404
        else:  # their own catalogue, cart and lists: nothing of this organization in them
            assert response.status_code in (200, 302)
            if response.status_code == 200:
                assert order.number not in response.content.decode()

    def test_staff_gets_404(self, client, staff_user, order, products, name, method, takes, who):
        client.force_login(staff_user)
        assert call(client, method, url_for(name, takes, order, products)).status_code == 404

    def test_an_orderer_of_another_location_cannot_reach_the_order(
        self, client, organization, locations, order, products, name, method, takes, who
    ):
        other = make_account(organization, "elders@test.example", may_order=True, locations=locations[1:])
        client.force_login(other)
        response = call(client, method, url_for(name, takes, order, products))
        if takes in ("order", "item") or who == "admin":
            assert response.status_code == 404
        else:
            assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_an_administrator_without_the_right_to_order_sees_orders_but_not_the_shop(client, admin_user, order):
    admin_user.membership.may_order = False
    admin_user.membership.save()
    client.force_login(admin_user)
    assert client.get(reverse("ordering:order_detail", args=[order.pk])).status_code == 200
    assert client.get(reverse("ordering:approvals")).status_code == 200
    assert client.get(reverse("ordering:catalogue")).status_code == 404
    assert client.post(reverse("ordering:order_reorder", args=[order.pk])).status_code == 404


@pytest.mark.django_db
def test_taking_the_right_away_works_at_the_next_request(client, orderer, order):
    client.force_login(orderer)
    assert client.get(reverse("ordering:order_detail", args=[order.pk])).status_code == 200
    orderer.membership.may_order = False
    orderer.membership.may_use_portal = True
    orderer.membership.save()
    assert client.get(reverse("ordering:order_detail", args=[order.pk])).status_code == 404
    assert client.get(reverse("ordering:catalogue")).status_code == 404


@pytest.mark.django_db
def test_unlinking_the_location_works_at_the_next_request(client, orderer, order):
    client.force_login(orderer)
    assert client.get(reverse("ordering:order_detail", args=[order.pk])).status_code == 200
    orderer.membership.location_links.all().delete()
    assert client.get(reverse("ordering:order_detail", args=[order.pk])).status_code == 404
    assert order.number not in client.get(reverse("ordering:orders")).content.decode()


@pytest.mark.django_db
def test_the_menu_shows_bestellen_only_with_the_right(client, orderer, employee):
    client.force_login(employee)
    assert reverse("ordering:catalogue") not in client.get("/").content.decode()
    client.force_login(orderer)
    assert reverse("ordering:catalogue") in client.get("/").content.decode()


# An approver of the order's location (who may not order) and a location manager of it:
# what each reaches with an order of their location, and a 404 for an order of another.
# (order_cancel opens for whoever sees the order; its service refuses them: test_approvers)
APPROVER_REACHES = {
    "ordering:orders", "ordering:order_detail", "ordering:order_cancel", "ordering:approvals", "ordering:order_approve",
    "ordering:order_reject",
}  # fmt: skip
MANAGER_REACHES = {"ordering:orders", "ordering:order_detail", "ordering:order_cancel"}


def with_duty(organization, location, duty):
    """An employee of ``location`` who approves its orders (up to € 500) or manages its accounts."""
    from portal.organizations.tests.test_location_roles import grant

    user = make_account(organization, f"{duty}@test.example", locations=[location])
    return grant(user, location, **({"approval_limit": 500} if duty == "approver" else {"manages": True}))


@pytest.fixture
def waiting(orderer, locations, products, admin_user):
    """An order of Utrecht waiting for approval."""
    orderer.membership.order_limit = 10
    orderer.membership.save()
    return place(orderer, locations[0], [(products["roll"], 2)])


@pytest.fixture
def elsewhere(organization, locations, products, admin_user):
    """An order of Amersfoort waiting for approval."""
    amersfoort = make_account(organization, "amersfoort@test.example", may_order=True, locations=[locations[1]])
    amersfoort.membership.order_limit = 10
    amersfoort.membership.save()
    return place(amersfoort, locations[1], [(products["roll"], 2)])


@pytest.mark.django_db
@pytest.mark.parametrize("duty", ["approver", "manager"])
@pytest.mark.parametrize("name, method, takes, who", URLS)
def test_location_roles_with_an_order_of_their_location(
    client, organization, locations, waiting, products, duty, name, method, takes, who
):
    client.force_login(with_duty(organization, locations[0], duty))
    response = call(client, method, url_for(name, takes, waiting, products))
    reaches = APPROVER_REACHES if duty == "approver" else MANAGER_REACHES
    assert response.status_code in ((200, 302) if name in reaches else (404,)), response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("duty", ["approver", "manager"])
@pytest.mark.parametrize("name, method, takes, who", [url for url in URLS if url[2] == "order"])
def test_location_roles_not_with_an_order_of_another_location(
    client, organization, locations, elsewhere, products, duty, name, method, takes, who
):
    client.force_login(with_duty(organization, locations[0], duty))
    assert call(client, method, url_for(name, takes, elsewhere, products)).status_code == 404

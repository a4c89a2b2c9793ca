"""Every URL of the access reviews (tenancy): the administrator gets the page, an
employee, HartingBank's staff and a deactivated administrator a 404, and an
administrator of another organization a 404 for every id of this one."""

import pytest
from django.urls import reverse

from conftest import make_account
from portal.organizations.models import Role, Status
from portal.reviews import services
from portal.reviews.models import AccessReview, AccessReviewItem, Outcome
from portal.reviews.permissions import items_reviewable_by

# (url name, method, what the URL takes: None, "review" or "item")
URLS = [
    ("reviews:list", "get", None),
    ("reviews:start", "post", None),
    ("reviews:schedule", "post", None),
    ("reviews:detail", "get", "review"),
    ("reviews:item_confirm", "post", "item"),
    ("reviews:item_record_change", "post", "item"),
    ("reviews:finish", "post", "review"),
    ("reviews:export", "get", "review"),
    ("reviews:print", "get", "review"),
]
WITH_ID = [u for u in URLS if u[2]]


def url_for(name, takes, organization):
    """The URL, with the id of a (finished, so that the evidence answers) review of
    ``organization`` or of one of its items."""
    if takes is None:
        return reverse(name)
    review = AccessReview.objects.filter(organization=organization).first()
    if review is None:
        admin = organization.memberships.filter(role=Role.ADMINISTRATOR).first().user
        review = services.review_start(actor=admin, organization=organization)
        review.items.update(outcome=Outcome.CONFIRMED, decided_by=admin, decided_at=review.started_at)
        if takes != "item":
            services.review_finish(actor=admin, review=review)
    if takes == "review":
        return reverse(name, args=[review.pk])
    return reverse(name, args=[review.pk, review.items.first().pk])


def test_every_reviews_url_is_listed_here():
    from portal.reviews.urls import urlpatterns

    assert {f"reviews:{p.name}" for p in urlpatterns} == {name for name, *_ in URLS}


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes", URLS)
class TestWhoReachesTheReviews:
    def test_administrator_reaches_it(self, client, admin_user, employee, organization, name, method, takes):
        client.force_login(admin_user)
        response = getattr(client, method)(url_for(name, takes, organization))
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response.url.startswith("/inloggen/")

    def test_employee_gets_404(self, client, admin_user, employee, organization, name, method, takes):
        url = url_for(name, takes, organization)
        client.force_login(employee)
        assert getattr(client, method)(url).status_code == 404

    def test_staff_gets_404(self, client, admin_user, staff_user, organization, name, method, takes):
        url = url_for(name, takes, organization)
        client.force_login(staff_user)
        assert getattr(client, method)(url).status_code == 404

    def test_deactivated_administrator_gets_404(self, client, admin_user, organization, name, method, takes):
        url = url_for(name, takes, organization)
        other = make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
        other.membership.status = Status.DEACTIVATED
        other.membership.save()
        client.force_login(other)  # a stale session of a deactivated administrator
        assert getattr(client, method)(url).status_code in (302, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes", WITH_ID)
def test_other_organizations_administrator_gets_404_for_our_ids(
    client, admin_user, employee, organization, other_admin, name, method, takes
):
    url = url_for(name, takes, organization)
    client.force_login(other_admin)
    assert getattr(client, method)(url).status_code == 404


@pytest.mark.django_db
def test_other_organizations_administrator_changes_nothing(client, admin_user, employee, organization, other_admin):
    review = services.review_start(actor=admin_user, organization=organization)
    item = review.items.get(membership=employee.membership)
    client.force_login(other_admin)
    client.post(reverse("reviews:item_confirm", args=[review.pk, item.pk]))
    client.post(reverse("reviews:finish", args=[review.pk]))
    item.refresh_from_db()
    review.refresh_from_db()
    assert item.outcome == "open" and review.is_open
    # and the services refuse on their own
    with pytest.raises(services.ReviewRuleError) as refused:
        services.review_item_confirm(actor=other_admin, item=item)
    assert refused.value.code == "not_allowed"
    with pytest.raises(services.ReviewRuleError) as refused:
        services.review_finish(actor=other_admin, review=review)
    assert refused.value.code == "not_allowed"


@pytest.mark.django_db
def test_an_item_of_another_review_is_404(client, admin_user, employee, organization, other_admin, other_organization):
    ours = services.review_start(actor=admin_user, organization=organization)
    theirs = services.review_start(actor=other_admin, organization=other_organization)
    client.force_login(admin_user)
    foreign_item = theirs.items.get()
    assert client.post(reverse("reviews:item_confirm", args=[ours.pk, foreign_item.pk])).status_code == 404
    assert AccessReviewItem.objects.get(pk=foreign_item.pk).outcome == "open"


@pytest.mark.django_db
def test_only_administrators_of_the_organization_may_review_items(admin_user, employee, organization, other_admin):
    review = services.review_start(actor=admin_user, organization=organization)
    assert items_reviewable_by(admin_user, review).count() == 2
    assert not items_reviewable_by(employee, review).exists()
    assert not items_reviewable_by(other_admin, review).exists()
    with pytest.raises(services.ReviewRuleError) as refused:
        services.review_start(actor=employee, organization=organization)
    assert refused.value.code == "not_allowed"


@pytest.mark.django_db
def test_accountbeheer_tabs_link_the_reviews(client, admin_user):
    client.force_login(admin_user)
    assert reverse("reviews:list") in client.get(reverse("accountbeheer:list")).content.decode()


# A location manager reviews the accounts they manage in their organization's reviews;
# starting, finishing and the quarterly setting stay the administrators'.
MANAGER_REACHES = {
    "reviews:list",
    "reviews:detail",
    "reviews:item_confirm",
    "reviews:item_record_change",
    "reviews:export",
    "reviews:print",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, takes", URLS)
def test_a_location_manager_reaches_the_reviews_of_their_accounts(
    client, admin_user, employee, organization, locations, name, method, takes
):
    from portal.organizations.tests.test_location_roles import grant

    manager = grant(make_account(organization, "manager@test.example", locations=[locations[0]]), locations[0], manages=True)
    url = url_for(name, takes, organization)
    if takes == "item":  # the employee's item: an account the manager manages
        review = AccessReview.objects.get(organization=organization)
        url = reverse(name, args=[review.pk, review.items.get(membership=employee.membership).pk])
    client.force_login(manager)
    response = getattr(client, method)(url)
    assert response.status_code in ((200, 302) if name in MANAGER_REACHES else (404,))


@pytest.mark.django_db
def test_a_location_manager_sees_and_confirms_only_the_accounts_they_manage(
    client, admin_user, employee, organization, locations
):
    from portal.organizations.tests.test_location_roles import grant

    manager = grant(make_account(organization, "manager@test.example", locations=[locations[0]]), locations[0], manages=True)
    both = make_account(organization, "both@test.example", locations=locations)
    review = services.review_start(actor=admin_user, organization=organization)
    mine = review.items.get(membership=employee.membership)
    assert list(items_reviewable_by(manager, review)) == [mine]
    client.force_login(manager)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert employee.email in page and both.email not in page and admin_user.email not in page
    other = review.items.get(membership=both.membership)
    assert client.post(reverse("reviews:item_confirm", args=[review.pk, other.pk])).status_code == 404
    client.post(reverse("reviews:item_confirm", args=[review.pk, mine.pk]))
    mine.refresh_from_db()
    assert (mine.outcome, mine.decided_by) == (Outcome.CONFIRMED, manager)

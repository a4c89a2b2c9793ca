"""The account manager: an organization and its first administrator end to end; access
off and on."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_account
from portal.core.models import AuditEvent
from portal.organizations import services
from portal.organizations.models import Membership, Organization, Role, Status


def link_in(mail):
    return re.search(r"https?://[^/\s]+(/uitnodiging/\S+/)", mail.body).group(1)


@pytest.mark.django_db
def test_an_organization_and_its_first_administrator_end_to_end(
    am_client, account_manager, mailoutbox, django_capture_on_commit_callbacks
):
    response = am_client.post(
        reverse("backoffice:organization_create"),
        {"name": "Slagerij Bos", "customer_number": "K-900", "account_manager": account_manager.pk},
    )
    organization = Organization.objects.get(customer_number="K-900")
    assert response.url == reverse("backoffice:organization_detail", args=[organization.pk])
    assert organization.portal_access and organization.account_manager == account_manager

    with django_capture_on_commit_callbacks(execute=True):
        response = am_client.post(
            reverse("backoffice:administrator_invite", args=[organization.pk]),
            {"full_name": "Bea Bos", "email": "bea@bos.example"},
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="bea@bos.example")
    assert membership.role == Role.ADMINISTRATOR and membership.status == Status.INVITED
    assert "Alex Accountmanager" in mailoutbox[0].body

    invitee = Client()
    link = link_in(mailoutbox[0])
    invitee.post(link, {"password1": "Groene-Appel-Utrecht", "password2": "Groene-Appel-Utrecht"})
    login = invitee.post(reverse("account_login"), {"login": "bea@bos.example", "password": "Groene-Appel-Utrecht"})
    assert login.url == "/"
    assert invitee.get(reverse("accountbeheer:list")).status_code == 200  # she administers her organization

    actions = list(AuditEvent.objects.filter(organization=organization).order_by("pk").values_list("action", "actor"))
    assert actions[:2] == [("organization_created", account_manager.pk), ("account_invited", account_manager.pk)]


@pytest.mark.django_db
def test_a_customer_number_in_use_is_refused_and_what_was_typed_stays(am_client, organization):
    response = am_client.post(reverse("backoffice:organization_create"), {"name": "Dubbel", "customer_number": "t-1"})
    assert response.status_code == 200
    assert {e.code for e in response.context["form"].errors.as_data()["customer_number"]} == {"customer_number_in_use"}
    assert response.context["form"]["name"].value() == "Dubbel"
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_an_address_in_use_is_refused(am_client, organization, employee):
    response = am_client.post(
        reverse("backoffice:administrator_invite", args=[organization.pk]), {"full_name": "X", "email": employee.email}
    )
    assert response.status_code == 200
    assert {e.code for e in response.context["invite_form"].errors.as_data()["email"]} == {"email_in_use"}


@pytest.mark.django_db
def test_another_administrator_needs_a_reason_and_the_administrators_are_told(
    am_client, organization, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("backoffice:administrator_invite", args=[organization.pk])
    response = am_client.post(url, {"full_name": "Xander X", "email": "x@elders.example"})
    assert response.status_code == 200
    assert {e.code for e in response.context["invite_form"].errors.as_data()["reason"]} == {"reason_required"}
    assert response.context["invite_form"]["email"].value() == "x@elders.example"
    assert not Membership.objects.filter(user__email="x@elders.example").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = am_client.post(
            url, {"full_name": "Xander X", "email": "x@elders.example", "reason": "Anna vertrekt, op verzoek van de directie"}
        )
    assert response.status_code == 302
    told = [m for m in mailoutbox if m.to == [admin_user.email]]
    assert len(told) == 1 and "x@elders.example" in told[0].body and "Anna vertrekt" in told[0].body
    event = AuditEvent.objects.get(action="account_invited", target_user__email="x@elders.example")
    assert event.readable_changes()["reason"] == "Anna vertrekt, op verzoek van de directie"


@pytest.mark.django_db
def test_the_first_administrators_form_asks_no_reason(am_client, organization):
    response = am_client.get(reverse("backoffice:organization_detail", args=[organization.pk]))
    assert "reason" not in response.context["invite_form"].fields


@pytest.mark.django_db
def test_access_off_blocks_every_login_at_once_and_on_restores_it(am_client, organization, admin_user, employee):
    customer = Client()
    customer.force_login(employee)
    assert customer.get(reverse("accounts:my_account")).status_code == 200
    before = list(Membership.objects.filter(organization=organization).values_list("pk", "status", "role"))

    am_client.post(
        reverse("backoffice:organization_access", args=[organization.pk]), {"access": "off", "reason": "Contract beëindigd"}
    )
    organization.refresh_from_db()
    assert not organization.portal_access
    assert customer.get(reverse("accounts:my_account")).status_code == 302  # logged out at the next click
    fresh = Client()
    assert fresh.post(reverse("account_login"), {"login": admin_user.email, "password": "Zonnige-Dinsdag-42"}).url != "/"
    event = AuditEvent.objects.get(action="organization_access_off")
    assert event.readable_changes()["reason"] == "Contract beëindigd"

    am_client.post(reverse("backoffice:organization_access", args=[organization.pk]), {"access": "on"})
    assert list(Membership.objects.filter(organization=organization).values_list("pk", "status", "role")) == before
    login = fresh.post(reverse("account_login"), {"login": admin_user.email, "password": "Zonnige-Dinsdag-42"})
    assert login.url == "/"
    assert AuditEvent.objects.filter(action="organization_access_on", organization=organization).exists()


@pytest.mark.django_db
def test_the_services_check_the_role_themselves(organization, staff_user, admin_user):
    """Customer service may not turn access off, even without the page; a customer not at all."""
    for actor in (staff_user, admin_user):
        with pytest.raises(services.AccountRuleError) as refused:
            services.organization_access_set(actor=actor, organization=organization, access=False)
        assert refused.value.code == "not_account_manager"
    organization.refresh_from_db()
    assert organization.portal_access


@pytest.mark.django_db
def test_only_the_account_manager_invites_for_hartingbank(organization, staff_user):
    with pytest.raises(services.AccountRuleError) as refused:
        services.account_invite(actor=staff_user, organization=organization, email="x@test.example", full_name="X")
    assert refused.value.code == "not_allowed"


@pytest.mark.django_db
def test_organization_list_query_count(
    am_client, organization, other_organization, admin_user, other_admin, django_assert_num_queries
):
    # session, user, permissions (2), the page (shorter than one: no count), the accounts of its organizations
    with django_assert_num_queries(6):
        response = am_client.get(reverse("backoffice:organization_list"))
    assert [o.account_count for o in response.context["page"]] == [1, 1]
    make_account(organization, "nog@test.example")
    gone = make_account(organization, "weg@test.example")
    Membership.objects.filter(user=gone).update(status=Status.DELETED)
    counts = {o.pk: o.account_count for o in am_client.get(reverse("backoffice:organization_list")).context["page"]}
    assert counts == {organization.pk: 2, other_organization.pk: 1}  # a deleted account is not counted


@pytest.mark.django_db
def test_an_organizations_accounts_are_shown_a_page_at_a_time_with_its_administrators_apart(
    am_client, organization, admin_user, django_assert_num_queries
):
    """An organization may have a hundred thousand accounts: the page showed them all."""
    for n in range(30):
        make_account(organization, f"persoon{n:02d}@test.example", full_name=f"Persoon {n:02d}")
    gone = make_account(organization, "weg@test.example", role=Role.ADMINISTRATOR)
    Membership.objects.filter(user=gone).update(status=Status.DELETED)
    url = reverse("backoffice:organization_detail", args=[organization.pk])
    # session, user, permissions (2), the organization, its administrators, the page, the count, the locations
    with django_assert_num_queries(9):
        first = am_client.get(url)
    assert [m.user for m in first.context["administrators"]] == [admin_user]
    page = first.context["page"]
    assert page.paginator.count == 31 and len(page.object_list) == 25
    assert page.object_list[0].user == admin_user  # "Anna Admin", then the Persoon's by name
    html = first.content.decode()
    assert "31 accounts" in html and "pagina=2#accounts" in html
    second = am_client.get(url, {"pagina": 2}).context["page"]
    assert [m.user.email for m in second.object_list] == [f"persoon{n:02d}@test.example" for n in range(24, 30)]
    assert "weg@test.example" not in html


@pytest.mark.django_db
def test_a_post_without_a_choice_changes_nothing(am_client, organization):
    am_client.post(reverse("backoffice:organization_access", args=[organization.pk]), {"reason": "x"})
    organization.refresh_from_db()
    assert organization.portal_access and not AuditEvent.objects.filter(organization=organization).exists()


@pytest.mark.django_db
def test_name_and_account_manager_are_changed_and_audited(am_client, organization, account_manager):
    response = am_client.post(
        reverse("backoffice:organization_update", args=[organization.pk]),
        {"name": "Bakkerij Test en Zonen B.V.", "account_manager": account_manager.pk},
    )
    assert response.url == reverse("backoffice:organization_detail", args=[organization.pk])
    organization.refresh_from_db()
    assert organization.name == "Bakkerij Test en Zonen B.V." and organization.account_manager == account_manager
    event = AuditEvent.objects.get(action="organization_updated")
    assert event.changes == {
        "name": ["Bakkerij Test B.V.", "Bakkerij Test en Zonen B.V."],
        "account_manager": [None, "Alex Accountmanager"],
    }


@pytest.mark.django_db
def test_the_first_administrator_starts_with_both_rights_and_every_location(am_client, account_manager):
    from conftest import make_location

    organization = Organization.objects.create(name="Slagerij Bos", customer_number="K-901", account_manager=account_manager)
    shop, market = make_location(organization, "B1", "Bos Centrum"), make_location(organization, "B2", "Bos Markt")
    archived = make_location(organization, "B3", "Bos Oud")
    type(archived).objects.filter(pk=archived.pk).update(is_archived=True)
    am_client.post(
        reverse("backoffice:administrator_invite", args=[organization.pk]), {"full_name": "Bea Bos", "email": "bea@bos.example"}
    )
    membership = Membership.objects.get(user__email="bea@bos.example")
    assert membership.may_use_portal and membership.may_order
    assert set(membership.location_links.values_list("location", flat=True)) == {shop.pk, market.pk}


@pytest.mark.django_db
def test_an_address_longer_than_its_column_is_refused(am_client, organization):
    email = "x" * 246 + "@example.com"  # 258 characters; the column holds 254
    url = reverse("backoffice:administrator_invite", args=[organization.pk])
    response = am_client.post(url, {"full_name": "Bea Bos", "email": email})
    assert response.status_code == 200
    assert {e.code for e in response.context["invite_form"].errors.as_data()["email"]} == {"max_length"}
    assert response.context["invite_form"]["full_name"].value() == "Bea Bos"


@pytest.mark.django_db
def test_access_off_ends_the_sessions_so_access_on_does_not_bring_them_back(am_client, organization, employee, other_admin):
    untouched, elsewhere = Client(), Client()
    for client, user in ((untouched, employee), (elsewhere, other_admin)):
        assert client.post(reverse("account_login"), {"login": user.email, "password": "Zonnige-Dinsdag-42"}).url == "/"
    am_client.post(
        reverse("backoffice:organization_access", args=[organization.pk]), {"access": "off", "reason": "Contract beëindigd"}
    )
    am_client.post(reverse("backoffice:organization_access", args=[organization.pk]), {"access": "on"})
    # Not used while access was off, the old session still does not log in again.
    response = untouched.get(reverse("accounts:my_account"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "toegang van je organisatie" in response.content.decode()
    assert elsewhere.get(reverse("accounts:my_account")).status_code == 200  # another organization's, untouched

"""Accountbeheer tells an administrator nothing about addresses outside their own
organization: inviting, importing or changing to an address that has an account
elsewhere (another customer's, or HartingBank's) answers as a free address would, and
the owner of that address is told by mail instead of invited. Within the organization
an address in use is still said plainly."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_account
from portal.accounts.models import User
from portal.organizations import services
from portal.organizations.models import ImportBatch, Membership, Status

from .test_accountbeheer import change_data, invite_data


def invite(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("accountbeheer:invite"), invite_data(email=email))


def shown(client, membership):
    """What the administrator sees of an account: its page and its row in the overview."""
    page = client.get(reverse("accountbeheer:detail", args=[membership.pk])).content.decode()
    listing = client.get(reverse("accountbeheer:list"), {"q": membership.user.full_name}).content.decode()
    return page, listing


@pytest.mark.django_db
class TestInvitingAnAddressInUseElsewhere:
    @pytest.mark.parametrize("taken", ["admin@other.example", "staff@hartingbank.example"])
    def test_answers_as_a_free_address_and_tells_the_owner(
        self, client, admin_user, other_admin, staff_user, mailoutbox, django_capture_on_commit_callbacks, taken
    ):
        client.force_login(admin_user)
        free = invite(client, "vrij@nieuw.example", django_capture_on_commit_callbacks)
        elsewhere = invite(client, taken, django_capture_on_commit_callbacks)
        assert free.status_code == elsewhere.status_code == 302
        a = Membership.objects.get(user__email="vrij@nieuw.example", organization=admin_user.membership.organization)
        b = Membership.objects.get(user__email=taken, organization=admin_user.membership.organization)
        assert a.status == b.status == Status.INVITED
        # The same pages, apart from the address itself and the ids.
        for page_a, page_b in zip(shown(client, a), shown(client, b)):
            assert page_a.count("Uitgenodigd") == page_b.count("Uitgenodigd")
            assert "in gebruik" not in page_b
        # The free address got a link; the owner of the taken one a notice without a link.
        to_free = [m for m in mailoutbox if m.to == ["vrij@nieuw.example"]]
        to_owner = [m for m in mailoutbox if m.to == [taken]]
        assert "/uitnodiging/" in to_free[0].body
        assert len(to_owner) == 1 and "/uitnodiging/" not in to_owner[0].body
        assert "al een account" in to_owner[0].body
        # The existing account is untouched and still logs in; the invitation never does.
        owner = User.objects.get(email=taken, email_elsewhere=False)
        assert owner.is_active and owner.check_password(PASSWORD)
        assert Client().post(reverse("account_login"), {"login": taken, "password": PASSWORD}).status_code == 302
        assert not b.user.is_active and b.user.email_elsewhere

    def test_resending_tells_the_owner_again_and_withdrawing_removes_it(
        self, client, admin_user, other_admin, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.force_login(admin_user)
        invite(client, other_admin.email, django_capture_on_commit_callbacks)
        invited = Membership.objects.get(user__email=other_admin.email, organization=admin_user.membership.organization)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("accountbeheer:invitation_resend", args=[invited.pk])).status_code == 302
        assert [m.to for m in mailoutbox] == [[other_admin.email]] * 2
        client.post(reverse("accountbeheer:invitation_withdraw", args=[invited.pk]), {"confirm": "1"})
        other_admin.refresh_from_db()
        assert other_admin.email == "admin@other.example" and other_admin.is_active

    def test_a_resend_after_the_account_elsewhere_is_gone_invites_after_all(
        self, client, admin_user, other_admin, mailoutbox, django_capture_on_commit_callbacks
    ):
        """The address is checked again at each resend: once the account elsewhere is
        deleted, the invitee gets a link (their invitation was stuck telling no one)."""
        elsewhere = make_account(other_admin.membership.organization, "weg@other.example")
        client.force_login(admin_user)
        invite(client, "weg@other.example", django_capture_on_commit_callbacks)
        invited = Membership.objects.get(user__email="weg@other.example", organization=admin_user.membership.organization)
        assert invited.user.email_elsewhere
        services.account_delete(actor=other_admin, membership=elsewhere.membership)
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("accountbeheer:invitation_resend", args=[invited.pk])).status_code == 302
        (sent,) = mailoutbox
        assert sent.to == ["weg@other.example"] and "/uitnodiging/" in sent.body
        invited.user.refresh_from_db()
        assert not invited.user.email_elsewhere and invited.user.is_active
        link = re.search(r"/uitnodiging/[^/\s]+/", sent.body).group(0)
        accepted = Client().post(link, {"password1": "een-lang-nieuw-wachtwoord", "password2": "een-lang-nieuw-wachtwoord"})
        assert accepted.status_code == 302
        invited.refresh_from_db()
        assert invited.status == Status.ACTIVE

    def test_an_address_in_the_organization_itself_is_said_plainly(
        self, client, admin_user, employee, django_capture_on_commit_callbacks
    ):
        client.force_login(admin_user)
        response = invite(client, employee.email, django_capture_on_commit_callbacks)
        assert response.status_code == 200
        assert "al in gebruik" in response.content.decode()

    def test_twice_into_the_same_organization_is_in_use_the_second_time(
        self, client, admin_user, other_admin, django_capture_on_commit_callbacks
    ):
        client.force_login(admin_user)
        invite(client, other_admin.email, django_capture_on_commit_callbacks)
        again = invite(client, other_admin.email, django_capture_on_commit_callbacks)
        assert again.status_code == 200 and "al in gebruik" in again.content.decode()

    def test_hartingbank_staff_are_told_plainly(self, account_manager, organization, other_admin):
        with pytest.raises(services.AccountRuleError) as refused:
            services.account_invite(
                actor=account_manager, organization=organization, email=other_admin.email, full_name="X", reason="r"
            )
        assert refused.value.code == "email_in_use"

    def test_a_password_reset_of_the_address_reaches_only_the_real_account(
        self, client, admin_user, other_admin, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.force_login(admin_user)
        invite(client, other_admin.email, django_capture_on_commit_callbacks)
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(reverse("account_reset_password"), {"email": other_admin.email})
        assert len(mailoutbox) == 1


@pytest.mark.django_db
class TestChangingToAnAddressInUseElsewhere:
    def test_an_active_account_waits_for_a_confirmation_that_only_its_owner_could_give(
        self, client, admin_user, employee, other_admin, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.force_login(admin_user)
        url = reverse("accountbeheer:change", args=[employee.membership.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, change_data(employee, email=other_admin.email), follow=True)
        assert "wacht op bevestiging" in response.content.decode()
        assert [m.to for m in mailoutbox] == [[other_admin.email], [employee.email]]
        assert "/mijn-account/e-mailadres-bevestigen/" not in mailoutbox[0].body
        employee.refresh_from_db()
        assert employee.email == "employee@test.example"

    def test_an_invitation_moved_to_it_becomes_one_that_tells_the_owner(
        self, client, admin_user, other_admin, organization, mailoutbox, django_capture_on_commit_callbacks
    ):
        from conftest import make_account

        invited = make_account(organization, "nieuw@test.example", status=Status.INVITED, full_name="Nina")
        client.force_login(admin_user)
        url = reverse("accountbeheer:change", args=[invited.membership.pk])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, change_data(invited, email=other_admin.email))
        invited.refresh_from_db()
        assert invited.email == other_admin.email and invited.email_elsewhere and not invited.is_active
        assert [m.to for m in mailoutbox] == [[other_admin.email]] and "/uitnodiging/" not in mailoutbox[0].body
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, change_data(invited, email="weer.vrij@test.example"))
        invited.refresh_from_db()
        assert not invited.email_elsewhere and invited.is_active
        assert "/uitnodiging/" in mailoutbox[-1].body


@pytest.mark.django_db
def test_the_import_preview_says_in_use_only_of_the_organizations_own(client, admin_user, employee, other_admin):
    client.force_login(admin_user)
    text = f"naam;e-mailadres\nElders;{other_admin.email}\nEigen;{employee.email}\n"
    client.post(reverse("accountbeheer:import"), {"file": SimpleUploadedFile("a.csv", text.encode(), "text/csv")})
    rows = {row["data"]["full_name"]: row["errors"] for row in ImportBatch.objects.get().rows}
    assert rows["Elders"] == []
    assert any("heeft al een account in je organisatie" in str(error) for error in rows["Eigen"])


@pytest.mark.django_db
def test_changing_addresses_is_rate_limited_like_invitations(client, admin_user, employee, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "accountbeheer_invite": "2/h/user"}
    client.force_login(admin_user)
    url = reverse("accountbeheer:change", args=[employee.membership.pk])
    codes = []
    for n in range(3):
        employee.membership.refresh_from_db()
        codes.append(client.post(url, change_data(employee, email=f"probeer{n}@elders.example")).status_code)
    assert codes == [302, 302, 429]


@pytest.mark.django_db
class TestAnAccountThatDoesNotHoldItsAddress:
    """An account of an address in use elsewhere never logs in (here one created active at
    once, as SCIM may). Made administrator, it is answered as any account is (nothing tells
    the administrator about the address), but it counts for none of the rules that need an
    administrator who can act, and gets none of the administrators' mails."""

    def test_is_no_active_administrator(
        self, client, admin_user, other_admin, staff_user, mailoutbox, django_capture_on_commit_callbacks
    ):
        from portal.organizations import provisioning
        from portal.organizations.services.four_eyes import FourEyesError, organization_four_eyes_set
        from portal.organizations.services.leavers import administrators_of

        organization = admin_user.membership.organization
        placeholder = provisioning.account_provision(
            actor=admin_user, organization=organization, email=other_admin.email, full_name="Olga Elders"
        )
        client.force_login(admin_user)
        url = reverse("accountbeheer:change", args=[placeholder.pk])
        assert client.post(url, change_data(placeholder.user, role="administrator")).status_code == 302
        placeholder.refresh_from_db()
        assert placeholder.is_active_administrator and placeholder.user.email_elsewhere

        assert list(Membership.objects.active_administrators(organization.pk)) == [admin_user.membership]
        assert [m.user for m in administrators_of(organization.pk)] == [admin_user]
        with pytest.raises(services.AccountRuleError) as refused:  # still the last one who can log in
            services.account_deactivate(actor=staff_user, membership=admin_user.membership, reason="op verzoek")
        assert refused.value.code == "last_administrator"
        with pytest.raises(FourEyesError) as refused:  # nobody else could approve
            organization_four_eyes_set(actor=admin_user, organization=organization, on=True, amount=1000)
        assert refused.value.code == "four_eyes_one_administrator"
        # With a second administrator who can log in: the mail to "the other administrators".
        make_account(organization, "bert@test.example", role="administrator")
        organization_four_eyes_set(actor=admin_user, organization=organization, on=True, amount=1000)
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            organization_four_eyes_set(actor=admin_user, organization=organization, on=False)
        assert [m.to for m in mailoutbox] == [["bert@test.example"]]

import io
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command

from portal.accounts.models import User
from portal.ordering.models import Category, Order, OrderStatus, Product
from portal.organizations.models import Membership, Organization, Status
from portal.site.demo import DEMO_PASSWORD


def snapshot():
    """Every row of every portal model, as values."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "organizations", "locations", "ordering", "service", "changes", "contact", "help"}
    }


@pytest.mark.django_db
class TestDemoData:
    def test_running_twice_changes_and_duplicates_nothing(self, settings):
        settings.DEBUG = True
        call_command("load_demo")
        first = snapshot()
        call_command("load_demo")
        assert snapshot() == first

    def test_contains_the_documented_accounts(self, settings):
        settings.DEBUG = True
        call_command("load_demo")
        statuses = dict(Membership.objects.values_list("user__email", "status"))
        assert statuses == {
            "beheerder@vandijk.example": Status.ACTIVE,
            "besteller@vandijk.example": Status.ACTIVE,
            "medewerker@vandijk.example": Status.ACTIVE,
            "filiaalleider@vandijk.example": Status.ACTIVE,
            "oud@vandijk.example": Status.DEACTIVATED,
            "nieuw@vandijk.example": Status.INVITED,
            "beheerder@jansen.example": Status.ACTIVE,
            "werkplaats@jansen.example": Status.ACTIVE,
            None: Status.DELETED,  # a former employee, erased: the activity page shows "(gewist)"
        }
        staff = User.objects.filter(is_staff=True)
        assert {u.email for u in staff} == {"accountmanager@hartingbank.example", "klantenservice@hartingbank.example"}
        assert User.objects.get(email="besteller@vandijk.example").check_password(DEMO_PASSWORD)
        besteller = Membership.objects.get(user__email="besteller@vandijk.example")
        assert besteller.may_order and besteller.location_links.count() == 2
        assert besteller.order_limit == Decimal("250.00")
        # The location manager and approver of Amersfoort manages Fatima Bouzid's account.
        kees = User.objects.get(email="filiaalleider@vandijk.example")
        assert kees.membership.is_active_location_manager and kees.membership.is_active_approver
        assert list(Membership.objects.manageable_by(kees).values_list("user__email", flat=True)) == [
            "medewerker@vandijk.example"
        ]

    def test_two_step_login_as_the_readme_says(self, settings, client):
        """Staff and Fietsenmaker Jansen (which requires it) have the documented app; a
        newcomer of Bakkerij Van Dijk logs in with the password alone."""
        from allauth.mfa.models import Authenticator
        from django.test import Client
        from django.urls import reverse

        from conftest import totp_code
        from portal.site.demo import DEMO_TOTP_SECRET

        settings.DEBUG = True
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        with_app = set(Authenticator.objects.filter(type="totp").values_list("user__email", flat=True))
        assert with_app == {
            "accountmanager@hartingbank.example", "klantenservice@hartingbank.example",
            "beheerder@jansen.example", "werkplaats@jansen.example",
        }  # fmt: skip
        app = Authenticator.objects.get(user__email="beheerder@jansen.example", type="totp").wrap()
        assert app.validate_code(totp_code(DEMO_TOTP_SECRET))
        required = dict(Organization.objects.values_list("name", "mfa_deadline"))
        assert required["Fietsenmaker Jansen"] is not None and required["Bakkerij Van Dijk B.V."] is None
        assert DEMO_TOTP_SECRET in (Path(settings.BASE_DIR) / "README.md").read_text()
        # The newcomer chooses a password through the invitation's link, then logs in with it
        # alone: no code asked, and nothing leads to setting one up.
        [line] = [line for line in out.getvalue().splitlines() if "nieuw@vandijk.example" in line]
        password = "een-lang-nieuw-wachtwoord"
        accept = {"password1": password, "password2": password}
        assert client.post(urlsplit(line.split(": ", 1)[1]).path, accept).url == reverse("home")
        newcomer = Client()
        login = {"login": "nieuw@vandijk.example", "password": password}
        assert newcomer.post(reverse("account_login"), login).url == reverse("home")
        assert newcomer.get(reverse("home")).status_code == 200
        assert newcomer.get(reverse("accounts:my_account")).status_code == 200
        # ... where Fietsenmaker Jansen's people are asked for the code.
        jansen = {"login": "werkplaats@jansen.example", "password": DEMO_PASSWORD}
        assert Client().post(reverse("account_login"), jansen).url == reverse("mfa_authenticate")

    def test_has_orders_in_every_status_for_both_organizations(self, settings):
        settings.DEBUG = True
        call_command("load_demo")
        assert Product.objects.count() >= 20 and Category.objects.count() == 5
        for organization in Organization.objects.all():
            statuses = set(organization.orders.values_list("status", flat=True))
            expected = set(OrderStatus.values) - (
                {OrderStatus.PENDING_APPROVAL} if organization.customer_number == "HB-200874" else set()
            )
            assert statuses == expected, organization
        assert Order.objects.filter(status=OrderStatus.PENDING_APPROVAL).count() == 1

    def test_the_activity_page_shows_what_erasure_leaves(self, settings, client):
        from django.urls import reverse

        settings.DEBUG = True
        call_command("load_demo")
        client.force_login(User.objects.get(email="beheerder@vandijk.example"))
        erased = Membership.objects.get(status=Status.DELETED)
        page = client.get(reverse("accountbeheer:activity"), {"id": erased.pk}).content.decode()
        assert "(gewist)" in page and "verwijderd account (medewerker)" in page
        assert "Vera" not in page and "Filiaalleider" not in page

    def test_refused_in_production(self, settings):
        settings.DEBUG = False
        with pytest.raises(CommandError):
            call_command("load_demo")
        assert not User.objects.exists()


@pytest.mark.django_db
class TestWhereTheInvitationIs:
    """load_demo says where the pending invitation's link is, so nobody searches the
    mail folder for it."""

    @pytest.fixture
    def mail_folder(self, settings, tmp_path):
        settings.DEBUG = True
        settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        settings.EMAIL_FILE_PATH = tmp_path / "mail"
        return settings.EMAIL_FILE_PATH

    def run(self):
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        return out.getvalue().splitlines()

    def test_the_first_run_prints_the_link_and_it_works(self, client, mail_folder):
        [line] = [line for line in self.run() if "nieuw@vandijk.example" in line]
        link = line.split(": ", 1)[1]
        assert line.startswith("Invitation of nieuw@vandijk.example (choose a password): http")
        assert client.get(urlsplit(link).path).status_code == 200

    def test_a_later_run_names_the_mail_file_that_holds_it(self, mail_folder):
        self.run()
        EmailMessage("Een andere mail", "Geen link.", to=["nieuw@vandijk.example"]).send()
        EmailMessage(
            "Je account", "Kies een wachtwoord: http://127.0.0.1:8000/uitnodiging/abc/", to=["nieuw@vandijk.example"]
        ).send()
        [line] = [line for line in self.run() if "nieuw@vandijk.example" in line]
        path = Path(line.split(" is in ", 1)[1])
        assert path.parent == mail_folder and "/uitnodiging/abc/" in path.read_text()

    def test_without_the_mail_it_says_how_to_get_one(self, mail_folder):
        self.run()
        [line] = [line for line in self.run() if "nieuw@vandijk.example" in line]
        assert "no mail file with its link yet" in line and "Accountbeheer resends it" in line

    def test_an_accepted_invitation_is_not_mentioned(self, mail_folder):
        self.run()
        Membership.objects.filter(user__email="nieuw@vandijk.example").update(status=Status.ACTIVE)
        assert not [line for line in self.run() if "Invitation" in line]

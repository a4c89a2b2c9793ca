"""One way of saying things across the portal: "je" (never "u"), one date format and one
amount format, and no double full stop after an organization name that ends in one."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from conftest import make_account
from portal.organizations import services as account_services
from portal.organizations.models import Role, Status

ROOT = Path(__file__).resolve().parent.parent
# "uw" and "u" as the polite form of address ("u kunt", "heeft u"): the portal says "je".
POLITE = re.compile(
    r"\b[Uu]w\b|\b[Uu] (?:bent|hebt|heeft|kunt|kan|wilt|moet|mag|ziet|krijgt|vindt|ontvangt)\b|\b(?:kunt|heeft|hebt|bent|wilt) u\b"
)
# A month written "Dec": Django's "M"; the portal writes "dec" ("b").
TITLE_CASE_MONTH = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mrt|Apr|Mei|Jun|Jul|Aug|Sep|Okt|Nov|Dec) \d{4}\b")
NBSP = "\u00a0"


def portal_sources():
    for path in sorted((ROOT / "portal").rglob("*")):
        if path.suffix in {".html", ".txt", ".py"} and "tests" not in path.parts:
            yield path


def test_the_portal_says_je_to_everyone():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in portal_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if POLITE.search(line)
    ]
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_the_faq_as_stored_says_je():
    from portal.help.models import FaqQuestion, FaqTopic

    texts = [t for topic in FaqTopic.objects.all() for t in (topic.title, topic.intro)]
    texts += [t for q in FaqQuestion.objects.all() for t in (q.question, q.answer)]
    assert len(texts) > 10 and not [t for t in texts if POLITE.search(t)]


@pytest.mark.django_db
def test_the_faq_page_asks_whether_your_question_is_there_with_je(client):
    page = client.get(reverse("help:faq")).content.decode()
    assert "Staat je vraag er niet bij?" in page and not POLITE.search(page)


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_lists_write_dates_as_the_rest_of_the_portal(client, staff_client, employee, locations):
    from portal.contact.services import contact_message_create
    from portal.service.models import Category
    from portal.service.services import service_request_create

    location = locations[0]
    request = service_request_create(
        actor=employee, location=location, department=location.departments.first(), category=Category.TERMINAL,
        subject="Pinautomaat defect", description="Geeft foutcode 12.",
    )  # fmt: skip
    message = contact_message_create(
        actor=employee, subject="Vraag", message="Waar vind ik de factuur?", name="Erik", email=employee.email
    )
    client.force_login(employee)
    pages = {
        "back office: service requests": staff_client.get(reverse("backoffice:service_request_list")),
        "back office: contact messages": staff_client.get(reverse("backoffice:contact_message_list")),
        "back office: audit trail": staff_client.get(reverse("backoffice:audit")),
        "customer: contact messages": client.get(reverse("contact:list")),
        "customer: service requests": client.get(reverse("service:list")),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        body = response.content.decode()
        assert not TITLE_CASE_MONTH.search(body), (name, TITLE_CASE_MONTH.search(body))
    short = date_format(timezone.localtime(request.created_at), "j b Y, H:i")
    assert short in pages["back office: service requests"].content.decode()
    assert date_format(timezone.localtime(message.created_at), "j b Y") in pages["customer: contact messages"].content.decode()


@pytest.mark.django_db
def test_the_activity_trail_and_its_export_write_amounts_as_the_rest_of_the_portal(client, admin_user, employee):
    membership = employee.membership
    account_services.account_update(
        actor=admin_user,
        membership=membership,
        expected_version=membership.version,
        data={"order_limit": Decimal("100")},
        locations=[],
    )
    membership.refresh_from_db()
    account_services.account_update(
        actor=admin_user, membership=membership, expected_version=membership.version, data={"order_limit": None}, locations=[]
    )
    client.force_login(admin_user)
    page = client.get(reverse("accountbeheer:activity")).content.decode()
    assert f"€{NBSP}100,00 → —" in page and "100.00" not in page
    export = b"".join(client.get(reverse("accountbeheer:activity_export")).streaming_content).decode("utf-8-sig")
    assert f"Bestellimiet (excl. btw): €{NBSP}100,00 → —" in export and "100.00" not in export


@pytest.mark.django_db
def test_a_name_ending_in_a_full_stop_gets_no_second_one(client, organization, locations):
    assert organization.name.endswith("B.V.")
    invitee = make_account(organization, "nieuw@test.example", role=Role.EMPLOYEE, status=Status.INVITED, full_name="Noor Nieuw")
    token = account_services.invitation_issue(actor=None, membership=invitee.membership)
    page = client.get(reverse("invitation_accept", args=[token])).content.decode()
    assert "Bakkerij Test B.V." in page and "B.V.." not in page

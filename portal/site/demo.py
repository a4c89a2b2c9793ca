"""The demo data set, described as data and loaded idempotently.

Every record is looked up by its natural key (e-mail address, customer number,
location code, ...) and created only when missing; existing records are left as they
are, so a second run changes and duplicates nothing.
"""

from datetime import timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.staff import ACCOUNT_MANAGER, CUSTOMER_SERVICE
from portal.changes import demo as changes_demo
from portal.contact import demo as contact_demo
from portal.core.mail import site_url
from portal.core.models import AuditEvent
from portal.locations.models import Address, AddressKind, Department, Location, LocationLink
from portal.ordering import demo as ordering_demo
from portal.organizations.models import Membership, Organization, Role, Status
from portal.organizations.services import account_delete, account_update, invitation_issue
from portal.reviews import demo as reviews_demo
from portal.service import demo as service_demo

# Each app adds its own demo records, in this order: orders, service requests, contact
# messages, change requests, the access review.
APP_DEMOS = [ordering_demo, service_demo, contact_demo, changes_demo, reviews_demo]


DEMO_PASSWORD = "welkom-demo-2026"  # noqa: S105 - documented in the README
# The authenticator app of the demo's staff and of Fietsenmaker Jansen (whose organization
# requires two-step login): one base32 secret, in the README beside the demo logins.
DEMO_TOTP_SECRET = "MIJNHARTINGBANKDEMOTOTPSECRET234"  # noqa: S105 - documented in the README

STAFF = [
    {
        "email": "accountmanager@hartingbank.example",
        "full_name": "Annelies de Boer",
        "job_title": "Accountmanager",
        "group": ACCOUNT_MANAGER,
    },
    {
        "email": "klantenservice@hartingbank.example",
        "full_name": "Karim El Amrani",
        "job_title": "Medewerker online klantenservice",
        "group": CUSTOMER_SERVICE,
    },
]

ORGANIZATIONS = [
    {
        "name": "Bakkerij Van Dijk B.V.",
        "customer_number": "HB-100231",
        "locations": [
            {
                "code": "UTC",
                "name": "Utrecht Centrum",
                "visiting": ("Oudegracht 112", "3511 AX", "Utrecht"),
                "delivery": ("Lijnmarkt 4 (achterom)", "3511 KG", "Utrecht"),
                "departments": ["Winkel", "Bakkerij", "Kantoor"],
            },
            {
                "code": "UTO",
                "name": "Utrecht Overvecht",
                "visiting": ("Winkelcentrum Overvecht 51", "3562 CT", "Utrecht"),
                "delivery": ("Zamenhofdreef 9", "3562 JW", "Utrecht"),
                "departments": ["Winkel", "Magazijn"],
            },
            {
                "code": "AMF",
                "name": "Amersfoort",
                "visiting": ("Langestraat 40", "3811 AH", "Amersfoort"),
                "delivery": ("Kleine Haag 2", "3811 HE", "Amersfoort"),
                "departments": ["Winkel", "Bakkerij"],
            },
        ],
        "accounts": [
            {
                "email": "beheerder@vandijk.example",
                "full_name": "Sanne van Dijk",
                "phone": "030 231 44 10",
                "job_title": "Bedrijfsleider",
                "role": Role.ADMINISTRATOR,
                "may_order": True,
                "status": Status.ACTIVE,
                "locations": ["UTC", "UTO", "AMF"],
            },
            {
                "email": "besteller@vandijk.example",
                "full_name": "Bram Jacobs",
                "phone": "030 231 44 12",
                "job_title": "Inkoper",
                "role": Role.EMPLOYEE,
                "may_order": True,
                "order_limit": "250.00",
                "status": Status.ACTIVE,
                "locations": ["UTC", "UTO"],
            },
            {
                "email": "medewerker@vandijk.example",
                "full_name": "Fatima Bouzid",
                "phone": "033 461 20 07",
                "job_title": "Filiaalmedewerker",
                "role": Role.EMPLOYEE,
                "may_order": False,
                "status": Status.ACTIVE,
                "locations": ["AMF"],
                "leaves_in_days": 45,  # Uit dienst per, shown on her account page in Accountbeheer
            },
            {
                # Manages the accounts of Amersfoort (Fatima's) and approves its orders up to € 500.
                "email": "filiaalleider@vandijk.example",
                "full_name": "Kees de Boer",
                "phone": "033 461 20 01",
                "job_title": "Filiaalleider Amersfoort",
                "role": Role.EMPLOYEE,
                "may_order": True,
                "status": Status.ACTIVE,
                "locations": ["AMF"],
                "manages": ["AMF"],
                "approves": ["AMF"],
                "approval_limit": "500.00",
            },
            {
                "email": "oud@vandijk.example",
                "full_name": "Henk Oudshoorn",
                "phone": "",
                "job_title": "Oud-medewerker",
                "role": Role.EMPLOYEE,
                "may_order": False,
                "status": Status.DEACTIVATED,
                "locations": ["UTO"],
            },
            {
                "email": "nieuw@vandijk.example",
                "full_name": "Noor Vermeulen",
                "phone": "",
                "job_title": "Verkoopmedewerker",
                "role": Role.EMPLOYEE,
                "may_order": False,
                "status": Status.INVITED,
                "locations": ["UTC"],
            },
        ],
    },
    {
        "name": "Fietsenmaker Jansen",
        "customer_number": "HB-200874",
        "mfa_required": True,
        "locations": [
            {
                "code": "ZWO",
                "name": "Zwolle Diezerstraat",
                "visiting": ("Diezerstraat 77", "8011 RD", "Zwolle"),
                "delivery": ("Diezerstraat 77", "8011 RD", "Zwolle"),
                "departments": ["Werkplaats", "Winkel"],
            },
            {
                "code": "KAM",
                "name": "Kampen",
                "visiting": ("Oudestraat 150", "8261 CZ", "Kampen"),
                "delivery": ("Oudestraat 150", "8261 CZ", "Kampen"),
                "departments": ["Werkplaats"],
            },
        ],
        "accounts": [
            {
                "email": "beheerder@jansen.example",
                "full_name": "Pieter Jansen",
                "phone": "038 421 88 00",
                "job_title": "Eigenaar",
                "role": Role.ADMINISTRATOR,
                "may_order": True,
                "status": Status.ACTIVE,
                "locations": ["ZWO", "KAM"],
            },
            {
                "email": "werkplaats@jansen.example",
                "full_name": "Mehmet Yilmaz",
                "phone": "038 421 88 05",
                "job_title": "Chef werkplaats",
                "role": Role.EMPLOYEE,
                "may_order": True,
                "order_limit": "150.00",
                "status": Status.ACTIVE,
                "locations": ["ZWO", "KAM"],
            },
        ],
    },
]


class _Counter:
    def __init__(self, invitation_links=None):
        self.created = 0
        # {e-mail address: link} of the invitations issued in this run
        self.invitation_links = invitation_links if invitation_links is not None else {}

    def get_or_create(self, model, defaults=None, **lookup):
        obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        self.created += created
        return obj, created


def _user(counter, email, full_name, phone="", job_title="", is_staff=False, usable_password=True):
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user
    user = User(email=email, full_name=full_name, phone=phone, job_title=job_title, is_staff=is_staff)
    if usable_password:
        user.set_password(DEMO_PASSWORD)
    else:
        user.set_unusable_password()
    user.save()
    counter.created += 1
    return user


def _load_staff(counter):
    staff = {}
    for row in STAFF:
        user = _user(counter, row["email"], row["full_name"], job_title=row["job_title"], is_staff=True)
        user.groups.add(Group.objects.get(name=row["group"]))
        _give_totp(counter, user)
        staff[row["group"]] = user
    return staff


def _load_locations(counter, organization, rows):
    locations = {}
    for row in rows:
        location, _ = counter.get_or_create(Location, organization=organization, code=row["code"], defaults={"name": row["name"]})
        for kind, key in ((AddressKind.VISITING, "visiting"), (AddressKind.DELIVERY, "delivery")):
            street, postal_code, city = row[key]
            counter.get_or_create(
                Address,
                location=location,
                kind=kind,
                defaults={"street": street, "postal_code": postal_code, "city": city},
            )
        for name in row["departments"]:
            counter.get_or_create(Department, location=location, name=name)
        locations[row["code"]] = location
    return locations


def _load_accounts(counter, organization, rows, locations, mfa_required=False):
    users = {}
    for row in rows:
        user = _user(
            counter,
            row["email"],
            row["full_name"],
            row["phone"],
            row["job_title"],
            usable_password=row["status"] != Status.INVITED,
        )
        membership, _ = counter.get_or_create(
            Membership,
            user=user,
            defaults={
                "organization": organization,
                "role": row["role"],
                "may_use_portal": True,
                "may_order": row["may_order"],
                "order_limit": Decimal(row["order_limit"]) if row.get("order_limit") else None,
                "status": row["status"],
                "leaves_on": timezone.localdate() + timedelta(days=row["leaves_in_days"]) if row.get("leaves_in_days") else None,
            },
        )
        for code in row["locations"]:
            counter.get_or_create(
                LocationLink,
                membership=membership,
                location=locations[code],
                defaults={
                    "manages": code in row.get("manages", ()),
                    "approval_limit": Decimal(row["approval_limit"]) if code in row.get("approves", ()) else None,
                },
            )
        if row.get("manages") or row.get("approves"):  # a location manager, an approver
            Membership.objects.filter(pk=membership.pk).update(
                manages_locations=bool(row.get("manages")), approves_orders=bool(row.get("approves"))
            )
        if membership.status == Status.INVITED and not membership.invitations.exists():
            # A real invitation: its mail (with the link) lands under var/mail/.
            token = invitation_issue(actor=None, membership=membership)
            counter.invitation_links[row["email"]] = site_url(reverse("invitation_accept", args=[token]))
            counter.created += 1
        if mfa_required and membership.status != Status.INVITED:
            _give_totp(counter, user)
        users[row["email"]] = user
    return users


def _give_totp(counter, user):
    """An authenticator app with the demo's secret, as its owner would set it up."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)  # as with every first app: ten codes, under Mijn account
        counter.created += 1


def pending_invitations():
    """The demo accounts whose invitation has not been accepted yet (their e-mail addresses)."""
    emails = [row["email"] for org in ORGANIZATIONS for row in org["accounts"] if row["status"] == Status.INVITED]
    return list(
        Membership.objects.filter(user__email__in=emails, status=Status.INVITED)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def load(invitation_links=None):
    """Load the demo data set; returns how many records were created. The links of the
    invitations issued in this run go into ``invitation_links`` ({e-mail address: link})."""
    counter = _Counter(invitation_links)
    staff = _load_staff(counter)
    orgs = []
    for row in ORGANIZATIONS:
        organization, _ = counter.get_or_create(
            Organization,
            customer_number=row["customer_number"],
            defaults={"name": row["name"], "account_manager": staff[ACCOUNT_MANAGER]},
        )
        if row.get("mfa_required") and organization.mfa_deadline is None:
            organization.mfa_required_at = organization.mfa_deadline = timezone.now()
            organization.save(update_fields=["mfa_required_at", "mfa_deadline"])
        locations = _load_locations(counter, organization, row["locations"])
        users = _load_accounts(counter, organization, row["accounts"], locations, row.get("mfa_required", False))
        orgs.append({"organization": organization, "locations": locations, "users": users})
    _load_erased_account(counter, orgs[0]["organization"])
    for area in APP_DEMOS:
        area.load(counter, orgs, staff)
    return counter.created


def _load_erased_account(counter, organization):
    """A former employee whose job title the administrator changed and whose account was
    then deleted: the activity page shows what erasure leaves ("(gewist)", the role)."""
    if AuditEvent.objects.filter(organization=organization, action="personal_data_erased").exists():
        return
    administrator = Membership.objects.filter(organization=organization, role=Role.ADMINISTRATOR, status=Status.ACTIVE)
    administrator = administrator.select_related("user").order_by("pk").first().user
    user = _user(counter, "vertrokken@vandijk.example", "Vera Vertrokken", "06 55501234", "Verkoper")
    membership, _ = counter.get_or_create(Membership, user=user, defaults={"organization": organization, "role": Role.EMPLOYEE})
    account_update(
        actor=administrator, membership=membership, expected_version=membership.version,
        data={"job_title": "Filiaalleider"}, locations=[], reason="Vera is bevorderd",
    )  # fmt: skip
    account_delete(actor=administrator, membership=membership)

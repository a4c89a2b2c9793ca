"""Demo change requests: for both demo organizations one in every status, some with a
reply from online customer service. Created through the services (so the audit trail,
the thread and the mails look real), each looked up first by its organization,
requester and description, so a second run creates nothing."""

from portal.accounts.staff import CUSTOMER_SERVICE

from . import services
from .models import ChangeRequest, Kind, Status

# customer number → requests. "steps" are played in order after creating the request:
# ("reply", body, status or None), ("customer", body), ("withdraw",).
REQUESTS = {
    "HB-100231": [
        {
            "email": "medewerker@vandijk.example", "kind": Kind.PERSONAL_DATA,
            "description": "Mijn telefoonnummer is veranderd.", "proposed": {"phone": "06 12 34 56 78"},
            "steps": [],
        },
        {
            "email": "besteller@vandijk.example", "kind": Kind.LOCATION_CHANGE, "location": "UTC",
            "description": "Het afleveradres van Utrecht Centrum wordt per 1 maart Lijnmarkt 6 (achterom) in plaats van Lijnmarkt 4.",
            "steps": [
                ("reply", "Dank je wel. We passen het afleveradres per 1 maart aan en laten het je weten zodra het is verwerkt.", None),
                ("customer", "Prima, dank je. De sleutel van de achterdeur ligt bij de buren op nummer 8."),
            ],
        },
        {
            "email": "beheerder@vandijk.example", "kind": Kind.LOCATION_REMOVE, "location": "UTO", "department": "Magazijn",
            "description": "Het magazijn in Overvecht is gesloten. Graag de afdeling Magazijn verwijderen.",
            "steps": [("reply", "De afdeling Magazijn van Utrecht Overvecht is verwijderd.", Status.DONE)],
        },
        {
            "email": "besteller@vandijk.example", "kind": Kind.MY_LOCATIONS,
            "description": "Ik werk sinds deze maand ook voor de vestiging Amersfoort. Kan die aan mijn account worden gekoppeld?",
            "steps": [
                ("reply", "Locaties aan je account koppelen doet de administrator van je organisatie in Accountbeheer. "
                          "We hebben Sanne van Dijk gevraagd dit te doen.", Status.REJECTED),
            ],
        },
        {
            "email": "medewerker@vandijk.example", "kind": Kind.OTHER,
            "description": "Kan de bezorgtijd van de geldlevering op vrijdag naar de ochtend?",
            "steps": [("withdraw",)],
        },
    ],
    "HB-200874": [
        {
            "email": "beheerder@jansen.example", "kind": Kind.LOCATION_CHANGE, "location": "KAM",
            "description": "De werkplaats in Kampen heeft een eigen ingang gekregen: het afleveradres wordt Oudestraat 152.",
            "steps": [],
        },
        {
            "email": "beheerder@jansen.example", "kind": Kind.PERSONAL_DATA,
            "description": "Mijn functie is nu Directeur-eigenaar in plaats van Eigenaar.",
            "steps": [("reply", "We nemen je verzoek in behandeling.", Status.IN_PROGRESS)],
        },
        {
            "email": "beheerder@jansen.example", "kind": Kind.LOCATION_REMOVE, "location": "ZWO", "department": "Winkel",
            "description": "In Zwolle verkopen we niet meer in de winkel; de afdeling Winkel mag weg.",
            "steps": [("reply", "De afdeling Winkel van Zwolle Diezerstraat is verwijderd.", Status.DONE)],
        },
        {
            "email": "beheerder@jansen.example", "kind": Kind.OTHER,
            "description": "Graag een tweede administrator voor onze organisatie.",
            "steps": [
                ("reply", "Een tweede administrator maak je zelf aan in Accountbeheer: kies bij het nieuwe account de rol Administrator.",
                 Status.REJECTED),
            ],
        },
        {
            "email": "beheerder@jansen.example", "kind": Kind.MY_LOCATIONS,
            "description": "Graag locatie Kampen van mijn account halen.",
            "steps": [("withdraw",)],
        },
    ],
}  # fmt: skip


def _play(change_request, steps, requester, customer_service):
    for step in steps:
        if step[0] == "reply":
            services.change_request_reply(actor=customer_service, change_request=change_request, body=step[1], status=step[2])
        elif step[0] == "customer":
            services.change_request_message_add(actor=requester, change_request=change_request, body=step[1])
        elif step[0] == "withdraw":
            services.change_request_withdraw(actor=requester, change_request=change_request)


def load(counter, orgs, staff):
    customer_service = staff[CUSTOMER_SERVICE]
    for org in orgs:
        organization = org["organization"]
        for row in REQUESTS.get(organization.customer_number, []):
            requester = org["users"][row["email"]]
            if ChangeRequest.objects.filter(
                organization=organization, created_by=requester, description=row["description"]
            ).exists():
                continue
            location = org["locations"][row["location"]] if row.get("location") else None
            department = location.departments.get(name=row["department"]) if row.get("department") else None
            change_request = services.change_request_create(
                actor=requester, kind=row["kind"], description=row["description"], location=location, department=department,
                proposed=row.get("proposed"),
            )  # fmt: skip
            counter.created += 1
            _play(change_request, row["steps"], requester, customer_service)

"""Demo contact messages, from visitors and from accounts, new, answered and done.
Created through the services (so the audit trail, the thread and the mails look real),
each looked up first by its address and subject, so a second run creates nothing."""

from portal.accounts.staff import CUSTOMER_SERVICE

from . import services as contact_services
from .models import ContactMessage, ContactStatus

# Contact messages: "email" None is a visitor who was not logged in (then "name" and
# "visitor_email"); "replies" are customer service's, each with a status or None.
CONTACT_MESSAGES = [
    {
        "email": None, "name": "Mehmet Yilmaz", "visitor_email": "info@bakkerijyilmaz.example", "phone": "010 123 45 67",
        "subject": "Toegang tot Mijn HartingBank voor onze bakkerij",
        "message": "Wij zijn sinds kort klant van HartingBank. Hoe krijgen wij toegang tot Mijn HartingBank?",
        "replies": [],
    },
    {
        "email": "medewerker@vandijk.example",
        "subject": "Geldlevering vrijdag niet ontvangen",
        "message": "De geldlevering voor Amersfoort van afgelopen vrijdag is niet gekomen. Kunnen jullie nagaan wat er is gebeurd?",
        "replies": [("We zoeken het uit met de vervoerder en laten het je maandag weten.", None)],
    },
    {
        "email": "besteller@vandijk.example",
        "subject": "Levertijd kassarollen",
        "message": "Hoe lang duurt het gewoonlijk voordat een bestelling kassarollen wordt geleverd?",
        "replies": [("Bestellingen die voor 14.00 uur binnen zijn, leveren we binnen twee werkdagen.", ContactStatus.DONE)],
    },
    {
        "email": "beheerder@jansen.example",
        "subject": "Nieuwe vestiging in Deventer",
        "message": "We openen in april een werkplaats in Deventer. Wat hebben jullie van ons nodig om die locatie te registreren?",
        "replies": [],
    },
]  # fmt: skip


def load(counter, orgs, staff):
    customer_service = staff[CUSTOMER_SERVICE]
    users = {email: user for org in orgs for email, user in org["users"].items()}
    for row in CONTACT_MESSAGES:
        sender = users[row["email"]] if row["email"] else None
        email = sender.email if sender else row["visitor_email"]
        if ContactMessage.objects.filter(email=email, subject=row["subject"]).exists():
            continue
        contact_message = contact_services.contact_message_create(
            actor=sender, name=row.get("name", ""), email=email, phone=row.get("phone", ""),
            subject=row["subject"], message=row["message"],
        )  # fmt: skip
        counter.created += 1
        for body, status in row["replies"]:
            contact_services.contact_message_reply(
                actor=customer_service, contact_message=contact_message, body=body, status=status
            )

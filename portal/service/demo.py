"""Demo service requests: every status for both demo organizations, with threads in
which online customer service answers, and attachments made here (a PNG "photo" of an
error screen, a PDF work order).

Made through the services, so the audit trail and the mails look real. A request is
looked up by its organization and subject; one that exists is left as it is, so a
second run creates nothing.
"""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.accounts.staff import CUSTOMER_SERVICE
from portal.locations.models import Department

from . import services
from .models import ServiceAttachment, ServiceMessage, ServiceRequest, Status

# Steps after filing: ("reply", text[, status[, attachment]]), ("message", text[, attachment]),
# ("status", status), ("close",)
REQUESTS = {
    "HB-100231": [
        {
            "by": "besteller@vandijk.example",
            "location": "UTC",
            "department": "Winkel",
            "category": "terminal",
            "days_ago": 0,
            "subject": "Pinautomaat bij kassa 2 geeft 'geen verbinding'",
            "description": "Sinds vanochtend 8.00 uur geeft de pinautomaat bij kassa 2 de melding 'geen verbinding'. Opnieuw opstarten helpt niet. Kassa 1 werkt wel.",
            "steps": [],
        },
        {
            "by": "besteller@vandijk.example",
            "location": "UTO",
            "department": "Magazijn",
            "category": "cash_pickup",
            "days_ago": 2,
            "subject": "Afstorting van vrijdag niet opgehaald",
            "description": "De geldtransporteur is vrijdag niet langs geweest. De sealbag met de omzet van donderdag en vrijdag ligt nog in de kluis.",
            "steps": [
                (
                    "reply",
                    "Dank voor je melding. We hebben contact opgenomen met de geldtransporteur; de sealbag wordt morgen tussen 10.00 en 12.00 uur opgehaald.",
                    Status.IN_PROGRESS,
                )
            ],
        },
        {
            "by": "medewerker@vandijk.example",
            "location": "AMF",
            "department": "Winkel",
            "category": "card_reader",
            "days_ago": 4,
            "subject": "Kaartlezer leest contactloos betalen niet",
            "description": "Contactloos betalen lukt niet meer; met pincode gaat het wel. Foto van de melding op het scherm zit erbij.",
            "attachment": "png",
            "steps": [
                (
                    "reply",
                    "Dank voor de foto. Kun je het serienummer van de kaartlezer doorgeven? Het staat op de sticker aan de onderkant.",
                    Status.WAITING_FOR_CUSTOMER,
                )
            ],
        },
        {
            "by": "beheerder@vandijk.example",
            "location": "UTC",
            "department": "Bakkerij",
            "category": "delivery",
            "days_ago": 9,
            "subject": "Verkeerde muntrollen geleverd",
            "description": "We hebben rollen van 2 euro ontvangen in plaats van rollen van 50 cent (bestelling van maandag).",
            "steps": [
                (
                    "reply",
                    "Excuses voor de vergissing. We halen de rollen van 2 euro morgen op en leveren tegelijk de rollen van 50 cent.",
                    Status.IN_PROGRESS,
                ),
                ("message", "Dank je, morgen is er vanaf 7.00 uur iemand aanwezig."),
                ("reply", "De juiste muntrollen zijn vandaag geleverd. De werkbon zit erbij.", Status.RESOLVED, "pdf"),
            ],
        },
        {
            "by": "beheerder@vandijk.example",
            "location": "AMF",
            "department": "Bakkerij",
            "category": "order_invoice",
            "days_ago": 12,
            "subject": "Vraag over de factuur van maart",
            "description": "Op de factuur van maart staan de transactiekosten twee keer. Kunnen jullie dat nakijken?",
            "steps": [
                ("reply", "Je hebt gelijk: de kosten zijn dubbel berekend. Je ontvangt een creditnota.", Status.RESOLVED),
                ("close",),
            ],
        },
    ],
    "HB-200874": [
        {
            "by": "beheerder@jansen.example",
            "location": "ZWO",
            "department": "Winkel",
            "category": "terminal",
            "days_ago": 0,
            "subject": "Betaalautomaat start niet op",
            "description": "De betaalautomaat in de winkel blijft hangen op het opstartscherm.",
            "steps": [],
        },
        {
            "by": "beheerder@jansen.example",
            "location": "KAM",
            "department": "Werkplaats",
            "category": "card_reader",
            "days_ago": 1,
            "subject": "Kaartlezer werkplaats valt steeds uit",
            "description": "De mobiele kaartlezer in de werkplaats valt een paar keer per dag uit, ook met een volle accu.",
            "steps": [("status", Status.IN_PROGRESS)],
        },
        {
            "by": "beheerder@jansen.example",
            "location": "ZWO",
            "department": "Werkplaats",
            "category": "cash_pickup",
            "days_ago": 3,
            "subject": "Ophaalmoment geldtransport wijzigen",
            "description": "Het geldtransport komt op dinsdag terwijl we dan dicht zijn. Kan dat naar woensdag?",
            "steps": [
                (
                    "reply",
                    "Dat kan. Wil je woensdag in de ochtend of in de middag? Laat het ons hier weten.",
                    Status.WAITING_FOR_CUSTOMER,
                )
            ],
        },
        {
            "by": "beheerder@jansen.example",
            "location": "KAM",
            "department": "Werkplaats",
            "category": "delivery",
            "days_ago": 6,
            "subject": "Pakket met bonrollen beschadigd",
            "description": "De doos met bonrollen was nat en de helft is onbruikbaar.",
            "steps": [
                ("reply", "Vervelend! We sturen vandaag een nieuwe doos; de beschadigde mag je weggooien.", Status.RESOLVED)
            ],
        },
        {
            "by": "beheerder@jansen.example",
            "location": "ZWO",
            "department": "Winkel",
            "category": "other",
            "days_ago": 20,
            "subject": "Openingstijden tijdens de feestdagen doorgeven",
            "description": "Tussen kerst en oud en nieuw zijn we gesloten. Moeten we dat ergens doorgeven?",
            "steps": [("reply", "Dank voor het doorgeven; we hebben het geldtransport in die week stopgezet.", Status.CLOSED)],
        },
    ],
}


def demo_png():
    """A small picture of an error screen, made here."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 120), "#1b2630")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 229, 109), outline="#f2a900", width=3)
    draw.text((24, 40), "FOUT 0x2F", fill="#ffffff")
    draw.text((24, 64), "contactloos niet beschikbaar", fill="#f2a900")
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("melding-kaartlezer.png", out.getvalue(), content_type="image/png")


def demo_pdf():
    """A one-page work order as PDF (Pillow writes PDF too)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (420, 594), "white")
    draw = ImageDraw.Draw(image)
    draw.text((30, 30), "HartingBank - werkbon", fill="black")
    draw.text((30, 60), "Levering muntrollen 50 cent: afgeleverd", fill="black")
    out = io.BytesIO()
    image.save(out, "PDF")
    return SimpleUploadedFile("werkbon.pdf", out.getvalue(), content_type="application/pdf")


ATTACHMENTS = {"png": demo_png, "pdf": demo_pdf}


def _files(kind):
    return [ATTACHMENTS[kind]()] if kind else []


def _run_step(step, service_request, requester, staff_user):
    kind, *args = step
    if kind == "reply":
        body, status, *attachment = (*args, None) if len(args) == 1 else args
        services.service_request_reply(
            actor=staff_user, service_request=service_request, body=body, status=status,
            files=_files(attachment[0] if attachment else None),
        )  # fmt: skip
    elif kind == "message":
        body, *attachment = args
        services.service_request_message_add(
            actor=requester, service_request=service_request, body=body, files=_files(attachment[0] if attachment else None)
        )
    elif kind == "status":
        services.service_request_status_set(actor=staff_user, service_request=service_request, status=args[0])
    elif kind == "close":
        services.service_request_close(actor=requester, service_request=service_request)


def _backdate(service_request, days_ago):
    """Spread the demo over the past weeks: the request filed ``days_ago`` days ago, each
    message a few hours after the one before."""
    filed = timezone.now() - timedelta(days=days_ago, hours=2)
    moment = filed
    for message in service_request.messages.order_by("pk"):
        moment += timedelta(hours=3)
        ServiceMessage.objects.filter(pk=message.pk).update(created_at=moment)
        ServiceAttachment.objects.filter(message=message).update(created_at=moment)
    ServiceAttachment.objects.filter(request=service_request, message__isnull=True).update(created_at=filed)
    ServiceRequest.objects.filter(pk=service_request.pk).update(
        created_at=filed,
        updated_at=moment,
        closed_at=moment if service_request.status in (Status.RESOLVED, Status.CLOSED) else None,
    )


def _load_one(counter, organization, locations, users, staff_user, row):
    if ServiceRequest.objects.filter(organization=organization, subject=row["subject"]).exists():
        return
    requester = users[row["by"]]
    location = locations[row["location"]]
    service_request = services.service_request_create(
        actor=requester,
        location=location,
        department=Department.objects.get(location=location, name=row["department"]),
        category=row["category"],
        subject=row["subject"],
        description=row["description"],
        files=_files(row.get("attachment")),
    )
    for step in row["steps"]:
        _run_step(step, service_request, requester, staff_user)
    _backdate(service_request, row["days_ago"])
    counter.created += 1 + service_request.messages.count() + service_request.attachments.count()


def load(counter, orgs, staff):
    """Add the demo service requests that are missing."""
    staff_user = staff[CUSTOMER_SERVICE]
    for org in orgs:
        organization = org["organization"]
        for row in REQUESTS.get(organization.customer_number, []):
            _load_one(counter, organization, org["locations"], org["users"], staff_user, row)

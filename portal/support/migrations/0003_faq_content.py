"""The first content of the FAQ: the customer's own FAQ about accounts, rewritten as
clear questions with answers, and the other topics of the portal. Staff maintain it
from here on; running this again (or backwards and forwards) adds no topic or question
twice, and leaves a topic that staff changed as it is."""

import re
import unicodedata

from django.db import migrations

TOPICS = [
    {
        "slug": "account-en-accountbeheer",
        "title": "Account en accountbeheer",
        "intro": "Wie een account krijgt, wie accounts beheert en hoe je je gegevens laat aanpassen.",
        "questions": [
            (
                "wie-maakt-accounts-aan",
                "Wie maakt een account voor mij aan?",
                "De administrator van Mijn HartingBank in je organisatie maakt accounts aan voor de medewerkers. "
                "Dat doet de administrator op de pagina [Accountbeheer](accountbeheer:list), die alleen een administrator ziet.\n\n"
                "Je krijgt dan een e-mail met een link om zelf een wachtwoord te kiezen. "
                "In de [handleiding](support:manual) lees je meer over accounts en accountbeheer.",
            ),
            (
                "toegang-tot-mijn-hartingbank",
                "Hoe krijgt mijn organisatie toegang tot Mijn HartingBank?",
                "Klanten van HartingBank kunnen toegang krijgen tot Mijn HartingBank. "
                "Je accountmanager en de [online klantenservice](support:contact) vertellen je er graag meer over.\n\n"
                "Heeft je organisatie toegang, dan bepaalt zij zelf welke medewerkers zaken mogen regelen op de portal "
                "en welke medewerkers mogen bestellen in de bestelomgeving.",
            ),
            (
                "hoeveel-accounts",
                "Hoeveel accounts kan mijn organisatie aanmaken?",
                "Zoveel als nodig: het aantal gebruikersaccounts van een organisatie is onbeperkt.",
            ),
            (
                "wat-doet-de-administrator",
                "Wat kan de administrator van mijn organisatie?",
                "De administrator beheert de accounts van de organisatie in het menu [Accountbeheer](accountbeheer:list) "
                "(alleen zichtbaar voor een administrator). De administrator kan accounts:\n"
                "- aanmaken (een medewerker uitnodigen);\n"
                "- activeren;\n"
                "- wijzigen, ook welke locaties aan een account gekoppeld zijn;\n"
                "- (tijdelijk) deactiveren en weer activeren;\n"
                "- verwijderen.\n\n"
                "Per medewerker bepaalt de administrator of die zaken mag regelen op de portal en of die mag bestellen.",
            ),
            (
                "persoonlijke-gegevens-wijzigen",
                "Hoe laat ik mijn persoonlijke gegevens of gekoppelde locaties aanpassen?",
                "Je persoonlijke gegevens en de locaties die aan je account zijn gekoppeld, zie je op [Mijn account](accounts:my_account). "
                "Je kunt ze niet zelf wijzigen.\n\n"
                "Vraag het de administrator van Mijn HartingBank in je organisatie, of [geef een wijziging door](support:change_create) "
                "aan de online klantenservice.",
            ),
            (
                "account-verwijderen-of-deactiveren",
                "Hoe laat ik mijn account verwijderen of (tijdelijk) deactiveren?",
                "Vraag het de administrator van Mijn HartingBank in je organisatie. Die kan je account verwijderen "
                "of (tijdelijk) deactiveren. Je kunt het ook vragen aan de [online klantenservice](support:contact).",
            ),
        ],
    },
    {
        "slug": "inloggen-en-wachtwoord",
        "title": "Inloggen en wachtwoord",
        "intro": "Inloggen, je wachtwoord wijzigen en wat je doet als je je wachtwoord kwijt bent.",
        "questions": [
            (
                "wachtwoord-wijzigen",
                "Hoe wijzig ik mijn wachtwoord?",
                "Alleen jij kunt je wachtwoord wijzigen; een administrator of HartingBank kan dat niet en ziet je wachtwoord nooit.\n"
                "1. Log in op Mijn HartingBank.\n"
                "2. Ga naar [Mijn account](accounts:my_account).\n"
                "3. Klik op [Wachtwoord wijzigen](account_change_password).\n"
                "4. Vul je huidige wachtwoord in en daarna twee keer je nieuwe wachtwoord.\n\n"
                "Je wachtwoord moet minimaal 7 tekens lang zijn. Je krijgt een e-mail als je wachtwoord is gewijzigd.",
            ),
            (
                "wachtwoord-vergeten",
                "Ik ben mijn wachtwoord vergeten. Wat nu?",
                "Kies op de inlogpagina [Wachtwoord vergeten?](account_reset_password) en vul je e-mailadres in. "
                "Je krijgt een e-mail met een link waarmee je een nieuw wachtwoord kiest.",
            ),
            (
                "kan-niet-inloggen",
                "Ik kan niet inloggen. Hoe kan dat?",
                "Controleer of je het e-mailadres gebruikt waarmee je account is aangemaakt. "
                "Na een aantal mislukte pogingen moet je even wachten voordat je het opnieuw kunt proberen.\n\n"
                "Lukt het daarna nog niet, dan is je account misschien (tijdelijk) gedeactiveerd, of je uitnodiging is nog niet "
                "geaccepteerd. Vraag het de administrator van Mijn HartingBank in je organisatie.",
            ),
            (
                "uitnodiging-verlopen",
                "De link in mijn uitnodiging werkt niet meer.",
                "Een uitnodiging is 7 dagen geldig. Vraag de administrator van je organisatie om de uitnodiging opnieuw te versturen.",
            ),
        ],
    },
    {
        "slug": "bestellen",
        "title": "Bestellen",
        "intro": "Bestellen in de bestelomgeving, goedkeuring en je bestellingen volgen.",
        "questions": [
            (
                "wie-mag-bestellen",
                "Wie mag bestellen?",
                "Medewerkers die van de administrator van hun organisatie het recht hebben gekregen om te bestellen, zien "
                "[Bestellen](ordering:catalogue) in het menu. Zie je het niet en heb je het wel nodig? Vraag het je administrator.",
            ),
            (
                "hoe-bestel-ik",
                "Hoe plaats ik een bestelling?",
                "1. Kies in [Bestellen](ordering:catalogue) de artikelen en leg ze in je winkelwagen.\n"
                "2. Open de [winkelwagen](ordering:cart) en kies Afrekenen.\n"
                "3. Kies de locatie, de afdeling en het afleveradres, en vul zo nodig een referentie en een gewenste leverdatum in.\n"
                "4. Controleer het overzicht en plaats de bestelling.\n\n"
                "Je krijgt een bevestiging per e-mail. Je winkelwagen blijft bewaard, ook als je uitlogt.",
            ),
            (
                "goedkeuring",
                "Waarom wacht mijn bestelling op goedkeuring?",
                "Je administrator kan een bestellimiet voor je account instellen. Een bestelling boven die limiet wacht tot een "
                "andere administrator van je organisatie haar goedkeurt. Je krijgt per e-mail bericht als dat gebeurd is.",
            ),
            (
                "bestelling-annuleren",
                "Kan ik een bestelling annuleren of opnieuw bestellen?",
                "Zolang HartingBank nog niet met je bestelling bezig is, annuleer je haar op de pagina van de bestelling in "
                "[Mijn bestellingen](ordering:orders). Daar kun je een eerdere bestelling ook opnieuw in je winkelwagen zetten.",
            ),
        ],
    },
    {
        "slug": "serviceaanvragen",
        "title": "Serviceaanvragen",
        "intro": "Een storing of probleem melden en de afhandeling volgen.",
        "questions": [
            (
                "storing-melden",
                "Hoe meld ik een storing of probleem?",
                "Ga naar [Serviceaanvragen](service:list) en kies Nieuwe serviceaanvraag. Kies de locatie en afdeling, "
                "de soort probleem, en beschrijf wat er aan de hand is. Je kunt foto's of PDF-bestanden toevoegen.\n\n"
                "Je aanvraag krijgt een nummer en je ziet de status en de berichten van de online klantenservice bij je aanvraag.",
            ),
            (
                "welke-aanvragen-zie-ik",
                "Welke serviceaanvragen zie ik?",
                "Je ziet de serviceaanvragen van de locaties die aan je account zijn gekoppeld, ook die van collega's. "
                "Een administrator ziet alle aanvragen van de organisatie.",
            ),
            (
                "aanvraag-heropenen",
                "Mijn probleem is terug. Kan ik de aanvraag heropenen?",
                "Ja, binnen 30 dagen nadat de aanvraag is afgerond heropen je haar op de pagina van de aanvraag. "
                "Daarna dien je een nieuwe serviceaanvraag in.",
            ),
        ],
    },
    {
        "slug": "locaties-en-adressen",
        "title": "Locaties en adressen",
        "intro": "Locaties, afdelingen en adressen die HartingBank voor je organisatie registreert.",
        "questions": [
            (
                "locatie-wijzigen",
                "Hoe laat ik een locatie, afdeling of adres wijzigen of verwijderen?",
                "Alle locaties en adressen staan geregistreerd bij HartingBank; je past ze niet zelf aan. "
                "Open de locatie in [Locaties](locations:list) en kies Wijziging doorgeven, of "
                "[geef een wijziging door](support:change_create) aan de online klantenservice. "
                "Je kunt het ook doorgeven aan je accountmanager.",
            ),
            (
                "locatie-ontbreekt",
                "Er ontbreekt een locatie bij mijn account. Wat doe ik?",
                "De administrator van Mijn HartingBank in je organisatie koppelt de juiste locaties aan je account in "
                "[Accountbeheer](accountbeheer:list). Vraag het je administrator, of [geef een wijziging door](support:change_create).",
            ),
            (
                "adres-bij-bestelling",
                "Kan ik het adres bij een bestelling of serviceaanvraag aanpassen?",
                "Nee. Bestellingen en serviceaanvragen gebruiken de locaties, afdelingen en adressen die bij HartingBank geregistreerd "
                "staan. Klopt een adres niet, [geef dan een wijziging door](support:change_create).",
            ),
        ],
    },
    {
        "slug": "mijn-hartingbank-op-je-telefoon",
        "title": "Mijn HartingBank op je telefoon",
        "intro": "Mijn HartingBank werkt op elke telefoon en kan als app op je beginscherm.",
        "questions": [
            (
                "snelkoppeling-maken",
                "Hoe zet ik Mijn HartingBank op het beginscherm van mijn telefoon?",
                "Je kunt eenvoudig een snelkoppeling maken op je telefoon of tablet. De stappen voor iPhone met Safari, "
                "Android met Google Chrome en iPhone met de app Opdrachten vind je op de pagina "
                "[Snelkoppeling op je telefoon](support:shortcut).",
            ),
            (
                "werkt-het-zonder-internet",
                "Werkt Mijn HartingBank ook zonder internet?",
                "Nee. Mijn HartingBank haalt je gegevens altijd vers op en bewaart ze niet op je telefoon. "
                "Zonder verbinding zie je een pagina die dat meldt; probeer het opnieuw zodra je weer verbinding hebt.",
            ),
        ],
    },
]


def search_key(*parts):  # as portal.accounts.models.search_key was when this was written
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def readable(answer):  # as portal.support.faq_models.faq_search_text leaves out link targets
    return re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", answer)


def add(apps, schema_editor):
    FaqTopic = apps.get_model("support", "FaqTopic")
    FaqQuestion = apps.get_model("support", "FaqQuestion")
    for position, data in enumerate(TOPICS, start=1):
        topic, created = FaqTopic.objects.get_or_create(
            slug=data["slug"], defaults={"title": data["title"], "intro": data["intro"], "order": position * 10}
        )
        if not created:
            continue
        for number, (slug, question, answer) in enumerate(data["questions"], start=1):
            FaqQuestion.objects.create(
                topic=topic,
                slug=slug,
                question=question,
                answer=answer,
                order=number * 10,
                search_text=search_key(question, readable(answer), topic.title),
            )


def remove(apps, schema_editor):
    FaqTopic = apps.get_model("support", "FaqTopic")
    FaqQuestion = apps.get_model("support", "FaqQuestion")
    slugs = [data["slug"] for data in TOPICS]
    FaqQuestion.objects.filter(topic__slug__in=slugs).delete()
    FaqTopic.objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("support", "0002_contact_and_faq")]

    operations = [migrations.RunPython(add, remove)]

"""Two FAQ answers put right, where staff have not changed them since:

- how to order said the delivery address is chosen at checkout; it is the one HartingBank
  registered for the chosen location (checkout shows it, nobody chooses it);
- how to have personal data changed left out the e-mail address of online customer
  service that the customer's own FAQ gives.

An answer that staff have rewritten is left as they wrote it."""

from importlib import import_module

from django.conf import settings
from django.db import migrations

first_content = import_module("portal.support.migrations.0003_faq_content")

ORDERING_STEP_BEFORE = (
    "3. Kies de locatie, de afdeling en het afleveradres, en vul zo nodig een referentie en een gewenste leverdatum in.\n"
)
ORDERING_STEP_AFTER = (
    "3. Kies de locatie en de afdeling, en vul zo nodig een referentie en een gewenste leverdatum in. "
    "We leveren op het afleveradres dat HartingBank voor die locatie heeft geregistreerd.\n"
)


def email_sentence():
    address = settings.CUSTOMER_SERVICE_EMAIL
    return f" Je kunt ook mailen naar [{address}](mailto:{address})."


def answers():
    """{(topic, question): (answer as first written, answer now)}."""
    written = {(topic["slug"], q[0]): q[2] for topic in first_content.TOPICS for q in topic["questions"]}
    ordering = written[("bestellen", "hoe-bestel-ik")]
    personal = written[("account-en-accountbeheer", "persoonlijke-gegevens-wijzigen")]
    return {
        ("bestellen", "hoe-bestel-ik"): (ordering, ordering.replace(ORDERING_STEP_BEFORE, ORDERING_STEP_AFTER)),
        ("account-en-accountbeheer", "persoonlijke-gegevens-wijzigen"): (personal, personal + email_sentence()),
    }


def _rewrite(apps, forwards):
    FaqQuestion = apps.get_model("support", "FaqQuestion")
    for (topic, slug), (before, after) in answers().items():
        old, new = (before, after) if forwards else (after, before)
        for question in FaqQuestion.objects.filter(topic__slug=topic, slug=slug, answer=old).select_related("topic"):
            question.answer = new
            question.search_text = first_content.search_key(question.question, first_content.readable(new), question.topic.title)
            question.save(update_fields=["answer", "search_text"])


def forwards(apps, schema_editor):
    _rewrite(apps, True)


def backwards(apps, schema_editor):
    _rewrite(apps, False)


class Migration(migrations.Migration):
    dependencies = [("support", "0004_change_request_proposed")]

    operations = [migrations.RunPython(forwards, backwards)]

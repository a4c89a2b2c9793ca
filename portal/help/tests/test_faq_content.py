"""The FAQ as stored and the manual say what the portal does: the delivery address is the
location's registered one (checkout does not let anyone choose it), and personal data is
changed by the administrator, through a change request or by mail to customer service."""

from importlib import import_module

import pytest
from django.urls import reverse

from portal.help.models import FaqQuestion

from .helpers import HelpApps, faq_link_targets_renamed, link_targets_as_support_had_them

fix = import_module("portal.support.migrations.0005_faq_delivery_address_and_email")


def answer(slug):
    return FaqQuestion.objects.get(slug=slug).answer


@pytest.mark.django_db
class TestFaqContent:
    def test_ordering_does_not_ask_to_choose_the_delivery_address(self):
        text = answer("hoe-bestel-ik")
        assert (
            "Kies de locatie en de afdeling" in text
            and "het afleveradres dat HartingBank voor die locatie heeft geregistreerd" in text
        )
        assert "de afdeling en het afleveradres" not in text

    def test_personal_data_names_the_mail_address_of_customer_service(self, client, settings):
        address = settings.CUSTOMER_SERVICE_EMAIL
        assert f"[{address}](mailto:{address})" in answer("persoonlijke-gegevens-wijzigen")
        page = client.get(
            reverse(
                "help:faq_question", kwargs={"topic": "account-en-accountbeheer", "question": "persoonlijke-gegevens-wijzigen"}
            )
        )
        assert f'<a href="mailto:{address}">{address}</a>' in page.content.decode()
        assert FaqQuestion.objects.matching(address.split("@")[0]).filter(slug="persoonlijke-gegevens-wijzigen").exists()

    def test_an_answer_staff_rewrote_is_left_alone_both_ways(self):
        question = FaqQuestion.objects.get(slug="hoe-bestel-ik")
        question.answer = "Eigen tekst van de klantenservice."
        question.save()
        fix.backwards(HelpApps(), None)
        fix.forwards(HelpApps(), None)
        assert answer("hoe-bestel-ik") == "Eigen tekst van de klantenservice."

    def test_backwards_gives_the_first_answers_back(self):
        link_targets_as_support_had_them()  # as 0005 left them
        fix.backwards(HelpApps(), None)
        first = {q[0]: q[2] for topic in fix.first_content.TOPICS for q in topic["questions"]}
        assert answer("hoe-bestel-ik") == first["hoe-bestel-ik"]
        assert answer("persoonlijke-gegevens-wijzigen") == first["persoonlijke-gegevens-wijzigen"]
        fix.forwards(HelpApps(), None)
        faq_link_targets_renamed()
        assert "mailto:" in answer("persoonlijke-gegevens-wijzigen") and "(changes:create)" in answer(
            "persoonlijke-gegevens-wijzigen"
        )


@pytest.mark.django_db
def test_the_manual_says_the_delivery_address_is_the_registered_one(client):
    page = client.get(reverse("help:manual")).content.decode()
    assert "de afdeling en het afleveradres" not in page
    assert "We leveren op het afleveradres dat HartingBank voor die locatie heeft geregistreerd" in page

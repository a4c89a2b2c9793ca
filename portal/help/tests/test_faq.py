"""The FAQ: readable without logging in, only what is published, a search across
topics that ignores case and accents, and answers whose links lead to real pages."""

import pytest
from django.urls import reverse

from portal.help.faq import render_answer
from portal.help.models import FaqQuestion, FaqTopic

FAQ = "/veelgestelde-vragen/"
TOPICS = [
    "Account en accountbeheer",
    "Inloggen en wachtwoord",
    "Bestellen",
    "Serviceaanvragen",
    "Locaties en adressen",
    "Mijn HartingBank op je telefoon",
]


@pytest.fixture
def hidden(db):
    """A topic that is not published, and an unpublished question in a published one."""
    topic = FaqTopic.objects.create(slug="concept", title="Concept", is_published=False)
    FaqQuestion.objects.create(topic=topic, slug="geheim", question="Geheime vraag?", answer="Pinautomaat concept")
    shown = FaqTopic.objects.get(slug="bestellen")
    FaqQuestion.objects.create(
        topic=shown, slug="nog-niet", question="Nog niet klaar?", answer="Pinautomaat concept", is_published=False
    )


@pytest.mark.django_db
class TestContent:
    def test_the_migration_brings_the_topics_of_the_issue(self):
        assert list(FaqTopic.objects.published().values_list("title", flat=True)) == TOPICS
        assert all(topic.questions.exists() for topic in FaqTopic.objects.all())

    def test_every_link_in_every_answer_leads_to_a_page(self, client, admin_user, settings):
        """Answers name pages by their URL name: each must resolve, and open for an
        administrator; the one address to mail is customer service's."""
        client.force_login(admin_user)
        for question in FaqQuestion.objects.all():
            html = str(render_answer(question.answer))
            for target in (part.split('"')[0] for part in html.split('href="')[1:]):
                if target.startswith("mailto:"):
                    assert target == f"mailto:{settings.CUSTOMER_SERVICE_EMAIL}", (question.slug, target)
                    continue
                assert target.startswith("/"), (question.slug, target)
                assert client.get(target).status_code == 200, (question.slug, target)

    def test_the_customers_faq_is_in_it(self):
        answers = " ".join(FaqQuestion.objects.values_list("answer", flat=True))
        for fact in ("onbeperkt", "minimaal 7 tekens", "huidige wachtwoord", "(tijdelijk) deactiveren"):
            assert fact in answers


@pytest.mark.django_db
class TestPages:
    def test_overview_for_a_visitor(self, client, django_assert_num_queries):
        with django_assert_num_queries(2):  # topics, their questions (a visitor has no session)
            response = client.get(FAQ)
        page = response.content.decode()
        assert response.status_code == 200
        for title in TOPICS:
            assert title in page
        assert reverse("help:shortcut") in page and reverse("contact:form") in page

    def test_a_topic_lists_its_questions_with_answers(self, client):
        page = client.get(f"{FAQ}account-en-accountbeheer/").content.decode()
        assert "Hoeveel accounts kan mijn organisatie aanmaken?" in page and "onbeperkt" in page
        assert "overzicht met veelgestelde vragen over andere onderwerpen" in page
        assert "Staat je vraag er niet bij?" in page

    def test_an_answer_page_ends_with_the_way_to_contact(self, client):
        response = client.get(f"{FAQ}inloggen-en-wachtwoord/wachtwoord-wijzigen/")
        page = response.content.decode()
        assert '<a href="/mijn-account/wachtwoord-wijzigen/">Wachtwoord wijzigen</a>' in page
        assert page.index("Staat je vraag er niet bij?") > page.index("minimaal 7 tekens")
        assert f'href="{reverse("contact:form")}"' in page

    def test_a_visitor_gets_the_menu_of_public_pages(self, client):
        page = client.get(FAQ).content.decode()
        for key in ("faq", "manual", "contact", "login"):
            assert f'data-menu="{key}"' in page
        assert 'data-menu="account"' not in page and "Uitloggen" not in page

    def test_logged_in_it_is_the_same(self, client, employee):
        client.force_login(employee)
        assert client.get(FAQ).status_code == 200

    def test_what_is_not_published_is_not_shown(self, client, hidden):
        assert "Concept" not in client.get(FAQ).content.decode()
        assert client.get(f"{FAQ}concept/").status_code == 404
        assert client.get(f"{FAQ}concept/geheim/").status_code == 404
        assert client.get(f"{FAQ}bestellen/nog-niet/").status_code == 404
        assert "Nog niet klaar?" not in client.get(f"{FAQ}bestellen/").content.decode()

    def test_a_question_under_another_topic_is_not_found(self, client):
        assert client.get(f"{FAQ}bestellen/wachtwoord-wijzigen/").status_code == 404

    def test_the_shortcut_page_has_the_three_ways(self, client, settings):
        settings.SITE_URL = "https://klantenportal.harting-bank.nl"
        page = client.get(reverse("help:shortcut")).content.decode()
        for heading in ("Safari", "Android", "Opdrachten"):
            assert heading in page
        assert page.count("klantenportal.harting-bank.nl") == 3

    def test_the_manual_has_a_part_per_role_and_marks_ones_own(self, client, admin_user):
        page = client.get(reverse("help:manual")).content.decode()
        for part in ('id="iedereen"', 'id="medewerker"', 'id="bestellen"', 'id="administrator"'):
            assert part in page
        assert "jouw rol" not in page
        client.force_login(admin_user)
        page = client.get(reverse("help:manual")).content.decode()
        assert page.count("jouw rol") == 1 and page.index("jouw rol") > page.index("#administrator")
        assert 'id="hartingbank"' not in page  # the back office's part is for staff only

    @pytest.mark.parametrize("who", ["staff_user", "account_manager"])
    def test_staff_read_the_back_offices_part(self, client, request, who):
        client.force_login(request.getfixturevalue(who))
        page = client.get(reverse("help:manual")).content.decode()
        assert 'id="hartingbank"' in page and reverse("backoffice:audit") in page


@pytest.mark.django_db
class TestSearch:
    def search(self, client, query):
        response = client.get(f"{FAQ}zoeken/", {"q": query})
        return [q.slug for q in response.context["results"]]

    def test_finds_across_topics_whatever_the_case_and_accents(self, client):
        found = self.search(client, "WACHTWÓORD")
        assert "wachtwoord-wijzigen" in found and "wachtwoord-vergeten" in found
        assert self.search(client, "wachtwoord") == found

    def test_every_word_must_match(self, client):
        assert self.search(client, "wachtwoord vergeten") == ["wachtwoord-vergeten"]

    def test_the_topic_title_counts(self, client):
        assert "storing-melden" in self.search(client, "serviceaanvragen storing")

    def test_accents_in_the_text_are_found_without(self, client):
        topic = FaqTopic.objects.get(slug="bestellen")
        FaqQuestion.objects.create(topic=topic, slug="cafe", question="Levert u aan een café?", answer="Ja, ook aan een café.")
        assert self.search(client, "cafe") == ["cafe"]

    def test_link_targets_are_not_searched(self, client):
        assert self.search(client, "my_account") == []

    def test_not_what_is_hidden(self, client, hidden):
        assert self.search(client, "pinautomaat concept") == []

    def test_an_empty_search_finds_nothing(self, client):
        response = client.get(f"{FAQ}zoeken/", {"q": "  "})
        assert response.status_code == 200 and list(response.context["results"]) == []

    @pytest.mark.parametrize(
        "query, code",
        [("ab\x00cd", "null_characters_not_allowed"), ("ab\x1bcd", "control_character"), ("ab\ncd", "line_break"),
         ("a" * 101, "max_length")],
    )  # fmt: skip
    def test_a_search_that_is_not_one_line_of_text_is_refused(self, client, query, code):
        response = client.get(f"{FAQ}zoeken/", {"q": query})
        assert response.status_code == 200 and list(response.context["results"]) == []
        assert [e.code for e in response.context["form"].errors.as_data()["q"]] == [code]
        assert 'aria-invalid="true"' in response.content.decode()

    def test_a_changed_topic_title_is_searched(self, client):
        topic = FaqTopic.objects.get(slug="bestellen")
        topic.title = "Bestelomgeving en leveringen"
        topic.save()
        assert "wie-mag-bestellen" in self.search(client, "leveringen")


class TestRenderAnswer:
    def test_paragraphs_and_lists(self):
        html = render_answer("Eerst dit.\n1. Een\n2. Twee\n\n- a\n- b")
        assert html == "<p>Eerst dit.</p><ol><li>Een</li><li>Twee</li></ol>\n<ul><li>a</li><li>b</li></ul>"

    def test_everything_is_escaped(self):
        html = render_answer('<script>alert(1)</script> [klik](javascript:alert(1)) [x"](/pad/"onclick=)')
        assert "<script>" not in html and "javascript:" not in html and "onclick" not in html.replace("&quot;onclick", "")
        assert "&lt;script&gt;" in html

    def test_links_to_pages_by_name_and_addresses(self):
        html = render_answer(
            "[Mijn account](accounts:my_account) [FAQ](help:faq_topic topic=bestellen) [site](https://www.harting-bank.nl) [mail](mailto:a@b.nl)"
        )
        assert '<a href="/mijn-account/">Mijn account</a>' in html
        assert '<a href="/veelgestelde-vragen/bestellen/">FAQ</a>' in html
        assert '<a href="https://www.harting-bank.nl">site</a>' in html and '<a href="mailto:a@b.nl">mail</a>' in html

    def test_an_unknown_page_or_address_is_plain_text(self):
        assert render_answer("[weg](bestaat:niet) [ver](//elders.example) [http](http://x.example)") == "<p>weg ver http</p>"

"""{% load i18n %} is Django's library with {% translate %} of a constant text kept per
language (core.templatetags.kept_i18n): it renders what Django's tag renders."""

import pytest
from django.template import Context, Template, engines
from django.templatetags import i18n as django_i18n
from django.test import override_settings
from django.utils import translation

from portal.core.templatetags import kept_i18n

CASES = [  # a template, its context
    '{% load i18n %}{% translate "Bestellingen" %}',
    "{% load i18n %}{% trans 'Uitloggen' %}",
    '{% load i18n %}{% translate "Bestelnummer" as number %}<th>{{ number }}</th><td data-label="{{ number }}">',
    '{% load i18n %}{% translate "Naar de inhoud" noop %}',
    '{% load i18n %}{% translate "Mei" context "maand" %}',
    '{% load i18n %}{% translate "a < b & 100%% zeker" %}',
    '{% load i18n %}{% autoescape off %}{% translate "a < b" %}{% endautoescape %}',
    '{% load i18n %}{% translate "bestellingen"|upper %}',
    "{% load i18n %}{% translate text %}",
    "{% load i18n %}{% blocktranslate count counter=3 %}{{ counter }} bestelling{% plural %}{{ counter }} bestellingen{% endblocktranslate %}",
    "{% load i18n %}{% get_current_language as code %}{{ code }}",
]


def _django_s(source, context):
    """What Django's own translate tag renders for ``source``."""
    template = Template(source, engine=engines["django"].engine)
    for node in template.nodelist.get_nodes_by_type(django_i18n.TranslateNode):
        node.__class__ = django_i18n.TranslateNode
    return template.render(Context(context))


@pytest.mark.parametrize("source", CASES)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_renders_what_django_s_tag_renders(source, language):
    context = {"text": "Bestellingen"}
    with translation.override(language):
        expected = _django_s(source, context)
        template = Template(source, engine=engines["django"].engine)
        assert [template.render(Context(context)) for _ in range(2)] == [expected, expected]


def test_the_library_is_the_one_the_templates_load():
    template = engines["django"].from_string('{% load i18n %}{% translate "Bestellingen" %}').template
    assert [type(node) for node in template.nodelist][-1] is kept_i18n.KeptTranslateNode


def test_a_constant_text_is_translated_once_per_language(monkeypatch):
    template = Template('{% load i18n %}{% translate "Bestellingen" %}', engine=engines["django"].engine)
    node = template.nodelist[-1]
    translated = []
    real = kept_i18n.django_i18n.TranslateNode.render

    def counting(self, context):
        translated.append(translation.get_language())
        return real(self, context)

    monkeypatch.setattr(kept_i18n.django_i18n.TranslateNode, "render", counting)
    rendered = []
    for language in ("nl", "en", "nl", "en", "nl"):
        with translation.override(language):
            rendered.append(template.render(Context()))
    assert rendered == ["Bestellingen", "Orders", "Bestellingen", "Orders", "Bestellingen"]
    assert translated == ["nl", "en"] and node.constant


def test_a_text_from_a_variable_is_translated_every_time():
    template = Template("{% load i18n %}{% translate text %}", engine=engines["django"].engine)
    assert not template.nodelist[-1].constant
    with translation.override("en"):
        assert template.render(Context({"text": "Bestellingen"})) == "Orders"
        assert template.render(Context({"text": "Uitloggen"})) == "Log out"


def test_a_change_of_settings_forgets_what_was_kept():
    template = Template('{% load i18n %}{% translate "Bestellingen" %}', engine=engines["django"].engine)
    with translation.override("en"):
        assert template.render(Context()) == "Orders"
        assert template.nodelist[-1].kept
    with override_settings(LANGUAGES=[("nl", "Nederlands"), ("en", "English")]):
        assert not template.nodelist[-1].kept
        with translation.override("en"):
            assert template.render(Context()) == "Orders"


def test_no_other_library_name_is_taken_twice():
    """Django's check warns of a library name taken by two modules (templates.W003), which
    the settings silence for i18n, taken on purpose: any other is still refused here."""
    warnings = engines["django"]._check_for_template_tags_with_the_same_name()
    assert [(warning.id, warning.msg) for warning in warnings] == [
        (
            "templates.W003",
            "'i18n' is used for multiple template tag modules: 'django.templatetags.i18n', 'portal.core.templatetags.kept_i18n'",
        )
    ]

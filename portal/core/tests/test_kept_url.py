"""The addresses looked up are kept (core.addresses), and the templates' {% url %} keeps
them too (core.templatetags.kept_url) and renders what Django's own tag renders."""

import pytest
from django.template import Context, Template, engines
from django.template.defaulttags import URLNode
from django.test import override_settings
from django.urls import NoReverseMatch, set_script_prefix
from django.urls import reverse as django_reverse
from django.utils import translation

from portal.core import addresses
from portal.core.templatetags import kept_url

CASES = [  # a template, its context
    ("{% url 'home' %}", {}),
    ("{% url 'ordering:order_detail' 5 %}", {}),
    ("{% url 'ordering:order_detail' order.pk %}", {"order": {"pk": 17}}),
    ("{% url 'ordering:order_detail' pk=order.pk %}", {"order": {"pk": 17}}),
    ("{% url name 3 %}", {"name": "ordering:order_detail"}),
    ("{% url 'home' as address %}[{{ address }}]", {}),
    ("{% url 'bestaat-niet' as address %}[{{ address }}]", {}),
    ("{% url 'set_language' %}?next={{ path|urlencode }}", {"path": "/a b/?x=<y>"}),
    ("{% autoescape off %}{% url 'home' %}{% endautoescape %}", {}),
]


def _django_s(source, context):
    """What Django's own url tag renders for ``source``: the same template, parsed without
    the builtin that replaces it."""
    engine = engines["django"].engine
    template = Template(source, engine=engine)
    for node in template.nodelist.get_nodes_by_type(URLNode):
        node.__class__ = URLNode
    return template.render(Context(context))


def test_the_kept_tag_is_the_one_every_template_uses():
    template = engines["django"].from_string("{% url 'home' %}").template
    assert [type(node) for node in template.nodelist] == [kept_url.KeptURLNode]


@pytest.mark.parametrize(("source", "context"), CASES)
def test_it_renders_what_django_s_tag_renders(source, context):
    engine = engines["django"].engine
    for _ in range(2):  # looked up, then kept
        assert Template(source, engine=engine).render(Context(context)) == _django_s(source, context)


def test_an_unknown_name_raises_as_django_s_tag_does_and_is_not_kept():
    engine = engines["django"].engine
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            Template("{% url 'bestaat-niet' %}", engine=engine).render(Context({}))


def test_an_address_is_looked_up_once(monkeypatch):
    addresses._kept.cache_clear()
    looked_up = []
    real = addresses.django_reverse

    def counting(*args, **kwargs):
        looked_up.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(addresses, "django_reverse", counting)
    template = engines["django"].from_string("{% url 'ordering:order_detail' pk %}")
    assert [template.render({"pk": pk}) for pk in (1, 2, 1, 2, 1)] == [
        "/bestellen/bestellingen/1/", "/bestellen/bestellingen/2/", "/bestellen/bestellingen/1/",
        "/bestellen/bestellingen/2/", "/bestellen/bestellingen/1/",
    ]  # fmt: skip
    assert len(looked_up) == 2
    assert addresses.reverse("ordering:order_detail", args=[2]) == "/bestellen/bestellingen/2/"
    assert addresses.reverse("ordering:order_detail", kwargs={"pk": 2}) == "/bestellen/bestellingen/2/"
    assert len(looked_up) == 3  # by name is another lookup than by position


def test_it_keeps_no_more_than_its_limit():
    addresses._kept.cache_clear()
    template = engines["django"].from_string("{% url 'ordering:order_detail' pk %}")
    for pk in range(addresses.ADDRESSES + 10):
        template.render({"pk": pk})
    assert addresses._kept.cache_info().currsize == addresses.ADDRESSES


def test_equal_arguments_of_another_type_are_another_lookup():
    """1, 1.0 and True are equal keys in Python, but not to the URL's pattern: the kept
    address of 1 is not given for True, which has none."""
    addresses._kept.cache_clear()
    for argument in (1, 1.0, True, "1", 1.0, True, 1):
        try:
            expected = django_reverse("ordering:order_detail", args=[argument])
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                addresses.reverse("ordering:order_detail", args=[argument])
        else:
            assert addresses.reverse("ordering:order_detail", args=[argument]) == expected


def test_an_argument_that_cannot_be_a_key_is_looked_up_as_django_does():
    class Unhashable(str):
        __hash__ = None

    template = engines["django"].from_string("{% url 'ordering:order_detail' pk %}")
    assert template.render({"pk": Unhashable("8")}) == "/bestellen/bestellingen/8/"


def test_the_site_prefix_and_the_url_configuration_are_followed():
    template = engines["django"].from_string("{% url 'home' %}")
    assert template.render({}) == "/"
    set_script_prefix("/portaal/")
    try:
        assert template.render({}) == "/portaal/"
    finally:
        set_script_prefix("/")
    assert template.render({}) == "/"
    with override_settings(ROOT_URLCONF="portal.core.tests.urls_other"):
        assert template.render({}) == "/elders/"
    assert template.render({}) == "/"


def test_the_address_is_the_same_in_each_language():
    template = engines["django"].from_string("{% url 'ordering:orders' %}")
    for language in ("nl", "en"):
        with translation.override(language):
            assert template.render({}) == "/bestellen/bestellingen/"

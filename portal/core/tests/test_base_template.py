"""The page frame renders the main menu once and shows it twice (the phone's menu and the
wide screen's): rendering it twice cost about a quarter of a millisecond per page."""

from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.signals import template_rendered

MENU = [
    {"key": "account", "url": "/mijn-account/", "label": "Mijn account", "current": True},
    {"key": "contact", "url": "/contact/", "label": "Contact & <hulp>", "current": False},
]


def test_the_menu_is_rendered_once_and_shown_twice():
    rendered = []

    def note(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(note)
    try:
        html = render_to_string("base.html", {"menu": MENU}, request=RequestFactory().get("/mijn-account/"))
    finally:
        template_rendered.disconnect(note)
    assert rendered.count("core/_menu.html") == 1
    assert html.count('data-menu="account" aria-current="page"') == 2
    assert html.count("Contact &amp; &lt;hulp&gt;") == 2  # escaped as in place, not twice


def test_no_menu_no_navigation():
    html = render_to_string("base.html", {"menu": []}, request=RequestFactory().get("/"))
    assert 'class="mainnav"' not in html


def test_capture_keeps_what_it_renders_for_later():
    template = Template("{% load capture %}{% capture as x %}<b>{{ v }}</b>{% endcapture %}[{{ x }}][{{ x }}]")
    assert template.render(Context({"v": "<i>"})) == "[<b>&lt;i&gt;</b>][<b>&lt;i&gt;</b>]"

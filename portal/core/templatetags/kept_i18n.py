"""Django's ``i18n`` template library, with ``{% translate "..." %}`` of a constant text
kept in each language once translated.

The templates load it as ``{% load i18n %}`` (``TEMPLATES``' ``libraries``, settings):
every other tag and filter is Django's own. A page has 7 to 35 constant texts to
translate, and Django's tag took about 6 µs for each: it makes a lazy translation, asks
the catalogue, escapes and restores the percent signs on every render. The result of a
constant text depends only on the language and on whether the template escapes, so
each tag keeps it per (language, escaping); a change of settings (the tests change
languages and catalogues) forgets them all. A text from a variable, with a filter or
with a context that is not constant is translated as Django does, every time.
"""

from weakref import WeakSet

from django import template
from django.core.signals import setting_changed
from django.template.base import Variable
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

_kept_nodes = WeakSet()  # the tags that keep something, to forget it when a setting changes


def _forget(**kwargs):
    for node in list(_kept_nodes):
        node.kept.clear()


setting_changed.connect(_forget, weak=False)


class KeptTranslateNode(django_i18n.TranslateNode):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        expression = self.filter_expression
        self.constant = (
            isinstance(expression.var, Variable)
            and expression.var.literal is not None
            and isinstance(expression.var.literal, str)
            and not expression.filters
            and (self.message_context is None or (isinstance(self.message_context.var, str) and not self.message_context.filters))
        )
        self.kept = {}
        if self.constant:
            _kept_nodes.add(self)

    def render(self, context):
        if not self.constant:
            return super().render(context)
        key = (get_language(), context.autoescape)
        try:
            value = self.kept[key]
        except KeyError:
            value = self.kept[key] = self._translated(context)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _translated(self, context):
        """What Django's tag renders (``TranslateNode.render``), or with ``as``, sets.
        The node is shared by every thread that renders its template: nothing of it
        is changed to get the value."""
        rendered = super().render(context)
        return context[self.asvar] if self.asvar else rendered


def _kept_translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


register.tag("translate", _kept_translate)
register.tag("trans", _kept_translate)

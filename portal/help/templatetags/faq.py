from django import template

from portal.help.faq import render_answer

register = template.Library()


@register.filter
def answer(text):
    """An FAQ answer's text with its light markup as safe HTML (see portal.help.faq)."""
    return render_answer(text)

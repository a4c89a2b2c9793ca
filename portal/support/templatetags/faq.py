from django import template

from portal.support.faq import render_answer

register = template.Library()


@register.filter
def answer(text):
    """An FAQ answer's text with its light markup as safe HTML (see portal.support.faq)."""
    return render_answer(text)

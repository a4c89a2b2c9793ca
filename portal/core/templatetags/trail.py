from django import template

from portal.core.audit import person_shown

register = template.Library()


@register.filter
def person(user):
    """A person in the audit trail: their name, or an erased account by its role."""
    return person_shown(user)

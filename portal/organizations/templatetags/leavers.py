"""The notice in Accountbeheer of accounts that left and leave work to hand over."""

from django import template

from ..permissions import can_manage_accounts
from ..services.leavers import recent_leavers

register = template.Library()

NOTICE_MAX = 5


@register.inclusion_tag("organizations/_leavers_notice.html", takes_context=True)
def leavers_notice(context):
    user = context["request"].user
    if not can_manage_accounts(user):
        return {"leavers": []}
    return {"leavers": list(recent_leavers(user)[:NOTICE_MAX])}


@register.filter
def manages_accounts(user):
    """Whether ``user`` is an active administrator (Accountbeheer's pages for leavers are theirs only)."""
    return can_manage_accounts(user)

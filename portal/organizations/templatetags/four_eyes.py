"""The notice on an account's page of a change that waits for a second administrator."""

from django import template

from ..models import PendingAccountChange
from ..permissions import can_manage_accounts
from ..services.four_eyes import described

register = template.Library()


@register.inclusion_tag("organizations/_four_eyes_notice.html", takes_context=True)
def four_eyes_notice(context, account):
    """The change of ``account`` waiting, if the user may see it (an administrator, or the
    location manager who asked for it); approving or refusing is for another administrator."""
    request = context["request"]
    change = (
        PendingAccountChange.objects.visible_to(request.user)
        .filter(membership=account, status=PendingAccountChange.Status.PENDING)
        .select_related("membership__user", "requested_by")
        .first()
    )
    if change is None:
        return {"change": None}
    return {
        "change": change,
        "lines": described(change),
        "can_decide": can_manage_accounts(request.user) and change.requested_by_id != request.user.pk,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }

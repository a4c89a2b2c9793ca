from django.views.decorators.http import require_safe

from ..inboxes import INBOXES
from ..permissions import is_staff_member, staff_required
from .common import render_tab


@staff_required(is_staff_member)
@require_safe
def home(request):
    """Where staff land after login: their tabs, and the open requests per inbox."""
    inboxes = []
    for inbox in INBOXES.values():
        if inbox.allowed(request.user):
            counts = inbox.counts()
            inboxes.append({"inbox": inbox, "open": sum(counts.get(s, 0) for s in inbox.open_statuses)})
    return render_tab(request, "backoffice/home.html", "", {"inboxes": inboxes, "inbox_keys": list(INBOXES)})

"""The audit trail of every organization, for staff: filtered by organization, account,
actor and period, newest first, in pages of 50 by keyset on the id (as fast on the
thousandth page as on the first). Events read in words as on the customer's activity
page (``portal.core.audit.describe_events``), an erased person's values as "(gewist)"."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.accounts import search
from portal.accounts.models import search_key
from portal.core.audit import describe_events
from portal.core.fields import id_from
from portal.core.models import AuditEvent
from portal.organizations import activity
from portal.organizations.models import Organization

from ..forms import AuditFilterForm
from ..permissions import can_view_audit, staff_required
from .common import render_tab

User = get_user_model()
# A search for an organization or a person that matches more than this is too vague.
MATCHES = 500


class TooVague(Exception):
    def __init__(self, field):
        self.field = field
        super().__init__(field)


def _ids(field, queryset):
    """The ids themselves, not a subquery: the database then plans the page with what it
    knows of each id (a staff member who acted a hundred thousand times is read newest
    first along the id, a rare one through the index on the person)."""
    ids = list(queryset.values_list("pk", flat=True)[: MATCHES + 1])
    if len(ids) > MATCHES:
        raise TooVague(field)
    return ids


def _users_matching(field, text):
    return _ids(field, search.containing(User.objects.all(), [search_key(text)]))


def events(filters):
    """The events that match ``filters``; ``TooVague`` names a search that matches too many."""
    queryset = AuditEvent.objects.all()
    if filters.get("organization"):
        text = filters["organization"]
        organizations = Organization.objects.filter(Q(name__icontains=text) | Q(customer_number__iexact=text))
        queryset = queryset.filter(organization__in=_ids("organization", organizations))
    if filters.get("account"):
        queryset = queryset.filter(target_user__in=_users_matching("account", filters["account"]))
    if filters.get("actor"):
        queryset = queryset.filter(actor__in=_users_matching("actor", filters["actor"]))
    queryset = activity.filtered(queryset, since=filters.get("since"), until=filters.get("until"))
    return queryset.select_related("actor__membership", "target_user__membership", "organization")


@staff_required(can_view_audit)
@require_safe
def audit(request):
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        rows, next_before = activity.page(events(filters), id_from(request.GET.get("voor")))
    except TooVague as vague:
        form.add_error(vague.field, forms.ValidationError(_("Dit past op te veel; maak het preciezer."), code="too_vague"))
        rows, next_before = [], None
    query = request.GET.copy()
    query.pop("voor", None)
    return render_tab(
        request,
        "backoffice/audit.html",
        "audit",
        {
            "form": form,
            "rows": describe_events(rows),
            "next_before": next_before,
            "query": query.urlencode(),
        },
    )

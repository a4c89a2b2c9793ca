"""The audit trail of every organization, for staff: filtered by organization, account,
actor and period, newest first, in pages of 50 by keyset on the id (as fast on the
thousandth page as on the first). Events read in words as on the customer's activity
page (``portal.core.audit.describe_changes``)."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.views.decorators.http import require_safe

from portal.accounts.models import search_key
from portal.core.audit import describe_changes
from portal.core.models import AuditEvent
from portal.organizations import activity
from portal.organizations.models import Organization

from ..forms import AuditFilterForm
from ..permissions import can_view_audit, staff_required
from .common import render_tab

User = get_user_model()
# A search for a person that matches more accounts than this is too vague to be useful.
MATCHES = 500


def _users_matching(text):
    """The ids themselves, not a subquery: the database then plans with what it knows
    of each id (a staff member who acted a hundred thousand times is read newest
    first along the id, a rare one through the index on the person)."""
    return list(User.objects.filter(search_text__contains=search_key(text)).values_list("pk", flat=True)[:MATCHES])


def events(filters):
    queryset = AuditEvent.objects.all()
    if filters.get("organization"):
        text = filters["organization"]
        organizations = Organization.objects.filter(Q(name__icontains=text) | Q(customer_number__iexact=text))
        queryset = queryset.filter(organization__in=list(organizations.values_list("pk", flat=True)[:MATCHES]))
    if filters.get("account"):
        queryset = queryset.filter(target_user__in=_users_matching(filters["account"]))
    if filters.get("actor"):
        queryset = queryset.filter(actor__in=_users_matching(filters["actor"]))
    queryset = activity.filtered(queryset, since=filters.get("since"), until=filters.get("until"))
    return queryset.select_related("actor", "target_user", "organization")


@staff_required(can_view_audit)
@require_safe
def audit(request):
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    before = request.GET.get("voor", "")
    rows, next_before = activity.page(events(filters), int(before) if before.isdigit() else None)
    query = request.GET.copy()
    query.pop("voor", None)
    return render_tab(
        request,
        "backoffice/audit.html",
        "audit",
        {
            "form": form,
            "rows": [(event, describe_changes(event.changes)) for event in rows],
            "next_before": next_before,
            "query": query.urlencode(),
        },
    )

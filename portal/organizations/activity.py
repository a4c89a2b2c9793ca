"""The activity page of Accountbeheer: the organization's audit trail."""

from datetime import datetime, time

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.fields import DateField, LineField
from portal.core.models import AuditEvent

PAGE_SIZE = 50


class ActivityFilterForm(forms.Form):
    account = LineField(label=_("Account (naam of e-mailadres)"), required=False, max_length=100)
    since = DateField(label=_("Vanaf"), required=False)
    until = DateField(label=_("Tot en met"), required=False)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", forms.ValidationError(_("Deze datum ligt voor de begindatum."), code="period_reversed"))
        return cleaned


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(queryset, *, account="", since=None, until=None, account_id=None):
    if account_id:
        queryset = queryset.filter(target_user__membership__pk=account_id)
    if account:
        queryset = queryset.filter(
            Q(target_user__full_name__icontains=account) | Q(target_user__email__icontains=account.lower())
        )
    if since:
        queryset = queryset.filter(occurred_at__gte=_day_start(since))
    if until:
        queryset = queryset.filter(occurred_at__lt=_day_start(until + timezone.timedelta(days=1)))
    return queryset


def events(user, **filters):
    # With their memberships: an erased account is shown by the role it had.
    return filtered(AuditEvent.objects.visible_to(user), **filters).select_related("actor__membership", "target_user__membership")


def page(queryset, before_id=None):
    """Newest first, by id (ids grow with time); keyset on the id."""
    if before_id:
        queryset = queryset.filter(pk__lt=before_id)
    rows = list(queryset.order_by("-pk")[: PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], (rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None)

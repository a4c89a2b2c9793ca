"""Accountbeheer → Toegangscontrole. Only an active administrator, or a location manager
for the accounts they manage, reaches these pages (``permissions.can_review``); a review of another organization is a 404, and the
accounts of a review come only through ``permissions.items_reviewable_by``."""

from itertools import chain

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from portal.core.audit import describe_changes
from portal.core.csv import csv_response
from portal.core.paging import page_of
from portal.core.scoping import allowed_or_404, get_visible_or_404, membership_of
from portal.core.streaming import in_language
from portal.organizations.models import Membership
from portal.organizations.permissions import can_manage_accounts

from . import services
from .evidence import evidence, printed_rows
from .models import AccessReview, Outcome, ReviewSchedule
from .permissions import can_review, can_run_reviews, items_reviewable_by
from .snapshot import differences, shown, shown_texts, snapshot_of, with_locations

review_required = allowed_or_404(can_review)
# Starting, finishing and the quarterly setting: the administrators' (a location manager
# reviews only the accounts they manage).
administrator_required = allowed_or_404(can_manage_accounts)

FILTERS = {"open": Outcome.OPEN, "klopt": Outcome.CONFIRMED, "gewijzigd": Outcome.CHANGED}
ITEMS_PAGE = 50


class ScheduleForm(forms.Form):
    quarterly = forms.BooleanField(
        label=gettext_lazy("Elk kwartaal een toegangscontrole starten"),
        required=False,
        help_text=gettext_lazy(
            "Op de eerste dag van elk kwartaal start Mijn HartingBank een toegangscontrole en krijgen de "
            "administrators een mail. Loopt er dan nog een, dan start de nieuwe zodra die is afgerond."
        ),
    )


def _review(request, pk):
    return get_visible_or_404(
        AccessReview.objects.select_related("organization", "started_by", "finished_by"), request.user, pk=pk
    )


def _with_progress(queryset):
    return queryset.annotate(total=Count("items"), done=Count("items", filter=~Q(items__outcome=Outcome.OPEN)))


# --- the list ---------------------------------------------------------------------------------


@require_safe
@review_required
def review_list(request):
    organization = membership_of(request.user).organization
    reviews = _with_progress(AccessReview.objects.visible_to(request.user)).select_related("started_by", "finished_by")
    open_review = reviews.open().first()
    page, query = page_of(request, reviews.finished().order_by("-finished_at", "-pk"))
    schedule = ReviewSchedule.objects.filter(organization=organization).first()
    since = schedule.quarterly_since if schedule else None
    return render(
        request,
        "reviews/review_list.html",
        {
            "open_review": open_review,
            "page": page,
            "query": query,
            "form": ScheduleForm(initial={"quarterly": since is not None}),
            "next_start": services.next_quarter_start(max(since, timezone.localdate())) if since else None,
            "may_run": can_run_reviews(request.user, organization),
        },
    )


@require_POST
@administrator_required
def review_start(request):
    try:
        review = services.review_start(actor=request.user, organization=membership_of(request.user).organization, request=request)
    except services.ReviewRuleError as error:
        messages.error(request, error.message)
        return redirect("reviews:list")
    messages.success(
        request,
        _("Toegangscontrole %(reference)s is gestart met %(count)s accounts.")
        % {"reference": review.reference, "count": review.items.count()},
    )
    return redirect("reviews:detail", pk=review.pk)


@require_POST
@administrator_required
def review_schedule(request):
    form = ScheduleForm(request.POST)
    form.is_valid()  # a box is either ticked or not
    quarterly = form.cleaned_data.get("quarterly", False)
    changed = services.review_schedule_set(
        actor=request.user, organization=membership_of(request.user).organization, quarterly=quarterly, request=request
    )
    if not changed:
        messages.info(request, _("Er was niets gewijzigd."))
    elif quarterly:
        messages.success(request, _("Vanaf nu start elk kwartaal een toegangscontrole."))
    else:
        messages.success(request, _("Er start niet langer elk kwartaal een toegangscontrole."))
    return redirect("reviews:list")


# --- one review -------------------------------------------------------------------------------


def _filter_of(request):
    value = request.GET.get("filter", "")
    return value if value in FILTERS else ""


def _rows(items, here):
    """Per item: the snapshot as read, what was recorded, and for an open review how the
    account differs from the snapshot now (read in two queries for the page); ``back``:
    this page at the item's row, where Accountbeheer's change returns (``?terug=``)."""
    items = list(items)
    memberships = {m.pk: m for m in with_locations(_memberships(items))}
    texts = shown_texts()
    rows = []
    for item in items:
        membership = memberships[item.membership_id]
        now = differences(item.snapshot, snapshot_of(membership))
        pending = now if now and now != item.changes else {}
        rows.append(
            {
                "item": item,
                "account": membership,
                "shown": shown(item.snapshot, texts),
                "recorded": describe_changes(item.changes),
                "pending": describe_changes(pending),
                "can_confirm": item.outcome == Outcome.OPEN and not now,
                "can_record": bool(pending),
                "back": f"{here}#account-{item.pk}",
            }
        )
    return rows


def _memberships(items):
    return Membership.objects.filter(pk__in=[item.membership_id for item in items]).select_related("user")


def _items(request, review):
    return (
        items_reviewable_by(request.user, review)
        .select_related("decided_by")
        .order_by("membership__user__full_name", "membership__user__email", "pk")
    )


@require_safe
@review_required
def review_detail(request, pk):
    review = _review(request, pk)
    items = _items(request, review)
    counts = dict(items.order_by().values_list("outcome").annotate(n=Count("pk")))
    chosen = _filter_of(request)
    page, query = page_of(request, items.filter(outcome=FILTERS[chosen]) if chosen else items, size=ITEMS_PAGE)
    total = sum(counts.values())
    tabs = [("", _("Alle"), total)] + [(key, outcome.label, counts.get(outcome, 0)) for key, outcome in FILTERS.items()]
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "rows": _rows(page.object_list, request.get_full_path()),
            "page": page,
            "query": query,
            "tabs": tabs,
            "chosen": chosen,
            "total": total,
            "done": total - counts.get(Outcome.OPEN, 0),
            "still_open": counts.get(Outcome.OPEN, 0),
            "may_run": can_run_reviews(request.user, review.organization),
        },
    )


def _back(request, review, item_pk=None):
    """To the review's page as it was (filter and page kept), at the item's row."""
    query = QueryDict(mutable=True)
    if (chosen := request.POST.get("filter", "")) in FILTERS and chosen:
        query["filter"] = chosen
    if (number := request.POST.get("pagina", "")).isdigit() and number != "1":
        query["pagina"] = number
    url = reverse("reviews:detail", args=[review.pk]) + (f"?{query.urlencode()}" if query else "")
    return redirect(url + (f"#account-{item_pk}" if item_pk else ""))


def _item_action(request, pk, item_pk, service, success):
    review = _review(request, pk)
    item = items_reviewable_by(request.user, review).select_related("membership__user", "review").filter(pk=item_pk).first()
    if item is None:
        raise Http404
    try:
        service(actor=request.user, item=item, request=request)
    except services.ReviewRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"name": item.membership.user})
    return _back(request, review, item.pk)


@require_POST
@review_required
def item_confirm(request, pk, item_pk):
    return _item_action(request, pk, item_pk, services.review_item_confirm, _("Vastgelegd: het account van %(name)s klopt."))


@require_POST
@review_required
def item_record_change(request, pk, item_pk):
    return _item_action(
        request, pk, item_pk, services.review_item_record_change, _("Vastgelegd: het account van %(name)s is gewijzigd.")
    )


@require_POST
@administrator_required
def review_finish(request, pk):
    review = _review(request, pk)
    try:
        services.review_finish(actor=request.user, review=review, request=request)
    except services.ReviewRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Toegangscontrole %(reference)s is afgerond en bewaard.") % {"reference": review.reference})
    return redirect("reviews:detail", pk=review.pk)


# --- the evidence -----------------------------------------------------------------------------


def _not_finished(request, review):
    messages.error(request, _("Exporteren en afdrukken kan zodra de toegangscontrole is afgerond."))
    return redirect("reviews:detail", pk=review.pk)


# Where the printable page's rows go (a comment: escaped text cannot hold one).
PRINT_ROWS = mark_safe("<!-- the rows -->")

CSV_HEADER = [
    gettext_lazy("Naam"), gettext_lazy("E-mailadres"), gettext_lazy("Rol"), gettext_lazy("Status"),
    gettext_lazy("Mag zaken regelen op de portal"), gettext_lazy("Mag bestellen"), gettext_lazy("Bestellimiet (excl. btw)"),
    gettext_lazy("Locaties"), gettext_lazy("Locatiebeheerder van"), gettext_lazy("Keurt bestellingen goed van"),
    gettext_lazy("Uitkomst"), gettext_lazy("Wijzigingen"), gettext_lazy("Door"),
    gettext_lazy("Op"),
]  # fmt: skip


@require_safe
@review_required
def review_export(request, pk):
    review = _review(request, pk)
    if review.is_open:
        return _not_finished(request, review)

    def lines():
        for row in evidence(_items(request, review)):
            values = row.shown
            yield [
                row.name, row.email, values["role"], values["status"], values["may_use_portal"], values["may_order"],
                values["order_limit"], values["locations"], values["managed_locations"], values["approved_locations"],
                row.outcome, "; ".join(f"{label}: {old} → {new}" for label, old, new in row.changes), row.decided_by,
                timezone.localtime(row.decided_at).isoformat(timespec="minutes") if row.decided_at else "",
            ]  # fmt: skip

    return csv_response(f"toegangscontrole-{review.reference}.csv", [str(h) for h in CSV_HEADER], lines())


@require_safe
@review_required
def review_print(request, pk):
    """The evidence as a page to print, sent as it is made: the page around the rows, then
    the rows as they are read (``evidence``)."""
    review = _review(request, pk)
    if review.is_open:
        return _not_finished(request, review)
    items = _items(request, review)
    context = {"review": review, "count": items.count(), "rows": PRINT_ROWS}
    before, after = render_to_string("reviews/review_print.html", context, request).split(PRINT_ROWS)
    parts = chain([before], printed_rows(evidence(items)), [after])
    return StreamingHttpResponse(in_language(parts), content_type="text/html; charset=utf-8")

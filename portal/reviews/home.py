"""What the access reviews put on an administrator's home page: the open review and how
far it is (it waits for them)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from portal.core.addresses import reverse
from portal.core.home import HomeItem, HomePanel
from portal.core.prepared import PreparedQuery
from portal.core.scoping import membership_of

from .models import AccessReview, Outcome
from .permissions import can_run_reviews


def _open_review(user):
    return (
        AccessReview.objects.open()
        .filter(organization_id=membership_of(user).organization_id)
        .annotate(total=Count("items"), done=Count("items", filter=~Q(items__outcome=Outcome.OPEN)))
        .order_by("pk")[:1]
    )


_open_review_of = PreparedQuery(_open_review)


def open_review_panel(user, membership):
    if not can_run_reviews(user, membership.organization):
        return None
    review = next(iter(_open_review_of.rows(user)), None)
    if review is None:
        return None
    url = reverse("reviews:detail", args=[review.pk])
    return HomePanel(
        key="access_review",
        title=_("Toegangscontrole loopt"),
        items=[
            HomeItem(
                label=_("%(done)s van %(total)s accounts gecontroleerd") % {"done": review.done, "total": review.total},
                url=url,
                status=review.reference,
                attention=True,
            )
        ],
        more_url=url,
        more_label=_("Verder met de toegangscontrole"),
        attention=True,
    )

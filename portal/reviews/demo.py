"""A demo access review: Bakkerij Van Dijk's administrator reviewed every account and
finished, so the list of finished reviews, the CSV and the printable page show something.
Made through the services (audit trail and all); a second run creates nothing."""

from portal.organizations.models import Role, Status

from . import services
from .models import AccessReview

CUSTOMER_NUMBER = "HB-100231"  # Bakkerij Van Dijk B.V.


def load(counter, orgs, staff):
    for org in orgs:
        organization = org["organization"]
        if organization.customer_number != CUSTOMER_NUMBER or AccessReview.objects.filter(organization=organization).exists():
            continue
        administrator = next(
            user
            for user in org["users"].values()
            if user.membership.role == Role.ADMINISTRATOR and user.membership.status == Status.ACTIVE
        )
        review = services.review_start(actor=administrator, organization=organization)
        for item in review.items.all():
            services.review_item_confirm(actor=administrator, item=item)
        services.review_finish(actor=administrator, review=review)
        counter.created += 1

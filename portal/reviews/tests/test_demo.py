import pytest
from django.core.management import call_command

from portal.reviews.models import AccessReview, Outcome


@pytest.mark.django_db
def test_the_demo_has_one_finished_review_of_van_dijk(settings):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")  # a second run adds none
    review = AccessReview.objects.get()
    assert review.organization.name == "Bakkerij Van Dijk B.V." and not review.is_open
    assert review.items.count() >= 5 and not review.items.exclude(outcome=Outcome.CONFIRMED).exists()

"""The home page's panels registry and what the panels share."""

from django.utils import translation

from portal.core.home import label_of
from portal.ordering.models import Order, OrderStatus


def test_a_choice_s_label_is_the_one_get_display_gives_in_each_language():
    for language in ("nl", "en"):
        with translation.override(language):
            for value in (*OrderStatus.values, "iets-anders"):
                assert label_of(OrderStatus, value) == Order(status=value).get_status_display()
    assert label_of(OrderStatus, "iets-anders") == "iets-anders"  # a value outside the choices is shown as it is

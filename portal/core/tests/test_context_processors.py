"""What every page gets: the addresses of customer service, to mail and to call."""

import pytest

from portal.core.context_processors import phone_link


def test_a_number_as_people_write_it_becomes_a_tel_link():
    assert phone_link("030 123 45 67") == "tel:0301234567"
    assert phone_link("+31 (0)30-123 45 67") == "tel:+310301234567"


@pytest.mark.django_db
def test_the_number_to_call_is_at_the_foot_of_every_page(client, settings):
    settings.CUSTOMER_SERVICE_PHONE = "020 765 43 21"
    footer = client.get("/inloggen/").content.decode().split('<footer class="footer">')[1]
    assert '<a href="tel:0207654321" class="nowrap">020 765 43 21</a>' in footer
    assert f'href="mailto:{settings.CUSTOMER_SERVICE_EMAIL}"' in footer

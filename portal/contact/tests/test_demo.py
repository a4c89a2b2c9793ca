import pytest

from portal.site import demo as site_demo


@pytest.mark.django_db
def test_demo_contact_messages_from_visitors_and_accounts_load_once():
    from portal.contact.models import ContactMessage, ContactReply, ContactStatus

    site_demo.load()
    assert ContactMessage.objects.filter(created_by__isnull=True).exists()
    assert ContactMessage.objects.filter(created_by__isnull=False, organization__isnull=False).exists()
    assert set(ContactMessage.objects.values_list("status", flat=True)) == set(ContactStatus.values)
    assert ContactReply.objects.filter(from_staff=True).exists()
    before = (ContactMessage.objects.count(), ContactReply.objects.count())
    assert site_demo.load() == 0
    assert (ContactMessage.objects.count(), ContactReply.objects.count()) == before

import pytest
from django.utils import translation

from portal.core.audit import audit_record, describe_changes
from portal.core.models import AuditEvent


@pytest.mark.django_db
class TestAuditTrail:
    def test_records_the_organization_of_the_account(self, employee, organization):
        event = AuditEvent.objects.get(pk=audit_record("login", actor=employee, target=employee))
        assert event.organization == organization and event.actor == event.target_user == employee

    def test_is_append_only(self, employee):
        event = AuditEvent.objects.get(pk=audit_record("login", actor=employee, target=employee))
        event.action = "logout"
        with pytest.raises(TypeError):
            event.save()
        with pytest.raises(TypeError):
            event.delete()
        with pytest.raises(TypeError):
            AuditEvent.objects.all().delete()
        with pytest.raises(TypeError):
            AuditEvent.objects.update(action="logout")
        assert AuditEvent.objects.get().action == "login"

    def test_unknown_actions_are_refused(self, employee):
        with pytest.raises(ValueError):
            audit_record("something_else", target=employee)


class TestChangesInWords:
    def test_amounts_read_as_every_other_amount_in_the_portal(self):
        lines = describe_changes({"order_limit": ["100.00", None], "total_excl_vat": "329.00"}, value_labels={})
        assert lines == [
            ("Bestellimiet (excl. btw)", "€\u00a0100,00", "—"),
            ("Totaal excl. btw", None, "€\u00a0329,00"),
        ]

    def test_amounts_in_english(self):
        with translation.override("en"):
            [(_label, old, new)] = describe_changes({"order_limit": [None, "1234.5"]}, value_labels={})
        assert (old, new) == ("—", "€\u00a01,234.50")

    def test_a_value_that_is_no_amount_is_shown_as_stored(self):
        assert describe_changes({"order_limit": [None, "geen"]}, value_labels={}) == [("Bestellimiet (excl. btw)", "—", "geen")]

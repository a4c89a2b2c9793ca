import pytest

from portal.core.audit import audit_record
from portal.core.models import AuditEvent


@pytest.mark.django_db
class TestAuditTrail:
    def test_records_the_organization_of_the_account(self, employee, organization):
        event = audit_record("login", actor=employee, target=employee)
        assert event.organization == organization

    def test_is_append_only(self, employee):
        event = audit_record("login", actor=employee, target=employee)
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

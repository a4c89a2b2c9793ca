"""One rule per action on a change request, asked alike by the page (does the button
show?) and by the service (which refuses what the rule refuses)."""

import pytest
from django.urls import reverse

from portal.changes import permissions, services
from portal.changes.models import Status


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.NEW, Status.IN_PROGRESS])
@pytest.mark.parametrize("who", ["requester", "administrator"])
def test_withdrawing_page_and_service_ask_the_same_rule(client, file_request, employee, admin_user, staff_user, status, who):
    change_request = file_request(employee)
    if status != Status.NEW:
        services.change_request_status_set(actor=staff_user, change_request=change_request, status=status)
    user = employee if who == "requester" else admin_user
    allowed = permissions.can_withdraw(user, change_request)
    assert allowed == (who == "requester" and status == Status.NEW)
    client.force_login(user)
    assert client.get(reverse("changes:detail", args=[change_request.pk])).context["may_withdraw"] == allowed
    if allowed:
        services.change_request_withdraw(actor=user, change_request=change_request)
    else:
        with pytest.raises(services.ChangeRequestError):
            services.change_request_withdraw(actor=user, change_request=change_request)


@pytest.mark.django_db
def test_applying_personal_data_page_and_service_ask_the_same_rule(client, file_request, employee, admin_user):
    change_request = file_request(employee, description="", proposed={"phone": "06 87654321"})
    for user, allowed in ((employee, False), (admin_user, True)):
        assert permissions.can_apply_personal_data(user, change_request) is allowed
        client.force_login(user)
        assert client.get(reverse("changes:detail", args=[change_request.pk])).context["may_apply"] is allowed
    with pytest.raises(services.ChangeRequestError) as refused:
        services.change_request_personal_data_apply(actor=employee, change_request=change_request)
    assert refused.value.code == "not_allowed_to_apply"

"""scim2-tester's checks against /scim/v2/: discovery, then creating, reading,
replacing, patching and deleting Users as the tester fills them in.

Where a check asks for what the portal's rules refuse, its failure is expected, and
named here with the rule; any other failure fails the test. The tester runs twice: with
the organization's default (a User created is an invitation) and with *Accounts uit SCIM
meteen actief* on (a User created is an active account), where replacing a User and
setting its ``active`` must succeed.
"""

import random

import pytest
from django.conf import settings as django_settings
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server

from portal.api import keys


@pytest.fixture
def connection_kept():
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


# (check, the start of its reason): why the portal answers otherwise.
# An invitation not yet accepted cannot be deactivated (Accountbeheer's rule); the tester
# sets a random active on a User it just created. Expected only where a User created is
# an invitation.
NOT_ACTIVE = {
    ("object_replacement", "not_active: an invitation"),
    ("check_add_attribute", "Failed to add attribute 'active': not_active"),
    ("check_replace_attribute", "Failed to replace attribute 'active': not_active"),
}
EXPECTED = {
    # An account always has a name and a status: neither can be removed.
    ("check_remove_attribute", "PATCH modify() did not remove attribute 'name'"),
    ("check_remove_attribute", "PATCH modify() did not remove attribute 'active'"),
    # An account has one address and one telephone number: of several sent, the primary
    # (or first) is kept, as a work address.
    ("check_add_attribute", "PATCH modify() returned unexpected value for 'emails'"),
    ("check_add_attribute", "PATCH modify() returned unexpected value for 'phoneNumbers'"),
    ("check_replace_attribute", "PATCH modify() returned unexpected value for 'emails'"),
    ("check_replace_attribute", "PATCH modify() returned unexpected value for 'phoneNumbers'"),
}
MUST_SUCCEED = {"service_provider_config_endpoint", "query_all_resource_types", "query_all_schemas", "object_creation",
                "object_query", "object_query_without_id", "object_query_with_attributes", "object_list_with_attributes",
                "search_with_attributes", "object_deletion", "random_url"}  # fmt: skip
# With accounts created active: replacing a User, and adding and replacing its active.
MUST_SUCCEED_ACTIVE = {("object_replacement", "Successfully replaced User"),
                       ("check_add_attribute", "Successfully added attribute 'active'"),
                       ("check_replace_attribute", "Successfully replaced attribute 'active'")}  # fmt: skip


def _matches(result, expected):
    return any(result.title == title and (result.reason or "").startswith(start) for title, start in expected)


@pytest.mark.django_db
@pytest.mark.parametrize("create_active", [False, True], ids=["invited", "active_at_once"])
def test_scim2_tester_finds_nothing_wrong(organization, admin_user, settings, connection_kept, create_active):
    from config.wsgi import application
    from portal.scim.options import scim_create_active_set

    if create_active:
        scim_create_active_set(actor=admin_user, organization=organization, create_active=True)
    expected = EXPECTED if create_active else EXPECTED | NOT_ACTIVE
    settings.API_RATE_LIMIT = "100000/m"
    settings.ALLOWED_HOSTS = [*django_settings.ALLOWED_HOSTS, "localhost", "testserver"]
    _key, secret = keys.api_key_create(actor=None, organization=organization, name="scim2-tester", scopes=["scim"], days=1)
    client = WSGISCIMClient(app=application, base_url="http://localhost/scim/v2", headers={"Authorization": f"Bearer {secret}"})
    random.seed(16)  # the tester draws its values with random: the same run every time
    results = check_server(client, raise_exceptions=False)
    failed = [r for r in results if r.status in (Status.ERROR, Status.CRITICAL) and not _matches(r, expected)]
    assert results and not failed, [(r.title, r.reason) for r in failed]
    succeeded = [r for r in results if r.status == Status.SUCCESS]
    assert MUST_SUCCEED <= {r.title for r in succeeded}, sorted(MUST_SUCCEED - {r.title for r in succeeded})
    if create_active:
        missing = [check for check in MUST_SUCCEED_ACTIVE if not any(_matches(r, [check]) for r in succeeded)]
        assert not missing, missing

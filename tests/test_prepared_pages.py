"""The pages most people open read their rows with SQL made once per kind of person
(portal/core/prepared.py): after the first visit, no query of theirs is built again."""

from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler

from conftest import make_account
from portal.organizations.models import Role

PAGES = ["/", "/mijn-account/", "/bestellen/bestellingen/"]


def tables_built(client, path):
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        response = client.get(path)
    assert response.status_code == 200
    return sorted(call.args[0].query.get_meta().db_table for call in as_sql.call_args_list)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.ADMINISTRATOR])
def test_the_pages_build_no_query_of_their_rows_again(client, organization, locations, role, settings):
    settings.PREPARED_QUERIES_VERIFY = False  # the check builds each query: what runs in production does not
    user = make_account(organization, f"{role}@test.example", role=role, may_order=True, locations=locations[:1])
    client.force_login(user)
    for path in PAGES:
        client.get(path)
    assert {path: tables_built(client, path) for path in PAGES} == {
        # for an administrator, the accounts whose deactivation ends this week (a query of today)
        "/": ["organizations_membership"] if role == Role.ADMINISTRATOR else [],
        "/mijn-account/": [],
        "/bestellen/bestellingen/": [],
    }

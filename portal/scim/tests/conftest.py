from portal.api.tests.conftest import api_for, make_key  # noqa: F401 - shared fixtures

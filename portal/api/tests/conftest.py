import json

import pytest

from portal.api import keys


@pytest.fixture
def make_key(db):
    def make(organization, scopes=("accounts",), name="Koppeling", days=30, actor=None):
        key, secret = keys.api_key_create(actor=actor, organization=organization, name=name, scopes=list(scopes), days=days)
        return key, secret

    return make


class Api:
    """The test client with a key, sending and reading JSON."""

    def __init__(self, client, secret):
        self.client, self.secret = client, secret

    def __call__(self, method, path, body=None, **headers):
        content_type = headers.pop("content_type", "application/json")
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}
        extra.update(headers)
        kwargs = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": content_type}
        return getattr(self.client, method.lower())(path, **kwargs, **extra)


@pytest.fixture
def api_for(client, make_key):
    def make(organization, scopes=("accounts",), **kwargs):
        _key, secret = make_key(organization, scopes, **kwargs)
        return Api(client, secret)

    return make

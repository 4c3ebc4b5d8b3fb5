import pytest

from mora.integrations.models import Scope
from mora.integrations.services import api_client_create


@pytest.fixture
def make_client(db):
    def make(name="Sistema comercial", scopes=tuple(Scope.values), contractor=None):
        client, token = api_client_create(actor=None, name=name, scopes=list(scopes), contractor=contractor)
        return client, token

    return make


@pytest.fixture
def token(make_client):
    return make_client()[1]


@pytest.fixture
def api(client, token):
    """Django test client calling the API with a full-scope token."""

    class Api:
        def get(self, path, token_=None, **params):
            return client.get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {token_ or token}")

        def post(self, path, body, key="k-1", token_=None, **extra):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token_ or token}"}
            if key is not None:
                headers["HTTP_IDEMPOTENCY_KEY"] = key
            return client.post(f"/api/v1{path}", body, content_type="application/json", **headers, **extra)

    return Api()

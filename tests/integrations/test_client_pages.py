import pytest
from django.urls import reverse

from mora.core.roles import Role
from mora.integrations.models import ApiClient
from mora.integrations.services import token_hash

pytestmark = pytest.mark.django_db


def test_admin_creates_rotates_and_revokes_a_client(client_for):
    client = client_for(Role.ADMIN)
    response = client.post(reverse("integrations:clients"), {"name": "Banco Unión", "scopes": ["payments:write"]})
    html = response.content.decode()
    assert "no se vuelve a mostrar" in html
    api_client = ApiClient.objects.get(name="Banco Unión")
    token = html.split('<pre class="p-3 bg-light border" id="token">')[1].split("</pre>")[0]
    assert api_client.token_hash == token_hash(token) and api_client.scopes == ["payments:write"]
    rotated = client.post(reverse("integrations:client_rotate", args=[api_client.pk])).content.decode()
    new_token = rotated.split('id="token">')[1].split("</pre>")[0]
    api_client.refresh_from_db()
    assert new_token != token and api_client.token_hash == token_hash(new_token)
    client.post(reverse("integrations:client_revoke", args=[api_client.pk]), {"reason": "Fin del convenio"})
    api_client.refresh_from_db()
    assert not api_client.is_active


def test_unknown_scope_is_refused(client_for):
    response = client_for(Role.ADMIN).post(reverse("integrations:clients"), {"name": "X", "scopes": ["todo"]})
    assert response.status_code == 200
    assert not ApiClient.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_only_the_administrator_manages_clients(client_for, role):
    assert client_for(role).get(reverse("integrations:clients")).status_code == 403

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_in_spanish_and_success(client):
    make_user("carla", "oficial")
    page = client.get(reverse("login")).content.decode()
    assert "Contraseña" in page and "Ingresar" in page
    response = login(client, "carla", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("billing:dashboard")).status_code == 200


def test_wrong_password_shows_spanish_error(client):
    make_user("carla", "oficial")
    response = login(client, "carla", "mala")
    assert response.status_code == 200
    assert "Usuario o contraseña incorrectos" in response.content.decode()


def test_repeated_failures_lock_the_user_even_with_the_right_password(client, settings):
    make_user("carla", "oficial")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "carla", "mala")
    response = login(client, "carla", PASSWORD)
    assert response.status_code == 429
    assert "bloqueada" in response.content.decode()
    assert client.get(reverse("billing:dashboard")).status_code == 302  # still not logged in
    # Another user is not affected by carla's lock.
    make_user("rodrigo", "jefe")
    assert login(client, "rodrigo", PASSWORD).status_code == 302

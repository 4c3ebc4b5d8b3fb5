import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from mora.core.roles import Role

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "clave-de-prueba-123"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MORA_TASK_MODE = "sync"
    # Hashing with PBKDF2 for each of the many test users dominates the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def make_user(username: str, *roles: str):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=username.title())
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def users(db):
    """One user per role, named after the role."""
    return {role: make_user(f"u_{role}", role) for role in Role.values}


@pytest.fixture
def client_for(client, users):
    def login(role: str):
        client.force_login(users[role])
        return client

    return login

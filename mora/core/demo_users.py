"""One demo login per role, for `make run` on a laptop. Never used in production: the
administrator creates real users there."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .roles import Role

DEMO_PASSWORD = "mora2026"
DEMO_USERS = [
    ("oficial", Role.OFFICER, Role.OFFICER.label, "Carla Vargas"),
    ("jefe", Role.SUPERVISOR, Role.SUPERVISOR.label, "Rodrigo Paz"),
    ("cajero", Role.CASHIER, Role.CASHIER.label, "Marcelo Flores"),
    ("coordinador", Role.COORDINATOR, Role.COORDINATOR.label, "Juan Choque"),
    ("auditor", Role.AUDITOR, Role.AUDITOR.label, "Lucía Mendoza"),
    ("admin", Role.ADMIN, Role.ADMIN.label, "Ana Gutiérrez"),
]


def ensure_demo_users() -> None:
    User = get_user_model()
    for username, role, _label, full_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            first, _, last = full_name.partition(" ")
            user.first_name, user.last_name = first, last
            user.set_password(DEMO_PASSWORD)
            # The administrator also manages users in Django's admin site.
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.save()
        user.groups.add(Group.objects.get_or_create(name=role)[0])

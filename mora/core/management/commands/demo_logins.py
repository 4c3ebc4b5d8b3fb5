from django.core.management.base import BaseCommand

from mora.core.demo_users import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users


class Command(BaseCommand):
    help = "Crea (si faltan) y muestra los usuarios de demostración, uno por rol."

    def handle(self, *args, **options):
        ensure_demo_users()
        self.stdout.write("")
        self.stdout.write(f"Usuarios de demostración (contraseña para todos: {DEMO_PASSWORD})")
        for username, _role, label, _name in DEMO_USERS:
            self.stdout.write(f"  {label:<30} usuario: {username}")
        self.stdout.write("Abra http://127.0.0.1:8000 en el navegador.\n")

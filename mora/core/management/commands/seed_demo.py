from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mora.customers.models import Account
from mora.demo.generator import seed_demo


class Command(BaseCommand):
    help = "Carga datos de demostración de una distribuidora tipo Tarija (solo en una base sin cuentas)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=2000, help="Cuántas cuentas (suministros) generar.")
        parser.add_argument("--seed", type=int, default=2026, help="Semilla: la misma semilla da los mismos datos.")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="Fecha de referencia AAAA-MM-DD (por omisión, hoy)."
        )
        parser.add_argument("--if-empty", action="store_true", help="No hacer nada si ya hay cuentas.")

    def handle(self, *args, accounts, seed, today, if_empty, **options):
        if accounts < 1:
            raise CommandError("--accounts debe ser al menos 1.")
        if Account.objects.exists():
            if if_empty:
                self.stdout.write("La base ya tiene cuentas; no se cargan datos de demostración.")
                return
            raise CommandError("La base ya tiene cuentas; use una base vacía.")
        today = today or timezone.localdate()
        self.stdout.write(f"Generando {accounts} cuentas (semilla {seed}, fecha de referencia {today:%d/%m/%Y})...")
        seed_demo(accounts=accounts, seed=seed, today=today, progress=self.stdout.write)

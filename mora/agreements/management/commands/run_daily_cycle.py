from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mora.agreements.domain.states import LABELS, AgreementStatus
from mora.agreements.services import agreements_evaluate


class Command(BaseCommand):
    help = (
        "Ciclo diario: evalúa cada convenio vigente (al día, en atraso, incumplido, cumplido). "
        "Correrlo dos veces para la misma fecha no cambia nada la segunda vez."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Fecha a evaluar, AAAA-MM-DD (por omisión, hoy en La Paz).")

    def handle(self, *args, date: str | None = None, **options):
        try:
            day = _parse(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"Fecha inválida «{date}»: use AAAA-MM-DD.") from exc
        changes = agreements_evaluate(today=day)
        self.stdout.write(f"Ciclo diario del {day:%d/%m/%Y}: convenios evaluados.")
        if not changes:
            self.stdout.write("  Ningún convenio cambió de estado.")
        for status, count in sorted(changes.items()):
            self.stdout.write(f"  {LABELS[AgreementStatus(status)]}: {count}")


def _parse(text: str) -> date:
    return date.fromisoformat(text)

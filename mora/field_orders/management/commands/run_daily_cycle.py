from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mora.agreements.domain.states import LABELS, AgreementStatus
from mora.field_orders.models import CutListLine
from mora.field_orders.services import daily_cycle_run


class Command(BaseCommand):
    help = (
        "Ciclo diario: evalúa cada convenio vigente y propone la lista de corte del próximo día de corte. "
        "Correrlo dos veces para la misma fecha da la misma lista y no crea nada dos veces."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Fecha del ciclo, AAAA-MM-DD (por omisión, hoy en La Paz).")

    def handle(self, *args, date: str | None = None, **options):
        try:
            day = _parse(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"Fecha inválida «{date}»: use AAAA-MM-DD.") from exc
        result = daily_cycle_run(day=day, progress=lambda step, text: self.stdout.write(f"[{step}/3] {text}..."))
        self.stdout.write(f"Ciclo diario del {day:%d/%m/%Y}:")
        changes = result["agreements"]
        if not changes:
            self.stdout.write("  Convenios: ninguno cambió de estado.")
        for status, count in sorted(changes.items()):
            self.stdout.write(f"  Convenios {LABELS[AgreementStatus(status)]}: {count}")
        cut_list = result["cut_list"]
        labels = dict(CutListLine.Status.choices)
        self.stdout.write(f"  Lista de corte para el {cut_list.cut_date:%d/%m/%Y} ({cut_list.get_status_display()}):")
        for status, count in sorted(result["lines"].items()):
            self.stdout.write(f"    {labels[status]}: {count}")


def _parse(text: str) -> date:
    return date.fromisoformat(text)

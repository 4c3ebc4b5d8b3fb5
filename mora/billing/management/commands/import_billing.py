from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mora.billing import services
from mora.billing.models import ImportMode, ImportStatus
from mora.core.templatetags.mora import thousands

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Importa un archivo del sistema de facturación (cuentas, facturas o pagos; CSV o XLSX). "
        "El tipo se reconoce por los nombres de columna. Ver docs/importacion.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Ruta del archivo CSV o XLSX")
        parser.add_argument(
            "--solo-validas",
            action="store_true",
            help="Importar las filas válidas aunque otras tengan errores (por omisión: todo o nada)",
        )

    def handle(self, *args, path, solo_validas, **options):
        mode = ImportMode.VALID_ROWS if solo_validas else ImportMode.ALL_OR_NOTHING
        try:
            job = services.import_job_create(path=path, mode=mode, actor=None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Importación {job.pk}: {job.original_name} ({ImportMode(mode).label})")
        last = {}

        def progress(phase: str, done: int, total: int) -> None:
            # One line per chunk would flood a terminal on a million rows: print every 10 %.
            step = max(1, total // 10)
            if done // step != last.get(phase, -1) or done == total:
                last[phase] = done // step
                self.stdout.write(f"  {phase}: {thousands(done)} de {thousands(total)} filas")

        job = services.import_job_run(job_id=job.pk, progress=progress)
        self.stdout.write(
            f"Tipo: {job.get_kind_display() or '-'} · filas: {thousands(job.total_rows)} · "
            f"importadas: {thousands(job.imported_rows)} · sin cambios: {thousands(job.unchanged_rows)} · "
            f"con errores: {thousands(job.error_rows)}"
        )
        for error in job.row_errors.all()[:SHOWN_ERRORS]:
            self.stdout.write(f"  fila {error.row_number} · {error.column or '-'} · «{error.value}»: {error.message}")
        if job.error_rows > SHOWN_ERRORS:
            self.stdout.write(f"  ... y más errores (total {thousands(job.error_rows)} filas con errores).")
        if job.status != ImportStatus.DONE:
            raise CommandError(f"{job.get_status_display()}: {job.message}")
        self.stdout.write(self.style.SUCCESS(f"{job.get_status_display()}: {job.message}"))

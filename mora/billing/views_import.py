"""Pages of the import from the billing system: list, upload, detail with live progress, and
the row errors as a spreadsheet. The work itself runs in the background (tasks.run_import)."""

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from mora.core.access import role_required
from mora.core.roles import IMPORT_READERS, IMPORT_WRITERS, has_role
from mora.core.spreadsheets import xlsx_response
from mora.core.tasks import enqueue

from . import services
from .models import ImportJob, ImportMode, ImportStatus
from .tasks import run_import

ALLOWED_SUFFIXES = {".csv", ".txt", ".xlsx"}
MAX_UPLOAD_BYTES = 300 * 1024 * 1024
FINISHED = {ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED}


class ImportUploadForm(forms.Form):
    archivo = forms.FileField(
        label="Archivo del sistema de facturación",
        help_text="CSV (separado por ; o ,; UTF-8 o Latin-1) o Excel .xlsx. El tipo (cuentas, facturas o pagos) "
        "se reconoce por los nombres de las columnas.",
    )
    modo = forms.ChoiceField(
        label="Modo", choices=ImportMode.choices, initial=ImportMode.ALL_OR_NOTHING, widget=forms.RadioSelect
    )

    def clean_archivo(self):
        upload = self.cleaned_data["archivo"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise ValidationError("Suba un archivo .csv o .xlsx.")
        if upload.size == 0:
            raise ValidationError("El archivo está vacío.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("El archivo supera los 300 MB; divídalo en partes.")
        return upload


def _progress(job: ImportJob) -> dict:
    """Where a job is. Pass 1 (validation) writes its progress to the job row; pass 2 (writing,
    inside one transaction) to the cache: see the comment in services.py."""
    if job.status == ImportStatus.PENDING:
        return {"label": "En cola", "percent": 0, "processed": 0, "total": job.total_rows, "running": True}
    if job.status == ImportStatus.RUNNING:
        written = cache.get(services.import_progress_key(job.pk))
        if written:
            total = written["total"] or 1
            return {
                "label": "Importando (paso 2 de 2)",
                "percent": 50 + int(50 * written["processed"] / total),
                "processed": written["processed"],
                "total": written["total"],
                "running": True,
            }
        total = job.total_rows or 0
        return {
            "label": "Validando (paso 1 de 2)",
            "percent": int(50 * job.processed_rows / total) if total else 0,
            "processed": job.processed_rows,
            "total": total,
            "running": True,
        }
    return {
        "label": job.get_status_display(),
        "percent": 100,
        "processed": job.processed_rows,
        "total": job.total_rows,
        "running": False,
    }


@role_required(*IMPORT_READERS)
def import_list(request):
    jobs = ImportJob.objects.select_related("created_by")
    page = Paginator(jobs, 30).get_page(request.GET.get("page"))
    return render(
        request, "billing/import_list.html", {"page": page, "may_upload": has_role(request.user, *IMPORT_WRITERS)}
    )


@role_required(*IMPORT_WRITERS)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.import_job_create(
            uploaded_file=form.cleaned_data["archivo"], mode=form.cleaned_data["modo"], actor=request.user
        )
        enqueue(run_import, job.pk)
        messages.success(request, f"Archivo recibido: la importación {job.pk} está en proceso.")
        return redirect("billing:import_detail", pk=job.pk)
    return render(request, "billing/import_upload.html", {"form": form})


@role_required(*IMPORT_READERS)
def import_detail(request, pk: int):
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    errors = Paginator(job.row_errors.all(), 100).get_page(request.GET.get("page"))
    same_file = ImportJob.objects.filter(sha256=job.sha256, pk__lt=job.pk).order_by("-pk").first()
    return render(
        request,
        "billing/import_detail.html",
        {"job": job, "progress": _progress(job), "page": errors, "same_file": same_file},
    )


@role_required(*IMPORT_READERS)
def import_progress(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    progress = _progress(job)
    response = render(request, "billing/import_progress.html", {"job": job, "progress": progress})
    if not progress["running"] and request.headers.get("HX-Request"):
        # Finished while the page was open: reload it once to show the counts and errors. The
        # reloaded page renders this partial without hx-trigger, so polling stops.
        response["HX-Refresh"] = "true"
    return response


@role_required(*IMPORT_READERS)
def import_errors_xlsx(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    rows = ([e.row_number, e.column, e.value, e.message] for e in job.row_errors.all().iterator(chunk_size=1000))
    return xlsx_response(
        filename=f"errores-importacion-{job.pk}.xlsx",
        sheet="Errores",
        headers=["Fila", "Columna", "Valor", "Motivo"],
        rows=rows,
        title=f"Errores de la importación {job.pk} ({job.original_name})",
    )

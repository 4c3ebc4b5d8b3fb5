"""The factors report (page and PDF), the list of versions and the training button."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from mora.core.access import role_required
from mora.core.roles import Role

from . import report, selectors, services
from .models import Source

REPORT_READERS = (Role.SUPERVISOR, Role.AUDITOR)
TRAINERS = (Role.SUPERVISOR,)


def _model_or_404(request):
    version = request.GET.get("version")
    if version:
        model = selectors.risk_model_get(version=int(version)) if version.isdigit() else None
        if model is None:
            raise Http404("No existe esa versión del modelo.")
        return model
    return selectors.risk_model_latest()


@require_GET
@role_required(*REPORT_READERS)
def factors_report(request):
    model = _model_or_404(request)
    context = report.report_context(model) if model else {}
    context.update(
        {
            "model": model,
            "versions": selectors.risk_model_list()[:30],
            "job": selectors.training_job_open(),
            "sources": Source.choices,
        }
    )
    return render(request, "analytics/report.html", context)


@require_GET
@role_required(*REPORT_READERS)
def factors_report_pdf(request):
    model = _model_or_404(request)
    if model is None:
        raise Http404("Todavía no hay un modelo entrenado.")
    content = report.report_pdf(model, printed_at=timezone.localtime())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"factores-incumplimiento-v{model.version}.pdf"
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
@role_required(*TRAINERS)
def train(request):
    source = request.POST.get("fuente", Source.DATABASE)
    if source not in Source.values:
        source = Source.DATABASE
    job = services.training_job_request(actor=request.user, source=source)
    messages.info(request, "Entrenamiento en curso: la página se actualizará al terminar.")
    return redirect(f"{reverse('analytics:report')}?entrenamiento={job.pk}")


@require_GET
@role_required(*REPORT_READERS)
def training_progress(request, pk: int):
    job = selectors.training_job_get(pk=pk)
    if job is None:
        raise Http404("No existe ese entrenamiento.")
    return render(request, "analytics/_training_progress.html", {"job": job})

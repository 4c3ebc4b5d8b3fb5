"""Background work of the supervisor's pages: the daily cycle launched from the UI, with its
progress on a DailyCycleRun row, and the large PDFs of a cut list.

The bookkeeping of the run row (create, claim, progress, finish) lives here, next to the only
code that drives it; the business writes are all in services.daily_cycle_run."""

import logging
from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from . import documents, services
from .models import CutListLine
from .models_runs import DailyCycleRun

logger = logging.getLogger(__name__)
R = DailyCycleRun.Status
# A run without news for this long is taken as dead (a worker restarted): another may start.
STALE_AFTER = timedelta(minutes=30)


class CycleBusy(Exception):
    """Another run of the cycle is queued or running: one at a time."""


def cycle_run_create(*, day: date, actor) -> DailyCycleRun:
    """Queue a run. Two cycles at once would contend for the same draft list; the second one
    is refused (the cycle is idempotent, so running it again afterwards is harmless)."""
    busy = DailyCycleRun.objects.filter(status__in=[R.QUEUED, R.RUNNING], created_at__gte=timezone.now() - STALE_AFTER)
    if busy.exists():
        raise CycleBusy("Ya hay un ciclo diario en curso; espere a que termine.")
    return DailyCycleRun.objects.create(
        day=day, started_by=actor if getattr(actor, "is_authenticated", False) else None
    )


@shared_task(name="field_orders.run_daily_cycle", acks_late=True)
def run_daily_cycle(run_id: int) -> None:
    """Claim the run (QUEUED -> RUNNING; a task delivered twice runs once) and run the cycle,
    writing each step to the row so the page can show it."""
    claimed = DailyCycleRun.objects.filter(pk=run_id, status=R.QUEUED).update(
        status=R.RUNNING, started_at=timezone.now(), message="Iniciando"
    )
    if not claimed:
        return
    run = DailyCycleRun.objects.select_related("started_by").get(pk=run_id)

    def progress(step: int, text: str) -> None:
        # A plain UPDATE between the service's own transactions: visible to the page at once.
        DailyCycleRun.objects.filter(pk=run_id).update(step=step, message=text[:300])

    try:
        result = services.daily_cycle_run(day=run.day, actor=run.started_by, progress=progress)
    except Exception as exc:
        logger.exception("Daily cycle run %s failed", run_id)
        message = "; ".join(getattr(exc, "messages", None) or [str(exc)]) or exc.__class__.__name__
        DailyCycleRun.objects.filter(pk=run_id).update(
            status=R.FAILED, finished_at=timezone.now(), message=f"Falló: {message}"[:300]
        )
        return
    cut_list = result["cut_list"]
    DailyCycleRun.objects.filter(pk=run_id).update(
        status=R.DONE,
        finished_at=timezone.now(),
        step=run.total_steps,
        message="Terminado",
        cut_list=cut_list,
        result={
            "agreements": {str(k): int(v) for k, v in result["agreements"].items()},
            "lines": {str(k): int(v) for k, v in result["lines"].items()},
            "cut_date": cut_list.cut_date.isoformat(),
            "cut_list_status": cut_list.status,
            "proposed": int(result["lines"].get(CutListLine.Status.PROPOSED, 0)),
        },
    )


@shared_task(name="field_orders.render_cut_list_pdf", acks_late=True)
def render_cut_list_pdf(kind: str, cut_list_id: int, contractor_id: int | None, crew_id: int | None, relative: str):
    """Render a large PDF of a list into MEDIA_ROOT (see documents.py). Rendering twice is
    harmless: the file is replaced atomically with the same content."""
    try:
        documents.pdf_render_to_file(
            kind=kind, cut_list_id=cut_list_id, contractor_id=contractor_id, crew_id=crew_id, relative=relative
        )
    except Exception:
        # The pending marker is gone: the page offers the link again.
        logger.exception("Rendering %s failed", relative)

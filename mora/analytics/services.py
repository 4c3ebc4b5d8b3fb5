"""Writes of the analytics app: training a new version of the risk model."""

import io
import logging

import joblib
import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from mora.core.audit import audit_record
from mora.core.tasks import enqueue

from . import dataset, modeling
from .models import RiskModel, Source, TrainingJob
from .synthetic import DEFAULT_SEED, synthetic_history

logger = logging.getLogger(__name__)
# Below this many agreements with an outcome, odds ratios and a held-out AUC are mostly noise:
# the model is then trained on the synthetic history, and the report says so.
MIN_OUTCOMES = 200
DEFAULT_ROWS = 5000


class AnalyticsError(Exception):
    pass


def risk_model_train(
    *, actor, source: str = Source.DATABASE, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED
) -> RiskModel:
    """Train on the database (or on the synthetic history when asked, or when the database has
    fewer than MIN_OUTCOMES outcomes) and store a new version; earlier versions stay."""
    requested = Source(source)
    used, notes = requested, []
    if requested == Source.DATABASE:
        frame = dataset.build_dataset()
        if len(frame) < MIN_OUTCOMES or frame["breached"].nunique() < 2:
            notes.append(
                f"La base tiene {len(frame)} convenios con resultado (se necesitan al menos {MIN_OUTCOMES}): "
                "se entrenó con la historia sintética de demostración."
            )
            used = Source.SYNTHETIC
    if used == Source.SYNTHETIC:
        frame = synthetic_history(rows=rows, seed=seed)
        notes.insert(
            0, f"Modelo entrenado con historia sintética de demostración: {len(frame):,} convenios.".replace(",", ".")
        )
    try:
        trained = modeling.train_all(frame, seed=seed)
    except ValueError as exc:
        raise AnalyticsError(str(exc)) from exc
    previous = RiskModel.objects.defer("estimator").order_by("-version").first()
    psi_version = modeling.psi_against(previous.score_reference, trained.scores) if previous else None
    buffer = io.BytesIO()
    joblib.dump(
        {"gbm": trained.gbm.estimator, "codes": trained.gbm.codes, "reference": trained.reference},
        buffer,
        compress=3,
    )
    metrics = dict(trained.gbm.metrics)
    metrics["psi_month"] = trained.psi_month
    metrics["pseudo_r2"] = trained.logit["pseudo_r2"]
    with transaction.atomic():
        # Two trainings finishing at once: the unique version makes the second fail, not duplicate.
        version = (RiskModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        model = RiskModel.objects.create(
            version=version,
            trained_by=actor if getattr(actor, "is_authenticated", False) else None,
            source=used,
            requested_source=requested,
            seed=seed if used == Source.SYNTHETIC else None,
            period_start=frame["signed_on"].min().date(),
            period_end=frame["signed_on"].max().date(),
            n_rows=len(frame),
            n_breached=int(frame["breached"].sum()),
            metrics=metrics,
            odds_ratios={k: trained.logit[k] for k in ("terms", "factors", "n", "pseudo_r2")},
            segments=trained.segments,
            importances=trained.gbm.importances,
            calibration=trained.gbm.calibration,
            score_reference=modeling.score_reference(np.asarray(trained.scores)),
            psi=trained.psi_month["value"] if trained.psi_month else None,
            psi_version=psi_version,
            notes="\n".join(notes),
            estimator=buffer.getvalue(),
        )
        audit_record(
            actor=actor,
            action="analytics.risk_model_train",
            entity=model,
            summary=f"Modelo de riesgo v{version} ({model.get_source_display()}, {len(frame)} convenios)",
        )
    return model


def training_job_request(*, actor, source: str) -> TrainingJob:
    """Queue a training from the page; one at a time (a second click returns the open one)."""
    from .tasks import run_training

    with transaction.atomic():
        open_job = (
            TrainingJob.objects.select_for_update()
            .filter(status__in=[TrainingJob.Status.PENDING, TrainingJob.Status.RUNNING])
            .first()
        )
        if open_job:
            return open_job
        job = TrainingJob.objects.create(source=Source(source), requested_by=actor)
        enqueue(run_training, job.pk)
    return job


def training_job_run(*, job_id: int) -> None:
    with transaction.atomic():
        job = TrainingJob.objects.select_for_update().filter(pk=job_id, status=TrainingJob.Status.PENDING).first()
        if job is None:
            return  # already taken by another worker, or unknown
        job.status, job.started_at = TrainingJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        model = risk_model_train(actor=job.requested_by, source=job.source)
    except Exception as exc:  # the page must show the failure rather than spin forever
        logger.exception("Falló el entrenamiento %s", job_id)
        job.status, job.message = TrainingJob.Status.FAILED, str(exc)[:500] or exc.__class__.__name__
    else:
        job.status, job.result = TrainingJob.Status.DONE, model
        job.message = f"Versión {model.version} lista."
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "result", "finished_at"])

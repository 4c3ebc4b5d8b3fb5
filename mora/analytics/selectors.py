"""Reads for the analytics pages."""

from django.db.models import QuerySet

from .models import RiskModel, TrainingJob

# The list of versions never needs the serialized estimator (hundreds of KB each).
LIGHT = ("estimator",)


def risk_model_latest() -> RiskModel | None:
    return RiskModel.objects.order_by("-version").first()


def risk_model_get(*, version: int) -> RiskModel | None:
    return RiskModel.objects.filter(version=version).first()


def risk_model_list() -> QuerySet[RiskModel]:
    return RiskModel.objects.select_related("trained_by").defer(*LIGHT).order_by("-version")


def training_job_get(*, pk: int) -> TrainingJob | None:
    return TrainingJob.objects.select_related("result", "requested_by").filter(pk=pk).first()


def training_job_open() -> TrainingJob | None:
    return TrainingJob.objects.filter(status__in=[TrainingJob.Status.PENDING, TrainingJob.Status.RUNNING]).first()

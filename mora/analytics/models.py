from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    DATABASE = "base", "Base de datos (convenios reales)"
    SYNTHETIC = "sintetico", "Historia sintética de demostración"


class RiskModel(models.Model):
    """One trained version of the breach-risk model, with everything the report shows. Versions
    are never edited nor deleted: a new training is a new row, so the report can compare a
    version with the previous one (drift) and an old quote can be explained by its version."""

    version = models.PositiveIntegerField("versión", unique=True)
    trained_at = models.DateTimeField("entrenado", auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="entrenado por", null=True, blank=True, on_delete=models.PROTECT
    )
    source = models.CharField("datos", max_length=10, choices=Source.choices)
    requested_source = models.CharField("datos pedidos", max_length=10, choices=Source.choices)
    seed = models.PositiveIntegerField("semilla", null=True, blank=True)
    period_start = models.DateField("convenios firmados desde")
    period_end = models.DateField("convenios firmados hasta")
    n_rows = models.PositiveIntegerField("convenios")
    n_breached = models.PositiveIntegerField("incumplidos")
    metrics = models.JSONField("métricas (corte por fecha)")
    odds_ratios = models.JSONField("regresión logística")
    segments = models.JSONField("tasas por segmento")
    importances = models.JSONField("importancia de los factores")
    calibration = models.JSONField("calibración")
    score_reference = models.JSONField("distribución de puntajes de referencia")
    psi = models.FloatField("PSI último mes", null=True, blank=True)
    psi_version = models.FloatField("PSI contra la versión anterior", null=True, blank=True)
    notes = models.TextField("notas", blank=True)
    # joblib bytes of {"gbm", "codes", "reference"}; written only by risk_model_train, so loading
    # it back is loading our own object, never a file from outside.
    estimator = models.BinaryField("modelo serializado")

    class Meta:
        verbose_name = "modelo de riesgo"
        verbose_name_plural = "modelos de riesgo"
        ordering = ["-version"]

    def __str__(self):
        return f"Modelo de riesgo v{self.version}"

    @property
    def is_synthetic(self) -> bool:
        return self.source == Source.SYNTHETIC


class TrainingJob(models.Model):
    """A training asked for from the page: the page polls it while the worker runs."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "En cola"
        RUNNING = "RUNNING", "Entrenando"
        DONE = "DONE", "Terminado"
        FAILED = "FAILED", "Falló"

    status = models.CharField("estado", max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField("datos", max_length=10, choices=Source.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="pedido por", on_delete=models.PROTECT)
    created_at = models.DateTimeField("pedido", auto_now_add=True)
    started_at = models.DateTimeField("iniciado", null=True, blank=True)
    finished_at = models.DateTimeField("terminado", null=True, blank=True)
    message = models.TextField("mensaje", blank=True)
    result = models.ForeignKey(RiskModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "entrenamiento"
        verbose_name_plural = "entrenamientos"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Entrenamiento {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

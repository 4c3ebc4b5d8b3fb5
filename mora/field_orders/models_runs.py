"""The daily cycle launched from the page: one row per run, so the page can show its progress
while a worker (or a thread of the web process) runs it, and keep the history of runs."""

from django.conf import settings
from django.db import models


class DailyCycleRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "QUEUED", "En cola"
        RUNNING = "RUNNING", "En curso"
        DONE = "DONE", "Terminado"
        FAILED = "FAILED", "Falló"

    day = models.DateField("fecha del ciclo")
    status = models.CharField("estado", max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.PositiveSmallIntegerField("paso", default=0)
    total_steps = models.PositiveSmallIntegerField("pasos", default=3)
    message = models.CharField("mensaje", max_length=300, blank=True)
    # What daily_cycle_run returned, as JSON: agreements changed per status, lines per status.
    result = models.JSONField("resultado", default=dict, blank=True)
    # String reference: this module is imported at the bottom of models.py.
    cut_list = models.ForeignKey(
        "field_orders.CutList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("pedido", auto_now_add=True)
    started_at = models.DateTimeField("iniciado", null=True, blank=True)
    finished_at = models.DateTimeField("terminado", null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "ejecución del ciclo diario"
        verbose_name_plural = "ejecuciones del ciclo diario"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Ciclo del {self.day:%d/%m/%Y} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * min(self.step, self.total_steps) / (self.total_steps or 1))

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One row per change to business data: who, when, what, before/after, why.

    `account_id` is a plain column (not a foreign key) so that core does not depend on the
    customers app and so that the account timeline is one indexed query."""

    occurred_at = models.DateTimeField("fecha y hora", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="usuario", null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(
        "origen", max_length=120, blank=True, help_text="Sistema o proceso si no hay usuario."
    )
    action = models.CharField("acción", max_length=60, db_index=True)
    entity_type = models.CharField("entidad", max_length=60)
    entity_id = models.CharField("id de la entidad", max_length=64)
    account_id = models.BigIntegerField("cuenta", null=True, blank=True, db_index=True)
    summary = models.CharField("resumen", max_length=300, blank=True)
    before = models.JSONField("antes", null=True, blank=True)
    after = models.JSONField("después", null=True, blank=True)
    reason = models.TextField("motivo", blank=True)

    class Meta:
        verbose_name = "evento de auditoría"
        verbose_name_plural = "eventos de auditoría"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id"], name="audit_entity_idx")]

    def __str__(self):
        return f"{self.occurred_at:%d/%m/%Y %H:%M} {self.action} {self.entity_type}#{self.entity_id}"

    @property
    def who(self) -> str:
        return self.actor.get_username() if self.actor_id else (self.actor_label or "sistema")


class CalendarDay(models.Model):
    """A day the utility adds to the official calendar: a local non-working day (is_working
    False) or a working day that overrides an official holiday (is_working True)."""

    day = models.DateField("día", unique=True)
    name = models.CharField("descripción", max_length=120)
    is_working = models.BooleanField("es día hábil", default=False)

    class Meta:
        verbose_name = "día del calendario"
        verbose_name_plural = "días del calendario"
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.name}"

from django.conf import settings
from django.db import models

from mora.field_orders.models import Contractor


class Scope(models.TextChoices):
    ACCOUNTS_READ = "accounts:read", "Consultar cuentas"
    PAYMENTS_WRITE = "payments:write", "Registrar pagos"
    ORDERS_READ = "orders:read", "Consultar órdenes de campo"
    ORDERS_WRITE = "orders:write", "Cerrar órdenes de campo"
    IMPORT_WRITE = "import:write", "Enviar lotes (facturas y pagos)"
    EXPORTS_READ = "exports:read", "Descargar cargos para facturación"


class ApiClient(models.Model):
    """A system that calls the API (billing, a bank, a contractor's system). The token itself is
    never stored: only its SHA-256 and a short prefix to recognise it."""

    name = models.CharField("nombre", max_length=80, unique=True)
    scopes = models.JSONField("permisos", default=list)
    contractor = models.ForeignKey(
        Contractor,
        verbose_name="microempresa",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Si se indica, el cliente solo ve las órdenes de esa microempresa.",
    )
    token_prefix = models.CharField("prefijo del token", max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField("activo", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    rotated_at = models.DateTimeField("token renovado", null=True, blank=True)
    revoked_at = models.DateTimeField("revocado", null=True, blank=True)
    last_used_at = models.DateTimeField("último uso", null=True, blank=True)

    class Meta:
        verbose_name = "cliente de la API"
        verbose_name_plural = "clientes de la API"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ApiCall(models.Model):
    """Every call, with its client: who did what, when, and how it ended."""

    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"


class IdempotencyRecord(models.Model):
    """The first answer to a write with an Idempotency-Key: the same key and body get it back;
    the same key with another body is refused."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_unique")]

    def __str__(self):
        return f"{self.client}:{self.key}"


class ApiBatch(models.Model):
    """Which client sent which batch: a client reads only its own jobs (their row errors carry
    customers' data)."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="batches")
    job = models.OneToOneField("billing.ImportJob", on_delete=models.PROTECT, related_name="api_batch")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lote enviado por la API"
        verbose_name_plural = "lotes enviados por la API"

    def __str__(self):
        return f"{self.client} · {self.job_id}"

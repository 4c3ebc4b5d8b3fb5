from django.conf import settings
from django.db import models

from mora.agreements.models import Agreement
from mora.billing.models import MONEY, Payment
from mora.customers.models import Account, Route, Zone


class FieldPolicyVersion(models.Model):
    """One version of the cutting/reconnection rules (domain.policy.FieldPolicy as JSON)."""

    version = models.PositiveIntegerField("versión", unique=True)
    terms = models.JSONField("reglas")
    reason = models.TextField("motivo", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("creada", auto_now_add=True)

    class Meta:
        verbose_name = "política de cortes"
        verbose_name_plural = "políticas de cortes"
        ordering = ["-version"]

    def __str__(self):
        return f"Política de cortes v{self.version}"


class Contractor(models.Model):
    """A microempresa that cuts and reconnects supplies in some zones."""

    name = models.CharField("nombre", max_length=120, unique=True)
    tax_id = models.CharField("NIT", max_length=20, blank=True)
    phone = models.CharField("teléfono", max_length=30, blank=True)
    zones = models.ManyToManyField(Zone, verbose_name="zonas que atiende", related_name="contractors", blank=True)
    is_active = models.BooleanField("activa", default=True)

    class Meta:
        verbose_name = "microempresa"
        verbose_name_plural = "microempresas"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Coordinator(models.Model):
    """The user who coordinates a contractor's crews: he sees and closes only its orders."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coordinator")
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="coordinators")

    class Meta:
        verbose_name = "coordinador"
        verbose_name_plural = "coordinadores"

    def __str__(self):
        return f"{self.user} ({self.contractor})"


class Crew(models.Model):
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="crews")
    name = models.CharField("nombre", max_length=80)
    daily_capacity = models.PositiveSmallIntegerField("cortes por día", default=25)
    is_active = models.BooleanField("activa", default=True)

    class Meta:
        verbose_name = "cuadrilla"
        verbose_name_plural = "cuadrillas"
        ordering = ["contractor", "name"]
        constraints = [models.UniqueConstraint(fields=["contractor", "name"], name="crew_name_unique")]

    def __str__(self):
        return f"{self.contractor} · {self.name}"


class CutList(models.Model):
    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Propuesta"
        RELEASED = "RELEASED", "Emitida"

    cut_date = models.DateField("fecha de corte", unique=True)
    drawn_on = models.DateField("calculada el")
    number = models.CharField("número", max_length=20, blank=True)
    status = models.CharField("estado", max_length=10, choices=Status.choices, default=Status.DRAFT)
    policy = models.ForeignKey(FieldPolicyVersion, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("creada", auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField("emitida", null=True, blank=True)

    class Meta:
        verbose_name = "lista de corte"
        verbose_name_plural = "listas de corte"
        ordering = ["-cut_date"]

    def __str__(self):
        return self.number or f"Lista del {self.cut_date:%d/%m/%Y}"


class CutReason(models.TextChoices):
    BREACHED_AGREEMENT = "BREACH", "Convenio incumplido"
    UNPAID_INVOICES = "UNPAID", "Facturas impagas sin convenio"


class ExclusionReason(models.TextChoices):
    COMPLAINT = "COMPLAINT", "Reclamo pendiente"
    PROTECTED = "PROTECTED", "Cliente protegido"
    HOLD = "HOLD", "Retención vigente"
    BELOW_MINIMUM = "MINIMUM", "Deuda menor al mínimo"
    PAID_SINCE = "PAID", "Pagó desde que se calculó la lista"
    ALREADY_CUT = "CUT", "Ya está cortado"
    OPEN_ORDER = "OPEN", "Ya tiene una orden abierta"
    NO_CONTRACTOR = "NOCONTR", "Ninguna microempresa atiende la zona"


class CutListLine(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "PROPOSED", "En la lista"
        DEFERRED = "DEFERRED", "Espera: sin capacidad hoy"
        EXCLUDED = "EXCLUDED", "Excluida"
        REMOVED = "REMOVED", "Quitada por el jefe"

    cut_list = models.ForeignKey(CutList, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("estado", max_length=10, choices=Status.choices)
    reason = models.CharField("motivo de corte", max_length=8, choices=CutReason.choices)
    exclusion = models.CharField("motivo de exclusión", max_length=10, choices=ExclusionReason.choices, blank=True)
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    contractor = models.ForeignKey(Contractor, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    crew = models.ForeignKey(Crew, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="+")
    route_sequence = models.PositiveIntegerField("secuencia")
    debt = models.DecimalField("deuda", **MONEY)
    unpaid_invoices = models.PositiveSmallIntegerField("facturas impagas")
    oldest_due = models.DateField("vencimiento más antiguo", null=True)
    priority = models.PositiveIntegerField("prioridad", default=0)
    removed_reason = models.CharField("motivo", max_length=300, blank=True)

    class Meta:
        verbose_name = "línea de lista de corte"
        verbose_name_plural = "líneas de lista de corte"
        ordering = ["contractor", "crew", "zone", "route", "route_sequence"]
        constraints = [models.UniqueConstraint(fields=["cut_list", "account"], name="cut_line_unique")]

    def __str__(self):
        return f"{self.cut_list} · {self.account}"


class OrderKind(models.TextChoices):
    CUT = "CUT", "Corte"
    RECONNECT = "RECONNECT", "Reconexión"


class OrderStatus(models.TextChoices):
    PENDING = "PENDING", "Pendiente"
    EXECUTED = "EXECUTED", "Ejecutada"
    NOT_EXECUTED = "NOT_EXEC", "No ejecutada"
    CANCELLED = "CANCELLED", "Anulada"


class NotExecutedReason(models.TextChoices):
    PAID_ON_SITE = "PAID", "Pagó en el lugar"
    CLOSED = "CLOSED", "Inmueble cerrado"
    METER_UNREACHABLE = "METER", "Medidor inaccesible"
    REFUSAL = "REFUSAL", "Negativa del usuario"
    ADDRESS_NOT_FOUND = "ADDRESS", "Dirección no encontrada"
    RECONNECTED_ILLEGALLY = "ILLEGAL", "Reconectado sin autorización"


class FieldOrder(models.Model):
    number = models.CharField("número", max_length=20, unique=True)
    kind = models.CharField("tipo", max_length=10, choices=OrderKind.choices)
    status = models.CharField("estado", max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="field_orders")
    # Empty only for a reconnection in a zone no contractor serves: the order must exist anyway
    # (a payment never fails for it) and the supervisor sees it as unassigned.
    contractor = models.ForeignKey(Contractor, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    crew = models.ForeignKey(Crew, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    cut_line = models.OneToOneField(CutListLine, null=True, blank=True, on_delete=models.PROTECT, related_name="order")
    scheduled_for = models.DateField("para el día")
    due_at = models.DateTimeField("vence", null=True, blank=True)
    trigger = models.CharField("origen", max_length=120, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    triggered_at = models.DateTimeField("ordenada por el evento del", null=True, blank=True)
    created_at = models.DateTimeField("creada", auto_now_add=True)
    executed_at = models.DateTimeField("ejecutada", null=True, blank=True)
    not_executed_reason = models.CharField(
        "motivo de no ejecución", max_length=8, choices=NotExecutedReason.choices, blank=True
    )
    notes = models.CharField("observaciones", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField("motivo de anulación", max_length=300, blank=True)
    charge = models.DecimalField("cargo de reconexión", default=0, **MONEY)

    class Meta:
        verbose_name = "orden de campo"
        verbose_name_plural = "órdenes de campo"
        ordering = ["scheduled_for", "pk"]
        indexes = [
            models.Index(fields=["contractor", "status", "scheduled_for"], name="order_contractor_idx"),
            models.Index(fields=["account", "status"], name="order_account_idx"),
        ]
        constraints = [
            # At most one open order of each kind per account: a retried event never duplicates it.
            models.UniqueConstraint(
                fields=["account", "kind"],
                condition=models.Q(status="PENDING"),
                name="order_one_open_per_kind",
            )
        ]

    def __str__(self):
        return self.number


class FieldOrderEvent(models.Model):
    order = models.ForeignKey(FieldOrder, on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    what = models.CharField(max_length=300)

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self):
        return f"{self.order}: {self.what}"


from .models_runs import DailyCycleRun  # noqa: E402,F401

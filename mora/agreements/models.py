from django.conf import settings
from django.db import models

from mora.billing.models import MONEY, Invoice, Payment
from mora.customers.models import Account

from .domain.policy import KIND_LABELS, AgreementKind
from .domain.states import LABELS as STATUS_LABELS
from .domain.states import AgreementStatus

KIND_CHOICES = [(kind.value, KIND_LABELS[kind]) for kind in AgreementKind]
STATUS_CHOICES = [(status.value, STATUS_LABELS[status]) for status in AgreementStatus]


class AgreementPolicy(models.Model):
    """One version of the policy of one kind of agreement. Versions are never edited: a change
    is a new version, and each agreement keeps the version it was made under."""

    kind = models.CharField("tipo", max_length=4, choices=KIND_CHOICES)
    version = models.PositiveIntegerField("versión")
    terms = models.JSONField("condiciones")
    reason = models.TextField("motivo del cambio", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="creada por", null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("creada", auto_now_add=True)

    class Meta:
        verbose_name = "política de convenio"
        verbose_name_plural = "políticas de convenio"
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="policy_kind_version_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


class Agreement(models.Model):
    number = models.CharField("número", max_length=20, unique=True)
    kind = models.CharField("tipo", max_length=4, choices=KIND_CHOICES)
    status = models.CharField("estado", max_length=20, choices=STATUS_CHOICES, db_index=True)
    account = models.ForeignKey(Account, verbose_name="cuenta", on_delete=models.PROTECT, related_name="agreements")
    policy = models.ForeignKey(AgreementPolicy, verbose_name="política", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="oficial", on_delete=models.PROTECT, related_name="agreements"
    )
    created_at = models.DateTimeField("creado", auto_now_add=True)

    # Terms, as agreed (the schedule itself is in Installment rows).
    debt = models.DecimalField("deuda reconocida", **MONEY)
    down_payment = models.DecimalField("cuota inicial", **MONEY)
    installments_count = models.PositiveSmallIntegerField("número de cuotas")
    monthly_rate = models.DecimalField("interés mensual", max_digits=7, decimal_places=5, default=0)
    grace_days = models.PositiveSmallIntegerField("días de gracia")
    signing_date = models.DateField("fecha de firma prevista")
    first_due = models.DateField("primer vencimiento")
    has_social_flag = models.BooleanField("beneficio social", default=False)
    usual_bill = models.DecimalField("factura habitual", null=True, blank=True, **MONEY)
    outside_policy = models.JSONField("fuera de política", default=list, blank=True)
    justification = models.TextField("justificación del oficial", blank=True)

    # Approval (only when outside policy).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="decidido por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("decidido", null=True, blank=True)
    decision_reason = models.TextField("motivo de la decisión", blank=True)

    # Signature and entry into force.
    signed_on = models.DateField("firmado el", null=True, blank=True)
    signer_name = models.CharField("firmante", max_length=160, blank=True)
    signer_id_number = models.CharField("CI del firmante", max_length=20, blank=True)
    signer_id_department = models.CharField("expedido en", max_length=2, blank=True)
    signer_capacity = models.CharField("en calidad de", max_length=60, blank=True)
    signature_scan = models.FileField("documento firmado (escaneado)", upload_to="agreements/%Y/", blank=True)
    down_payment_receipt = models.ForeignKey(
        Payment,
        verbose_name="recibo de la cuota inicial",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    in_force_at = models.DateTimeField("vigente desde", null=True, blank=True)

    # Contract-only parties and clauses.
    guarantor_name = models.CharField("garante", max_length=160, blank=True)
    guarantor_id_number = models.CharField("CI del garante", max_length=20, blank=True)
    notice_address = models.CharField("domicilio para notificaciones", max_length=200, blank=True)

    schedule_version = models.PositiveSmallIntegerField("versión del plan de pagos", default=1)
    reschedule_count = models.PositiveSmallIntegerField("reprogramaciones", default=0)
    accelerated_on = models.DateField("plazo vencido anticipadamente el", null=True, blank=True)
    breaches = models.PositiveSmallIntegerField("incumplimientos", default=0)
    closed_on = models.DateField("cerrado el", null=True, blank=True)
    cancel_reason = models.TextField("motivo de anulación", blank=True)

    class Meta:
        verbose_name = "convenio"
        verbose_name_plural = "convenios"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "status"], name="agreement_account_status_idx")]

    def __str__(self):
        return self.number

    @property
    def kind_enum(self) -> AgreementKind:
        return AgreementKind(self.kind)

    @property
    def status_enum(self) -> AgreementStatus:
        return AgreementStatus(self.status)


class AgreementInvoice(models.Model):
    """An invoice the agreement covers, with its balance when it was included."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="covered_invoices")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("saldo incluido", **MONEY)

    class Meta:
        verbose_name = "factura del convenio"
        verbose_name_plural = "facturas del convenio"
        constraints = [models.UniqueConstraint(fields=["agreement", "invoice"], name="agreement_invoice_unique")]

    def __str__(self):
        return f"{self.agreement} · {self.invoice}"


class Installment(models.Model):
    """One installment of one version of the schedule. Number 0 is the down payment. A
    reschedule supersedes the unpaid rows of the previous version; they stay, for history."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="installments")
    version = models.PositiveSmallIntegerField("versión", default=1)
    number = models.PositiveSmallIntegerField("cuota")
    due_date = models.DateField("vencimiento")
    principal = models.DecimalField("capital", **MONEY)
    interest = models.DecimalField("interés", default=0, **MONEY)
    paid = models.DecimalField("pagado", default=0, **MONEY)
    paid_on = models.DateField("pagada el", null=True, blank=True)
    interest_waived = models.BooleanField("interés condonado", default=False)
    superseded = models.BooleanField("reemplazada por reprogramación", default=False)

    class Meta:
        verbose_name = "cuota"
        verbose_name_plural = "cuotas"
        ordering = ["agreement", "version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "version", "number"], name="installment_unique"),
            models.CheckConstraint(condition=models.Q(paid__gte=0), name="installment_paid_nonnegative"),
        ]
        indexes = [
            models.Index(
                fields=["agreement", "due_date"],
                name="installment_open_idx",
                condition=models.Q(superseded=False),
            )
        ]

    def __str__(self):
        return f"{self.agreement} cuota {self.number}"

    @property
    def amount(self):
        return self.principal + (0 if self.interest_waived else self.interest)

    @property
    def balance(self):
        return max(self.amount - self.paid, 0)

    @property
    def principal_unpaid(self):
        """Payments cover an installment's interest first, then its principal."""
        interest = 0 if self.interest_waived else self.interest
        return max(self.principal - max(self.paid - interest, 0), 0)


class InstallmentPayment(models.Model):
    """How much of a payment went to which installment."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="installment_allocations")
    installment = models.ForeignKey(Installment, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField("importe aplicado", **MONEY)

    class Meta:
        verbose_name = "pago de cuota"
        verbose_name_plural = "pagos de cuotas"
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="installment_payment_positive")]

    def __str__(self):
        return f"{self.payment} -> {self.installment}: {self.amount}"


class Reschedule(models.Model):
    """An ampliación de plazo: a request to replace the unpaid installments by a new schedule."""

    class Status(models.TextChoices):
        PENDING_APPROVAL = "PENDING_APPROVAL", "Pendiente de aprobación"
        AWAITING_SIGNATURE = "AWAITING_SIGNATURE", "Por firmar"
        SIGNED = "SIGNED", "Firmada y vigente"
        REJECTED = "REJECTED", "Rechazada"
        CANCELLED = "CANCELLED", "Anulada"

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reschedules")
    number = models.CharField("número de adenda", max_length=24, unique=True)
    status = models.CharField("estado", max_length=20, choices=Status.choices)
    from_version = models.PositiveSmallIntegerField("versión anterior")
    to_version = models.PositiveSmallIntegerField("versión nueva")
    reason = models.CharField("motivo", max_length=300)
    new_count = models.PositiveSmallIntegerField("cuotas nuevas")
    first_due = models.DateField("primer vencimiento nuevo")
    outside_policy = models.JSONField("fuera de política", default=list, blank=True)
    justification = models.TextField("justificación del oficial", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("solicitada", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField("motivo de la decisión", blank=True)
    signed_on = models.DateField("firmada el", null=True, blank=True)
    signature_scan = models.FileField("adenda firmada (escaneada)", upload_to="agreements/%Y/", blank=True)

    class Meta:
        verbose_name = "reprogramación"
        verbose_name_plural = "reprogramaciones"
        ordering = ["-requested_at"]

    def __str__(self):
        return self.number


class AgreementEvent(models.Model):
    """The timeline of an agreement: every status change (from, to, who, why) and every other
    fact worth showing (payment applied, document issued, reschedule)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField("fecha y hora", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    from_status = models.CharField("de", max_length=20, blank=True)
    to_status = models.CharField("a", max_length=20, blank=True)
    what = models.CharField("qué", max_length=300)
    reason = models.TextField("motivo", blank=True)

    class Meta:
        verbose_name = "evento del convenio"
        verbose_name_plural = "eventos del convenio"
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"{self.agreement} {self.what}"


class DocumentSequence(models.Model):
    """Numbering per document type and year (ST-2026-000001): a row locked while taking the
    next number, so two officers never get the same one."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="document_sequence_unique")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"

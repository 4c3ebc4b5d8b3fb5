from django.conf import settings
from django.db import models

from mora.customers.models import Account

MONEY = {"max_digits": 14, "decimal_places": 2}


class Invoice(models.Model):
    """A monthly invoice as the billing system issued it. `balance` is what is still unpaid:
    amount minus the payments Mora allocated to it."""

    account = models.ForeignKey(Account, verbose_name="cuenta", on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField("número de factura", max_length=30, unique=True)
    period = models.DateField("periodo", help_text="Primer día del mes facturado.")
    issue_date = models.DateField("fecha de emisión")
    due_date = models.DateField("fecha de vencimiento")
    kwh = models.PositiveIntegerField("consumo kWh", default=0)
    amount = models.DecimalField("importe", **MONEY)
    balance = models.DecimalField("saldo", **MONEY)
    # Set while an agreement in force covers this invoice: its debt is then collected through
    # the agreement's installments and it is not "in arrears" on its own.
    in_agreement = models.BooleanField("en convenio", default=False)
    import_job = models.ForeignKey(
        "ImportJob", verbose_name="importación", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "factura"
        verbose_name_plural = "facturas"
        ordering = ["account", "due_date"]
        indexes = [
            models.Index(fields=["account", "period"], name="invoice_account_period_idx"),
            # Aging reads only unpaid invoices: a partial index keeps it small on 24M rows.
            models.Index(fields=["account", "due_date"], name="invoice_open_idx", condition=models.Q(balance__gt=0)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="invoice_amount_nonnegative"),
            models.CheckConstraint(
                condition=models.Q(balance__gte=0) & models.Q(balance__lte=models.F("amount")),
                name="invoice_balance_between_zero_and_amount",
            ),
        ]

    def __str__(self):
        return self.number


class Channel(models.TextChoices):
    WINDOW = "VENTANILLA", "Ventanilla de la distribuidora"
    BANK = "BANCO", "Banco"
    AGENT = "AGENTE", "Agente de cobranza"
    ONLINE = "EN_LINEA", "Pago en línea / QR"
    FIELD = "CAMPO", "Cobro en campo"


class Payment(models.Model):
    """A payment identified by its receipt in the billing/cashier system. The same
    (source, receipt) is one payment: posting it twice changes nothing."""

    source = models.CharField("origen", max_length=30)
    receipt_number = models.CharField("número de recibo", max_length=40)
    account = models.ForeignKey(Account, verbose_name="cuenta", on_delete=models.PROTECT, related_name="payments")
    paid_at = models.DateTimeField("fecha y hora de pago")
    amount = models.DecimalField("importe", **MONEY)
    channel = models.CharField("canal", max_length=12, choices=Channel.choices)
    unapplied = models.DecimalField(
        "saldo a favor", default=0, help_text="Lo que no cubrió ninguna deuda al aplicarlo.", **MONEY
    )
    posted_at = models.DateTimeField("registrado", auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="registrado por", null=True, blank=True, on_delete=models.PROTECT
    )
    import_job = models.ForeignKey(
        "ImportJob", verbose_name="importación", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "pago"
        verbose_name_plural = "pagos"
        ordering = ["-paid_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "receipt_number"], name="payment_receipt_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["account", "paid_at"], name="payment_account_idx")]

    def __str__(self):
        return f"{self.source}/{self.receipt_number}"


class PaymentAllocation(models.Model):
    """How much of a payment went to which debt (oldest first)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField("importe aplicado", **MONEY)

    class Meta:
        verbose_name = "aplicación de pago"
        verbose_name_plural = "aplicaciones de pago"
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_amount_positive")]

    def __str__(self):
        return f"{self.payment} -> {self.invoice}: {self.amount}"


class ImportKind(models.TextChoices):
    ACCOUNTS = "ACCOUNTS", "Clientes y cuentas"
    INVOICES = "INVOICES", "Facturas"
    PAYMENTS = "PAYMENTS", "Pagos"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "ALL", "Todo o nada: con un error no se importa nada"
    VALID_ROWS = "VALID", "Importar solo las filas válidas"


class ImportStatus(models.TextChoices):
    PENDING = "PENDING", "En cola"
    RUNNING = "RUNNING", "En proceso"
    DONE = "DONE", "Importado"
    REJECTED = "REJECTED", "Rechazado por errores"
    FAILED = "FAILED", "Falló"


class ImportJob(models.Model):
    kind = models.CharField("tipo", max_length=10, choices=ImportKind.choices, blank=True)
    mode = models.CharField("modo", max_length=5, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    status = models.CharField("estado", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    file = models.FileField("archivo", upload_to="imports/%Y/%m/")
    original_name = models.CharField("nombre del archivo", max_length=255)
    sha256 = models.CharField("huella SHA-256", max_length=64, db_index=True)
    total_rows = models.PositiveIntegerField("filas", default=0)
    processed_rows = models.PositiveIntegerField("filas procesadas", default=0)
    imported_rows = models.PositiveIntegerField("filas importadas", default=0)
    unchanged_rows = models.PositiveIntegerField("filas ya existentes", default=0)
    error_rows = models.PositiveIntegerField("filas con error", default=0)
    message = models.TextField("mensaje", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="subido por", null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("subido", auto_now_add=True)
    started_at = models.DateTimeField("iniciado", null=True, blank=True)
    finished_at = models.DateTimeField("terminado", null=True, blank=True)

    class Meta:
        verbose_name = "importación"
        verbose_name_plural = "importaciones"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Importación {self.pk} ({self.original_name})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in (ImportStatus.PENDING, ImportStatus.RUNNING) else 100
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField("fila")
    column = models.CharField("columna", max_length=60, blank=True)
    value = models.CharField("valor", max_length=200, blank=True)
    message = models.CharField("motivo", max_length=300)

    class Meta:
        verbose_name = "error de importación"
        verbose_name_plural = "errores de importación"
        ordering = ["row_number", "id"]

    def __str__(self):
        return f"Fila {self.row_number} {self.column}: {self.message}"

from django.conf import settings
from django.db import models


class System(models.Model):
    """An electric system of the utility (Central Tarija, Yacuiba, ...)."""

    code = models.CharField("código", max_length=10, unique=True)
    name = models.CharField("nombre", max_length=80)

    class Meta:
        verbose_name = "sistema"
        verbose_name_plural = "sistemas"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Zone(models.Model):
    system = models.ForeignKey(System, verbose_name="sistema", on_delete=models.PROTECT, related_name="zones")
    code = models.CharField("código", max_length=20, unique=True)
    name = models.CharField("nombre", max_length=80)

    class Meta:
        verbose_name = "zona"
        verbose_name_plural = "zonas"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Route(models.Model):
    """A reading/cutting route inside a zone; accounts carry their sequence in it."""

    zone = models.ForeignKey(Zone, verbose_name="zona", on_delete=models.PROTECT, related_name="routes")
    code = models.CharField("código", max_length=20, unique=True)
    name = models.CharField("nombre", max_length=80, blank=True)

    class Meta:
        verbose_name = "ruta"
        verbose_name_plural = "rutas"
        ordering = ["code"]

    def __str__(self):
        return self.code


class IdDepartment(models.TextChoices):
    """Department that issued the cédula de identidad."""

    LP = "LP", "La Paz"
    CB = "CB", "Cochabamba"
    SC = "SC", "Santa Cruz"
    OR = "OR", "Oruro"
    PT = "PT", "Potosí"
    TJ = "TJ", "Tarija"
    CH = "CH", "Chuquisaca"
    BE = "BE", "Beni"
    PD = "PD", "Pando"


class Customer(models.Model):
    name = models.CharField("nombre", max_length=160, db_index=True)
    id_number = models.CharField("CI / NIT", max_length=20, db_index=True)
    id_department = models.CharField("expedido en", max_length=2, choices=IdDepartment.choices, blank=True)
    birth_date = models.DateField("fecha de nacimiento", null=True, blank=True)
    phone = models.CharField("teléfono", max_length=30, blank=True)
    email = models.EmailField("correo", blank=True)
    address = models.CharField("domicilio", max_length=200, blank=True)

    class Meta:
        verbose_name = "cliente"
        verbose_name_plural = "clientes"
        constraints = [models.UniqueConstraint(fields=["id_number", "id_department"], name="customer_id_unique")]

    def __str__(self):
        return self.name

    @property
    def id_display(self) -> str:
        return f"{self.id_number} {self.id_department}".strip()


class Category(models.TextChoices):
    DOMICILIARIA = "DOM", "Domiciliaria"
    GENERAL = "GEN", "General"
    INDUSTRIAL_MENOR = "IME", "Industrial Menor"
    INDUSTRIAL_MAYOR = "IMA", "Industrial Mayor"
    ALUMBRADO_PUBLICO = "AP", "Alumbrado Público"


class SupplyStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Activo"
    CUT = "CUT", "Cortado"
    SUSPENDED = "SUSPENDED", "Suspendido a pedido"
    RETIRED = "RETIRED", "Retirado"


class Account(models.Model):
    """A service point (suministro): the unit of billing, arrears and cutting."""

    number = models.CharField("número de cuenta", max_length=20, unique=True)
    customer = models.ForeignKey(Customer, verbose_name="titular", on_delete=models.PROTECT, related_name="accounts")
    category = models.CharField("categoría", max_length=3, choices=Category.choices, default=Category.DOMICILIARIA)
    tarifa_dignidad = models.BooleanField("Tarifa Dignidad", default=False)
    ley_1886 = models.BooleanField("Ley 1886 (60+)", default=False)
    zone = models.ForeignKey(Zone, verbose_name="zona", on_delete=models.PROTECT, related_name="accounts")
    route = models.ForeignKey(Route, verbose_name="ruta", on_delete=models.PROTECT, related_name="accounts")
    route_sequence = models.PositiveIntegerField("secuencia en la ruta", default=0)
    address = models.CharField("dirección del suministro", max_length=200)
    meter_number = models.CharField("medidor", max_length=30, blank=True)
    supply_status = models.CharField(
        "estado del suministro", max_length=10, choices=SupplyStatus.choices, default=SupplyStatus.ACTIVE
    )
    is_protected = models.BooleanField("cliente protegido", default=False)
    protected_reason = models.CharField(
        "motivo de protección",
        max_length=120,
        blank=True,
        help_text="Centro de salud, paciente electrodependiente, ...",
    )
    created_at = models.DateTimeField("alta", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "cuenta"
        verbose_name_plural = "cuentas"
        ordering = ["number"]
        indexes = [
            models.Index(fields=["zone", "route", "route_sequence"], name="account_route_idx"),
            models.Index(fields=["category"], name="account_category_idx"),
        ]

    def __str__(self):
        return self.number


class ComplaintStatus(models.TextChoices):
    PENDING = "PENDING", "Pendiente"
    RESOLVED = "RESOLVED", "Resuelto"


class Complaint(models.Model):
    """A reclamo: while pending, the supply must not be cut."""

    account = models.ForeignKey(Account, verbose_name="cuenta", on_delete=models.PROTECT, related_name="complaints")
    number = models.CharField("número", max_length=30, unique=True)
    opened_on = models.DateField("fecha")
    description = models.CharField("descripción", max_length=300)
    status = models.CharField("estado", max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.PENDING)
    resolved_on = models.DateField("resuelto el", null=True, blank=True)

    class Meta:
        verbose_name = "reclamo"
        verbose_name_plural = "reclamos"
        ordering = ["-opened_on"]
        indexes = [
            models.Index(
                fields=["account"], name="complaint_pending_idx", condition=models.Q(status=ComplaintStatus.PENDING)
            )
        ]

    def __str__(self):
        return self.number


class Hold(models.Model):
    """A manual dunning hold (retención): no cut while active, until it expires or is released."""

    account = models.ForeignKey(Account, verbose_name="cuenta", on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField("motivo", max_length=300)
    starts_on = models.DateField("desde")
    expires_on = models.DateField("hasta")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="registrado por", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("registrado", auto_now_add=True)
    released_on = models.DateField("levantado el", null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="levantado por",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    release_reason = models.CharField("motivo del levantamiento", max_length=300, blank=True)

    class Meta:
        verbose_name = "retención"
        verbose_name_plural = "retenciones"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return f"{self.account} {self.starts_on:%d/%m/%Y}-{self.expires_on:%d/%m/%Y}"

    def is_active_on(self, day) -> bool:
        return self.released_on is None and self.starts_on <= day <= self.expires_on

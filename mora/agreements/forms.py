"""Forms of the agreement pages: the list filters and the actions on one agreement. They only
check what the user typed; every business rule is checked (and explained) by the services."""

from pathlib import Path

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from mora.core.roles import AGREEMENT_WRITERS
from mora.customers.models import IdDepartment, Zone

from .models import KIND_CHOICES, STATUS_CHOICES

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

# A scan of a signed document: what the office scanners and phones produce, and small enough to
# keep thousands of them. The first bytes are checked too, so a renamed file is refused.
SCAN_MAX_BYTES = 5 * 1024 * 1024
SCAN_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}

SIGNER_CAPACITIES = [("Titular", "Titular"), ("Apoderado", "Apoderado"), ("Otro autorizado", "Otro autorizado")]

RESCHEDULE_REASONS = [
    ("Disminución de ingresos", "Disminución de ingresos"),
    ("Enfermedad", "Enfermedad"),
    ("Desempleo", "Desempleo"),
    ("Otro", "Otro (detallar)"),
]

SORT_CHOICES = [("-fecha", "Más recientes primero"), ("fecha", "Más antiguos primero")]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapMixin:
    """Bootstrap classes on every widget, small size (the pages are dense tables)."""

    def _style(self):
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")


def validate_scan(upload) -> None:
    """PDF, JPG or PNG of at most 5 MB, judged by name and by content."""
    if upload is None:
        return
    extension = Path(upload.name or "").suffix.lower()
    if extension not in SCAN_MAGIC:
        raise forms.ValidationError("El documento escaneado debe ser PDF, JPG o PNG.")
    if upload.size > SCAN_MAX_BYTES:
        raise forms.ValidationError("El documento escaneado no puede pasar de 5 MB.")
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in SCAN_MAGIC[extension]):
        raise forms.ValidationError("El archivo no es un PDF, JPG o PNG válido.")


# ---------------------------------------------------------------------------------------------
# List filters
# ---------------------------------------------------------------------------------------------


class AgreementFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="Número, cuenta o titular", required=False, max_length=100)
    tipo = forms.ChoiceField(label="Tipo", choices=[("", "Todos"), *KIND_CHOICES], required=False)
    estado = forms.ChoiceField(label="Estado", choices=[("", "Todos"), *STATUS_CHOICES], required=False)
    oficial = forms.ModelChoiceField(label="Oficial", queryset=None, required=False, empty_label="Todos")
    zona = forms.ModelChoiceField(
        label="Zona",
        queryset=Zone.objects.select_related("system").order_by("system__code", "name"),
        required=False,
        empty_label="Todas",
    )
    desde = forms.DateField(label="Creado desde", required=False, widget=_date_widget(), input_formats=DATE_FORMATS)
    hasta = forms.DateField(label="Creado hasta", required=False, widget=_date_widget(), input_formats=DATE_FORMATS)
    incumplido = forms.ChoiceField(
        label="Con incumplimientos", choices=[("", "Todos"), ("si", "Sí"), ("no", "No")], required=False
    )
    orden = forms.ChoiceField(label="Ordenar por", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whoever may write agreements, plus anyone who already made one (a former officer).
        users = get_user_model().objects.filter(groups__name__in=AGREEMENT_WRITERS) | get_user_model().objects.filter(
            agreements__isnull=False
        )
        self.fields["oficial"].queryset = users.distinct().order_by("first_name", "last_name", "username")
        self.fields["oficial"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.fields["zona"].label_from_instance = lambda zone: f"{zone.system.name} · {zone.name}"
        self._style()

    def clean(self):
        data = super().clean()
        if data.get("desde") and data.get("hasta") and data["desde"] > data["hasta"]:
            self.add_error("hasta", "Debe ser igual o posterior a la fecha desde.")
        return data

    def selector_kwargs(self) -> dict:
        """The arguments of selectors.agreements_list; an invalid form filters nothing."""
        data = self.cleaned_data if self.is_valid() else {}
        breached = {"si": True, "no": False}.get(data.get("incumplido") or "")
        return {
            "text": data.get("q") or "",
            "kind": data.get("tipo") or "",
            "status": data.get("estado") or "",
            "officer": data["oficial"].pk if data.get("oficial") else None,
            "zone": data["zona"].pk if data.get("zona") else None,
            "created_from": data.get("desde"),
            "created_to": data.get("hasta"),
            "breached": breached,
        }

    def sort(self) -> str:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("orden") or "-fecha"


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------


class ReasonForm(BootstrapMixin, forms.Form):
    """Approve, reject, cancel: the reason is always recorded."""

    reason = forms.CharField(
        label="Motivo", max_length=1000, error_messages={"required": "Indique el motivo."}, widget=forms.Textarea
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["rows"] = 2
        self._style()


class RescheduleDecisionForm(ReasonForm):
    decision = forms.ChoiceField(
        label="Decisión",
        choices=[("aprobar", "Aprobar"), ("rechazar", "Rechazar")],
        error_messages={"required": "Indique si aprueba o rechaza.", "invalid_choice": "Decisión no válida."},
    )


class SignForm(BootstrapMixin, forms.Form):
    signed_on = forms.DateField(
        label="Fecha de firma",
        widget=_date_widget(),
        input_formats=DATE_FORMATS,
        error_messages={"required": "Indique la fecha de firma.", "invalid": "Fecha no válida (dd/mm/aaaa)."},
    )
    signer_name = forms.CharField(
        label="Nombre de quien firma", max_length=160, error_messages={"required": "Indique quién firma."}
    )
    signer_id_number = forms.CharField(
        label="CI", max_length=20, error_messages={"required": "Indique el CI de quien firma."}
    )
    signer_id_department = forms.ChoiceField(
        label="Expedido en", choices=[("", "—"), *IdDepartment.choices], required=False
    )
    signer_capacity = forms.ChoiceField(label="En calidad de", choices=SIGNER_CAPACITIES, initial="Titular")
    signature_scan = forms.FileField(
        label="Documento firmado escaneado (PDF, JPG o PNG, máx. 5 MB)",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    receipt_source = forms.CharField(label="Origen del recibo", max_length=30, required=False, initial="CAJA-SETAR")
    receipt_number = forms.CharField(label="Número de recibo de la cuota inicial", max_length=40, required=False)

    def __init__(self, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate()
        if agreement is not None:
            customer = agreement.account.customer
            self.fields["signer_name"].initial = customer.name
            self.fields["signer_id_number"].initial = customer.id_number
            self.fields["signer_id_department"].initial = customer.id_department
        self._style()

    def clean_signature_scan(self):
        upload = self.cleaned_data.get("signature_scan")
        validate_scan(upload)
        return upload


class RescheduleForm(BootstrapMixin, forms.Form):
    new_count = forms.IntegerField(
        label="Nuevo número de cuotas",
        min_value=1,
        max_value=60,
        error_messages={"required": "Indique el número de cuotas."},
    )
    first_due = forms.DateField(
        label="Primer vencimiento nuevo",
        widget=_date_widget(),
        input_formats=DATE_FORMATS,
        error_messages={"required": "Indique el primer vencimiento.", "invalid": "Fecha no válida (dd/mm/aaaa)."},
    )
    reason_choice = forms.ChoiceField(
        label="Motivo",
        choices=[("", "Elija…"), *RESCHEDULE_REASONS],
        error_messages={"required": "Elija el motivo de la reprogramación."},
    )
    reason_detail = forms.CharField(label="Detalle del motivo", max_length=250, required=False)
    justification = forms.CharField(
        label="Justificación para el jefe",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoria si el nuevo plazo queda fuera de política.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self):
        data = super().clean()
        choice, detail = data.get("reason_choice"), (data.get("reason_detail") or "").strip()
        if choice == "Otro" and not detail:
            self.add_error("reason_detail", "Detalle el motivo.")
        return data

    def reason(self) -> str:
        """One line for the addendum: the common reason, with the detail when given."""
        choice, detail = self.cleaned_data["reason_choice"], (self.cleaned_data.get("reason_detail") or "").strip()
        if choice == "Otro":
            return detail
        return f"{choice}: {detail}" if detail else choice


class RescheduleSignForm(BootstrapMixin, forms.Form):
    signed_on = forms.DateField(
        label="Fecha de firma de la adenda",
        widget=_date_widget(),
        input_formats=DATE_FORMATS,
        error_messages={"required": "Indique la fecha de firma.", "invalid": "Fecha no válida (dd/mm/aaaa)."},
    )
    signature_scan = forms.FileField(
        label="Adenda firmada escaneada (PDF, JPG o PNG, máx. 5 MB)",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate()
        self._style()

    def clean_signature_scan(self):
        upload = self.cleaned_data.get("signature_scan")
        validate_scan(upload)
        return upload

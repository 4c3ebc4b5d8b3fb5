"""Forms of the simulator (quote), of the policy editor and of the billing export period.

Forms only read and type the input; every rule (eligibility, limits, what needs approval) stays
in the domain and the services."""

import dataclasses
import typing
from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone

from mora.core.money import AmountError, format_bs, parse_amount

from .domain.policy import ABSOLUTE_MAX_INSTALLMENTS, AgreementKind, PolicyTerms

# Short names for radio buttons, boxes and spreadsheets; the full legal name of the contract is
# for the document itself.
KIND_SHORT_LABELS = {
    AgreementKind.EARLY_SOLUTION: "Solución Temprana",
    AgreementKind.DEBT_CONTRACT: "Contrato Privado",
}

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


# ---------------------------------------------------------------------------------------------
# Quote (simulador)
# ---------------------------------------------------------------------------------------------


class AmountField(forms.CharField):
    """An amount typed the Bolivian way (`1.234,50`) or the computer way (`1234.50`)."""

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_amount(text)
        except AmountError:
            raise forms.ValidationError("Escriba un importe, por ejemplo 1.234,50.") from None


class IdListField(forms.Field):
    """The ids of the checked invoices (`name=invoices` repeated). Ids that are not overdue
    invoices of the account are ignored by the quote itself, so only the type is checked here."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError):
            raise forms.ValidationError("Selección de facturas no válida.") from None


class QuoteForm(forms.Form):
    kind = forms.ChoiceField(
        label="Tipo de convenio",
        choices=[(kind.value, label) for kind, label in KIND_SHORT_LABELS.items()],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    # Sent with every submission of the page, so that "no invoice checked" (an empty list) can be
    # told apart from "nothing said yet" (every overdue invoice).
    invoices_sent = forms.BooleanField(required=False, widget=forms.HiddenInput)
    invoices = IdListField(required=False)
    down_payment = AmountField(
        label="Cuota inicial (Bs)",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control text-end", "inputmode": "decimal", "autocomplete": "off"}),
    )
    installments = forms.IntegerField(
        label="Número de cuotas",
        required=False,
        min_value=0,
        max_value=ABSOLUTE_MAX_INSTALLMENTS,
        widget=forms.NumberInput(attrs={"class": "form-control text-end"}),
    )
    first_due = forms.DateField(
        label="Primer vencimiento", required=False, widget=DATE_INPUT, input_formats=DATE_FORMATS
    )
    # The kind the inputs were last filled for: when the officer switches kind, the down payment
    # and the number of installments are refilled with the new kind's policy.
    prev_kind = forms.CharField(required=False, widget=forms.HiddenInput)
    guarantor_name = forms.CharField(
        label="Nombre del garante",
        required=False,
        max_length=160,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    guarantor_id_number = forms.CharField(
        label="CI del garante", required=False, max_length=20, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    notice_address = forms.CharField(
        label="Domicilio para notificaciones",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    justification = forms.CharField(
        label="Justificación (solo si está fuera de política)",
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )

    def kind_switched(self) -> bool:
        prev = self.cleaned_data.get("prev_kind")
        return bool(prev) and prev != self.cleaned_data.get("kind")

    def invoice_ids(self) -> list[int] | None:
        return self.cleaned_data["invoices"] if self.cleaned_data.get("invoices_sent") else None


# ---------------------------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TermSpec:
    label: str
    unit: str = ""  # "pct", "rate", "bs", "days", "months" or "" (a count or a yes/no)
    none_text: str = "sin límite"


# Every field of PolicyTerms in plain Spanish. A field missing here still works (its name is
# shown) and the tests fail, so a new term cannot reach the supervisor unlabelled.
TERM_SPECS: dict[str, TermSpec] = {
    "min_overdue_invoices": TermSpec("Facturas vencidas, mínimo"),
    "max_overdue_invoices": TermSpec("Facturas vencidas, máximo"),
    "min_debt": TermSpec("Deuda vencida, mínimo", "bs"),
    "max_debt": TermSpec("Deuda vencida, máximo", "bs"),
    "min_overdue_days": TermSpec("Días de mora, mínimo", "days"),
    "requires_prior_breached_st_or_size": TermSpec(
        "Solo para deudas grandes o antiguas, o tras una Solución Temprana incumplida"
    ),
    "size_debt_over": TermSpec("Deuda grande: más de", "bs", "no aplica"),
    "size_invoices_over": TermSpec("Deuda grande: más facturas vencidas que", "", "no aplica"),
    "size_oldest_days_over": TermSpec(
        "Deuda antigua: factura más antigua con más días de mora que", "days", "no aplica"
    ),
    "max_per_window": TermSpec("Convenios de este tipo por cuenta en el período, máximo"),
    "window_months": TermSpec("Período para contar convenios", "months"),
    "blocks_on_pending_complaint": TermSpec("Un reclamo pendiente impide firmar"),
    "min_down_payment_pct": TermSpec("Cuota inicial mínima", "pct"),
    "social_min_down_payment_pct": TermSpec("Cuota inicial mínima con beneficio social", "pct"),
    "max_installments": TermSpec("Cuotas, máximo"),
    "social_max_installments": TermSpec("Cuotas con beneficio social, máximo"),
    "approval_max_installments": TermSpec("Cuotas con aprobación del jefe, máximo"),
    "approval_allowed": TermSpec("El jefe puede aprobar condiciones fuera de política"),
    "min_installment_amount": TermSpec("Cuota mensual mínima", "bs"),
    "monthly_interest_rate": TermSpec("Interés mensual sobre el saldo", "rate"),
    "stricter_after_breaches": TermSpec("Condiciones más estrictas tras incumplimientos (en 12 meses)", "", "nunca"),
    "stricter_min_down_payment_pct": TermSpec("Cuota inicial mínima con condiciones estrictas", "pct", "no aplica"),
    "grace_days": TermSpec("Días de gracia antes del incumplimiento", "days"),
    "max_reschedules": TermSpec("Reprogramaciones, máximo"),
    "acceleration_on_breach": TermSpec("Un incumplimiento hace exigible todo el saldo (cláusula de aceleración)"),
    "waive_interest_on_time": TermSpec("Se condona el interés de las cuotas pagadas a tiempo"),
}


def term_label(name: str) -> str:
    spec = TERM_SPECS.get(name)
    return spec.label if spec else name


def _number(value: Decimal) -> str:
    """20 -> "20", 0.50 -> "0,5": percentages without trailing zeros, Bolivian comma."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def term_display(name: str, value) -> str:
    """A term's value as the supervisor reads it: "20 %", "Bs 3.000,00", "sin límite", "Sí"."""
    spec = TERM_SPECS.get(name, TermSpec(name))
    if value is None:
        return spec.none_text
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if spec.unit == "bs":
        return format_bs(value)
    if spec.unit == "pct":
        return f"{_number(Decimal(value))} %"
    if spec.unit == "rate":
        return f"{_number(Decimal(value) * 100)} % al mes"
    if spec.unit == "days":
        return f"{value} día" if value == 1 else f"{value} días"
    if spec.unit == "months":
        return f"{value} mes" if value == 1 else f"{value} meses"
    return str(value)


def terms_rows(terms: PolicyTerms) -> list[tuple[str, str, str]]:
    """(name, label, shown value) for every term, in the dataclass order."""
    return [
        (f.name, term_label(f.name), term_display(f.name, getattr(terms, f.name))) for f in dataclasses.fields(terms)
    ]


def terms_diff(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(label, old value, new value) for each term that changed between two stored versions.
    Older versions may lack a term: then its dataclass default applied, so compare with that."""
    old, new = PolicyTerms.from_dict(before), PolicyTerms.from_dict(after)
    return [
        (term_label(f.name), term_display(f.name, getattr(old, f.name)), term_display(f.name, getattr(new, f.name)))
        for f in dataclasses.fields(PolicyTerms)
        if getattr(old, f.name) != getattr(new, f.name)
    ]


class MoneyField(forms.DecimalField):
    """Money of the policy: accepts `3.000,00` and `3000.00` like every amount in Mora."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except AmountError:
            raise forms.ValidationError("Escriba un importe, por ejemplo 3.000,00.") from None


def _policy_field(field: dataclasses.Field) -> forms.Field:
    annotation = field.type
    args = typing.get_args(annotation)
    optional = type(None) in args
    base = next((arg for arg in args if arg is not type(None)), annotation) if args else annotation
    spec = TERM_SPECS.get(field.name, TermSpec(field.name))
    helps = []
    if optional:
        helps.append("vacío = sin límite" if spec.none_text == "sin límite" else f"vacío = {spec.none_text}")
    if spec.unit == "pct":
        helps.append("en por ciento: 20 = 20 %")
    elif spec.unit == "rate":
        helps.append("fracción por mes: 0,005 = 0,5 % al mes")
    common = {"label": spec.label, "required": not optional, "help_text": " · ".join(helps)}
    text = {"class": "form-control"}
    if base is bool:
        return forms.BooleanField(
            label=spec.label, required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
        )
    if base is int:
        return forms.IntegerField(**common, widget=forms.NumberInput(attrs=text))
    if base is Decimal:
        widget = forms.TextInput(attrs={**text, "inputmode": "decimal"})
        # Localized: the Spanish decimal comma is read, and shown, as such.
        field_class = MoneyField if spec.unit == "bs" else forms.DecimalField
        return field_class(**common, localize=True, widget=widget)
    raise TypeError(f"Tipo de parámetro de política no previsto: {field.name}: {annotation}")


class PolicyForm(forms.Form):
    """Every term of PolicyTerms, built from the dataclass so that a new term appears here
    without touching this form; plus the mandatory reason for the change."""

    def __init__(self, *args, terms: PolicyTerms | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in dataclasses.fields(PolicyTerms):
            self.fields[field.name] = _policy_field(field)
            if terms is not None:
                self.fields[field.name].initial = getattr(terms, field.name)
        self.fields["reason"] = forms.CharField(
            label="Motivo del cambio",
            max_length=2000,
            widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
        )

    def terms_fields(self):
        return [self[field.name] for field in dataclasses.fields(PolicyTerms)]

    def terms(self) -> PolicyTerms:
        return PolicyTerms(**{field.name: self.cleaned_data[field.name] for field in dataclasses.fields(PolicyTerms)})


# ---------------------------------------------------------------------------------------------
# Billing export
# ---------------------------------------------------------------------------------------------


def next_month(today: date) -> str:
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year:04d}-{month:02d}"


class BillingPeriodForm(forms.Form):
    periodo = forms.RegexField(
        label="Periodo de facturación",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": "Elija un mes (AAAA-MM)."},
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
    )

    def __init__(self, data=None, **kwargs):
        # Without a period in the URL: the next month, the one being billed.
        if not data or not data.get("periodo"):
            data = {"periodo": next_month(timezone.localdate())}
        super().__init__(data, **kwargs)

    def year_month(self) -> tuple[int, int]:
        year, month = self.cleaned_data["periodo"].split("-")
        return int(year), int(month)

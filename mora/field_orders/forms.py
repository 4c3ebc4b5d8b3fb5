"""Forms of the supervisor's pages. They only read and check input; the writes are services."""

from dataclasses import fields
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from mora.core.money import AmountError, format_bs, parse_amount

from .domain.policy import FieldPolicy

# Spanish labels of the policy's fields; a field added to FieldPolicy without a label here
# still shows (with its code name), so the form never silently drops a rule.
POLICY_LABELS = {
    "min_unpaid_invoices": ("Facturas impagas para cortar", "Ley 1604 art. 59; RSPSE art. 41: desde dos facturas."),
    "min_debt": ("Deuda mínima para cortar (Bs)", "Nunca se corta por una deuda menor."),
    "notice_business_days": ("Días hábiles de aviso antes del corte", ""),
    "no_cuts_on_fridays": ("No cortar los viernes", ""),
    "no_cuts_before_holidays": ("No cortar la víspera de un feriado", ""),
    "cutoff_hour": ("Hora límite para reconectar el mismo día", "Pagos antes de esta hora se reconectan el mismo día."),
    "next_day_deadline_hour": ("Hora límite de reconexión al día siguiente", ""),
    "max_reconnection_hours": ("Plazo máximo de reconexión (horas)", ""),
    "reconnection_charge": ("Cargo de reconexión (Bs)", "Solo si el suministro fue cortado de verdad."),
}


def policy_label(name: str) -> str:
    return POLICY_LABELS.get(name, (name, ""))[0]


def policy_display(terms: FieldPolicy) -> list[tuple[str, str]]:
    """(label, value as the user reads it) for each rule."""
    rows = []
    for field in fields(FieldPolicy):
        value = getattr(terms, field.name)
        if isinstance(value, bool):
            text = "Sí" if value else "No"
        elif isinstance(value, Decimal):
            text = format_bs(value)
        elif field.name.endswith("_hour"):
            text = f"{value:02d}:00"
        else:
            text = str(value)
        rows.append((policy_label(field.name), text))
    return rows


class _Bootstrap:
    def _style(self):
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)


class CycleForm(_Bootstrap, forms.Form):
    day = forms.DateField(
        label="Fecha del ciclo",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="La lista se propone para el siguiente día en que se permite cortar.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"day": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self._style()


class RemoveLineForm(_Bootstrap, forms.Form):
    reason = forms.CharField(label="Motivo", max_length=300, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class MoneyField(forms.CharField):
    """Bolivian amounts: `50`, `50,00`, `1.234,50`."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise ValidationError("Escriba un importe, por ejemplo 50,00.") from exc


class FieldPolicyForm(_Bootstrap, forms.Form):
    """One input per field of FieldPolicy (dataclasses.fields), plus the mandatory reason."""

    reason = forms.CharField(
        label="Motivo del cambio", max_length=500, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )

    def __init__(self, *args, current: FieldPolicy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy_names = []
        for field in fields(FieldPolicy):
            label, help_text = POLICY_LABELS.get(field.name, (field.name, ""))
            value = getattr(current, field.name)
            if field.type is bool or field.type == "bool":
                form_field = forms.BooleanField(label=label, required=False, initial=value)
            elif field.type is Decimal or field.type == "Decimal":
                form_field = MoneyField(label=label, initial=format_bs(value, symbol=False))
            else:
                form_field = forms.IntegerField(label=label, initial=value)
            form_field.help_text = help_text
            self.fields[field.name] = form_field
            self.policy_names.append(field.name)
        # The reason last, after the rules.
        self.fields["reason"] = self.fields.pop("reason")
        self._style()

    @property
    def policy_fields(self):
        return [self[name] for name in self.policy_names]

    def terms(self) -> FieldPolicy:
        return FieldPolicy(**{name: self.cleaned_data[name] for name in self.policy_names})

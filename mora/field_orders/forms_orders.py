"""Forms of the orders pages, the SLA board and the contractors administration. They only
parse and validate input; every write goes through the services."""

from datetime import date, datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from mora.core.roles import Role
from mora.customers.models import Zone

from .models import Contractor, Crew, NotExecutedReason, OrderKind, OrderStatus
from .selectors_sla import OrderFilters

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, input_formats=DATE_FORMATS, widget=forms.DateInput(attrs={"type": "date"})
    )


class BootstrapMixin:
    """Bootstrap classes on the widgets, so templates can render `{{ field }}` as is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select) and not isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-control form-control-sm")


class OrderResultForm(forms.Form):
    resultado = forms.ChoiceField(choices=[("ejecutada", "Ejecutada"), ("no_ejecutada", "No ejecutada")])
    hora = forms.TimeField(
        label="Hora", required=False, input_formats=["%H:%M"], widget=forms.TimeInput(attrs={"type": "time"})
    )
    motivo = forms.ChoiceField(label="Motivo", required=False, choices=[("", "—"), *NotExecutedReason.choices])
    observaciones = forms.CharField(label="Observaciones", required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("resultado") == "no_ejecutada" and not data.get("motivo"):
            self.add_error("motivo", "Indique por qué no se ejecutó la orden.")
        return data

    @property
    def executed(self) -> bool:
        return self.cleaned_data["resultado"] == "ejecutada"

    def moment(self) -> datetime | None:
        """The time the crew reported, today (local); None means now."""
        hora: time | None = self.cleaned_data.get("hora")
        if hora is None:
            return None
        return timezone.make_aware(datetime.combine(timezone.localdate(), hora))


class OrderCancelForm(forms.Form):
    motivo = forms.CharField(label="Motivo de la anulación", max_length=300)


class OrdersFilterForm(BootstrapMixin, forms.Form):
    tipo = forms.ChoiceField(label="Tipo", required=False, choices=[("", "Todos"), *OrderKind.choices])
    estado = forms.ChoiceField(label="Estado", required=False, choices=[("", "Todos"), *OrderStatus.choices])
    microempresa = forms.ModelChoiceField(
        label="Microempresa", required=False, queryset=Contractor.objects.all(), empty_label="Todas"
    )
    zona = forms.ModelChoiceField(
        label="Zona", required=False, queryset=Zone.objects.select_related("system"), empty_label="Todas"
    )
    desde = _date_field("Desde")
    hasta = _date_field("Hasta")
    atrasadas = forms.BooleanField(label="Solo atrasadas", required=False)
    q = forms.CharField(label="Orden o cuenta", required=False, max_length=30)

    def to_filters(self) -> OrderFilters:
        if not self.is_valid():
            return OrderFilters()
        d = self.cleaned_data
        return OrderFilters(
            kind=d["tipo"],
            status=d["estado"],
            contractor_id=d["microempresa"].pk if d["microempresa"] else None,
            zone_id=d["zona"].pk if d["zona"] else None,
            date_from=d["desde"],
            date_to=d["hasta"],
            late=d["atrasadas"],
            query=d["q"].strip(),
        )


class SlaFilterForm(BootstrapMixin, forms.Form):
    desde = _date_field("Desde")
    hasta = _date_field("Hasta")
    microempresa = forms.ModelChoiceField(
        label="Microempresa", required=False, queryset=Contractor.objects.all(), empty_label="Todas"
    )
    zona = forms.ModelChoiceField(
        label="Zona", required=False, queryset=Zone.objects.select_related("system"), empty_label="Todas"
    )

    def clean(self):
        data = super().clean()
        if data.get("desde") and data.get("hasta") and data["desde"] > data["hasta"]:
            raise forms.ValidationError("La fecha «desde» es posterior a «hasta».")
        return data

    def period(self, today: date) -> tuple[date, date, int | None, int | None]:
        """The chosen period; by default the current month up to today."""
        data = self.cleaned_data if self.is_valid() else {}
        date_from = data.get("desde") or today.replace(day=1)
        date_to = data.get("hasta") or today
        contractor = data.get("microempresa")
        zone = data.get("zona")
        return date_from, date_to, contractor.pk if contractor else None, zone.pk if zone else None


def coordinator_users():
    return (
        get_user_model()
        .objects.filter(groups__name=Role.COORDINATOR, is_active=True)
        .select_related("coordinator__contractor")
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


class CoordinatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name() or user.username
        current = getattr(user, "coordinator", None)
        return f"{name} ({user.username})" + (f" · hoy en {current.contractor.name}" if current else "")


class ContractorForm(BootstrapMixin, forms.ModelForm):
    zones = forms.ModelMultipleChoiceField(
        label="Zonas que atiende",
        required=False,
        queryset=Zone.objects.select_related("system").order_by("system__code", "name"),
        widget=forms.CheckboxSelectMultiple,
    )
    coordinators = CoordinatorChoiceField(
        label="Coordinadores",
        required=False,
        queryset=coordinator_users(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Usuarios con el rol «Coordinador de microempresa». Uno elegido aquí deja su microempresa anterior.",
    )

    class Meta:
        model = Contractor
        fields = ["name", "tax_id", "phone", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinators"].queryset = coordinator_users()
        if self.instance.pk:
            self.fields["zones"].initial = list(self.instance.zones.values_list("pk", flat=True))
            self.fields["coordinators"].initial = list(self.instance.coordinators.values_list("user_id", flat=True))

    def zones_by_system(self) -> list[tuple[str, list]]:
        """The zone checkboxes grouped by electric system, for the template."""
        systems = {zone.pk: zone.system.name for zone in self.fields["zones"].queryset}
        groups: dict[str, list] = {}
        for checkbox in self["zones"]:
            groups.setdefault(systems[int(str(checkbox.data["value"]))], []).append(checkbox)
        return list(groups.items())


class CrewForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Crew
        fields = ["name", "daily_capacity", "is_active"]
        labels = {"name": "Cuadrilla", "daily_capacity": "Cortes por día", "is_active": "Activa"}

    def has_changed(self):
        # An extra row left without a name is an empty row, whatever its checkbox says.
        if not self.instance.pk and not (self.data.get(self.add_prefix("name")) or "").strip():
            return False
        return super().has_changed()


CrewFormSet = forms.inlineformset_factory(
    Contractor, Crew, form=CrewForm, extra=2, can_delete=False, min_num=0, validate_min=False
)


def crew_rows(formset) -> list[dict]:
    """What the administrator typed: existing crews and the new rows he filled in."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not form.instance.pk and not form.has_changed():
            continue
        if not data.get("name"):
            continue
        rows.append(
            {
                "id": form.instance.pk,
                "name": data["name"].strip(),
                "daily_capacity": data["daily_capacity"],
                "is_active": data.get("is_active", False),
            }
        )
    return rows

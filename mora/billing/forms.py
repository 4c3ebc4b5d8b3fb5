from django import forms

from mora.customers.models import Category, SupplyStatus, System, Zone

from .aging import BUCKETS
from .selectors import SOCIAL_FLAGS, SORTS, ArrearsFilters

SORT_CHOICES = [
    ("-deuda", "Mayor deuda"),
    ("deuda", "Menor deuda"),
    ("antiguedad", "Más antigua"),
    ("-antiguedad", "Más reciente"),
    ("-facturas", "Más facturas impagas"),
    ("cuenta", "Número de cuenta"),
    ("nombre", "Nombre del titular"),
]


class ArrearsFilterForm(forms.Form):
    q = forms.CharField(label="Cuenta, nombre o CI", required=False, max_length=100)
    sistema = forms.ModelChoiceField(
        label="Sistema", queryset=System.objects.all(), required=False, empty_label="Todos"
    )
    zona = forms.ModelChoiceField(
        label="Zona",
        queryset=Zone.objects.select_related("system").order_by("system__code", "name"),
        required=False,
        empty_label="Todas",
    )
    ruta = forms.CharField(label="Ruta", required=False, max_length=20)
    categoria = forms.ChoiceField(label="Categoría", choices=[("", "Todas"), *Category.choices], required=False)
    beneficio = forms.ChoiceField(
        label="Beneficio social", choices=[("", "Todos"), *[(k, v[0]) for k, v in SOCIAL_FLAGS.items()]], required=False
    )
    antiguedad = forms.ChoiceField(
        label="Antigüedad", choices=[("", "Todas"), *[(b.code, b.label) for b in BUCKETS]], required=False
    )
    deuda_min = forms.DecimalField(
        label="Deuda desde (Bs)", required=False, min_value=0, decimal_places=2, localize=True
    )
    deuda_max = forms.DecimalField(
        label="Deuda hasta (Bs)", required=False, min_value=0, decimal_places=2, localize=True
    )
    facturas_min = forms.IntegerField(label="Facturas impagas desde", required=False, min_value=1)
    facturas_max = forms.IntegerField(label="Facturas impagas hasta", required=False, min_value=1)
    suministro = forms.ChoiceField(label="Suministro", choices=[("", "Todos"), *SupplyStatus.choices], required=False)
    orden = forms.ChoiceField(label="Ordenar por", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
        self.fields["zona"].label_from_instance = lambda zone: f"{zone.system.name} · {zone.name}"

    def clean(self):
        data = super().clean()
        if (
            data.get("deuda_min") is not None
            and data.get("deuda_max") is not None
            and data["deuda_min"] > data["deuda_max"]
        ):
            self.add_error("deuda_max", "Debe ser mayor o igual que la deuda desde.")
        if (
            data.get("facturas_min") is not None
            and data.get("facturas_max") is not None
            and data["facturas_min"] > data["facturas_max"]
        ):
            self.add_error("facturas_max", "Debe ser mayor o igual que el mínimo de facturas.")
        return data

    def to_filters(self) -> ArrearsFilters:
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("orden") or "-deuda"
        return ArrearsFilters(
            text=data.get("q") or "",
            system=data["sistema"].pk if data.get("sistema") else None,
            zone=data["zona"].pk if data.get("zona") else None,
            route=data.get("ruta") or "",
            category=data.get("categoria") or "",
            social_flag=data.get("beneficio") or "",
            bucket=data.get("antiguedad") or "",
            min_debt=data.get("deuda_min"),
            max_debt=data.get("deuda_max"),
            min_unpaid=data.get("facturas_min"),
            max_unpaid=data.get("facturas_max"),
            supply_status=data.get("suministro") or "",
            sort=sort if sort.lstrip("-") in SORTS else "-deuda",
        )

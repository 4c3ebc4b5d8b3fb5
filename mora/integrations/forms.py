from django import forms

from mora.field_orders.models import Contractor

from .models import Scope


class ApiClientForm(forms.Form):
    name = forms.CharField(label="Nombre", max_length=80, widget=forms.TextInput(attrs={"class": "form-control"}))
    scopes = forms.MultipleChoiceField(
        label="Permisos", choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    contractor = forms.ModelChoiceField(
        label="Microempresa (solo verá sus órdenes)",
        queryset=Contractor.objects.filter(is_active=True),
        required=False,
        empty_label="Ninguna",
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motivo", max_length=300)

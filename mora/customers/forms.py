from django import forms
from django.utils import timezone

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


class HoldForm(forms.Form):
    reason = forms.CharField(
        label="Motivo", max_length=300, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )
    starts_on = forms.DateField(label="Desde", widget=DATE_INPUT, input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    expires_on = forms.DateField(label="Hasta", widget=DATE_INPUT, input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motivo", max_length=300, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )


class ComplaintForm(forms.Form):
    description = forms.CharField(
        label="Descripción del reclamo",
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

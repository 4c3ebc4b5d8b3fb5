"""The cashier's window: post a payment where no integration with the cashier system exists.
Posting the same receipt twice changes nothing (the service is idempotent on the receipt)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from mora.agreements import selectors as agreement_selectors
from mora.agreements.domain.states import ACTIVE
from mora.core.access import role_required
from mora.core.money import AmountError, format_bs, parse_amount
from mora.core.roles import PAYMENT_WRITERS
from mora.customers import selectors as customer_selectors

from . import selectors, services
from .models import Channel, Payment

ZERO = Decimal("0.00")
DEFAULT_SOURCE = "CAJA-SETAR"
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class PaymentForm(forms.Form):
    account = forms.CharField(
        label="Número de cuenta", max_length=20, error_messages={"required": "Indique el número de cuenta."}
    )
    source = forms.CharField(label="Origen del recibo", max_length=30, initial=DEFAULT_SOURCE)
    receipt_number = forms.CharField(
        label="Número de recibo", max_length=40, error_messages={"required": "Indique el número de recibo."}
    )
    # Text, not DecimalField: the cashier types Bolivian format (1.234,50) as often as 1234.50.
    amount = forms.CharField(
        label="Importe (Bs)", max_length=30, error_messages={"required": "Indique el importe del pago."}
    )
    paid_at = forms.DateTimeField(
        label="Fecha y hora del pago",
        input_formats=[DATETIME_INPUT, "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        error_messages={"required": "Indique la fecha y hora del pago.", "invalid": "Fecha y hora no válidas."},
    )
    channel = forms.ChoiceField(label="Canal", choices=Channel.choices, initial=Channel.WINDOW)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.account_obj = None
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_account(self):
        number = self.cleaned_data["account"].strip()
        self.account_obj = customer_selectors.account_get(number=number)
        if self.account_obj is None:
            raise forms.ValidationError(f"No existe la cuenta {number}.")
        return number

    def clean_source(self):
        return self.cleaned_data["source"].strip()

    def clean_receipt_number(self):
        return self.cleaned_data["receipt_number"].strip()

    def clean_amount(self):
        try:
            amount = parse_amount(self.cleaned_data["amount"])
        except AmountError:
            raise forms.ValidationError("Importe no válido: escríbalo como 1.234,50 o 1234.50.") from None
        if amount <= 0:
            raise forms.ValidationError("El importe debe ser mayor que cero.")
        return amount

    def clean_paid_at(self):
        paid_at = self.cleaned_data["paid_at"]
        if paid_at > timezone.now():
            raise forms.ValidationError("La fecha y hora del pago no puede ser futura.")
        return paid_at


def _account_summary(number: str) -> str:
    """Holder and debt of the account the cashier typed, so the wrong account is caught before
    the payment is posted."""
    number = (number or "").strip()
    if not number:
        return ""
    account = customer_selectors.account_get(number=number)
    if account is None:
        return format_html('<div class="alert alert-warning py-2 small mb-0">No existe la cuenta {}.</div>', number)
    today = timezone.localdate()
    overdue = sum((row["debt"] for row in selectors.account_aging(account=account, today=today)), ZERO)
    open_total = selectors.account_invoices(account=account).filter(balance__gt=0).aggregate(s=Sum("balance"))["s"]
    agreements = [
        (agreement.number, format_bs(agreement_selectors.agreement_balance(agreement=agreement)))
        for agreement in account.agreements.filter(status__in=[status.value for status in ACTIVE])
    ]
    agreement_lines = format_html_join(
        "", "<div>Convenio vigente {}: saldo <strong>{}</strong> (se paga primero)</div>", agreements
    )
    return format_html(
        '<div class="alert alert-info py-2 small mb-0" id="account-summary">'
        "<div><strong>{}</strong> · CI {}</div>"
        "<div>Deuda vencida: <strong>{}</strong> · facturas impagas en total: {}</div>{}</div>",
        account.customer.name,
        account.customer.id_display,
        format_bs(overdue),
        format_bs(open_total or ZERO),
        agreement_lines,
    )


def _outcome(payment: Payment, created: bool) -> str:
    receipt = f"{payment.source}/{payment.receipt_number}"
    if not created:
        amount = format_bs(payment.amount)
        return f"El recibo {receipt} ya estaba registrado con los mismos datos ({amount}): no se cambió nada."
    to_installments = payment.installment_allocations.aggregate(s=Sum("amount"))["s"] or ZERO
    text = f"Pago {receipt} de {format_bs(payment.amount)} registrado en la cuenta {payment.account.number}"
    if to_installments:
        text += f"; {format_bs(to_installments)} a cuotas de convenio"
    if payment.unapplied:
        text += f"; saldo a favor sin aplicar: {format_bs(payment.unapplied)}"
    return text + "."


@role_required(*PAYMENT_WRITERS)
def payment_new(request):
    if request.method == "GET" and request.headers.get("HX-Request"):
        # The lookup on leaving the account field: only the holder and debt snippet.
        return HttpResponse(_account_summary(request.GET.get("account", "")))
    form = PaymentForm(request.POST or None, initial={"account": request.GET.get("cuenta", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment, created = services.payment_record(
                actor=request.user,
                source=data["source"],
                receipt_number=data["receipt_number"],
                account=form.account_obj,
                paid_at=data["paid_at"],
                amount=data["amount"],
                channel=data["channel"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            (messages.success if created else messages.info)(request, _outcome(payment, created))
            return redirect("customers:account_detail", number=payment.account.number)
    account_number = form.data.get("account") if form.is_bound else form.initial.get("account")
    return render(
        request, "billing/payment_new.html", {"form": form, "account_summary": _account_summary(account_number)}
    )

"""Shared steps of the agreement tests: pay, quote, sign."""

from decimal import Decimal

from django.utils import timezone

from mora.agreements import selectors, services
from mora.agreements.domain.policy import AgreementKind
from mora.billing.services import payment_record


def pay(account, amount, receipt, when=None):
    payment, _ = payment_record(
        source="CAJA",
        receipt_number=receipt,
        account=account,
        paid_at=when or timezone.now(),
        amount=Decimal(amount),
        channel="VENTANILLA",
    )
    return payment


def quote_request(kind=AgreementKind.EARLY_SOLUTION, **terms):
    return selectors.QuoteRequest(
        kind=kind,
        invoice_ids=None,
        down_payment=terms.get("down_payment"),
        installments=terms.get("installments"),
        first_due=terms.get("first_due"),
        signing_date=timezone.localdate(),
    )


def sign(agreement, actor, receipt="R-1"):
    """Register the signature with the down-payment receipt `receipt` (already paid)."""
    return services.agreement_sign(
        actor=actor,
        agreement_id=agreement.pk,
        signed_on=timezone.localdate(),
        signer_name="Titular de la cuenta",
        signer_id_number="1234567",
        receipt_source="CAJA",
        receipt_number=receipt,
    )


def create_and_sign(account, actor, request=None):
    """An agreement in force: created, down payment paid, signed."""
    agreement = services.agreement_create(actor=actor, account=account, request=request or quote_request())
    pay(account, str(agreement.down_payment), "R-1")
    sign(agreement, actor)
    agreement.refresh_from_db()
    return agreement


def unpaid_principal(agreement):
    return sum((row.principal_unpaid for row in selectors.agreement_schedule(agreement=agreement)), Decimal("0.00"))

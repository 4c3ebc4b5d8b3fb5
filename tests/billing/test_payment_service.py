from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from mora.billing.models import Channel, Invoice, Payment, PaymentAllocation
from mora.billing.services import payment_record
from mora.core.models import AuditEvent
from tests.factories import make_account, make_invoice

LA_PAZ = ZoneInfo("America/La_Paz")
PAID_AT = datetime(2025, 4, 2, 10, 30, tzinfo=LA_PAZ)


def record(account, amount, receipt="R-1", **overrides):
    kwargs = {
        "source": "CAJA",
        "receipt_number": receipt,
        "account": account,
        "paid_at": PAID_AT,
        "amount": Decimal(amount),
        "channel": Channel.WINDOW,
    }
    kwargs.update(overrides)
    return payment_record(**kwargs)


@pytest.mark.django_db
def test_payment_is_allocated_oldest_first_and_leaves_credit():
    account = make_account()
    newer = make_invoice(account=account, due_date=date(2025, 3, 25), amount="80.00", number="F-2")
    older = make_invoice(account=account, due_date=date(2025, 2, 25), amount="100.00", number="F-1")
    paid = make_invoice(account=account, due_date=date(2025, 1, 25), amount="50.00", balance="0", number="F-0")

    payment, created = record(account, "130.00")

    assert created
    older.refresh_from_db(), newer.refresh_from_db(), paid.refresh_from_db()
    assert older.balance == Decimal("0.00")
    assert newer.balance == Decimal("50.00")
    assert paid.balance == Decimal("0.00")
    assert payment.unapplied == Decimal("0.00")
    allocations = {a.invoice.number: a.amount for a in payment.allocations.select_related("invoice")}
    assert allocations == {"F-1": Decimal("100.00"), "F-2": Decimal("30.00")}

    extra, _ = record(account, "70.00", receipt="R-2")
    newer.refresh_from_db()
    assert newer.balance == 0
    assert extra.unapplied == Decimal("20.00")
    event = AuditEvent.objects.get(action="payment.recorded", entity_id=str(payment.pk))
    assert event.account_id == account.pk


@pytest.mark.django_db
def test_same_receipt_twice_changes_nothing():
    account = make_account()
    make_invoice(account=account, due_date=date(2025, 2, 25), amount="100.00")
    first, created = record(account, "60.00")
    second, created_again = record(account, "60.00")
    assert created and not created_again
    assert first.pk == second.pk
    assert Payment.objects.count() == 1
    assert PaymentAllocation.objects.count() == 1
    assert Invoice.objects.get().balance == Decimal("40.00")


@pytest.mark.django_db
def test_same_receipt_with_other_data_is_refused():
    account = make_account()
    make_invoice(account=account, due_date=date(2025, 2, 25), amount="100.00")
    record(account, "60.00")
    with pytest.raises(ValidationError, match="otros datos"):
        record(account, "61.00")
    assert Invoice.objects.get().balance == Decimal("40.00")


@pytest.mark.django_db
def test_zero_payment_is_refused():
    with pytest.raises(ValidationError):
        record(make_account(), "0")
    assert Payment.objects.count() == 0

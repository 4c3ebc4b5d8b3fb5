"""Payments racing on one account with an agreement in force, on real concurrent PostgreSQL
connections: every payment is allocated exactly once and the money invariant survives."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from mora.agreements import selectors, services
from mora.agreements.domain.policy import AgreementKind
from mora.agreements.domain.states import AgreementStatus as S
from mora.agreements.models import Agreement, Installment, InstallmentPayment
from mora.billing.models import Payment, PaymentAllocation
from mora.billing.services import payment_record
from mora.core.roles import Role
from tests.factories import make_account, make_invoice

ZERO = Decimal("0.00")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrent writers need PostgreSQL (SQLite serializes the whole database); CI runs it.",
    ),
]


def run_together(count: int, work) -> list[BaseException]:
    """Run work(i) in `count` threads released at the same instant; each thread has its own
    connection and closes it. Returns the errors raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(i):
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return errors


@pytest.fixture
def agreement_in_force(users):
    """A Solución Temprana in force: 3 invoices of Bs 300 (one more not covered), 20 % down."""
    # A transactional test starts from a flushed database: the policies the migration made are gone.
    services.policy_ensure_defaults()
    today = timezone.localdate()
    account = make_account(number="50000001")
    for months in (3, 2, 1):
        make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="300.00")
    officer = users[Role.OFFICER]
    request = selectors.QuoteRequest(
        kind=AgreementKind.EARLY_SOLUTION,
        invoice_ids=None,
        down_payment=None,
        installments=3,
        first_due=None,
        signing_date=today,
    )
    agreement = services.agreement_create(actor=officer, account=account, request=request)
    payment_record(
        source="CAJA",
        receipt_number="INI-1",
        account=account,
        paid_at=timezone.now(),
        amount=agreement.down_payment,
        channel="VENTANILLA",
    )
    services.agreement_sign(
        actor=officer,
        agreement_id=agreement.pk,
        signed_on=today,
        signer_name="Titular",
        signer_id_number="1234567",
        receipt_source="CAJA",
        receipt_number="INI-1",
    )
    # An invoice issued after the agreement: not covered, paid after the installments.
    make_invoice(account=account, due_date=today + timedelta(days=10), amount="80.00")
    agreement.refresh_from_db()
    assert agreement.status == S.CURRENT
    return agreement


def assert_consistent(agreement: Agreement, payments: list[Payment]) -> None:
    for payment in payments:
        to_installments = sum((r.amount for r in InstallmentPayment.objects.filter(payment=payment)), ZERO)
        # An installment's principal also lowers a covered invoice: that allocation is the same
        # money, so only allocations to invoices outside the agreement count on top.
        covered = set(agreement.covered_invoices.values_list("invoice_id", flat=True))
        to_plain_invoices = sum(
            (r.amount for r in PaymentAllocation.objects.filter(payment=payment).exclude(invoice_id__in=covered)),
            ZERO,
        )
        assert to_installments + to_plain_invoices + payment.unapplied == payment.amount, payment
    for row in Installment.objects.filter(agreement=agreement):
        assert ZERO <= row.paid <= row.amount, row
    agreement.refresh_from_db()
    if agreement.status in (S.CURRENT, S.LATE, S.BREACHED):
        unpaid = sum((r.principal_unpaid for r in selectors.agreement_schedule(agreement=agreement)), ZERO)
        assert services.covered_balance(agreement) == unpaid
    else:
        assert agreement.status == S.COMPLETED
        assert services.covered_balance(agreement) == ZERO


@pytest.mark.parametrize("threads", [2, 20])
def test_simultaneous_payments_are_each_allocated_once(agreement_in_force, threads):
    agreement = agreement_in_force
    account = agreement.account
    amount = Decimal("37.50")
    paid_at = timezone.now()

    def pay(i):
        payment_record(
            source="BANCO",
            receipt_number=f"R-{i:03d}",
            account=account,
            paid_at=paid_at,
            amount=amount,
            channel="BANCO",
        )

    errors = run_together(threads, pay)
    assert errors == []
    payments = list(Payment.objects.filter(source="BANCO"))
    assert len(payments) == threads
    assert_consistent(agreement, payments)
    # All the money went somewhere: installments first, the new invoice after, then credit.
    total_in = sum((p.amount for p in payments), ZERO)
    applied = sum((r.amount for r in InstallmentPayment.objects.filter(payment__in=payments)), ZERO)
    assert applied == min(total_in, Decimal("720.00"))


def test_same_receipt_posted_by_ten_threads_creates_one_payment(agreement_in_force):
    account = agreement_in_force.account
    paid_at = timezone.now()
    results = []

    def pay(_i):
        results.append(
            payment_record(
                source="BANCO",
                receipt_number="UNICO-1",
                account=account,
                paid_at=paid_at,
                amount=Decimal("100.00"),
                channel="BANCO",
            )[1]
        )

    errors = run_together(10, pay)
    assert errors == []
    assert Payment.objects.filter(source="BANCO", receipt_number="UNICO-1").count() == 1
    assert sorted(results) == [False] * 9 + [True]
    payment = Payment.objects.get(source="BANCO", receipt_number="UNICO-1")
    assert_consistent(agreement_in_force, [payment])
    assert sum((r.amount for r in InstallmentPayment.objects.filter(payment=payment)), ZERO) == Decimal("100.00")

"""The demo agreements (mora/demo/agreements.py): made through the services on a simulated
calendar and moved onto the demo's one; every invariant of the services must still hold."""

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from mora.agreements import selectors, services
from mora.agreements.domain.states import ACTIVE
from mora.agreements.models import Agreement, AgreementEvent, Installment, Reschedule
from mora.billing.models import Payment
from mora.core.models import AuditEvent
from mora.demo.agreements import RECEIPT_FIRST

TODAY = date(2026, 5, 20)
ZERO = Decimal("0.00")
# With 4000 accounts every pair below is present (the contracts are the scarce ones: they need
# debts older than 90 days at the agreement's date, and cut accounts are not chosen).
EXPECTED = {("ST", s) for s in ("AWAITING_SIGNATURE", "CURRENT", "LATE", "BREACHED", "COMPLETED", "CANCELLED")} | {
    ("CPRD", s) for s in ("PENDING_APPROVAL", "REJECTED", "AWAITING_SIGNATURE", "CURRENT", "COMPLETED", "CANCELLED")
}


def seed(n: int, seed_value: int = 7) -> str:
    out = StringIO()
    call_command("seed_demo", "--accounts", str(n), "--seed", str(seed_value), "--today", TODAY.isoformat(), stdout=out)
    return out.getvalue()


def summary():
    return (
        sorted(Agreement.objects.values_list("number", "kind", "status", "debt", "down_payment", "signing_date")),
        sorted(
            Installment.objects.values_list("agreement__number", "version", "number", "due_date", "principal", "paid")
        ),
        sorted(Reschedule.objects.values_list("agreement__number", "status", "new_count")),
    )


def demo_payments():
    return list(Payment.objects.filter(receipt_number__gte=f"{RECEIPT_FIRST:010d}").values_list("pk", flat=True))


def seeded_summary(n: int, seed_value: int):
    """Seed inside a savepoint, read the summary, roll back: the database stays empty."""
    with transaction.atomic():
        seed(n, seed_value)
        result = summary()
        transaction.set_rollback(True)
    return result


# Defined before the module fixture below, so that it runs while the database is still empty.
@pytest.mark.django_db
def test_same_seed_same_agreements():
    first = seeded_summary(1200, 5)
    assert first[0]
    assert seeded_summary(1200, 5) == first


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One 4000-account demo for the checks below, rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed(4000)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_kind_and_status(demo):
    pairs = Counter(Agreement.objects.values_list("kind", "status"))
    assert set(pairs) >= EXPECTED, EXPECTED - set(pairs)
    # A Solución Temprana admits no approval: never pending or rejected.
    assert not Agreement.objects.filter(kind="ST", status__in=["PENDING_APPROVAL", "REJECTED"]).exists()
    assert Reschedule.objects.filter(status="SIGNED").exists()
    assert "Convenios:" in demo
    for agreement in Agreement.objects.filter(status="PENDING_APPROVAL"):
        assert agreement.outside_policy and agreement.justification
    for agreement in Agreement.objects.filter(status="REJECTED"):
        assert agreement.decided_by.username == "jefe" and agreement.decision_reason
    assert set(Agreement.objects.values_list("officer__username", flat=True)) == {"oficial"}
    for agreement in Agreement.objects.exclude(in_force_at=None):
        assert agreement.signer_name and agreement.signer_id_number and agreement.signer_id_department
        assert agreement.down_payment_receipt_id
    accelerated = Agreement.objects.filter(kind="CPRD", status="BREACHED")
    assert all(a.accelerated_on for a in accelerated)


@pytest.mark.django_db
def test_money_invariants(demo):
    in_force = Agreement.objects.filter(status__in=[s.value for s in ACTIVE])
    assert in_force.exists()
    for agreement in in_force:
        unpaid = sum((row.principal_unpaid for row in selectors.agreement_schedule(agreement=agreement)), ZERO)
        assert services.covered_balance(agreement) == unpaid, agreement.number
        covered = agreement.covered_invoices.select_related("invoice")
        assert all(row.invoice.in_agreement for row in covered if row.invoice.balance > 0), agreement.number
    for agreement in Agreement.objects.all():
        rows = defaultdict(list)
        for row in agreement.installments.all():
            rows[row.version].append(row)
            assert ZERO <= row.paid <= row.amount
        assert sum((r.principal for r in rows[1]), ZERO) == agreement.debt
        for version in sorted(rows)[1:]:
            replaced = [r for r in rows[version - 1] if r.superseded]
            assert sum((r.principal for r in rows[version]), ZERO) == sum((r.principal_unpaid for r in replaced), ZERO)
    # Every demo payment is allocated exactly once (installments pay covered invoices' principal).
    for payment in Payment.objects.filter(pk__in=demo_payments()):
        to_invoices = sum((a.amount for a in payment.allocations.all()), ZERO)
        assert to_invoices + payment.unapplied == payment.amount


@pytest.mark.django_db
def test_dates_are_on_the_demo_calendar(demo):
    for agreement in Agreement.objects.all():
        created = agreement.created_at.date()
        assert created <= TODAY
        assert agreement.number.split("-")[1] == str(created.year)
        if agreement.signed_on:
            assert created <= agreement.signed_on <= TODAY
        if agreement.closed_on:
            assert agreement.closed_on <= TODAY
    assert not Payment.objects.filter(paid_at__date__gt=TODAY).exists()
    assert not AgreementEvent.objects.filter(occurred_at__date__gt=TODAY).exists()
    # Audit rows of the agreements and their payments (other demo modules write their own).
    ours = AuditEvent.objects.filter(action__startswith="agreement.") | AuditEvent.objects.filter(
        action="payment.recorded", entity_id__in=[str(pk) for pk in demo_payments()]
    )
    assert ours.filter(action="agreement.created").count() == Agreement.objects.count()
    assert not ours.filter(occurred_at__date__gt=TODAY).exists()
    for row in Installment.objects.exclude(paid_on=None):
        assert row.paid_on <= TODAY


@pytest.mark.django_db
def test_every_status_change_has_an_event(demo):
    for agreement in Agreement.objects.all():
        chain = list(agreement.events.exclude(to_status="").order_by("occurred_at", "id"))
        assert chain and chain[0].from_status == ""
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status, agreement.number
            assert before.occurred_at <= after.occurred_at
        assert chain[-1].to_status == agreement.status, agreement.number
        assert AuditEvent.objects.filter(action="agreement.created", entity_id=str(agreement.pk)).exists()

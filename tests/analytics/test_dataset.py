"""The database builder: only what was known on the signing day enters an agreement's features."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mora.agreements.domain.policy import DEFAULT_POLICIES, AgreementKind
from mora.agreements.models import Agreement, AgreementEvent, AgreementPolicy
from mora.analytics.dataset import build_dataset
from mora.billing.models import Payment, PaymentAllocation
from tests.factories import make_account, make_invoice

LA_PAZ = ZoneInfo("America/La_Paz")
pytestmark = pytest.mark.django_db


def _agreement(account, officer, number, signed_on, status="COMPLETED", breaches=0):
    policy, _ = AgreementPolicy.objects.get_or_create(
        kind="ST", version=1, defaults={"terms": DEFAULT_POLICIES[AgreementKind.EARLY_SOLUTION].to_dict()}
    )
    return Agreement.objects.create(
        number=number,
        kind="ST",
        status=status,
        account=account,
        policy=policy,
        officer=officer,
        debt=Decimal("300.00"),
        down_payment=Decimal("60.00"),
        installments_count=3,
        grace_days=10,
        signing_date=signed_on,
        first_due=signed_on.replace(day=1).replace(month=signed_on.month + 1),
        signed_on=signed_on,
        usual_bill=Decimal("100.00"),
        breaches=breaches,
    )


def _breach_event(agreement, day):
    event = AgreementEvent.objects.create(
        agreement=agreement, from_status="LATE", to_status="BREACHED", what="Incumplido"
    )
    AgreementEvent.objects.filter(pk=event.pk).update(occurred_at=datetime.combine(day, time(6), tzinfo=LA_PAZ))


def _pay(account, invoice, amount, day, receipt):
    payment = Payment.objects.create(
        source="CAJA",
        receipt_number=receipt,
        account=account,
        paid_at=datetime.combine(day, time(10), tzinfo=LA_PAZ),
        amount=Decimal(amount),
        channel="VENTANILLA",
    )
    PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=Decimal(amount))


def _row(frame, agreement):
    return frame[frame["agreement_id"] == agreement.pk].iloc[0]


def test_features_use_only_what_was_known_at_signing(users):
    officer = users["oficial"]
    account = make_account(meter_number="A-1234567")
    signed = date(2025, 6, 10)
    prior = _agreement(account, officer, "ST-2025-1", date(2025, 1, 10), status="BREACHED", breaches=1)
    _breach_event(prior, date(2025, 3, 1))  # breached before: counts
    prior_late_breach = _agreement(account, officer, "ST-2025-2", date(2025, 2, 10), status="COMPLETED", breaches=1)
    _breach_event(prior_late_breach, date(2025, 7, 1))  # breached only after the signing: does not count
    this = _agreement(account, officer, "ST-2025-3", signed, status="COMPLETED")

    late_unpaid = make_invoice(account=account, due_date=date(2025, 3, 10))  # unpaid at signing: late
    on_time = make_invoice(account=account, due_date=date(2025, 4, 10))
    _pay(account, on_time, "100.00", date(2025, 4, 5), "R1")  # paid before its due date: not late
    make_invoice(account=account, due_date=date(2024, 5, 1))  # more than 12 months before: outside
    before = _row(build_dataset(), this)
    assert before["prior_agreements"] == 2
    assert before["prior_breaches"] == 1
    assert before["late_invoices_12m"] == 1
    assert before["installment_share"] == pytest.approx(0.8)  # (300 - 60) / 3 / 100
    assert before["down_share"] == pytest.approx(0.2)
    assert (before["signing_month"], before["signing_day"], before["meter_digit"]) == (6, 10, 7)
    assert before["breached"] == 0

    # Everything below happens after the signing: if any of it leaked, the features would change.
    _pay(account, late_unpaid, "100.00", date(2025, 6, 20), "R2")  # the late invoice paid later
    make_invoice(account=account, due_date=date(2025, 7, 10))  # an invoice due after the signing
    later = _agreement(account, officer, "ST-2025-4", date(2025, 8, 1), status="BREACHED", breaches=1)
    _breach_event(later, date(2025, 9, 1))
    after = _row(build_dataset(), this)
    for name in ("prior_agreements", "prior_breaches", "late_invoices_12m", "installment_share", "down_share"):
        assert after[name] == before[name], name
    # ...while the later agreement does see the earlier ones (three before it, two breached by then).
    later_row = _row(build_dataset(), later)
    assert later_row["prior_agreements"] == 3 and later_row["prior_breaches"] == 2 and later_row["breached"] == 1


def test_only_agreements_with_an_outcome(users):
    officer = users["oficial"]
    account = make_account()
    done = _agreement(account, officer, "ST-2025-10", date(2025, 1, 10), status="COMPLETED")
    _agreement(account, officer, "ST-2025-11", date(2025, 3, 10), status="CURRENT")  # no outcome yet
    late_but_breached_once = _agreement(account, officer, "ST-2025-12", date(2025, 4, 10), status="LATE", breaches=1)
    frame = build_dataset()
    assert sorted(frame["agreement_id"].tolist()) == sorted([done.pk, late_but_breached_once.pk])
    assert _row(frame, late_but_breached_once)["breached"] == 1


def test_query_count_does_not_grow_with_agreements(users, django_assert_max_num_queries):
    officer = users["oficial"]
    for i in range(6):
        account = make_account()
        _agreement(account, officer, f"ST-2025-{100 + i}", date(2025, 2, 1 + i), status="COMPLETED")
        make_invoice(account=account, due_date=date(2025, 1, 10))
    with django_assert_max_num_queries(5):
        assert len(build_dataset()) == 6

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mora.agreements.domain.compliance import (
    Compliance,
    ComplianceResult,
    InstallmentState,
    acceleration,
    apply_payment,
    evaluate,
    interest_waived,
)

D = Decimal
GRACE = 10
DUE = date(2026, 3, 2)


def plan(*paid):
    """Three installments of Bs 100 a month from DUE, with the given amounts paid."""
    amounts = [InstallmentState(k + 1, date(2026, 3 + k, 2), D("100.00")) for k in range(3)]
    return [
        InstallmentState(item.number, item.due_date, item.amount, D(value))
        for item, value in zip(amounts, list(paid) + ["0"] * (3 - len(paid)), strict=True)
    ]


def test_nothing_due_yet_is_current():
    result = evaluate(installments=plan(), today=DUE - timedelta(days=1), grace_days=GRACE)
    assert result == ComplianceResult(Compliance.CURRENT, D("0.00"), 0, DUE, None)


def test_the_due_date_itself_is_still_on_time():
    result = evaluate(installments=plan(), today=DUE, grace_days=GRACE)
    assert result.status == Compliance.CURRENT
    assert result.overdue_amount == D("0.00")


def test_the_day_after_the_due_date_is_late():
    result = evaluate(installments=plan(), today=DUE + timedelta(days=1), grace_days=GRACE)
    assert result == ComplianceResult(Compliance.LATE, D("100.00"), 1, DUE, None)


def test_exactly_grace_days_late_is_still_late():
    result = evaluate(installments=plan(), today=DUE + timedelta(days=GRACE), grace_days=GRACE)
    assert result.status == Compliance.LATE
    assert result.days_late_max == GRACE
    assert result.breached_installment is None


def test_grace_days_plus_one_is_a_breach():
    result = evaluate(installments=plan(), today=DUE + timedelta(days=GRACE + 1), grace_days=GRACE)
    assert result == ComplianceResult(Compliance.BREACHED, D("100.00"), GRACE + 1, DUE, 1)


def test_zero_grace_breaches_the_next_day():
    assert evaluate(installments=plan(), today=DUE, grace_days=0).status == Compliance.CURRENT
    assert evaluate(installments=plan(), today=DUE + timedelta(days=1), grace_days=0).status == Compliance.BREACHED


def test_paid_installments_keep_the_agreement_current():
    result = evaluate(installments=plan("100", "100"), today=date(2026, 4, 20), grace_days=GRACE)
    assert result == ComplianceResult(Compliance.CURRENT, D("0.00"), 0, date(2026, 5, 2), None)


def test_a_partial_payment_leaves_the_rest_overdue():
    result = evaluate(installments=plan("60"), today=DUE + timedelta(days=GRACE + 1), grace_days=GRACE)
    assert result.status == Compliance.BREACHED
    assert result.overdue_amount == D("40.00")


def test_overdue_amount_counts_only_installments_already_due():
    result = evaluate(installments=plan("100"), today=date(2026, 4, 5), grace_days=GRACE)
    assert result == ComplianceResult(Compliance.LATE, D("100.00"), 3, date(2026, 4, 2), None)


def test_the_oldest_breached_installment_is_reported():
    result = evaluate(installments=plan(), today=date(2026, 5, 5), grace_days=GRACE)
    assert result.status == Compliance.BREACHED
    assert result.breached_installment == 1
    assert result.overdue_amount == D("300.00")
    assert result.days_late_max == (date(2026, 5, 5) - DUE).days


def test_regularizing_the_breached_installment_leaves_the_later_one_late():
    result = evaluate(installments=plan("100"), today=date(2026, 4, 10), grace_days=GRACE)
    assert result.status == Compliance.LATE


def test_everything_paid_is_completed_even_if_overpaid_or_early():
    result = evaluate(installments=plan("100", "100", "150"), today=DUE - timedelta(days=30), grace_days=GRACE)
    assert result == ComplianceResult(Compliance.COMPLETED, D("0.00"), 0, None, None)
    assert evaluate(installments=[], today=DUE, grace_days=GRACE).status == Compliance.COMPLETED


def test_negative_grace_is_refused():
    with pytest.raises(ValueError):
        evaluate(installments=plan(), today=DUE, grace_days=-1)


@given(
    paid=st.lists(st.sampled_from(["0", "50", "100"]), min_size=3, max_size=3),
    offset=st.integers(min_value=-40, max_value=120),
    grace=st.integers(min_value=0, max_value=30),
)
def test_status_matches_the_definition(paid, offset, grace):
    today = DUE + timedelta(days=offset)
    items = plan(*paid)
    result = evaluate(installments=items, today=today, grace_days=grace)
    unpaid = [item for item in items if item.paid < item.amount]
    lateness = [(today - item.due_date).days for item in unpaid]
    if not unpaid:
        expected = Compliance.COMPLETED
    elif any(days > grace for days in lateness):
        expected = Compliance.BREACHED
    elif any(days > 0 for days in lateness):
        expected = Compliance.LATE
    else:
        expected = Compliance.CURRENT
    assert result.status == expected
    assert result.overdue_amount == sum((item.amount - item.paid for item in unpaid if item.due_date < today), D(0))


def with_interest():
    return [
        InstallmentState(1, date(2026, 3, 2), D("108.00"), D("0"), interest=D("8.00")),
        InstallmentState(2, date(2026, 4, 2), D("106.00"), D("50.00"), interest=D("6.00")),
        InstallmentState(3, date(2026, 5, 4), D("104.00"), D("0"), interest=D("4.00")),
        InstallmentState(4, date(2026, 6, 2), D("102.00"), D("102.00"), interest=D("2.00")),
    ]


def test_acceleration_is_the_whole_unpaid_balance():
    assert acceleration(with_interest()) == D("108.00") + D("56.00") + D("104.00")


def test_acceleration_leaves_out_interest_not_yet_accrued():
    # On 20 March: installment 1 is due in full; 2 and 3 only for their unpaid principal.
    assert acceleration(with_interest(), today=date(2026, 3, 20)) == D("108.00") + D("56.00") + D("100.00")
    assert acceleration(plan("100", "100", "100")) == D("0.00")


def test_interest_waived_when_principal_paid_by_the_due_date():
    item = InstallmentState(1, date(2026, 3, 2), D("108.00"), D("100.00"), interest=D("8.00"))
    assert interest_waived(item, date(2026, 3, 2), waive_on_time=True)
    assert interest_waived(item, date(2026, 2, 20), waive_on_time=True)
    assert not interest_waived(item, date(2026, 3, 3), waive_on_time=True)
    assert not interest_waived(item, date(2026, 3, 2), waive_on_time=False)
    assert not interest_waived(item, None, waive_on_time=True)
    short = InstallmentState(1, date(2026, 3, 2), D("108.00"), D("99.99"), interest=D("8.00"))
    assert not interest_waived(short, date(2026, 3, 1), waive_on_time=True)
    no_interest = InstallmentState(1, date(2026, 3, 2), D("100.00"), D("100.00"))
    assert not interest_waived(no_interest, date(2026, 3, 1), waive_on_time=True)


def test_apply_payment_goes_oldest_first():
    updated, leftover = apply_payment(plan("100", "30"), D("120.00"))
    assert [item.paid for item in updated] == [D("100.00"), D("100.00"), D("50.00")]
    assert leftover == D("0.00")
    updated, leftover = apply_payment(plan("100"), D("250.00"))
    assert [item.paid for item in updated] == [D("100.00")] * 3
    assert leftover == D("50.00")

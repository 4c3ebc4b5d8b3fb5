from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mora.billing.allocation import allocate_oldest_first, unapplied_after

money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
balances = st.lists(money, max_size=12)


@given(amount=money, debts=balances)
def test_allocation_invariants(amount, debts):
    keyed = list(enumerate(debts))
    result = allocate_oldest_first(amount, keyed)
    applied = dict(result)
    unapplied = unapplied_after(amount, result)

    assert sum(applied.values(), Decimal(0)) + unapplied == amount
    assert unapplied >= 0  # never more than paid
    for key, value in result:
        assert 0 < value <= debts[key]  # never more than a balance
    # Never pays a newer debt while an older one is still open.
    for key in applied:
        for older in range(key):
            assert debts[older] == 0 or applied.get(older) == debts[older]
    # Nothing is left over while some debt is still open.
    if unapplied > 0:
        assert all(applied.get(key, Decimal(0)) == balance for key, balance in keyed)
    # Keys come back in the given (due) order.
    assert [key for key, _ in result] == sorted(applied)


def test_partial_payment_covers_the_oldest_first():
    result = allocate_oldest_first(Decimal("150.00"), [("ene", Decimal("100.00")), ("feb", Decimal("80.00"))])
    assert result == [("ene", Decimal("100.00")), ("feb", Decimal("50.00"))]


def test_overpayment_leaves_credit_and_paid_debts_are_skipped():
    result = allocate_oldest_first(Decimal("100.00"), [("a", Decimal("0")), ("b", Decimal("30.00"))])
    assert result == [("b", Decimal("30.00"))]
    assert unapplied_after(Decimal("100.00"), result) == Decimal("70.00")


@pytest.mark.parametrize(
    ("amount", "debts"),
    [(Decimal("-1"), []), (Decimal("10"), [("a", Decimal("-5"))])],
)
def test_negative_values_are_refused(amount, debts):
    with pytest.raises(ValueError):
        allocate_oldest_first(amount, debts)


def test_float_is_refused():
    with pytest.raises(TypeError):
        allocate_oldest_first(10.5, [])

"""Oldest-first allocation of a payment to debts: a pure function, no database.

The caller (services.payment_record) reads the balances under a row lock, in due order, and
applies the result; keeping the arithmetic here lets Hypothesis check its invariants."""

from collections.abc import Hashable, Sequence
from decimal import Decimal

from mora.core.money import to_money


def allocate_oldest_first(amount: Decimal, debts: Sequence[tuple[Hashable, Decimal]]) -> list[tuple[Hashable, Decimal]]:
    """Spread `amount` over `debts` (key, balance), already sorted oldest first.

    Returns (key, applied) for each debt that receives something, in the same order. A debt is
    paid in full before the next one gets a cent, so a newer debt is never paid while an older
    one is still open. What is left (`amount - sum(applied)`) is the payer's unapplied credit.
    """
    if isinstance(amount, float):
        raise TypeError("El dinero nunca es float.")
    remaining = to_money(amount)
    if remaining < 0:
        raise ValueError("El importe a aplicar no puede ser negativo.")
    result: list[tuple[Hashable, Decimal]] = []
    for key, balance in debts:
        balance = to_money(balance)
        if balance < 0:
            raise ValueError(f"Saldo negativo para {key!r}.")
        if remaining == 0:
            break
        if balance == 0:
            continue
        applied = min(balance, remaining)
        result.append((key, applied))
        remaining -= applied
    return result


def unapplied_after(amount: Decimal, allocations: Sequence[tuple[Hashable, Decimal]]) -> Decimal:
    return to_money(amount) - sum((applied for _, applied in allocations), Decimal("0.00"))

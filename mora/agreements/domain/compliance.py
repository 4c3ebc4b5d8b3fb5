"""Compliance of an agreement with its schedule on a given day.

"Due" is defined once, here: an installment is overdue from the day AFTER its due date (paying
on the due date is on time), and `today - due_date` is how many days late it is. With a grace
of 10 days, an installment due on the 1st is late from the 2nd to the 11th and breached on the
12th if still unpaid."""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mora.billing.allocation import allocate_oldest_first
from mora.core.money import to_money

ZERO = Decimal("0.00")


class Compliance(enum.StrEnum):
    CURRENT = "al día"
    LATE = "en atraso"
    BREACHED = "incumplido"
    COMPLETED = "cumplido"


@dataclass(frozen=True)
class InstallmentState:
    number: int
    due_date: date
    amount: Decimal
    paid: Decimal = ZERO
    # The part of `amount` that is interest: payments cover it first, and acceleration leaves out
    # the interest of installments not yet due (it has not accrued).
    interest: Decimal = ZERO

    @property
    def unpaid(self) -> Decimal:
        return max(to_money(self.amount) - to_money(self.paid), ZERO)

    @property
    def principal(self) -> Decimal:
        return to_money(self.amount) - to_money(self.interest)


@dataclass(frozen=True)
class ComplianceResult:
    status: Compliance
    overdue_amount: Decimal  # unpaid amount of installments with due_date < today
    days_late_max: int  # of the oldest overdue installment; 0 when none
    first_unpaid_due: date | None  # earliest unpaid installment, due or not; None when all paid
    breached_installment: int | None  # number of the first installment past grace


def evaluate(*, installments: Sequence[InstallmentState], today: date, grace_days: int) -> ComplianceResult:
    if grace_days < 0:
        raise ValueError("Los días de gracia no pueden ser negativos.")
    unpaid = sorted((item for item in installments if item.unpaid > 0), key=lambda item: (item.due_date, item.number))
    if not unpaid:
        return ComplianceResult(Compliance.COMPLETED, ZERO, 0, None, None)
    overdue = [item for item in unpaid if item.due_date < today]
    overdue_amount = sum((item.unpaid for item in overdue), ZERO)
    days_late_max = max(((today - item.due_date).days for item in overdue), default=0)
    breached = next((item for item in overdue if (today - item.due_date).days > grace_days), None)
    if breached is not None:
        status = Compliance.BREACHED
    elif overdue:
        status = Compliance.LATE
    else:
        status = Compliance.CURRENT
    return ComplianceResult(
        status=status,
        overdue_amount=overdue_amount,
        days_late_max=days_late_max,
        first_unpaid_due=unpaid[0].due_date,
        breached_installment=breached.number if breached is not None else None,
    )


def acceleration(installments: Sequence[InstallmentState], *, today: date | None = None) -> Decimal:
    """The whole remaining balance, due at once on breach (acceleration clause).

    Without `today` it is every unpaid amount. With `today`, installments due after it count only
    their unpaid principal: their interest is for months that have not run yet."""
    total = ZERO
    for item in installments:
        if today is not None and item.due_date > today:
            total += min(item.unpaid, item.principal)
        else:
            total += item.unpaid
    return total


def interest_waived(installment: InstallmentState, paid_on: date | None, *, waive_on_time: bool) -> bool:
    """Incentive: the interest of an installment is waived when its principal was paid in full on
    or before its due date (`paid_on` is the day the payments reached it). The customer then owes
    the principal only, so paying the principal on time is paying in full."""
    return (
        waive_on_time
        and to_money(installment.interest) > 0
        and paid_on is not None
        and paid_on <= installment.due_date
        and to_money(installment.paid) >= installment.principal
    )


def apply_payment(installments: Sequence[InstallmentState], amount: Decimal) -> tuple[list[InstallmentState], Decimal]:
    """Allocate a payment oldest first over the installments (in due order, as the DESIGN
    requires) and return the updated states and what is left over for other invoices."""
    ordered = sorted(installments, key=lambda item: (item.due_date, item.number))
    allocations = dict(allocate_oldest_first(amount, [(item.number, item.unpaid) for item in ordered]))
    updated = [
        InstallmentState(
            number=item.number,
            due_date=item.due_date,
            amount=item.amount,
            paid=to_money(item.paid) + allocations.get(item.number, ZERO),
            interest=item.interest,
        )
        for item in ordered
    ]
    leftover = to_money(amount) - sum(allocations.values(), ZERO)
    return updated, leftover

"""Payment schedule of an agreement: down payment, monthly installments, interest.

Installment 0 is the down payment (cuota inicial), due on the signing date; installments 1..n
are monthly. Principal is split in whole cents so that the parts add up to the financed balance
exactly, and interest is simple interest on the declining balance."""

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from mora.core.money import CENT, to_money

ZERO = Decimal("0.00")


class ScheduleError(ValueError):
    """Terms from which no schedule can be built; the message is shown to the officer."""


@dataclass(frozen=True)
class Installment:
    number: int  # 0 is the down payment
    due_date: date
    principal: Decimal
    interest: Decimal

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest


def add_months(day: date, months: int) -> date:
    """Same day of the month, `months` later, clamped to the month's last day (31 Jan -> 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def nominal_due_dates(first_due: date, count: int) -> list[date]:
    """Due dates before moving them to business days. Each one is computed from `first_due`, not
    from the previous one, so that a clamped 28 Feb does not drag every later month to the 28th."""
    return [add_months(first_due, k) for k in range(count)]


def build_schedule(
    *,
    debt: Decimal,
    down_payment: Decimal,
    installments: int,
    first_due: date,
    signing_date: date,
    monthly_rate: Decimal,
    is_business_day: Callable[[date], bool],
) -> list[Installment]:
    """The full schedule. A zero down payment gets no installment 0 (a `Bs 0,00` line in a
    contract would only confuse the customer); `installments == 0` means the down payment settles
    the whole debt."""
    debt = _amount(debt, "La deuda")
    down_payment = _amount(down_payment, "La cuota inicial")
    rate = _rate(monthly_rate)
    if debt <= 0:
        raise ScheduleError("La deuda debe ser mayor a cero.")
    if down_payment > debt:
        raise ScheduleError("La cuota inicial no puede ser mayor que la deuda.")
    if installments < 0:
        raise ScheduleError("El número de cuotas no puede ser negativo.")
    if installments == 0 and down_payment != debt:
        raise ScheduleError("Sin cuotas, la cuota inicial debe cubrir toda la deuda.")
    if installments > 0 and down_payment == debt:
        raise ScheduleError("La cuota inicial ya cubre toda la deuda; no quedan cuotas por pagar.")
    if installments > 0 and first_due <= signing_date:
        raise ScheduleError("La primera cuota debe vencer después de la fecha de firma.")

    schedule: list[Installment] = []
    down_due = _forward(signing_date, is_business_day)
    if down_payment > 0:
        schedule.append(Installment(0, down_due, down_payment, ZERO))
    if installments:
        regular = _spread(debt - down_payment, installments, first_due, rate, is_business_day, start_number=1)
        # Signing on a holiday can push the down payment onto the first installment's business day.
        if regular[0].due_date <= down_due:
            raise ScheduleError("La primera cuota debe vencer en un día hábil posterior al de la cuota inicial.")
        schedule.extend(regular)
    return schedule


def reschedule(
    *,
    remaining: Sequence[Installment],
    new_count: int,
    first_due: date,
    monthly_rate: Decimal,
    is_business_day: Callable[[date], bool],
    start_number: int,
) -> list[Installment]:
    """Spread what is left to pay over `new_count` new installments.

    `remaining` holds the unpaid balance of each installment left as its principal; interest not
    yet paid on them is dropped and recomputed on the new declining balance, because the old
    interest was for a term that no longer exists."""
    if new_count < 1:
        raise ScheduleError("La reprogramación debe tener al menos una cuota.")
    if start_number < 1:
        raise ScheduleError("Las cuotas reprogramadas se numeran desde 1 (la 0 es la cuota inicial).")
    total = sum((_amount(item.principal, "El saldo de una cuota") for item in remaining), ZERO)
    if total <= 0:
        raise ScheduleError("No queda saldo por reprogramar.")
    return _spread(total, new_count, first_due, _rate(monthly_rate), is_business_day, start_number=start_number)


def split_in_cents(total: Decimal, count: int) -> list[Decimal]:
    """`count` parts that add up to `total` exactly and differ by at most one cent; the extra
    cents go to the first parts, so the balance (and any interest on it) falls sooner."""
    cents = int(total * 100)
    base, extra = divmod(cents, count)
    return [(Decimal(base + (1 if k < extra else 0)) / 100).quantize(CENT) for k in range(count)]


def usual_bill_share(installment_amount: Decimal, usual_bill: Decimal | None) -> Decimal | None:
    """Installment as a percentage of the customer's usual monthly bill (one decimal), the figure
    the officer weighs affordability with; None when there is no usual bill to compare."""
    if usual_bill is None or to_money(usual_bill) <= 0:
        return None
    share = to_money(installment_amount) * 100 / to_money(usual_bill)
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _spread(
    total: Decimal,
    count: int,
    first_due: date,
    rate: Decimal,
    is_business_day: Callable[[date], bool],
    *,
    start_number: int,
) -> list[Installment]:
    result = []
    balance = total
    for offset, (principal, nominal) in enumerate(
        zip(split_in_cents(total, count), nominal_due_dates(first_due, count), strict=True)
    ):
        interest = (balance * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        result.append(Installment(start_number + offset, _forward(nominal, is_business_day), principal, interest))
        balance -= principal
    return result


def _forward(day: date, is_business_day: Callable[[date], bool]) -> date:
    # A bound protects against a calendar callable that never answers True.
    for _ in range(366):
        if is_business_day(day):
            return day
        day += timedelta(days=1)
    raise ScheduleError("El calendario no tiene días hábiles en el próximo año.")


def _amount(value: Decimal, what: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("El dinero nunca es float; use Decimal.")
    value = Decimal(value)
    if value < 0:
        raise ScheduleError(f"{what} no puede ser un importe negativo.")
    # Rounding here would make the schedule disagree with the amount the officer typed.
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise ScheduleError(f"{what} debe tener como máximo dos decimales.")
    return value.quantize(CENT)


def _rate(value: Decimal) -> Decimal:
    if isinstance(value, float):
        raise TypeError("La tasa de interés nunca es float; use Decimal.")
    value = Decimal(value)
    if value < 0:
        raise ScheduleError("La tasa de interés no puede ser negativa.")
    if value >= 1:
        raise ScheduleError("La tasa es mensual y fraccionaria (0,005 = 0,5 % al mes).")
    return value

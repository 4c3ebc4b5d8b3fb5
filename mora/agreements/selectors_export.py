"""Installments to be charged on the monthly invoice (for utilities that bill them there).

One SQL statement over the installments joined to their agreement, account and holder: no loop
per agreement, so a month of the whole portfolio is read at once."""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Max, OuterRef, Subquery, Value, When

from mora.billing.models import MONEY
from mora.core.money import to_money

from .domain.policy import AgreementKind
from .domain.states import ACTIVE
from .models import Installment

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(**MONEY)
# On SQLite the arithmetic below is done in binary floating point: a fully paid installment can
# come out as 1e-15 instead of 0. Half a cent separates "paid" from "owes a cent" on both engines.
HALF_CENT = Decimal("0.005")

KIND_EXPORT_LABELS = {
    AgreementKind.EARLY_SOLUTION.value: "Solución Temprana",
    AgreementKind.DEBT_CONTRACT.value: "Contrato Privado",
}


@dataclass(frozen=True)
class BillingRow:
    account_number: str
    holder: str
    agreement_number: str
    kind: str
    number: int
    last_number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    amount_due: Decimal

    @property
    def kind_label(self) -> str:
        return KIND_EXPORT_LABELS.get(self.kind, self.kind)

    @property
    def concept(self) -> str:
        if self.number == 0:
            return f"Cuota inicial convenio {self.agreement_number}"
        return f"Cuota {self.number}/{self.last_number} convenio {self.agreement_number}"


@dataclass(frozen=True)
class BillingTotals:
    count: int
    principal: Decimal
    interest: Decimal
    amount_due: Decimal


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def installments_due_in_period(*, year: int, month: int) -> list[BillingRow]:
    """Every installment of an agreement in force (current, late or breached) of the schedule
    in force (not superseded) due in the month and not fully paid, ordered by account."""
    first, last = month_bounds(year, month)
    interest = Case(When(interest_waived=True, then=Value(ZERO)), default=F("interest"), output_field=MONEY_FIELD)
    amount = ExpressionWrapper(F("principal") + interest, output_field=MONEY_FIELD)
    # "Cuota 2/6": the last number of the schedule in force (a reschedule continues the numbering).
    last_number = (
        Installment.objects.filter(agreement_id=OuterRef("agreement_id"), superseded=False)
        .values("agreement_id")
        .annotate(last=Max("number"))
        .values("last")
    )
    rows = (
        Installment.objects.filter(
            superseded=False,
            agreement__status__in=[status.value for status in ACTIVE],
            due_date__gte=first,
            due_date__lte=last,
        )
        .annotate(
            charged_interest=interest,
            amount_due=ExpressionWrapper(amount - F("paid"), output_field=MONEY_FIELD),
            last_number=Subquery(last_number),
        )
        .filter(amount_due__gte=HALF_CENT)
        .order_by("agreement__account__number", "agreement__number", "version", "number")
        .values_list(
            "agreement__account__number",
            "agreement__account__customer__name",
            "agreement__number",
            "agreement__kind",
            "number",
            "last_number",
            "due_date",
            "principal",
            "charged_interest",
            "amount_due",
        )
    )
    return [
        BillingRow(
            account_number=account_number,
            holder=holder,
            agreement_number=agreement_number,
            kind=kind,
            number=number,
            last_number=last or number,
            due_date=due_date,
            principal=to_money(str(principal)),
            interest=to_money(str(charged)),
            amount_due=to_money(str(due)),
        )
        for account_number, holder, agreement_number, kind, number, last, due_date, principal, charged, due in rows
    ]


def billing_totals(rows: list[BillingRow]) -> BillingTotals:
    return BillingTotals(
        count=len(rows),
        principal=sum((row.principal for row in rows), ZERO),
        interest=sum((row.interest for row in rows), ZERO),
        amount_due=sum((row.amount_due for row in rows), ZERO),
    )

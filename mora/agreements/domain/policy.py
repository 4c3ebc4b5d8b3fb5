"""Configurable terms of each kind of agreement, versioned as JSON by the policy service."""

import enum
import typing
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

# No policy may go beyond this, approval or not: five years of monthly installments is already
# longer than a customer's usual tenancy, and schedules beyond it cannot be enforced.
ABSOLUTE_MAX_INSTALLMENTS = 60


class AgreementKind(enum.StrEnum):
    EARLY_SOLUTION = "ST"
    DEBT_CONTRACT = "CPRD"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[AgreementKind, str] = {
    AgreementKind.EARLY_SOLUTION: "Solución Temprana",
    AgreementKind.DEBT_CONTRACT: "Contrato Privado de Reconocimiento de Deuda y Compromiso de Pago",
}


@dataclass(frozen=True)
class PolicyTerms:
    """Every number of a policy. Percentages are in percent (Decimal("20") = 20 %), except the
    interest rate, which is a fraction per month (Decimal("0.005") = 0.5 % per month)."""

    # Who may sign it.
    min_overdue_invoices: int
    max_overdue_invoices: int | None  # None: no maximum
    min_debt: Decimal
    max_debt: Decimal | None  # None: no maximum
    min_overdue_days: int = 0
    # Contracts are for larger or older debts, or after a breached Solución Temprana: when set,
    # the account must exceed one of the size thresholds below or have breached one.
    requires_prior_breached_st_or_size: bool = False
    size_debt_over: Decimal | None = None
    size_invoices_over: int | None = None
    size_oldest_days_over: int | None = None
    max_per_window: int | None = None  # None: no limit per account
    window_months: int = 12
    blocks_on_pending_complaint: bool = True
    # Terms.
    min_down_payment_pct: Decimal = Decimal("0")
    social_min_down_payment_pct: Decimal = Decimal("0")
    max_installments: int = 1
    social_max_installments: int = 1
    # Up to this many installments with a supervisor's approval; when it does not exceed what the
    # customer is allowed anyway, there is no room for approval.
    approval_max_installments: int = 1
    # When False (Solución Temprana) nothing outside policy can be approved: the customer is
    # offered a contract instead.
    approval_allowed: bool = False
    min_installment_amount: Decimal = Decimal("0.00")
    monthly_interest_rate: Decimal = Decimal("0")
    # Peer practice: repeated breaches make the next terms stricter (no social benefit and a
    # larger down payment).
    stricter_after_breaches: int | None = None
    stricter_min_down_payment_pct: Decimal | None = None
    # Compliance.
    grace_days: int = 10
    max_reschedules: int = 0
    acceleration_on_breach: bool = False
    waive_interest_on_time: bool = True

    def validation_errors(self) -> list[str]:
        """What makes this set of numbers incoherent, for the policy form (empty: coherent)."""
        errors = []
        if self.min_overdue_invoices < 0 or self.min_overdue_days < 0 or self.grace_days < 0:
            errors.append("Los mínimos de facturas y de días y los días de gracia no pueden ser negativos.")
        if self.max_overdue_invoices is not None and self.max_overdue_invoices < self.min_overdue_invoices:
            errors.append("El máximo de facturas vencidas es menor que el mínimo.")
        if self.max_debt is not None and self.max_debt < self.min_debt:
            errors.append("La deuda máxima es menor que la mínima.")
        for pct in (self.min_down_payment_pct, self.social_min_down_payment_pct, self.stricter_min_down_payment_pct):
            if pct is not None and not 0 <= pct <= 100:
                errors.append("Los porcentajes de cuota inicial deben estar entre 0 y 100.")
                break
        counts = (self.max_installments, self.social_max_installments, self.approval_max_installments)
        if any(not 0 <= count <= ABSOLUTE_MAX_INSTALLMENTS for count in counts):
            errors.append(f"Los máximos de cuotas deben estar entre 0 y {ABSOLUTE_MAX_INSTALLMENTS}.")
        if not 0 <= self.monthly_interest_rate < 1:
            errors.append("La tasa de interés mensual es una fracción entre 0 y 1 (0,005 = 0,5 % al mes).")
        if self.min_installment_amount < 0 or self.max_reschedules < 0:
            errors.append("La cuota mínima y el máximo de reprogramaciones no pueden ser negativos.")
        if self.max_per_window is not None and (self.max_per_window < 0 or self.window_months < 1):
            errors.append("El límite de convenios por período requiere un período de al menos un mes.")
        return errors

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: Decimals as strings so that no amount goes through a float."""
        return {f.name: _to_json(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PolicyTerms":
        """Inverse of to_dict. Unknown keys are refused (a typo must not silently drop a rule);
        missing keys take the dataclass default, so older stored versions still load."""
        known = {f.name: f for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"Parámetros de política desconocidos: {', '.join(sorted(unknown))}.")
        values = {}
        for name, value in data.items():
            values[name] = _from_json(value, _decimal_field(cls, name))
        return cls(**values)


def _decimal_field(cls, name: str) -> bool:
    # From the annotation, so that a new Decimal field needs no list kept in step.
    annotation = {f.name: f.type for f in fields(cls)}[name]
    return annotation is Decimal or Decimal in typing.get_args(annotation)


def _to_json(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def _from_json(value, is_decimal: bool):
    if value is None or not is_decimal:
        return value
    if isinstance(value, float):
        raise TypeError("Los importes de la política se guardan como texto, nunca como float.")
    return Decimal(str(value))


DEFAULT_POLICIES: dict[AgreementKind, PolicyTerms] = {
    AgreementKind.EARLY_SOLUTION: PolicyTerms(
        min_overdue_invoices=1,
        max_overdue_invoices=3,
        min_debt=Decimal("0.01"),
        max_debt=Decimal("3000.00"),
        min_overdue_days=0,
        max_per_window=1,
        window_months=12,
        min_down_payment_pct=Decimal("20"),
        social_min_down_payment_pct=Decimal("20"),
        max_installments=3,
        social_max_installments=6,
        approval_max_installments=3,
        approval_allowed=False,
        min_installment_amount=Decimal("20.00"),
        monthly_interest_rate=Decimal("0"),
        stricter_after_breaches=2,
        stricter_min_down_payment_pct=Decimal("40"),
        grace_days=10,
        max_reschedules=1,
        acceleration_on_breach=False,
        waive_interest_on_time=True,
    ),
    AgreementKind.DEBT_CONTRACT: PolicyTerms(
        min_overdue_invoices=1,
        max_overdue_invoices=None,
        min_debt=Decimal("0.01"),
        max_debt=None,
        min_overdue_days=0,
        requires_prior_breached_st_or_size=True,
        size_debt_over=Decimal("3000.00"),
        size_invoices_over=3,
        size_oldest_days_over=90,
        max_per_window=None,
        window_months=12,
        min_down_payment_pct=Decimal("30"),
        social_min_down_payment_pct=Decimal("10"),
        max_installments=12,
        social_max_installments=24,
        approval_max_installments=24,
        approval_allowed=True,
        min_installment_amount=Decimal("20.00"),
        monthly_interest_rate=Decimal("0"),
        stricter_after_breaches=2,
        stricter_min_down_payment_pct=Decimal("50"),
        grace_days=10,
        max_reschedules=2,
        acceleration_on_breach=True,
        waive_interest_on_time=True,
    ),
}

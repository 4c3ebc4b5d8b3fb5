"""Who may sign which agreement, and whether proposed terms are within policy.

Every function returns the Spanish reasons against (an empty list means yes), so the officer
sees all the problems at once instead of fixing them one by one."""

from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from mora.core.money import CENT, format_bs, to_money

from .policy import ABSOLUTE_MAX_INSTALLMENTS, AgreementKind, PolicyTerms

# With the article, to be used inside a sentence.
_IN_SENTENCE = {
    AgreementKind.EARLY_SOLUTION: "la Solución Temprana",
    AgreementKind.DEBT_CONTRACT: "el contrato privado",
}
_ONE_OF = {
    AgreementKind.EARLY_SOLUTION: "una Solución Temprana",
    AgreementKind.DEBT_CONTRACT: "un contrato privado",
}


@dataclass(frozen=True)
class AccountFacts:
    overdue_invoice_count: int
    overdue_debt: Decimal
    oldest_overdue_days: int
    has_social_flag: bool = False  # Tarifa Dignidad or Ley 1886: the income proxies available
    agreements_of_kind_in_window: int = 0  # of the kind being evaluated, in the policy's window
    has_active_agreement: bool = False
    has_breached_early_solution: bool = False
    breaches_last_12_months: int = 0
    has_pending_complaint: bool = False


def eligibility(kind: AgreementKind, policy: PolicyTerms, facts: AccountFacts) -> list[str]:
    """Reasons why the account may NOT sign an agreement of `kind`; empty when it may."""
    kind = AgreementKind(kind)
    label = _IN_SENTENCE[kind]
    debt = to_money(facts.overdue_debt)
    count = facts.overdue_invoice_count
    if debt <= 0 or count <= 0:
        # Every other reason would be noise: there is nothing to agree on.
        return ["No tiene deuda vencida."]

    reasons = []
    if facts.has_active_agreement:
        reasons.append("Ya tiene un convenio vigente.")
    if facts.has_pending_complaint and policy.blocks_on_pending_complaint:
        # Signing would acknowledge a debt the customer is disputing.
        reasons.append("Tiene un reclamo pendiente; debe resolverse antes de firmar un convenio.")
    too_few = count < policy.min_overdue_invoices
    too_many = policy.max_overdue_invoices is not None and count > policy.max_overdue_invoices
    if too_few or too_many:
        reasons.append(f"Tiene {_invoices(count)}; {label} {_admits(policy)}.")
    if policy.max_debt is not None and debt > policy.max_debt:
        reasons.append(f"La deuda vencida ({format_bs(debt)}) supera el máximo de {format_bs(policy.max_debt)}.")
    if debt < policy.min_debt:
        reasons.append(f"La deuda vencida ({format_bs(debt)}) es menor al mínimo de {format_bs(policy.min_debt)}.")
    if facts.oldest_overdue_days < policy.min_overdue_days:
        reasons.append(
            f"La deuda más antigua tiene {_days(facts.oldest_overdue_days)} de vencida; "
            f"{label} requiere al menos {_days(policy.min_overdue_days)}."
        )
    if policy.max_per_window is not None and facts.agreements_of_kind_in_window >= policy.max_per_window:
        if policy.max_per_window == 1:
            reasons.append(f"Ya tuvo {_ONE_OF[kind]} en los últimos {policy.window_months} meses.")
        else:
            reasons.append(
                f"Ya tuvo {facts.agreements_of_kind_in_window} convenios de este tipo en los últimos "
                f"{policy.window_months} meses; el máximo es {policy.max_per_window}."
            )
    if policy.requires_prior_breached_st_or_size and not _large_or_old(policy, facts, debt):
        reasons.append(f"{_size_rule(policy)}; corresponde ofrecer una Solución Temprana.")
    return reasons


def is_stricter(policy: PolicyTerms, breaches_last_12_months: int) -> bool:
    return policy.stricter_after_breaches is not None and breaches_last_12_months >= policy.stricter_after_breaches


def required_down_payment_pct(
    policy: PolicyTerms, *, has_social_flag: bool, breaches_last_12_months: int = 0
) -> Decimal:
    """Minimum down payment in percent for this customer; repeated breaches cancel the social
    benefit and may raise the minimum."""
    stricter = is_stricter(policy, breaches_last_12_months)
    pct = policy.social_min_down_payment_pct if has_social_flag and not stricter else policy.min_down_payment_pct
    if stricter and policy.stricter_min_down_payment_pct is not None:
        pct = max(pct, policy.stricter_min_down_payment_pct)
    return pct


def minimum_down_payment(debt: Decimal, pct: Decimal) -> Decimal:
    """Smallest amount in cents that reaches `pct` of the debt (rounded up, never below it)."""
    return (to_money(debt) * pct / 100).quantize(CENT, rounding=ROUND_UP)


def allowed_installments(policy: PolicyTerms, *, has_social_flag: bool, breaches_last_12_months: int = 0) -> int:
    """Installments the officer may grant without approval."""
    if has_social_flag and not is_stricter(policy, breaches_last_12_months):
        return policy.social_max_installments
    return policy.max_installments


def max_installments_with_approval(
    policy: PolicyTerms, *, has_social_flag: bool, breaches_last_12_months: int = 0
) -> int:
    """Installments that can be granted at all for this customer (with a supervisor's approval
    where the policy allows approvals)."""
    allowed = allowed_installments(
        policy, has_social_flag=has_social_flag, breaches_last_12_months=breaches_last_12_months
    )
    if policy.approval_allowed:
        allowed = max(allowed, policy.approval_max_installments)
    return min(allowed, ABSOLUTE_MAX_INSTALLMENTS)


def smallest_installment(debt: Decimal, down_payment: Decimal, installments: int) -> Decimal | None:
    """The lowest principal of an even split in cents (what schedule.split_in_cents yields)."""
    if installments <= 0:
        return None
    financed = to_money(debt) - to_money(down_payment)
    if financed <= 0:
        return None
    return Decimal(int(financed * 100) // installments) / 100


def term_violations(
    kind: AgreementKind,
    policy: PolicyTerms,
    *,
    debt: Decimal,
    down_payment: Decimal,
    installments: int,
    has_social_flag: bool,
    min_installment_amount_actual: Decimal | None = None,
    breaches_last_12_months: int = 0,
) -> list[str]:
    """Reasons the proposed terms are outside policy. Where the policy allows approvals these
    need the supervisor's approval with a reason; see `hard_limits` for what can never be signed.

    `min_installment_amount_actual` is the lowest installment of the proposed schedule; when not
    given it is that of an even split of the financed balance."""
    debt = to_money(debt)
    down_payment = to_money(down_payment)
    reasons = []
    pct = required_down_payment_pct(
        policy, has_social_flag=has_social_flag, breaches_last_12_months=breaches_last_12_months
    )
    if down_payment * 100 < debt * pct:
        why = " por sus incumplimientos recientes" if is_stricter(policy, breaches_last_12_months) else ""
        reasons.append(
            f"La cuota inicial ({format_bs(down_payment)}) es menor al mínimo del {_pct(pct)} % de la deuda "
            f"({format_bs(minimum_down_payment(debt, pct))}){why}."
        )
    allowed = allowed_installments(
        policy, has_social_flag=has_social_flag, breaches_last_12_months=breaches_last_12_months
    )
    if installments > allowed:
        reasons.append(
            f"Son {installments} cuotas; {_IN_SENTENCE[AgreementKind(kind)]} admite hasta {allowed} para este cliente."
        )
    lowest = (
        to_money(min_installment_amount_actual)
        if min_installment_amount_actual is not None
        else smallest_installment(debt, down_payment, installments)
    )
    if installments > 0 and lowest is not None and lowest < policy.min_installment_amount:
        reasons.append(
            f"La cuota más baja ({format_bs(lowest)}) es menor al mínimo de {format_bs(policy.min_installment_amount)}."
        )
    return reasons


def hard_limits(
    kind: AgreementKind,
    policy: PolicyTerms,
    *,
    debt: Decimal,
    down_payment: Decimal,
    installments: int,
    has_social_flag: bool,
    min_installment_amount_actual: Decimal | None = None,
    breaches_last_12_months: int = 0,
) -> list[str]:
    """Reasons the terms cannot be signed at all, not even with approval. When the policy allows
    no approvals (Solución Temprana), every policy violation is one of them."""
    debt = to_money(debt)
    down_payment = to_money(down_payment)
    reasons = []
    if debt <= 0:
        reasons.append("No hay deuda que convenir.")
    if down_payment < 0:
        reasons.append("La cuota inicial no puede ser negativa.")
    if down_payment > debt:
        reasons.append(f"La cuota inicial ({format_bs(down_payment)}) supera la deuda ({format_bs(debt)}).")
    if installments < 0:
        reasons.append("El número de cuotas no puede ser negativo.")
    elif installments == 0 and down_payment < debt:
        reasons.append("Sin cuotas, la cuota inicial debe cubrir toda la deuda.")
    elif installments > 0 and down_payment == debt:
        reasons.append("La cuota inicial ya cubre toda la deuda; no corresponden cuotas.")
    if installments > ABSOLUTE_MAX_INSTALLMENTS:
        reasons.append(f"Son {installments} cuotas; ningún convenio admite más de {ABSOLUTE_MAX_INSTALLMENTS}.")
    elif policy.approval_allowed:
        ceiling = max_installments_with_approval(
            policy, has_social_flag=has_social_flag, breaches_last_12_months=breaches_last_12_months
        )
        if installments > ceiling:
            reasons.append(
                f"Son {installments} cuotas; ni con aprobación del Jefe de la Unidad se admiten más de {ceiling}."
            )
    if not policy.approval_allowed:
        reasons.extend(
            term_violations(
                kind,
                policy,
                debt=debt,
                down_payment=down_payment,
                installments=installments,
                has_social_flag=has_social_flag,
                min_installment_amount_actual=min_installment_amount_actual,
                breaches_last_12_months=breaches_last_12_months,
            )
        )
    return reasons


def reschedule_violations(kind: AgreementKind, policy: PolicyTerms, *, reschedules_done: int) -> list[str]:
    """Reasons a new extension (ampliación de plazo) cannot be granted."""
    label = _IN_SENTENCE[AgreementKind(kind)]
    if policy.max_reschedules <= 0:
        return [f"{label[0].upper()}{label[1:]} no admite reprogramaciones."]
    if reschedules_done >= policy.max_reschedules:
        return [
            f"Ya se reprogramó {_times(reschedules_done)}; {label} admite como máximo {_times(policy.max_reschedules)}."
        ]
    return []


def _large_or_old(policy: PolicyTerms, facts: AccountFacts, debt: Decimal) -> bool:
    return (
        facts.has_breached_early_solution
        or (policy.size_debt_over is not None and debt > policy.size_debt_over)
        or (policy.size_invoices_over is not None and facts.overdue_invoice_count > policy.size_invoices_over)
        or (policy.size_oldest_days_over is not None and facts.oldest_overdue_days > policy.size_oldest_days_over)
    )


def _size_rule(policy: PolicyTerms) -> str:
    options = []
    if policy.size_debt_over is not None:
        options.append(f"deudas mayores a {format_bs(policy.size_debt_over)}")
    if policy.size_invoices_over is not None:
        options.append(f"de más de {_invoices(policy.size_invoices_over)}")
    if policy.size_oldest_days_over is not None:
        options.append(f"de más de {_days(policy.size_oldest_days_over)}")
    options.append("tras una Solución Temprana incumplida")
    return "El contrato privado es para " + ", ".join(options[:-1]) + (" o " if len(options) > 1 else "") + options[-1]


def _admits(policy: PolicyTerms) -> str:
    low, high = policy.min_overdue_invoices, policy.max_overdue_invoices
    if high is None:
        return f"requiere al menos {low}"
    if low == high:
        return f"admite solo {low}"
    return f"admite de {low} a {high}"


def _invoices(count: int) -> str:
    return "1 factura vencida" if count == 1 else f"{count} facturas vencidas"


def _days(count: int) -> str:
    return "1 día" if count == 1 else f"{count} días"


def _times(count: int) -> str:
    return "1 vez" if count == 1 else f"{count} veces"


def _pct(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")

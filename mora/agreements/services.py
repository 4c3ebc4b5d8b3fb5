"""Writes of the agreements app: one function per use case, each in one transaction, each
status change through `_transition` (checked against the table in domain.states, and recorded
as an AgreementEvent and an audit event).

The money invariant kept by every function here: for an agreement in force, the balances of the
invoices it covers add up to the unpaid principal of its installments in force. Paying an
installment's principal lowers those invoices (oldest first); interest is the agreement's own.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from mora.billing.allocation import allocate_oldest_first
from mora.billing.models import Invoice, Payment, PaymentAllocation
from mora.billing.services import invoices_apply
from mora.core.audit import audit_record
from mora.core.money import format_bs, to_money
from mora.customers.models import Account

from . import selectors
from .domain.compliance import InstallmentState, evaluate
from .domain.eligibility import reschedule_violations
from .domain.policy import ABSOLUTE_MAX_INSTALLMENTS, DEFAULT_POLICIES, AgreementKind, PolicyTerms
from .domain.schedule import Installment as PlannedInstallment
from .domain.schedule import ScheduleError
from .domain.schedule import reschedule as plan_reschedule
from .domain.states import ACTIVE, AgreementStatus, TransitionError, check_transition, status_from_compliance
from .models import (
    Agreement,
    AgreementEvent,
    AgreementInvoice,
    AgreementPolicy,
    DocumentSequence,
    Installment,
    InstallmentPayment,
    Reschedule,
)

ZERO = Decimal("0.00")
S = AgreementStatus

# Called inside the transaction, with (agreement=, actor=), when an agreement enters into force
# (signed) and when a breached one is regularized: the moments the DESIGN grants reconnection.
# The field-orders app registers its reconnection order here.
_regularization_hooks: list[Callable[..., None]] = []
_in_force_hooks: list[Callable[..., None]] = []


def register_regularization_hook(hook: Callable[..., None]) -> None:
    if hook not in _regularization_hooks:
        _regularization_hooks.append(hook)


def register_in_force_hook(hook: Callable[..., None]) -> None:
    if hook not in _in_force_hooks:
        _in_force_hooks.append(hook)


class AgreementError(ValidationError):
    """A business rule said no; the message is for the user, in Spanish."""


# ---------------------------------------------------------------------------------------------
# Numbering and events
# ---------------------------------------------------------------------------------------------


def document_number(*, prefix: str, year: int) -> str:
    """Next number of a document type in a year, e.g. CPRD-2026-000123. The sequence row is
    locked until the caller's transaction ends, so numbers are never repeated or skipped by a
    concurrent officer."""
    DocumentSequence.objects.get_or_create(prefix=prefix, year=year)
    sequence = DocumentSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last = F("last") + 1
    sequence.save(update_fields=["last"])
    sequence.refresh_from_db(fields=["last"])
    return f"{prefix}-{year}-{sequence.last:06d}"


def _event(agreement: Agreement, *, actor, what: str, reason: str = "", from_status: str = "", to_status: str = ""):
    user = actor if getattr(actor, "is_authenticated", False) else None
    AgreementEvent.objects.create(
        agreement=agreement, actor=user, what=what[:300], reason=reason, from_status=from_status, to_status=to_status
    )


def _transition(agreement: Agreement, to: AgreementStatus, *, actor, what: str, reason: str = "") -> None:
    from_ = AgreementStatus(agreement.status)
    try:
        check_transition(from_, to)
    except TransitionError as exc:
        raise AgreementError(str(exc)) from exc
    agreement.status = to
    agreement.save(update_fields=["status"])
    _event(agreement, actor=actor, what=what, reason=reason, from_status=from_, to_status=to)
    audit_record(
        actor=actor,
        action="agreement.status",
        entity=agreement,
        account_id=agreement.account_id,
        summary=f"Convenio {agreement.number}: {from_.label} → {to.label}. {what}",
        before={"status": from_.value},
        after={"status": to.value},
        reason=reason,
    )


def _lock(agreement_id: int) -> Agreement:
    """Lock the account first, then the agreement: the same order as payments, so a payment and
    an officer working on the same account never deadlock."""
    account_id = Agreement.objects.values_list("account_id", flat=True).get(pk=agreement_id)
    Account.objects.select_for_update().get(pk=account_id)
    return Agreement.objects.select_for_update().get(pk=agreement_id)


# ---------------------------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def policy_ensure_defaults() -> None:
    """Version 1 of each kind from the DESIGN defaults, if the utility has none yet."""
    for kind, terms in DEFAULT_POLICIES.items():
        if not AgreementPolicy.objects.filter(kind=kind).exists():
            AgreementPolicy.objects.create(
                kind=kind, version=1, terms=terms.to_dict(), reason="Valores por defecto del sistema"
            )


@transaction.atomic
def policy_update(*, actor, kind: AgreementKind, terms: PolicyTerms, reason: str) -> AgreementPolicy:
    """A new version; agreements already made keep theirs."""
    errors = terms.validation_errors()
    if errors:
        raise AgreementError(errors)
    if not reason.strip():
        raise AgreementError("Indique el motivo del cambio de política.")
    current = AgreementPolicy.objects.select_for_update().filter(kind=kind).order_by("-version").first()
    if current is not None and current.terms == terms.to_dict():
        raise AgreementError("La política no cambió.")
    policy = AgreementPolicy.objects.create(
        kind=kind,
        version=(current.version + 1) if current else 1,
        terms=terms.to_dict(),
        reason=reason.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="policy.updated",
        entity=policy,
        summary=f"Política {AgreementKind(kind).label} versión {policy.version}",
        before=current.terms if current else None,
        after=policy.terms,
        reason=policy.reason,
    )
    return policy


# ---------------------------------------------------------------------------------------------
# Creation, approval, signature
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    actor,
    account: Account,
    request: selectors.QuoteRequest,
    justification: str = "",
    guarantor_name: str = "",
    guarantor_id_number: str = "",
    notice_address: str = "",
    today: date | None = None,
) -> Agreement:
    """Create the agreement from a quote. Within policy it waits for signature; outside policy
    it waits for the supervisor, and the officer must say why."""
    today = today or timezone.localdate()
    account = Account.objects.select_for_update().get(pk=account.pk)
    quote = selectors.agreement_quote(account=account, request=request, today=today)
    problems = quote.not_eligible + quote.hard_limits + quote.errors
    if problems:
        raise AgreementError(problems)
    if quote.needs_approval and not justification.strip():
        raise AgreementError("Las condiciones están fuera de política: escriba la justificación para el jefe.")
    kind = AgreementKind(request.kind)
    terms = quote.terms
    status = S.PENDING_APPROVAL if quote.needs_approval else S.AWAITING_SIGNATURE
    agreement = Agreement.objects.create(
        number=document_number(prefix=kind.value, year=today.year),
        kind=kind,
        status=status,
        account=account,
        policy=quote.policy,
        officer=actor,
        debt=quote.debt,
        down_payment=quote.down_payment,
        installments_count=quote.installments,
        monthly_rate=terms.monthly_interest_rate,
        grace_days=terms.grace_days,
        signing_date=request.signing_date,
        first_due=quote.first_due,
        has_social_flag=quote.facts.has_social_flag,
        usual_bill=quote.usual_bill,
        outside_policy=quote.violations,
        justification=justification.strip(),
        guarantor_name=guarantor_name.strip(),
        guarantor_id_number=guarantor_id_number.strip(),
        notice_address=(notice_address or account.customer.address or account.address).strip(),
    )
    AgreementInvoice.objects.bulk_create(
        [AgreementInvoice(agreement=agreement, invoice=invoice, amount=invoice.balance) for invoice in quote.invoices]
    )
    _create_installments(agreement, quote.schedule, version=1)
    _event(
        agreement,
        actor=actor,
        what=f"Convenio creado por {format_bs(quote.debt)} en {quote.installments} cuota(s)",
        reason=agreement.justification,
        to_status=status,
    )
    audit_record(
        actor=actor,
        action="agreement.created",
        entity=agreement,
        account_id=account.pk,
        summary=f"{kind.label} {agreement.number} por {format_bs(quote.debt)} ({S(status).label})",
        after={
            "debt": str(quote.debt),
            "down_payment": str(quote.down_payment),
            "installments": quote.installments,
            "policy_version": quote.policy.version,
            "outside_policy": quote.violations,
        },
        reason=agreement.justification,
    )
    return agreement


def _create_installments(agreement: Agreement, schedule: list[PlannedInstallment], *, version: int) -> None:
    Installment.objects.bulk_create(
        [
            Installment(
                agreement=agreement,
                version=version,
                number=item.number,
                due_date=item.due_date,
                principal=item.principal,
                interest=item.interest,
            )
            for item in schedule
        ]
    )


@transaction.atomic
def agreement_approve(*, actor, agreement_id: int, reason: str) -> Agreement:
    agreement = _lock(agreement_id)
    if agreement.officer_id == getattr(actor, "pk", None):
        # The approval is a second person's check of terms outside policy.
        raise AgreementError("Quien creó el convenio no puede aprobarlo: debe hacerlo otro jefe.")
    if not reason.strip():
        raise AgreementError("Indique el motivo de la aprobación.")
    agreement.decided_by, agreement.decided_at, agreement.decision_reason = actor, timezone.now(), reason.strip()
    agreement.save(update_fields=["decided_by", "decided_at", "decision_reason"])
    _transition(agreement, S.AWAITING_SIGNATURE, actor=actor, what="Aprobado por el jefe", reason=reason.strip())
    return agreement


@transaction.atomic
def agreement_reject(*, actor, agreement_id: int, reason: str) -> Agreement:
    agreement = _lock(agreement_id)
    if not reason.strip():
        raise AgreementError("Indique el motivo del rechazo.")
    agreement.decided_by, agreement.decided_at, agreement.decision_reason = actor, timezone.now(), reason.strip()
    agreement.closed_on = timezone.localdate()
    agreement.save(update_fields=["decided_by", "decided_at", "decision_reason", "closed_on"])
    _transition(agreement, S.REJECTED, actor=actor, what="Rechazado por el jefe", reason=reason.strip())
    return agreement


@transaction.atomic
def agreement_sign(
    *,
    actor,
    agreement_id: int,
    signed_on: date,
    signer_name: str,
    signer_id_number: str,
    signer_id_department: str = "",
    signer_capacity: str = "Titular",
    signature_scan=None,
    receipt_source: str = "",
    receipt_number: str = "",
) -> Agreement:
    """Register the signature and the down-payment receipt: the agreement enters into force.

    Payments posted since the agreement was created have already lowered the covered invoices
    (they were plain invoices then); they are now credited to the installments, oldest first,
    so that the money invariant holds from the first day."""
    agreement = _lock(agreement_id)
    if agreement.status != S.AWAITING_SIGNATURE:
        raise AgreementError(f"El convenio está «{S(agreement.status).label}»: no se puede firmar.")
    if not signer_name.strip() or not signer_id_number.strip():
        raise AgreementError("Indique el nombre y el CI de quien firma.")
    today = timezone.localdate()
    if signed_on > today:
        raise AgreementError("La fecha de firma no puede ser futura.")
    if signed_on < agreement.created_at.astimezone(timezone.get_current_timezone()).date():
        raise AgreementError("La fecha de firma no puede ser anterior a la creación del convenio.")

    receipt = None
    if agreement.down_payment > 0:
        receipt = Payment.objects.filter(
            source=receipt_source.strip(), receipt_number=receipt_number.strip(), account=agreement.account
        ).first()
        if receipt is None:
            raise AgreementError(
                "No se encontró ese recibo de pago para esta cuenta: la cuota inicial debe estar pagada."
            )
        if receipt.posted_at < agreement.created_at:
            raise AgreementError("El recibo es anterior al convenio: la cuota inicial se paga después de crearlo.")
    covered = _covered_invoices(agreement, lock=True)
    paid_since = PaymentAllocation.objects.filter(
        invoice__in=covered, payment__posted_at__gte=agreement.created_at
    ).select_related("payment")
    paid_total = sum((row.amount for row in paid_since), ZERO)
    if paid_total < agreement.down_payment:
        raise AgreementError(
            f"Desde la creación del convenio se pagaron {format_bs(paid_total)} de sus facturas; "
            f"la cuota inicial es {format_bs(agreement.down_payment)}."
        )

    agreement.signed_on = signed_on
    agreement.signer_name = signer_name.strip()
    agreement.signer_id_number = signer_id_number.strip()
    agreement.signer_id_department = signer_id_department
    agreement.signer_capacity = signer_capacity.strip() or "Titular"
    if signature_scan is not None:
        agreement.signature_scan = signature_scan
    agreement.down_payment_receipt = receipt
    agreement.in_force_at = timezone.now()
    agreement.save()

    # Credit what was paid since creation to the installments (down payment first).
    installments = list(selectors.agreement_schedule(agreement=agreement).select_for_update())
    _prepay_from_the_tail(installments, excess=paid_total - agreement.down_payment)
    for allocation in sorted(paid_since, key=lambda row: (row.payment.paid_at, row.pk)):
        _credit_installments(installments, allocation.payment, allocation.amount, principal_only=True)
    Invoice.objects.filter(pk__in=[invoice.pk for invoice in covered], balance__gt=0).update(in_agreement=True)
    _transition(
        agreement,
        S.CURRENT,
        actor=actor,
        what=(
            f"Firmado el {signed_on:%d/%m/%Y} por {agreement.signer_name} "
            f"(CI {agreement.signer_id_number}); en vigencia"
        ),
    )
    for hook in _in_force_hooks:
        hook(agreement=agreement, actor=actor)
    _refresh_status(agreement, today=today, actor=actor)
    return agreement


def _prepay_from_the_tail(installments: list[Installment], *, excess: Decimal) -> None:
    """More than the down payment was paid before signing: that money already paid invoices,
    so it is principal. With interest in the schedule, crediting it to installment 1 would read
    it as interest first; instead the down payment grows by the excess and the last installments
    shrink by it (prepayment shortens the plan), so no interest is charged on money already
    paid and the covered invoices keep matching the unpaid principal."""
    if excess <= 0 or not any(row.interest > 0 for row in installments):
        return
    down = next((row for row in installments if row.number == 0), None)
    if down is None:
        return
    down.principal += excess
    down.save(update_fields=["principal"])
    for row in sorted((r for r in installments if r.number > 0), key=lambda r: r.number, reverse=True):
        cut = min(excess, row.principal)
        row.principal -= cut
        if row.principal == 0:
            row.interest = ZERO  # nothing left to finance in that month
        row.save(update_fields=["principal", "interest"])
        excess -= cut
        if excess <= 0:
            break


def _covered_invoices(agreement: Agreement, *, lock: bool = False) -> list[Invoice]:
    invoices = Invoice.objects.filter(pk__in=agreement.covered_invoices.values("invoice_id")).order_by(
        "due_date", "number", "pk"
    )
    return list(invoices.select_for_update() if lock else invoices)


def _credit_installments(
    installments: list[Installment], payment: Payment, amount: Decimal, *, principal_only: bool = False
) -> tuple[Decimal, Decimal]:
    """Apply `amount` of `payment` to `installments` (locked, in due order); interest of each
    installment first unless `principal_only` (money that already paid invoices is principal).
    Returns (amount applied, principal part of it). Interest of an installment paid in full by its due date
    is waived when the policy's incentive is on (decided by the caller via interest_waived)."""
    open_rows = [row for row in installments if row.balance > 0]
    plan = allocate_oldest_first(amount, [(row.pk, row.balance) for row in open_rows])
    by_id = {row.pk: row for row in open_rows}
    principal_applied = ZERO
    for row_id, applied in plan:
        row = by_id[row_id]
        interest_due = ZERO if (principal_only or row.interest_waived) else max(row.interest - row.paid, ZERO)
        principal_applied += applied - min(applied, interest_due)
        row.paid += applied
        if row.balance == 0:
            row.paid_on = timezone.localtime(payment.paid_at).date()
        row.save(update_fields=["paid", "paid_on"])
        InstallmentPayment.objects.create(payment=payment, installment=row, amount=applied)
    return sum((applied for _, applied in plan), ZERO), principal_applied


# ---------------------------------------------------------------------------------------------
# Payments and compliance
# ---------------------------------------------------------------------------------------------


def payment_apply_to_installments(*, payment: Payment, account: Account, amount: Decimal, actor) -> Decimal:
    """Payment step (see billing.payment_steps): agreement installments are paid before any
    other debt, in due order. The account row is already locked by the payment service."""
    if amount <= 0:
        return amount
    agreements = list(
        Agreement.objects.select_for_update(of=("self",))
        .select_related("policy")
        .filter(account=account, status__in=[s.value for s in ACTIVE])
        .order_by("pk")
    )
    paid_on = timezone.localtime(payment.paid_at).date()
    remaining = amount
    for agreement in agreements:
        terms = selectors.policy_terms(agreement.policy)
        installments = list(selectors.agreement_schedule(agreement=agreement).select_for_update())
        unpaid_before = sum((row.principal_unpaid for row in installments), ZERO)
        if terms.waive_interest_on_time:
            _waive_interest_paid_on_time(installments, amount=remaining, paid_on=paid_on)
        applied, _ = _credit_installments(installments, payment, remaining)
        if applied <= 0:
            continue
        # The covered invoices go down by what the unpaid principal went down: a waiver turns
        # money earlier counted as interest into principal, and it must reach the invoices too.
        principal = unpaid_before - sum((row.principal_unpaid for row in installments), ZERO)
        remaining -= applied
        if principal > 0:
            open_invoices = [invoice for invoice in _covered_invoices(agreement, lock=True) if invoice.balance > 0]
            invoices_apply(payment=payment, invoices=open_invoices, amount=principal)
        _event(
            agreement,
            actor=actor,
            what=f"Pago {payment.source}/{payment.receipt_number}: {format_bs(applied)} a cuotas",
        )
        _refresh_status(agreement, today=max(paid_on, timezone.localdate()), actor=actor)
        if remaining <= 0:
            break
    return remaining


def _waive_interest_paid_on_time(installments: list[Installment], *, amount: Decimal, paid_on: date) -> None:
    """Incentive: an installment paid in full on or before its due date owes no interest. Walk
    the installments in the order the payment will reach them and waive the interest of those
    it will settle in time."""
    left = amount
    for row in installments:
        if row.balance <= 0:
            continue
        without_interest = max(row.principal - row.paid, ZERO)
        if row.interest > 0 and not row.interest_waived and paid_on <= row.due_date and left >= without_interest:
            row.interest_waived = True
            row.save(update_fields=["interest_waived"])
        left -= row.balance
        if left <= 0:
            break


def _compliance_states(agreement: Agreement) -> list[InstallmentState]:
    return [
        InstallmentState(
            number=row.number, due_date=row.due_date, amount=row.amount, paid=row.paid, interest=row.interest
        )
        for row in selectors.agreement_schedule(agreement=agreement)
    ]


def _refresh_status(agreement: Agreement, *, today: date, actor, reason: str = "") -> AgreementStatus:
    """Move the agreement to the status its installments say it is in today."""
    current = AgreementStatus(agreement.status)
    if current not in ACTIVE:
        return current
    result = evaluate(installments=_compliance_states(agreement), today=today, grace_days=agreement.grace_days)
    target = status_from_compliance(result.status)
    if target == current:
        return current
    if target == S.COMPLETED:
        agreement.closed_on = today
        agreement.save(update_fields=["closed_on"])
        Invoice.objects.filter(pk__in=agreement.covered_invoices.values("invoice_id")).update(in_agreement=False)
        _close_pending_reschedules(agreement)
        _transition(agreement, S.COMPLETED, actor=actor, what="Todas las cuotas pagadas: convenio cumplido")
    elif target == S.BREACHED:
        _breach(agreement, result, today=today, actor=actor)
    elif current == S.BREACHED:
        agreement_regularize(agreement=agreement, to=target, actor=actor, reason=reason or "Pagó lo vencido")
    else:
        what = "Cuota vencida dentro del plazo de gracia" if target == S.LATE else "Al día con sus cuotas"
        _transition(agreement, target, actor=actor, what=what)
    return target


def _breach(agreement: Agreement, result, *, today: date, actor) -> None:
    agreement.breaches += 1
    update = ["breaches"]
    terms = selectors.policy_terms(agreement.policy)
    what = (
        f"Incumplimiento: cuota {result.breached_installment} impaga más de {agreement.grace_days} días "
        f"(vencido {format_bs(result.overdue_amount)})"
    )
    if terms.acceleration_on_breach and agreement.accelerated_on is None:
        # Acceleration clause: the whole balance becomes due. The schedule is kept, so that
        # paying what was overdue can still regularize (tolerance is no novation).
        agreement.accelerated_on = today
        update.append("accelerated_on")
        balance = selectors.agreement_balance(agreement=agreement)
        what += f"; se aplica la cláusula de aceleración: saldo exigible {format_bs(balance)}"
    agreement.save(update_fields=update)
    _transition(agreement, S.BREACHED, actor=actor, what=what)


def agreement_regularize(*, agreement: Agreement, actor, reason: str, to: AgreementStatus = S.CURRENT) -> None:
    """A breached agreement is back in order (its overdue amount was paid, or a reschedule was
    signed). The one place where regularization happens: hooks registered here (reconnection
    orders) run in the same transaction."""
    if agreement.status != S.BREACHED:
        raise AgreementError("Solo se regulariza un convenio incumplido.")
    agreement.accelerated_on = None
    agreement.save(update_fields=["accelerated_on"])
    _transition(agreement, to, actor=actor, what="Regularizado", reason=reason)
    for hook in _regularization_hooks:
        hook(agreement=agreement, actor=actor)


def agreements_evaluate(*, today: date, actor=None) -> dict[str, int]:
    """Daily evaluation of every agreement in force. The candidates are found with one query
    per rule (set-based); only agreements whose status really changes are touched, each in its
    own short transaction so a long run never blocks the cashiers."""
    owes = (Q(interest_waived=True) & Q(paid__lt=F("principal"))) | (
        Q(interest_waived=False) & Q(paid__lt=F("principal") + F("interest"))
    )
    unpaid = Installment.objects.filter(owes, agreement=OuterRef("pk"), superseded=False)
    overdue = unpaid.filter(due_date__lt=today)
    candidates = set(
        Agreement.objects.filter(status__in=[S.CURRENT, S.LATE]).filter(Exists(overdue)).values_list("pk", flat=True)
    )
    # Late or breached agreements with nothing overdue any more (paid, or waived interest).
    candidates |= set(
        Agreement.objects.filter(status__in=[S.LATE, S.BREACHED]).exclude(Exists(overdue)).values_list("pk", flat=True)
    )
    counts: dict[str, int] = {}
    for agreement_id in sorted(candidates):
        with transaction.atomic():
            agreement = _lock(agreement_id)
            before = agreement.status
            after = _refresh_status(agreement, today=today, actor=actor)
            if after != before:
                counts[after] = counts.get(after, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------
# Reschedule (ampliación de plazo), cancellation
# ---------------------------------------------------------------------------------------------


def _unpaid_principal_rows(agreement: Agreement) -> list[Installment]:
    return [row for row in selectors.agreement_schedule(agreement=agreement) if row.balance > 0]


@transaction.atomic
def reschedule_request(
    *, actor, agreement_id: int, new_count: int, first_due: date, reason: str, justification: str = ""
) -> Reschedule:
    agreement = _lock(agreement_id)
    if agreement.status not in {s.value for s in ACTIVE}:
        raise AgreementError("Solo se reprograma un convenio vigente.")
    if agreement.reschedules.filter(
        status__in=[Reschedule.Status.PENDING_APPROVAL, Reschedule.Status.AWAITING_SIGNATURE]
    ).exists():
        raise AgreementError("Ya hay una reprogramación en trámite para este convenio.")
    if not reason.strip():
        raise AgreementError("Indique el motivo de la reprogramación (ingresos, enfermedad, ...).")
    kind = AgreementKind(agreement.kind)
    terms = selectors.policy_terms(agreement.policy)
    hard = reschedule_violations(kind, terms, reschedules_done=agreement.reschedule_count)
    if hard:
        raise AgreementError(hard)
    if first_due <= timezone.localdate():
        raise AgreementError("El primer vencimiento nuevo debe ser posterior a hoy.")
    remaining = _unpaid_principal_rows(agreement)
    if not remaining:
        raise AgreementError("No queda saldo por reprogramar.")
    preview = _reschedule_plan(agreement, remaining, new_count=new_count, first_due=first_due)
    if min(item.principal for item in preview) < terms.min_installment_amount:
        raise AgreementError(
            f"Cada cuota nueva sería menor que el mínimo de {format_bs(terms.min_installment_amount)}: "
            "elija menos cuotas."
        )
    outside = []
    allowed = terms.social_max_installments if agreement.has_social_flag else terms.max_installments
    already = len(
        [row for row in selectors.agreement_schedule(agreement=agreement) if row.number > 0 and row.balance == 0]
    )
    cap = min(max(terms.approval_max_installments, allowed), ABSOLUTE_MAX_INSTALLMENTS)
    if already + new_count > cap:
        raise AgreementError(f"El plazo total ({already + new_count} cuotas) supera el máximo de {cap} cuotas.")
    if already + new_count > allowed:
        outside.append(f"El plazo total ({already + new_count} cuotas) supera las {allowed} que admite la política.")
    if outside and not terms.approval_allowed:
        raise AgreementError(outside)
    if outside and not justification.strip():
        raise AgreementError("La reprogramación está fuera de política: escriba la justificación para el jefe.")
    today = timezone.localdate()
    reschedule = Reschedule.objects.create(
        agreement=agreement,
        number=document_number(prefix=f"AD{kind.value}", year=today.year),
        status=Reschedule.Status.PENDING_APPROVAL if outside else Reschedule.Status.AWAITING_SIGNATURE,
        from_version=agreement.schedule_version,
        to_version=agreement.schedule_version + 1,
        reason=reason.strip(),
        new_count=new_count,
        first_due=preview[0].due_date,
        outside_policy=outside,
        requested_by=actor,
        justification=justification.strip(),
    )
    _event(
        agreement,
        actor=actor,
        what=f"Reprogramación {reschedule.number} solicitada: {new_count} cuota(s)",
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="agreement.reschedule_requested",
        entity=reschedule,
        account_id=agreement.account_id,
        summary=(
            f"Reprogramación {reschedule.number} de {agreement.number}: {new_count} cuotas desde {first_due:%d/%m/%Y}"
        ),
        reason=reason,
    )
    return reschedule


def _reschedule_plan(agreement: Agreement, remaining: list[Installment], *, new_count: int, first_due: date):
    # Unpaid interest is dropped: the new schedule recomputes it on the new term.
    planned = [PlannedInstallment(row.number, row.due_date, row.principal_unpaid, ZERO) for row in remaining]
    try:
        return plan_reschedule(
            remaining=planned,
            new_count=new_count,
            first_due=first_due,
            monthly_rate=agreement.monthly_rate,
            is_business_day=selectors.business_day_checker(),
            start_number=max(row.number for row in remaining),
        )
    except ScheduleError as exc:
        raise AgreementError(str(exc)) from exc


@transaction.atomic
def reschedule_decide(*, actor, reschedule_id: int, approve: bool, reason: str) -> Reschedule:
    reschedule = Reschedule.objects.select_related("agreement").get(pk=reschedule_id)
    _lock(reschedule.agreement_id)
    reschedule = Reschedule.objects.select_for_update().get(pk=reschedule_id)
    if reschedule.agreement.status not in {st.value for st in ACTIVE}:
        raise AgreementError("El convenio ya no está vigente: la reprogramación no procede.")
    if reschedule.status != Reschedule.Status.PENDING_APPROVAL:
        raise AgreementError("La reprogramación no está pendiente de aprobación.")
    if reschedule.requested_by_id == getattr(actor, "pk", None):
        raise AgreementError("Quien pidió la reprogramación no puede decidirla: debe hacerlo otro jefe.")
    if not reason.strip():
        raise AgreementError("Indique el motivo de la decisión.")
    reschedule.status = Reschedule.Status.AWAITING_SIGNATURE if approve else Reschedule.Status.REJECTED
    reschedule.decided_by = actor
    reschedule.decision_reason = reason.strip()
    reschedule.save(update_fields=["status", "decided_by", "decision_reason"])
    _event(
        reschedule.agreement,
        actor=actor,
        what=f"Reprogramación {reschedule.number} {'aprobada' if approve else 'rechazada'} por el jefe",
        reason=reason,
    )
    return reschedule


@transaction.atomic
def reschedule_sign(*, actor, reschedule_id: int, signed_on: date, signature_scan=None) -> Reschedule:
    """The addendum is signed: the unpaid installments are replaced by the new ones (the old
    rows stay, marked as superseded, as the previous version) and a breached agreement is
    regularized."""
    agreement_id = Reschedule.objects.values_list("agreement_id", flat=True).get(pk=reschedule_id)
    agreement = _lock(agreement_id)
    reschedule = Reschedule.objects.select_for_update().get(pk=reschedule_id)
    if agreement.status not in {st.value for st in ACTIVE}:
        raise AgreementError("El convenio ya no está vigente: la reprogramación no procede.")
    if reschedule.status != Reschedule.Status.AWAITING_SIGNATURE:
        raise AgreementError("La reprogramación no está lista para firmar.")
    if signed_on > timezone.localdate():
        raise AgreementError("La fecha de firma no puede ser futura.")
    remaining = _unpaid_principal_rows(agreement)
    plan = _reschedule_plan(agreement, remaining, new_count=reschedule.new_count, first_due=reschedule.first_due)
    start = max(row.number for row in selectors.agreement_schedule(agreement=agreement)) + 1
    plan = [PlannedInstallment(start + k, item.due_date, item.principal, item.interest) for k, item in enumerate(plan)]
    Installment.objects.filter(pk__in=[row.pk for row in remaining]).update(superseded=True)
    agreement.schedule_version = reschedule.to_version
    agreement.reschedule_count += 1
    agreement.save(update_fields=["schedule_version", "reschedule_count"])
    _create_installments(agreement, plan, version=reschedule.to_version)
    reschedule.status = Reschedule.Status.SIGNED
    reschedule.signed_on = signed_on
    if signature_scan is not None:
        reschedule.signature_scan = signature_scan
    reschedule.save(update_fields=["status", "signed_on", "signature_scan"])
    _event(agreement, actor=actor, what=f"Adenda {reschedule.number} firmada: nuevo plan de {len(plan)} cuota(s)")
    today = timezone.localdate()
    if agreement.status == S.BREACHED:
        result = evaluate(installments=_compliance_states(agreement), today=today, grace_days=agreement.grace_days)
        target = status_from_compliance(result.status)
        agreement_regularize(
            agreement=agreement,
            to=target if target in (S.CURRENT, S.LATE) else S.CURRENT,
            actor=actor,
            reason=f"Reprogramación {reschedule.number} firmada",
        )
    else:
        _refresh_status(agreement, today=today, actor=actor)
    return reschedule


@transaction.atomic
def agreement_cancel(*, actor, agreement_id: int, reason: str) -> Agreement:
    """Cancel (never delete). The unpaid debt goes back to the invoices as ordinary arrears."""
    agreement = _lock(agreement_id)
    if not reason.strip():
        raise AgreementError("Indique el motivo de la anulación.")
    agreement.cancel_reason = reason.strip()
    agreement.closed_on = timezone.localdate()
    agreement.save(update_fields=["cancel_reason", "closed_on"])
    Invoice.objects.filter(pk__in=agreement.covered_invoices.values("invoice_id")).update(in_agreement=False)
    _close_pending_reschedules(agreement)
    _transition(agreement, S.CANCELLED, actor=actor, what="Convenio anulado", reason=reason.strip())
    return agreement


def _close_pending_reschedules(agreement: Agreement) -> None:
    """A closed agreement has nothing left to reschedule."""
    agreement.reschedules.filter(
        status__in=[Reschedule.Status.PENDING_APPROVAL, Reschedule.Status.AWAITING_SIGNATURE]
    ).update(status=Reschedule.Status.CANCELLED)


def covered_balance(agreement: Agreement) -> Decimal:
    """Balance of the invoices the agreement covers (for the invariant checks and the page)."""
    total = Invoice.objects.filter(pk__in=agreement.covered_invoices.values("invoice_id")).aggregate(s=Sum("balance"))[
        "s"
    ]
    return to_money(str(total or 0))

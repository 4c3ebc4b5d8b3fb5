"""Writes of field orders: drawing and releasing cut lists, recording results, and the orders
that follow a payment or an agreement (cancel the pending cut, reconnect the same day)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from mora.agreements.models import Agreement
from mora.agreements.services import document_number
from mora.billing.models import Payment
from mora.core.audit import audit_record
from mora.core.business_calendar import calendar_overrides
from mora.core.calendar import add_business_days
from mora.core.money import format_bs
from mora.customers.models import Account, SupplyStatus

from . import selectors
from .domain.calendar import next_cut_day, reconnection_due
from .domain.policy import DEFAULT_FIELD_POLICY, FieldPolicy
from .models import (
    Contractor,
    Crew,
    CutList,
    CutListLine,
    ExclusionReason,
    FieldOrder,
    FieldOrderEvent,
    FieldPolicyVersion,
    NotExecutedReason,
    OrderKind,
    OrderStatus,
)

ZERO = Decimal("0.00")


class FieldOrderError(ValidationError):
    """A rule of the field work said no; the message is for the user, in Spanish."""


def _event(order: FieldOrder, *, actor, what: str, from_status: str = "", to_status: str = "") -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    FieldOrderEvent.objects.create(
        order=order, actor=user, what=what[:300], from_status=from_status, to_status=to_status
    )


# ---------------------------------------------------------------------------------------------
# Policy and contractors
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def field_policy_update(*, actor, terms: FieldPolicy, reason: str) -> FieldPolicyVersion:
    errors = terms.validation_errors()
    if errors:
        raise FieldOrderError(errors)
    if not reason.strip():
        raise FieldOrderError("Indique el motivo del cambio.")
    current = FieldPolicyVersion.objects.select_for_update().order_by("-version").first()
    version = FieldPolicyVersion.objects.create(
        version=(current.version + 1) if current else 1, terms=terms.to_dict(), reason=reason.strip(), created_by=actor
    )
    audit_record(
        actor=actor,
        action="field_policy.updated",
        entity=version,
        summary=f"Política de cortes versión {version.version}",
        before=current.terms if current else None,
        after=version.terms,
        reason=reason,
    )
    return version


def _policy_version() -> FieldPolicyVersion:
    version = selectors.field_policy_current()
    if version is None:
        version = FieldPolicyVersion.objects.create(
            version=1, terms=DEFAULT_FIELD_POLICY.to_dict(), reason="Valores por defecto del sistema"
        )
    return version


@transaction.atomic
def contractor_save(*, actor, contractor: Contractor, zone_ids: list[int]) -> Contractor:
    contractor.full_clean()
    contractor.save()
    contractor.zones.set(zone_ids)
    audit_record(
        actor=actor,
        action="contractor.saved",
        entity=contractor,
        summary=f"Microempresa {contractor.name}: {len(zone_ids)} zona(s)",
    )
    return contractor


# ---------------------------------------------------------------------------------------------
# Cut lists
# ---------------------------------------------------------------------------------------------


def first_cut_day_with_notice(drawn_on: date, *, policy: FieldPolicy) -> date:
    """The first day cuts are allowed that leaves the policy's business days of notice: the
    notices printed with the list on `drawn_on` reach the families in time. With no notice
    days, simply the next allowed cut day."""
    is_business = selectors.business_day_checker()
    earliest = add_business_days(drawn_on, policy.notice_business_days, **calendar_overrides())
    return next_cut_day(
        max(earliest, drawn_on + timedelta(days=1)) - timedelta(days=1), policy=policy, is_business_day=is_business
    )


@transaction.atomic
def cut_list_draw(*, drawn_on: date, actor=None) -> CutList:
    """Propose the cut list for the first day cuts are allowed after the notice period that
    starts on `drawn_on` (first_cut_day_with_notice).

    Idempotent: drawing again for the same date updates the same draft (same lines, same
    order) and creates nothing twice; lines the supervisor removed stay removed; a released
    list is never redrawn."""
    version = _policy_version()
    policy = selectors.field_policy_terms(version)
    cut_date = first_cut_day_with_notice(drawn_on, policy=policy)
    cut_list, _ = CutList.objects.get_or_create(
        cut_date=cut_date, defaults={"drawn_on": drawn_on, "policy": version, "status": CutList.Status.DRAFT}
    )
    cut_list = CutList.objects.select_for_update().get(pk=cut_list.pk)
    if cut_list.status == CutList.Status.RELEASED:
        return cut_list
    cut_list.drawn_on, cut_list.policy = drawn_on, version
    cut_list.save(update_fields=["drawn_on", "policy"])

    rows = list(selectors.cut_candidates(today=drawn_on, cut_date=cut_date, policy=policy))
    plan = _plan_capacity(rows)
    existing = {line.account_id: line for line in cut_list.lines.all()}
    to_create, to_update = [], []
    for row in rows:
        status, crew_id = plan[row["pk"]]
        line = existing.pop(row["pk"], None)
        if line is not None and line.status == CutListLine.Status.REMOVED:
            continue
        line = line or CutListLine(cut_list=cut_list, account_id=row["pk"])
        line.status = status
        line.exclusion = row["exclusion"]
        line.reason = row["reason"]
        line.agreement = selectors.breached_agreement_of(row["pk"]) if row["reason"] == "BREACH" else None
        line.contractor_id = row["contractor_id"]
        line.crew_id = crew_id
        line.zone_id, line.route_id, line.route_sequence = row["zone_id"], row["route_id"], row["route_sequence"]
        line.debt = row["debt"]
        line.unpaid_invoices = row["unpaid_count"]
        line.oldest_due = row["oldest_due"]
        line.priority = plan.priority[row["pk"]]
        (to_update if line.pk else to_create).append(line)
    # Accounts on an earlier draft that no longer qualify: they paid (or signed) since.
    for line in existing.values():
        if line.status != CutListLine.Status.REMOVED:
            line.status, line.exclusion, line.crew_id = CutListLine.Status.EXCLUDED, ExclusionReason.PAID_SINCE, None
            to_update.append(line)
    CutListLine.objects.bulk_create(to_create, batch_size=2000)
    CutListLine.objects.bulk_update(
        to_update,
        [
            "status",
            "exclusion",
            "reason",
            "agreement",
            "contractor",
            "crew",
            "zone",
            "route",
            "route_sequence",
            "debt",
            "unpaid_invoices",
            "oldest_due",
            "priority",
        ],
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        actor_label="ciclo diario",
        action="cut_list.drawn",
        entity=cut_list,
        summary=(
            f"Lista de corte para el {cut_date:%d/%m/%Y}: "
            f"{sum(1 for r in rows if plan[r['pk']][0] == CutListLine.Status.PROPOSED)} suministros"
        ),
    )
    return cut_list


class _CapacityPlan(dict):
    priority: dict


def _plan_capacity(rows: list[dict]) -> _CapacityPlan:
    """Rows come ordered by priority (breaches, then largest and oldest debts). Each
    contractor takes as many as its crews can cut in a day; the rest wait for the next list.
    The chosen ones are then given to the crews in route order, filling each crew in turn."""
    crews: dict[int, list[Crew]] = {}
    for crew in Crew.objects.filter(is_active=True, contractor__is_active=True).order_by("contractor", "name", "pk"):
        crews.setdefault(crew.contractor_id, []).append(crew)
    plan = _CapacityPlan()
    plan.priority = {}
    chosen: dict[int, list[dict]] = {}
    for rank, row in enumerate(rows, start=1):
        plan.priority[row["pk"]] = rank
        if row["exclusion"]:
            plan[row["pk"]] = (CutListLine.Status.EXCLUDED, None)
            continue
        capacity = sum(crew.daily_capacity for crew in crews.get(row["contractor_id"], []))
        taken = chosen.setdefault(row["contractor_id"], [])
        if len(taken) < capacity:
            taken.append(row)
        else:
            plan[row["pk"]] = (CutListLine.Status.DEFERRED, None)
    for contractor_id, taken in chosen.items():
        taken.sort(key=lambda r: (r["zone_id"], r["route_id"], r["route_sequence"], r["pk"]))
        slots = [crew.pk for crew in crews[contractor_id] for _ in range(crew.daily_capacity)]
        for row, crew_id in zip(taken, slots, strict=False):
            plan[row["pk"]] = (CutListLine.Status.PROPOSED, crew_id)
    return plan


@transaction.atomic
def cut_line_remove(*, actor, line_id: int, reason: str) -> CutListLine:
    line = CutListLine.objects.select_related("cut_list").select_for_update().get(pk=line_id)
    if line.cut_list.status != CutList.Status.DRAFT:
        raise FieldOrderError("La lista ya fue emitida: anule la orden de corte en su lugar.")
    if not reason.strip():
        raise FieldOrderError("Indique por qué se quita la línea.")
    line.status, line.removed_reason = CutListLine.Status.REMOVED, reason.strip()
    line.save(update_fields=["status", "removed_reason"])
    audit_record(
        actor=actor,
        action="cut_list.line_removed",
        entity=line,
        account_id=line.account_id,
        summary=f"Quitada de la lista de corte del {line.cut_list.cut_date:%d/%m/%Y}",
        reason=reason,
    )
    return line


@transaction.atomic
def cut_list_release(*, actor, cut_list_id: int, as_of: date | None = None) -> CutList:
    """Number the list and issue one cut order per line. The accounts are locked (in primary
    key order, as payments lock them) and checked again, so a payment that arrived since the
    list was drawn keeps its account off the list, and one that arrives later finds the order
    and cancels it."""
    cut_list = CutList.objects.select_for_update().get(pk=cut_list_id)
    if cut_list.status != CutList.Status.DRAFT:
        raise FieldOrderError("La lista ya fue emitida.")
    # `as_of` is only for rebuilding history (the demo's past lists); the unit releases today.
    if cut_list.cut_date < (as_of or timezone.localdate()):
        raise FieldOrderError("La fecha de corte de esta lista ya pasó: ejecute el ciclo diario para una nueva.")
    lines = list(cut_list.lines.filter(status=CutListLine.Status.PROPOSED).order_by("account_id"))
    account_ids = [line.account_id for line in lines]
    list(Account.objects.select_for_update().filter(pk__in=account_ids).order_by("pk").values_list("pk", flat=True))
    policy = selectors.field_policy_terms(cut_list.policy)
    today = timezone.localdate()
    # Checked again now, under the locks: an account may have paid, or got a complaint or a hold.
    current = {
        row["pk"]: row
        for row in selectors.cut_candidates(
            today=today, cut_date=cut_list.cut_date, policy=policy, account_ids=account_ids
        )
    }
    year = cut_list.cut_date.year
    cut_list.number = document_number(prefix="LC", year=year)
    cut_list.status = CutList.Status.RELEASED
    cut_list.released_by, cut_list.released_at = actor, timezone.now()
    cut_list.save(update_fields=["number", "status", "released_by", "released_at"])
    issued = 0
    for line in lines:
        row = current.get(line.account_id)
        if row is None or row["exclusion"]:
            line.status = CutListLine.Status.EXCLUDED
            line.exclusion = row["exclusion"] if row else ExclusionReason.PAID_SINCE
            line.save(update_fields=["status", "exclusion"])
            continue
        order = FieldOrder.objects.create(
            number=document_number(prefix="OC", year=year),
            kind=OrderKind.CUT,
            account_id=line.account_id,
            contractor_id=line.contractor_id,
            crew_id=line.crew_id,
            cut_line=line,
            scheduled_for=cut_list.cut_date,
            agreement=line.agreement,
            trigger=f"Lista {cut_list.number}",
        )
        _event(
            order, actor=actor, what=f"Orden de corte emitida con la lista {cut_list.number}", to_status=order.status
        )
        issued += 1
    audit_record(
        actor=actor,
        action="cut_list.released",
        entity=cut_list,
        summary=f"Lista {cut_list.number} emitida: {issued} órdenes de corte para el {cut_list.cut_date:%d/%m/%Y}",
    )
    return cut_list


# ---------------------------------------------------------------------------------------------
# Results in the field
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def order_record_result(
    *,
    actor,
    order_id: int,
    executed: bool,
    at: datetime | None = None,
    reason: str = "",
    notes: str = "",
    contractor: Contractor | None = None,
) -> FieldOrder:
    """What the crew did. A coordinator (`contractor` given) may only close his own orders.
    The supply status of the account follows the result."""
    account_id = FieldOrder.objects.values_list("account_id", flat=True).get(pk=order_id)
    account = Account.objects.select_for_update().get(pk=account_id)
    order = FieldOrder.objects.select_for_update().get(pk=order_id)
    if contractor is not None and order.contractor_id != contractor.pk:
        raise PermissionDenied("Esta orden no es de su microempresa.")
    at = at or timezone.now()
    if at > timezone.now() + timedelta(minutes=5):
        raise FieldOrderError("La hora de ejecución no puede ser futura.")
    if _cut_done_before_the_payment_that_cancelled_it(order, executed=executed, at=at):
        return _record_late_cut(order, account, actor=actor, at=at, notes=notes)
    if order.status != OrderStatus.PENDING:
        raise FieldOrderError(f"La orden {order.number} ya está «{order.get_status_display()}».")
    if executed and order.kind == OrderKind.CUT:
        _check_cut_allowed(account, at=at)
    before = order.status
    if executed:
        order.status, order.executed_at = OrderStatus.EXECUTED, at
        previous_supply = account.supply_status
        if order.kind == OrderKind.CUT:
            account.supply_status = SupplyStatus.CUT
        else:
            account.supply_status = SupplyStatus.ACTIVE
            # The charge applies only if the supply had really been cut.
            if previous_supply == SupplyStatus.CUT:
                order.charge = selectors.field_policy_terms().reconnection_charge
        account.save(update_fields=["supply_status", "updated_at"])
        what = f"{order.get_kind_display()} ejecutado el {timezone.localtime(at):%d/%m/%Y %H:%M}"
    else:
        if reason not in NotExecutedReason.values:
            raise FieldOrderError("Indique por qué no se ejecutó la orden.")
        order.status, order.not_executed_reason, order.executed_at = OrderStatus.NOT_EXECUTED, reason, at
        what = f"No ejecutada: {NotExecutedReason(reason).label}"
    order.notes = notes.strip()[:300]
    order.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    order.save()
    _event(order, actor=actor, what=what, from_status=before, to_status=order.status)
    audit_record(
        actor=actor,
        action=f"field_order.{order.status.lower()}",
        entity=order,
        account_id=account.pk,
        summary=f"Orden {order.number}: {what}",
        after={"supply_status": account.supply_status},
        reason=order.notes,
    )
    if not executed and order.kind == OrderKind.RECONNECT:
        # The family paid: a failed visit (closed house...) never ends the reconnection; a new
        # order goes out at once, with the original payment as its trigger.
        _settle(
            account,
            actor=actor,
            why=f"Nuevo intento tras {order.number} no ejecutada",
            when=timezone.now(),
            payment=order.payment,
            agreement=order.agreement,
        )
    return order


def _check_cut_allowed(account: Account, *, at: datetime) -> None:
    """Checked again when the crew reports the cut: a complaint, a hold, a payment or a
    protection may have come after the list was released."""
    policy = selectors.field_policy_terms()
    blocker = selectors.cut_blocker(account_id=account.pk, today=timezone.localtime(at).date(), policy=policy)
    if blocker is not None:
        raise FieldOrderError(f"Esta cuenta ya no se puede cortar: {ExclusionReason(blocker).label}.")


def _cut_done_before_the_payment_that_cancelled_it(order: FieldOrder, *, executed: bool, at: datetime) -> bool:
    return (
        executed
        and order.kind == OrderKind.CUT
        and order.status == OrderStatus.CANCELLED
        and order.payment_id is not None
        and at <= order.payment.paid_at
    )


def _record_late_cut(order: FieldOrder, account: Account, *, actor, at: datetime, notes: str) -> FieldOrder:
    """The crew cut before the customer paid but reports it afterwards: the cut is a fact, so
    record it, and order the reconnection the payment grants."""
    order.status, order.executed_at = OrderStatus.EXECUTED, at
    order.notes = (notes.strip() or "Corte informado después del pago")[:300]
    order.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    order.save()
    account.supply_status = SupplyStatus.CUT
    account.save(update_fields=["supply_status", "updated_at"])
    _event(
        order,
        actor=actor,
        what=f"Corte ejecutado el {timezone.localtime(at):%d/%m/%Y %H:%M}, informado después del pago",
        from_status=OrderStatus.CANCELLED,
        to_status=order.status,
    )
    _settle(
        account,
        actor=actor,
        why=f"Corte {order.number} anterior al pago {order.payment.source}/{order.payment.receipt_number}",
        when=order.payment.paid_at,
        payment=order.payment,
    )
    return order


@transaction.atomic
def order_cancel(*, actor, order_id: int, reason: str) -> FieldOrder:
    order = FieldOrder.objects.select_for_update().get(pk=order_id)
    return _cancel(order, actor=actor, reason=reason)


def _cancel(order: FieldOrder, *, actor, reason: str, payment: Payment | None = None) -> FieldOrder:
    if order.status != OrderStatus.PENDING:
        raise FieldOrderError(f"La orden {order.number} ya está «{order.get_status_display()}».")
    if not reason.strip():
        raise FieldOrderError("Indique el motivo de la anulación.")
    order.status, order.cancel_reason = OrderStatus.CANCELLED, reason.strip()[:300]
    # The payment that made the cut unnecessary, so the cashier's answer can name the order.
    order.payment = payment or order.payment
    order.save(update_fields=["status", "cancel_reason", "payment"])
    _event(
        order,
        actor=actor,
        what=f"Anulada: {order.cancel_reason}",
        from_status=OrderStatus.PENDING,
        to_status=order.status,
    )
    audit_record(
        actor=actor,
        action="field_order.cancelled",
        entity=order,
        account_id=order.account_id,
        summary=f"Orden {order.number} anulada",
        reason=order.cancel_reason,
    )
    return order


# ---------------------------------------------------------------------------------------------
# Events that stop a cut or call for a reconnection
# ---------------------------------------------------------------------------------------------


def _still_cuttable(account: Account, policy: FieldPolicy) -> bool:
    return selectors.cut_blocker(account_id=account.pk, today=timezone.localdate(), policy=policy) is None


def _settle(account: Account, *, actor, why: str, when: datetime, payment=None, agreement=None) -> None:
    """The account is no longer to be cut: cancel its pending cut, and if the supply is cut,
    order the reconnection (the unique constraint on open orders makes a retried event a
    no-op)."""
    for order in FieldOrder.objects.select_for_update().filter(
        account=account, kind=OrderKind.CUT, status=OrderStatus.PENDING
    ):
        _cancel(order, actor=actor, reason=why, payment=payment)
    if account.supply_status != SupplyStatus.CUT:
        return
    if FieldOrder.objects.filter(account=account, kind=OrderKind.RECONNECT, status=OrderStatus.PENDING).exists():
        return
    policy = selectors.field_policy_terms()
    contractor = selectors.contractor_for_zone(account.zone_id)
    due = reconnection_due(timezone.localtime(when), policy=policy, is_business_day=selectors.business_day_checker())
    order = FieldOrder.objects.create(
        number=document_number(prefix="OR", year=timezone.localdate().year),
        kind=OrderKind.RECONNECT,
        account=account,
        contractor=contractor,
        scheduled_for=timezone.localtime(due).date(),
        due_at=due,
        trigger=why,
        payment=payment,
        agreement=agreement,
        triggered_at=when,
    )
    _event(order, actor=actor, what=f"Orden de reconexión: {why}", to_status=order.status)
    audit_record(
        actor=actor,
        action="field_order.reconnection",
        entity=order,
        account_id=account.pk,
        summary=(
            f"Orden de reconexión {order.number} para "
            f"{contractor.name if contractor else 'asignar (ninguna microempresa atiende la zona)'}, "
            f"vence {timezone.localtime(due):%d/%m/%Y %H:%M}"
        ),
        reason=why,
    )


def after_payment(*, payment: Payment, account: Account, actor) -> None:
    """After-payment hook (billing): the account row is locked by the payment service."""
    policy = selectors.field_policy_terms()
    if _still_cuttable(account, policy):
        return
    _settle(
        account,
        actor=actor,
        why=f"Pago {payment.source}/{payment.receipt_number} de {format_bs(payment.amount)}",
        when=payment.paid_at,
        payment=payment,
    )


def after_agreement_event(*, agreement: Agreement, actor) -> None:
    """Agreement hook: signed (in force) or regularized grants time to pay."""
    account = Account.objects.select_for_update().get(pk=agreement.account_id)
    policy = selectors.field_policy_terms()
    if _still_cuttable(account, policy):
        return
    _settle(account, actor=actor, why=f"Convenio {agreement.number} vigente", when=timezone.now(), agreement=agreement)


def daily_cycle_run(*, day: date, actor=None, progress=None) -> dict:
    """The unit's daily cycle: evaluate every agreement in force, then propose the cut list for
    the next day cuts are allowed. Idempotent for a given day. `progress(step, text)` is
    called between steps (the UI shows it)."""
    from mora.agreements.services import agreements_evaluate

    progress = progress or (lambda step, text: None)
    progress(1, "Evaluando convenios")
    changes = agreements_evaluate(today=day, actor=actor)
    progress(2, "Calculando la lista de corte")
    cut_list = cut_list_draw(drawn_on=day, actor=actor)
    counts = dict(cut_list.lines.values_list("status").annotate(n=models.Count("pk")).values_list("status", "n"))
    progress(3, "Terminado")
    return {"agreements": changes, "cut_list": cut_list, "lines": counts}

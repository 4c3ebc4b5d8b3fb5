"""Demo agreements (convenios) of both kinds in every status, made through the real services.

Why a simulated calendar, and how it is made honest
---------------------------------------------------
The services stamp "now" themselves (created_at, event and audit times, in_force_at,
decided_at) and some of them judge compliance at `timezone.localdate()` (signing, a payment,
signing an addendum). An agreement that looks eight months old cannot be made on the real
calendar: signing it eight months ago would be judged today and be breached on the spot.

So every agreement lives its life on a simulated calendar that starts at the real date R and
runs forward to a simulated "present" P = R + H: on that calendar every date the services check
against the real clock (`signed_on <= localdate()`, compliance at `max(paid_on, localdate())`)
is automatically right, and the daily cycle is `agreements_evaluate(today=<simulated day>)`, run
for every simulated day, globally, exactly as in production. Nothing is patched.

Afterwards one offset Δ = T - P (T = the demo's reference date; Δ is a whole number of weeks,
so weekdays are kept) moves every date of those agreements onto the demo's calendar:
schedules, payments, signatures, closings. The timestamps the services took from the real
clock (all ≈ R, because the simulation runs in a few seconds) are replaced by the simulated
moment of the step that wrote them, plus Δ. Only dates move: amounts, allocations and statuses
are exactly what the services wrote, so every invariant they keep still holds.

Which invoices an agreement covers comes from the invoice history of the demo (`today` of
`agreement_create` is the creation date on the demo's calendar): an agreement made 200 days
before T covers the invoices that were overdue 200 days before T and are still unpaid.

Known limits: holidays are checked on the simulated calendar, so after the shift a due date may
fall on a holiday of the demo's calendar (weekdays are right); addendum numbers take the year of
the real date. Cut accounts are not chosen: an agreement there would order a reconnection whose
dates we do not rewrite.

The breach factors planted for the analytics (docs/datos-demo.md, "Factores de incumplimiento
de convenios") are in `BREACH_MODEL`.
"""

import heapq
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_UP, Decimal
from zoneinfo import ZoneInfo

from . import names

LA_PAZ = ZoneInfo("America/La_Paz")
SHARE_OF_ARREARS = 0.02  # agreements per account in arrears on the reference date
MAX_AGE_DAYS = 330  # the oldest agreement, in days before the reference date
# Log-odds that a signed agreement is breached (docs/datos-demo.md keeps the same numbers).
BREACH_MODEL = {
    "intercepto": -2.0,
    "por_cuota_sobre_3": 0.15,  # times (installments - 3)
    "cuota_inicial_baja": 1.0,  # down payment under 25 % of the debt
    "tarifa_dignidad": 0.8,
    "cuota_sobre_factura": 1.2,  # times (installment / usual bill)
    "incumplimiento_previo": 1.2,  # the account breached an earlier agreement
}
MAX_QUOTES = 150  # quotes tried per scenario before giving up on it
RECEIPT_FIRST = 9_000_000_000  # receipts of the demo agreements; the generator's stay below 2,000,000
SOURCE = ("CAJA-SETAR", "VENTANILLA")

# Scenarios that guarantee every (kind, status) pair; the rest of the agreements are signed
# ones whose fate comes from BREACH_MODEL. A Solución Temprana can never wait for approval or
# be rejected: its policy admits no approval (terms outside it are refused, and the officer
# offers a contract instead), so those two pairs exist only for contracts.
ST, CPRD = "ST", "CPRD"
QUOTA = (
    (CPRD, "pending"),
    (CPRD, "rejected"),
    (ST, "awaiting"),
    (CPRD, "awaiting"),
    (ST, "cancel_unsigned"),
    (CPRD, "cancel_signed"),
    (ST, "current"),
    (CPRD, "current"),
    (ST, "late"),
    (CPRD, "late"),
    (ST, "breached"),
    (CPRD, "breached"),
    (ST, "completed"),
    (CPRD, "completed"),
    (ST, "resched_signed"),
    (CPRD, "resched_signed"),
    (CPRD, "resched_pending"),
    (ST, "breach_then_contract"),
)
# Age on the reference date (days since creation) that each scenario may have.
AGES = {
    "pending": (1, 6),
    "rejected": (8, 40),
    "awaiting": (0, 5),
    "cancel_unsigned": (20, 60),
    "cancel_signed": (75, 200),
    "current": (20, 150),
    "late": (40, 200),
    "breached": (50, 200),
    "completed": (45, 250),
    "resched_signed": (95, MAX_AGE_DAYS),
    "resched_pending": (70, 250),
    "breach_then_contract": (80, MAX_AGE_DAYS),
    "modelled": (30, MAX_AGE_DAYS),
}
JUSTIFICATIONS = (
    "El titular es jubilado y su única renta no alcanza para cuotas mayores; pide más plazo.",
    "Familia numerosa con ingresos eventuales; la cuota inicial del mínimo no es posible este mes.",
    "Comerciante afectado por la baja de ventas; pide plazo mayor con garante.",
)
REJECTIONS = (
    "Ya incumplió antes y no ofrece garante: que pague la cuota inicial mínima.",
    "El plazo pedido excede lo razonable para esta deuda.",
)
RESCHEDULE_REASONS = (
    "Pérdida de empleo del titular",
    "Enfermedad en la familia (gastos médicos)",
    "Baja de ingresos por la temporada",
)
CANCEL_REASONS = (
    "El cliente no pagó la cuota inicial en el plazo acordado.",
    "El cliente vendió el inmueble; la deuda se cobra con el nuevo titular.",
)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass
class Plan:
    kind: str
    scenario: str
    account_id: int
    created: date  # simulated calendar
    installments: int
    down_payment: Decimal
    debt: Decimal
    td: bool
    prior_breach: bool = False
    justification: str = ""
    signer: tuple[str, str, str] = ("", "", "")
    agreement_id: int | None = None
    breach_probability: float | None = None
    dues: list = field(default_factory=list)  # installments 1..n, simulated calendar
    usual_bill: Decimal | None = None
    followup: "Plan | None" = None
    dates: dict = field(default_factory=dict)  # simulated dates of clock-stamped steps


class _Simulation:
    """A queue of actions on the simulated calendar plus the daily evaluation; records the
    simulated moment of every event and audit row written, to re-date them at the end."""

    def __init__(self, *, start: date, present: date):
        from mora.agreements.models import AgreementEvent
        from mora.core.models import AuditEvent

        self.present = present
        self.queue: list = []
        self.seq = 0
        self.day = start
        self.stamps: list[tuple[int, int, datetime]] = []  # (last event id, last audit id, moment)
        self._event_model, self._audit_model = AgreementEvent, AuditEvent
        self.last_ids = self._ids()
        self.first_ids = self.last_ids
        self.evaluation_days: set[date] = set()

    def watch(self, dues) -> None:
        """Evaluate on the days these installments become late and breached (grace: 10 days)."""
        for due in dues:
            self.evaluation_days.update((due + timedelta(days=1), due + timedelta(days=11)))

    def _ids(self) -> tuple[int, int]:
        from django.db.models import Max

        return (
            self._event_model.objects.aggregate(m=Max("id"))["m"] or 0,
            self._audit_model.objects.aggregate(m=Max("id"))["m"] or 0,
        )

    def at(self, moment: datetime, action: Callable[[datetime], None]) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (moment, self.seq, action))

    def _stamp(self, moment: datetime) -> None:
        ids = self._ids()
        if ids != self.last_ids:
            self.stamps.append((ids[0], ids[1], moment))
            self.last_ids = ids

    def run(self) -> None:
        from mora.agreements.services import agreements_evaluate

        while self.day <= self.present:
            # The daily cycle runs at dawn, before the day's payments and signatures. It is only
            # called on the days it can change something (the day after a due date, the day
            # after its grace, the present): on any other day it would find nothing to do.
            if self.day in self.evaluation_days or self.day == self.present:
                agreements_evaluate(today=self.day)
                self._stamp(_moment(self.day, 5, 30))
            while self.queue and self.queue[0][0].date() <= self.day:
                moment, _seq, action = heapq.heappop(self.queue)
                action(moment)
                self._stamp(moment)
            self.day += timedelta(days=1)


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LA_PAZ)


def _due_dates(signing: date, count: int) -> list[date]:
    """Due dates of installments 1..count for a signing date: the same rules as the quote."""
    from mora.agreements.domain.schedule import build_schedule
    from mora.agreements.selectors import _default_first_due, business_day_checker

    checker = business_day_checker()
    schedule = build_schedule(
        debt=Decimal("1000.00"),
        down_payment=Decimal("100.00"),
        installments=count,
        first_due=_default_first_due(signing, checker),
        signing_date=signing,
        monthly_rate=Decimal("0"),
        is_business_day=checker,
    )
    return [item.due_date for item in schedule if item.number > 0]


def _breach_probability(plan: Plan) -> float:
    """P(breach) of a signed agreement under BREACH_MODEL."""
    m = BREACH_MODEL
    eta = m["intercepto"] + m["por_cuota_sobre_3"] * (plan.installments - 3)
    if plan.down_payment * 4 < plan.debt:
        eta += m["cuota_inicial_baja"]
    if plan.td:
        eta += m["tarifa_dignidad"]
    if plan.usual_bill and plan.usual_bill > 0:
        installment = (plan.debt - plan.down_payment) / plan.installments
        eta += m["cuota_sobre_factura"] * float(installment / plan.usual_bill)
    if plan.prior_breach:
        eta += m["incumplimiento_previo"]
    return _sigmoid(eta)


def seed_agreements(*, seed: int, today: date, progress: Callable[[str], None] | None = None) -> Counter:
    """Create the demo agreements; returns how many of each (kind, status). One transaction;
    the portfolio must already be loaded."""
    from django.db import transaction

    with transaction.atomic():
        return _Demo(seed=seed, today=today, say=progress or (lambda _msg: None)).run()


class _Demo:
    def __init__(self, *, seed: int, today: date, say):
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from mora.agreements import services
        from mora.core.demo_users import ensure_demo_users

        self.rng = random.Random(seed + 1)
        self.today = today
        self.say = say
        ensure_demo_users()
        services.policy_ensure_defaults()
        users = {u.username: u for u in get_user_model().objects.filter(username__in=["oficial", "jefe", "cajero"])}
        self.officer, self.supervisor, self.cashier = users["oficial"], users["jefe"], users["cajero"]
        real = timezone.localdate()
        offset = (today - real).days
        horizon = MAX_AGE_DAYS + 40
        horizon += (offset - horizon) % 7  # Δ = offset - horizon: a whole number of weeks
        self.present = real + timedelta(days=horizon)
        self.delta = timedelta(days=offset - horizon)  # simulated date + delta = demo date
        self.sim = _Simulation(start=real, present=self.present)
        self.receipt = RECEIPT_FIRST
        self.payments: list[int] = []
        self.plans: list[Plan] = []

    # -- choosing accounts and terms -----------------------------------------------------------
    def quote(self, account, kind, created, down=None, count=None):
        from mora.agreements import selectors

        request = selectors.QuoteRequest(
            kind=kind, invoice_ids=None, down_payment=down, installments=count, first_due=None, signing_date=created
        )
        return request, selectors.agreement_quote(account=account, request=request, today=created + self.delta)

    def run(self) -> Counter:
        from django.db.models import Min

        from mora.agreements.models import Agreement, Reschedule
        from mora.billing.models import Invoice
        from mora.customers.models import Account, Complaint, ComplaintStatus

        today, rng = self.today, self.rng
        # Candidates: accounts in arrears on the reference date, by id. Their oldest unpaid due
        # date bounds how old their agreement can be (it must cover something overdue then).
        self.oldest = dict(
            Invoice.objects.filter(balance__gt=0, due_date__lt=today, in_agreement=False)
            .values("account_id")
            .annotate(oldest=Min("due_date"))
            .values_list("account_id", "oldest")
        )
        in_arrears = len(self.oldest)
        excluded = set(Account.objects.exclude(supply_status="ACTIVE").values_list("pk", flat=True))
        excluded |= set(Complaint.objects.filter(status=ComplaintStatus.PENDING).values_list("account_id", flat=True))
        excluded |= set(Account.objects.filter(customer__id_department="").values_list("pk", flat=True))
        self.candidates = sorted(pk for pk in self.oldest if pk not in excluded)
        rng.shuffle(self.candidates)
        self.accounts = Account.objects.select_related("customer").in_bulk(self.candidates)
        # Unpaid invoices of each candidate (due date, balance): a cheap pre-check of the kind's
        # size rules before asking for a real quote (a quote is a dozen queries).
        self.unpaid: dict[int, list[tuple[date, Decimal]]] = {}
        for account_id, due, balance in (
            Invoice.objects.filter(account_id__in=self.candidates, balance__gt=0)
            .order_by("account_id", "due_date")
            .values_list("account_id", "due_date", "balance")
        ):
            self.unpaid.setdefault(account_id, []).append((due, balance))
        self.used: set[int] = set()

        wanted = max(round(SHARE_OF_ARREARS * in_arrears), len(QUOTA))
        scenarios = list(QUOTA)
        while len(scenarios) < wanted:
            scenarios.append((rng.choice((ST, CPRD)), "modelled"))
        dropped: Counter = Counter()
        for kind, scenario in scenarios:
            plan = self.choose(kind, scenario)
            if plan is None:
                dropped[f"{kind}/{scenario}"] += 1
                continue
            self.plans.append(plan)
            self.sim.at(_moment(plan.created, 9 + rng.randint(0, 2), rng.randint(0, 59)), self.create_action(plan))
        if dropped:
            self.say("  Convenios sin cuenta adecuada: " + ", ".join(f"{k} ×{n}" for k, n in sorted(dropped.items())))
        self.sim.run()
        self.redate()
        ids = [p.agreement_id for p in self.plans if p.agreement_id]
        ids += [p.followup.agreement_id for p in self.plans if p.followup and p.followup.agreement_id]
        counts = Counter(Agreement.objects.filter(pk__in=ids).values_list("kind", "status"))
        self.say(
            "Convenios: "
            + "  ".join(f"{k}/{s}: {n}" for (k, s), n in sorted(counts.items()))
            + f"  Reprogramaciones: {Reschedule.objects.filter(agreement_id__in=ids).count()}"
            + f"  (sobre {in_arrears} cuentas con deuda vencida)"
        )
        return counts

    def choose(self, kind: str, scenario: str, *, account_id: int | None = None, created: date | None = None):
        """The first unused candidate that can sign `kind` at an age that fits `scenario`."""
        low, high = AGES[scenario]
        pool = [account_id] if account_id else self.candidates
        quotes = 0
        for pk in pool:
            if quotes >= MAX_QUOTES:
                break  # a scenario no account fits is dropped rather than searched for long
            if account_id is None:
                if pk in self.used:
                    continue
                max_age = (self.today - self.oldest[pk]).days - 1
                if max_age < low:
                    continue
                day = self.present - timedelta(days=self.rng.randint(low, min(high, max_age)))
            else:
                day = created
            if account_id is None and not self.may_sign(pk, kind, day + self.delta):
                continue
            account = self.accounts[pk]
            quotes += 1
            _request, base = self.quote(account, kind, day)
            if base.not_eligible or base.errors or base.debt <= 0:
                continue
            plan = self.terms(kind, scenario, account, base, day)
            if plan is None:
                continue
            _request, final = self.quote(account, kind, day, plan.down_payment, plan.installments)
            outside = scenario in ("pending", "rejected")
            if final.hard_limits or final.errors or final.not_eligible or final.needs_approval != outside:
                continue
            dues = [item.due_date for item in final.schedule if item.number > 0]
            if not self.fits(scenario, dues, day):
                continue
            plan.dues = dues
            plan.usual_bill = final.usual_bill
            self.used.add(pk)
            return plan
        return None

    def may_sign(self, account_id: int, kind: str, day: date) -> bool:
        """Size rules of the default policies on `day` (demo calendar), from the unpaid invoices."""
        overdue = [(due, balance) for due, balance in self.unpaid.get(account_id, []) if due < day]
        if not overdue:
            return False
        debt = sum((balance for _due, balance in overdue), Decimal(0))
        large = len(overdue) > 3 or (day - overdue[0][0]).days > 90 or debt > 3000
        return large if kind == CPRD else len(overdue) <= 3 and debt <= 3000

    def fits(self, scenario: str, dues: list[date], created: date) -> bool:
        """Whether the schedule can end, on the present day, in the status the scenario wants."""
        past = [d for d in dues if d < self.present]
        late_days = (self.present - past[-1]).days if past else 0
        if scenario == "late":
            return bool(past) and 1 <= late_days <= 10
        if scenario == "current":
            return dues[-1] >= self.present and (not past or late_days > 0)
        if scenario in ("breached", "modelled", "breach_then_contract", "cancel_signed"):
            return any((self.present - d).days > 25 for d in dues)
        if scenario in ("resched_signed", "resched_pending"):
            return len(dues) >= 2 and (self.present - dues[1]).days > 25
        if scenario == "completed":
            return bool(past)
        return True

    def terms(self, kind, scenario, account, base, created) -> Plan | None:
        """Down payment and number of installments; outside policy for the approval scenarios."""
        rng = self.rng
        debt = base.debt
        minimum_pct = base.min_down_payment * 100 / debt
        if scenario in ("pending", "rejected"):
            # A longer term than the policy grants this customer: needs the supervisor.
            count = base.allowed_installments + rng.randint(2, 6)
            pct = minimum_pct
        else:
            count = rng.randint(min(2, base.allowed_installments), base.allowed_installments)
            pct = minimum_pct if rng.random() < 0.6 else minimum_pct + rng.randint(5, 30)
        down = max(
            (debt * min(pct, Decimal(80)) / 100).quantize(Decimal("0.01"), rounding=ROUND_UP), base.min_down_payment
        )
        financed = debt - down
        # Installments of at least Bs 20 (the policy's minimum): a small debt gets fewer.
        count = min(count, int(financed // 20))
        if count < 1 or financed <= 0:
            return None
        customer = account.customer
        return Plan(
            kind=kind,
            scenario=scenario,
            account_id=account.pk,
            created=created,
            installments=count,
            down_payment=down,
            debt=debt,
            td=account.tarifa_dignidad,
            justification=rng.choice(JUSTIFICATIONS) if scenario in ("pending", "rejected") else "",
            signer=(customer.name, customer.id_number, customer.id_department),
        )

    # -- the life of an agreement --------------------------------------------------------------
    def create_action(self, plan: Plan):
        def create(moment: datetime) -> None:
            from mora.agreements import services

            account = self.accounts[plan.account_id]
            request, _quote = self.quote(account, plan.kind, plan.created, plan.down_payment, plan.installments)
            extra = {}
            if plan.kind == CPRD and self.rng.random() < 0.5:
                extra = {
                    "guarantor_name": f"{self.rng.choice(names.MALE_NAMES)} {self.rng.choice(names.SURNAMES)} "
                    f"{self.rng.choice(names.SURNAMES)}",
                    "guarantor_id_number": str(self.rng.randint(1_000_000, 9_999_999)),
                }
            agreement = services.agreement_create(
                actor=self.officer,
                account=account,
                request=request,
                justification=plan.justification,
                today=plan.created + self.delta,
                **extra,
            )
            plan.agreement_id = agreement.pk
            plan.dates["created"] = moment
            self.plan_life(plan, moment)

        return create

    def plan_life(self, plan: Plan, created: datetime) -> None:
        rng, sim, scenario = self.rng, self.sim, plan.scenario
        if scenario in ("awaiting", "pending"):
            return
        if scenario == "rejected":
            sim.at(created + timedelta(days=rng.randint(1, 3), hours=2), self.decide_action(plan))
            return
        if scenario == "cancel_unsigned":
            sim.at(created + timedelta(days=rng.randint(10, 18), hours=4), self.cancel_action(plan, CANCEL_REASONS[0]))
            return
        sim.at(created + timedelta(minutes=rng.randint(20, 90)), self.pay_action(plan, plan.down_payment, sign=True))

    def decide_action(self, plan: Plan):
        def decide(moment):
            from mora.agreements import services

            services.agreement_reject(
                actor=self.supervisor, agreement_id=plan.agreement_id, reason=self.rng.choice(REJECTIONS)
            )
            plan.dates["decided"] = moment
            plan.dates["closed"] = moment

        return decide

    def cancel_action(self, plan: Plan, reason: str, then: Plan | None = None):
        def cancel(moment):
            from mora.agreements import services

            services.agreement_cancel(actor=self.officer, agreement_id=plan.agreement_id, reason=reason)
            plan.dates["closed"] = moment
            if then is not None:
                # The contract that replaces it: terms chosen now, from the account as it is.
                contract = self.choose(CPRD, "modelled", account_id=then.account_id, created=then.created)
                if contract is not None:
                    contract.prior_breach = True
                    contract.scenario = "breach_then_contract_followup"
                    plan.followup = contract
                    self.sim.at(moment + timedelta(hours=1), self.create_action(contract))

        return cancel

    def pay_action(self, plan: Plan, amount: Decimal | None = None, *, sign: bool = False, everything: bool = False):
        """A payment at the window: `amount`, else the next open installment (or all of them)."""

        def pay(moment):
            from mora.agreements import selectors
            from mora.agreements.models import Agreement
            from mora.billing.services import payment_record

            value = amount
            if value is None:
                agreement = Agreement.objects.get(pk=plan.agreement_id)
                open_rows = [r for r in selectors.agreement_schedule(agreement=agreement) if r.balance > 0]
                if not open_rows:
                    return
                value = sum((r.balance for r in open_rows), Decimal(0)) if everything else open_rows[0].balance
            self.receipt += 1
            payment, _ = payment_record(
                source=SOURCE[0],
                receipt_number=f"{self.receipt:010d}",
                account=self.accounts[plan.account_id],
                paid_at=moment,
                amount=value,
                channel=SOURCE[1],
                actor=self.cashier,
            )
            self.payments.append(payment.pk)
            if sign:
                self.sign(plan, payment, moment)

        return pay

    def sign(self, plan: Plan, receipt, moment: datetime) -> None:
        from django.utils import timezone

        from mora.agreements import services

        name, id_number, department = plan.signer
        # The service refuses a signing date after the real today; the simulated one is written
        # back with the other dates at the end (see the module docstring).
        services.agreement_sign(
            actor=self.officer,
            agreement_id=plan.agreement_id,
            signed_on=timezone.localdate(),
            signer_name=name,
            signer_id_number=id_number,
            signer_id_department=department,
            receipt_source=receipt.source,
            receipt_number=receipt.receipt_number,
        )
        plan.dates["signed"] = moment
        self.sim.watch(plan.dues)
        self.plan_payments(plan)

    def plan_payments(self, plan: Plan) -> None:
        """Installment payments by scenario; the modelled ones draw their fate from BREACH_MODEL."""
        rng, present, dues = self.rng, self.present, plan.dues
        scenario = plan.scenario
        past = [d for d in dues if d < present]
        if scenario == "modelled" or scenario == "breach_then_contract_followup":
            plan.breach_probability = _breach_probability(plan)
            breaches = rng.random() < plan.breach_probability
            scenario = "breached" if breaches else ("completed" if len(past) == len(dues) else "current")
            if scenario == "breached" and not any((present - d).days > 10 for d in dues):
                scenario = "current"
        if scenario in ("breached", "breach_then_contract", "cancel_signed", "resched_signed"):
            eligible = [k for k, d in enumerate(dues) if (present - d).days > 25]
            stop = rng.choice(eligible[: max(1, len(eligible))]) if scenario == "breached" else 1
            if scenario in ("breach_then_contract", "resched_signed"):
                stop = min(1, len(eligible) - 1)
            paid = dues[:stop]
        elif scenario == "late":
            paid = past[:-1]
        elif scenario in ("current", "resched_pending") or scenario == "completed":
            paid = past
        else:
            paid = []
        for due in paid:
            self.sim.at(self.on_time(plan, due), self.pay_action(plan))
        if scenario == "completed" and len(past) < len(dues):
            last = self.on_time(plan, past[-1]) if past else _moment(plan.created, 16)
            day = last.date() + timedelta(days=rng.randint(3, 20))
            self.sim.at(_moment(min(day, present - timedelta(days=1)), 17), self.pay_action(plan, everything=True))
        if scenario == "cancel_signed":
            day = dues[1] + timedelta(days=rng.randint(15, 25))
            self.sim.at(_moment(min(day, present), 15), self.cancel_action(plan, CANCEL_REASONS[1]))
        if scenario == "breach_then_contract":
            breach = dues[stop] + timedelta(days=11)
            followup = Plan(
                kind=CPRD,
                scenario="breach_then_contract_followup",
                account_id=plan.account_id,
                created=breach + timedelta(days=rng.randint(3, 15)),
                installments=0,
                down_payment=Decimal(0),
                debt=Decimal(0),
                td=plan.td,
                prior_breach=True,
                signer=plan.signer,
            )
            self.sim.at(
                _moment(followup.created, 10),
                self.cancel_action(
                    plan, "Incumplió la Solución Temprana: se reemplaza por un contrato privado.", then=followup
                ),
            )
        if scenario in ("resched_signed", "resched_pending"):
            missed = dues[stop] if scenario == "resched_signed" else (past[-1] if past else dues[0])
            day = (
                missed + timedelta(days=rng.randint(12, 20))
                if scenario == "resched_signed"
                else present - timedelta(days=rng.randint(1, 4))
            )
            self.sim.at(_moment(min(day, present), 11), self.reschedule_action(plan, sign=scenario == "resched_signed"))

    def on_time(self, plan: Plan, due: date) -> datetime:
        signed = plan.dates["signed"].date()
        day = max(due - timedelta(days=self.rng.randint(0, 6)), signed + timedelta(days=1))
        return _moment(day, 8 + self.rng.randint(0, 9), self.rng.randint(0, 59))

    def reschedule_action(self, plan: Plan, *, sign: bool):
        def request(moment):
            from mora.agreements import selectors, services
            from mora.agreements.models import Agreement

            agreement = Agreement.objects.get(pk=plan.agreement_id)
            terms = selectors.policy_terms(agreement.policy)
            rows = list(selectors.agreement_schedule(agreement=agreement))
            done = len([r for r in rows if r.number > 0 and r.balance == 0])
            left = len([r for r in rows if r.balance > 0])
            allowed = terms.social_max_installments if agreement.has_social_flag else terms.max_installments
            unpaid = sum((r.principal_unpaid for r in rows), Decimal("0"))
            # No new installment under the policy's minimum (the service refuses it).
            by_minimum = int(unpaid // terms.min_installment_amount) if terms.min_installment_amount > 0 else left + 2
            new_count = max(1, min(left + 2, allowed - done, by_minimum))
            reschedule = services.reschedule_request(
                actor=self.officer,
                agreement_id=plan.agreement_id,
                new_count=new_count,
                first_due=moment.date() + timedelta(days=30),
                reason=self.rng.choice(RESCHEDULE_REASONS),
            )
            plan.dates["reschedule"] = (reschedule.pk, moment, None)
            if sign:
                self.sim.at(moment + timedelta(days=self.rng.randint(1, 3)), self.reschedule_sign_action(plan))

        return request

    def reschedule_sign_action(self, plan: Plan):
        def sign(moment):
            from django.utils import timezone

            from mora.agreements import selectors, services
            from mora.agreements.models import Agreement

            reschedule_id, requested, _ = plan.dates["reschedule"]
            services.reschedule_sign(actor=self.officer, reschedule_id=reschedule_id, signed_on=timezone.localdate())
            plan.dates["reschedule"] = (reschedule_id, requested, moment)
            # After the addendum the customer keeps up with the new schedule.
            agreement = Agreement.objects.get(pk=plan.agreement_id)
            rows = list(selectors.agreement_schedule(agreement=agreement))
            self.sim.watch(row.due_date for row in rows)
            for row in rows:
                if row.balance > 0 and row.due_date < self.present:
                    self.sim.at(self.on_time(plan, row.due_date), self.pay_action(plan))

        return sign

    # -- onto the demo's calendar ----------------------------------------------------------------
    def redate(self) -> None:
        """Move every date of the demo agreements by `delta`, and give the clock-stamped fields
        the simulated moment of the step that wrote them (see the module docstring)."""
        from mora.agreements.models import Agreement, AgreementEvent, Installment, Reschedule
        from mora.billing.models import Payment
        from mora.core.models import AuditEvent

        delta = self.delta
        previous = self.sim.first_ids
        for event_id, audit_id, moment in self.sim.stamps:
            when = moment + delta
            AgreementEvent.objects.filter(pk__gt=previous[0], pk__lte=event_id).update(occurred_at=when)
            AuditEvent.objects.filter(pk__gt=previous[1], pk__lte=audit_id).update(occurred_at=when)
            previous = (event_id, audit_id)
        plans = [p for p in self.plans if p.agreement_id] + [
            p.followup for p in self.plans if p.followup and p.followup.agreement_id
        ]
        by_id = {p.agreement_id: p for p in plans}
        agreements = list(Agreement.objects.filter(pk__in=list(by_id)))
        for agreement in agreements:
            dates = by_id[agreement.pk].dates
            agreement.created_at = dates["created"] + delta
            agreement.signing_date += delta
            agreement.first_due += delta
            if agreement.decided_at:
                agreement.decided_at = dates["decided"] + delta
            if agreement.in_force_at:
                agreement.in_force_at = dates["signed"] + delta
                agreement.signed_on = dates["signed"].date() + delta
            if agreement.accelerated_on:
                agreement.accelerated_on += delta
            if agreement.closed_on:
                closed = dates.get("closed")
                agreement.closed_on = (closed.date() if closed else agreement.closed_on) + delta
        Agreement.objects.bulk_update(
            agreements,
            [
                "created_at",
                "signing_date",
                "first_due",
                "decided_at",
                "in_force_at",
                "signed_on",
                "accelerated_on",
                "closed_on",
            ],
        )
        rows = list(Installment.objects.filter(agreement_id__in=list(by_id)))
        for row in rows:
            row.due_date += delta
            if row.paid_on:
                row.paid_on += delta
        Installment.objects.bulk_update(rows, ["due_date", "paid_on"])
        payments = list(Payment.objects.filter(pk__in=self.payments))
        for payment in payments:
            payment.paid_at += delta
            payment.posted_at = payment.paid_at + timedelta(minutes=2)  # at the window: posted at once
        Payment.objects.bulk_update(payments, ["paid_at", "posted_at"])
        for plan in plans:
            if "reschedule" not in plan.dates:
                continue
            reschedule_id, requested, signed = plan.dates["reschedule"]
            reschedule = Reschedule.objects.get(pk=reschedule_id)
            reschedule.requested_at = requested + delta
            reschedule.first_due += delta
            if signed is not None:
                reschedule.signed_on = signed.date() + delta
            reschedule.save(update_fields=["requested_at", "first_due", "signed_on"])

"""Reads for agreements: the facts of an account, the quote (simulador), lists."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Q, QuerySet, Sum

from mora.billing.models import Invoice
from mora.billing.selectors import overdue_invoices
from mora.core.business_calendar import calendar_overrides
from mora.core.calendar import add_business_days, is_business_day
from mora.core.money import to_money
from mora.customers.models import Account, Complaint, ComplaintStatus

from .domain import eligibility as rules
from .domain.policy import AgreementKind, PolicyTerms
from .domain.schedule import Installment as PlannedInstallment
from .domain.schedule import ScheduleError, build_schedule, usual_bill_share
from .domain.states import ACTIVE, AgreementStatus
from .models import Agreement, AgreementEvent, AgreementPolicy, Installment, InstallmentPayment, Reschedule

ZERO = Decimal("0.00")
ACTIVE_VALUES = [status.value for status in ACTIVE]


def policy_current(*, kind: AgreementKind) -> AgreementPolicy | None:
    return AgreementPolicy.objects.filter(kind=kind).order_by("-version").first()


def policy_terms(policy: AgreementPolicy) -> PolicyTerms:
    return PolicyTerms.from_dict(policy.terms)


def business_day_checker():
    overrides = calendar_overrides()
    return lambda day: is_business_day(day, **overrides)


def usual_bill(*, account: Account, today: date) -> Decimal | None:
    """Average of the last 12 invoices: what the family is used to paying each month."""
    since = today - timedelta(days=366)
    average = Invoice.objects.filter(account=account, period__gte=since).aggregate(avg=Avg("amount"))["avg"]
    return to_money(str(average)) if average is not None else None


def account_facts(*, account: Account, today: date, kind: AgreementKind, window_months: int = 12) -> rules.AccountFacts:
    overdue = overdue_invoices(today=today).filter(account=account)
    totals = overdue.aggregate(debt=Sum("balance"))
    oldest = overdue.order_by("due_date").values_list("due_date", flat=True).first()
    agreements = Agreement.objects.filter(account=account)
    window_start = today - timedelta(days=round(window_months * 30.44))
    year_ago = today - timedelta(days=365)
    return rules.AccountFacts(
        overdue_invoice_count=overdue.count(),
        overdue_debt=to_money(str(totals["debt"] or 0)),
        oldest_overdue_days=(today - oldest).days if oldest else 0,
        has_social_flag=account.tarifa_dignidad or account.ley_1886,
        agreements_of_kind_in_window=agreements.filter(kind=kind, created_at__date__gte=window_start)
        .exclude(status__in=[AgreementStatus.REJECTED, AgreementStatus.CANCELLED])
        .count(),
        has_active_agreement=agreements.filter(
            status__in=[*ACTIVE_VALUES, AgreementStatus.PENDING_APPROVAL, AgreementStatus.AWAITING_SIGNATURE]
        ).exists(),
        has_breached_early_solution=agreements.filter(kind=AgreementKind.EARLY_SOLUTION, breaches__gt=0).exists(),
        breaches_last_12_months=agreements.filter(breaches__gt=0, created_at__date__gte=year_ago).count(),
        has_pending_complaint=Complaint.objects.filter(account=account, status=ComplaintStatus.PENDING).exists(),
    )


@dataclass
class QuoteRequest:
    kind: AgreementKind
    invoice_ids: list[int] | None  # None: every overdue invoice
    down_payment: Decimal | None  # None: the policy's minimum
    installments: int | None  # None: the most the customer is allowed without approval
    first_due: date | None  # None: one month after signing, moved to a business day
    signing_date: date


@dataclass
class Quote:
    kind: AgreementKind
    policy: AgreementPolicy | None
    terms: PolicyTerms | None
    facts: rules.AccountFacts
    not_eligible: list[str]
    invoices: list[Invoice]
    debt: Decimal = ZERO
    down_payment: Decimal = ZERO
    min_down_payment: Decimal = ZERO
    installments: int = 0
    allowed_installments: int = 0
    first_due: date | None = None
    signing_date: date | None = None
    schedule: list[PlannedInstallment] = field(default_factory=list)
    usual_bill: Decimal | None = None
    violations: list[str] = field(default_factory=list)  # need a supervisor's approval
    hard_limits: list[str] = field(default_factory=list)  # cannot be signed at all
    errors: list[str] = field(default_factory=list)

    @property
    def can_create(self) -> bool:
        return not (self.not_eligible or self.hard_limits or self.errors) and bool(self.schedule)

    @property
    def needs_approval(self) -> bool:
        return bool(self.violations)

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.schedule), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((item.interest for item in self.schedule), ZERO)

    def share_of_bill(self, item: PlannedInstallment) -> Decimal | None:
        return usual_bill_share(item.amount, self.usual_bill)


def agreement_quote(*, account: Account, request: QuoteRequest, today: date) -> Quote:
    """Everything the officer sees in the simulator for one set of terms. Never writes."""
    kind = AgreementKind(request.kind)
    policy = policy_current(kind=kind)
    facts_window = policy_terms(policy).window_months if policy else 12
    facts = account_facts(account=account, today=today, kind=kind, window_months=facts_window)
    candidates = list(overdue_invoices(today=today).filter(account=account).order_by("due_date", "number"))
    if request.invoice_ids is not None:
        chosen = set(request.invoice_ids)
        candidates = [invoice for invoice in candidates if invoice.pk in chosen]
    quote = Quote(
        kind=kind,
        policy=policy,
        terms=policy_terms(policy) if policy else None,
        facts=facts,
        not_eligible=[],
        invoices=candidates,
        usual_bill=usual_bill(account=account, today=today),
        signing_date=request.signing_date,
    )
    if policy is None:
        quote.not_eligible = ["No hay una política vigente para este tipo de convenio."]
        return quote
    terms = quote.terms
    quote.not_eligible = rules.eligibility(kind, terms, facts)
    quote.debt = sum((invoice.balance for invoice in candidates), ZERO)
    if quote.debt <= 0:
        quote.errors.append("Elija al menos una factura vencida con saldo.")
        return quote
    social = facts.has_social_flag
    pct = rules.required_down_payment_pct(
        terms, has_social_flag=social, breaches_last_12_months=facts.breaches_last_12_months
    )
    quote.min_down_payment = min(rules.minimum_down_payment(quote.debt, pct), quote.debt)
    quote.allowed_installments = rules.allowed_installments(
        terms, has_social_flag=social, breaches_last_12_months=facts.breaches_last_12_months
    )
    quote.down_payment = to_money(request.down_payment) if request.down_payment is not None else quote.min_down_payment
    quote.installments = request.installments if request.installments is not None else quote.allowed_installments
    checker = business_day_checker()
    quote.first_due = request.first_due or _default_first_due(request.signing_date, checker)
    smallest = rules.smallest_installment(quote.debt, quote.down_payment, quote.installments)
    quote.violations = rules.term_violations(
        kind,
        terms,
        debt=quote.debt,
        down_payment=quote.down_payment,
        installments=quote.installments,
        has_social_flag=social,
        min_installment_amount_actual=smallest,
        breaches_last_12_months=facts.breaches_last_12_months,
    )
    quote.hard_limits = rules.hard_limits(
        kind,
        terms,
        debt=quote.debt,
        down_payment=quote.down_payment,
        installments=quote.installments,
        has_social_flag=social,
        min_installment_amount_actual=smallest,
        breaches_last_12_months=facts.breaches_last_12_months,
    )
    if quote.hard_limits:
        return quote
    try:
        quote.schedule = build_schedule(
            debt=quote.debt,
            down_payment=quote.down_payment,
            installments=quote.installments,
            first_due=quote.first_due,
            signing_date=request.signing_date,
            monthly_rate=terms.monthly_interest_rate,
            is_business_day=checker,
        )
    except ScheduleError as exc:
        quote.errors.append(str(exc))
    return quote


def _default_first_due(signing_date: date, checker) -> date:
    from .domain.schedule import add_months

    first = add_months(signing_date, 1)
    while not checker(first):
        first += timedelta(days=1)
    return first


def agreements_list(
    *,
    kind: str = "",
    status: str = "",
    officer: int | None = None,
    zone: int | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    breached: bool | None = None,
    text: str = "",
) -> QuerySet[Agreement]:
    agreements = Agreement.objects.select_related("account__customer", "account__zone", "officer")
    if kind:
        agreements = agreements.filter(kind=kind)
    if status:
        agreements = agreements.filter(status=status)
    if officer:
        agreements = agreements.filter(officer_id=officer)
    if zone:
        agreements = agreements.filter(account__zone_id=zone)
    if created_from:
        agreements = agreements.filter(created_at__date__gte=created_from)
    if created_to:
        agreements = agreements.filter(created_at__date__lte=created_to)
    if breached is True:
        agreements = agreements.filter(breaches__gt=0)
    elif breached is False:
        agreements = agreements.filter(breaches=0)
    if text:
        text = text.strip()
        agreements = agreements.filter(
            Q(number__iexact=text) | Q(account__number__startswith=text) | Q(account__customer__name__icontains=text)
        )
    return agreements.order_by("-created_at", "-id")


def agreement_get(*, number: str) -> Agreement | None:
    return (
        Agreement.objects.select_related(
            "account__customer", "account__zone__system", "account__route", "officer", "policy"
        )
        .filter(number=number)
        .first()
    )


def agreement_schedule(*, agreement: Agreement):
    """The schedule in force: installments not replaced by a reschedule (paid ones of earlier
    versions included), in due order."""
    return agreement.installments.filter(superseded=False).order_by("due_date", "version", "number")


def agreement_schedule_versions(*, agreement: Agreement) -> dict[int, list]:
    versions: dict[int, list] = {}
    for installment in agreement.installments.order_by("version", "number"):
        versions.setdefault(installment.version, []).append(installment)
    return versions


def agreement_balance(*, agreement: Agreement) -> Decimal:
    rows = agreement.installments.filter(superseded=False)
    return sum((item.balance for item in rows), ZERO)


def next_business_day_after(day: date, count: int = 1) -> date:
    return add_business_days(day, count, **calendar_overrides())


def agreement_balances(agreement_ids) -> dict[int, Decimal]:
    """Unpaid balance of the schedule in force of each agreement, in one query for a page."""
    totals: dict[int, Decimal] = {}
    rows = Installment.objects.filter(agreement_id__in=list(agreement_ids), superseded=False).only(
        "agreement_id", "principal", "interest", "interest_waived", "paid"
    )
    for row in rows:
        totals[row.agreement_id] = totals.get(row.agreement_id, ZERO) + row.balance
    return totals


def agreements_pending_approval() -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(status=AgreementStatus.PENDING_APPROVAL)
        .select_related("account__customer", "officer")
        .order_by("created_at", "id")
    )


def reschedules_pending_approval() -> QuerySet[Reschedule]:
    return (
        Reschedule.objects.filter(status=Reschedule.Status.PENDING_APPROVAL)
        .select_related("agreement__account__customer", "requested_by")
        .order_by("requested_at", "id")
    )


def agreement_payments(*, agreement: Agreement) -> QuerySet[InstallmentPayment]:
    return (
        InstallmentPayment.objects.filter(installment__agreement=agreement)
        .select_related("payment", "installment")
        .order_by("payment__paid_at", "pk")
    )


def agreement_events(*, agreement: Agreement) -> QuerySet[AgreementEvent]:
    return AgreementEvent.objects.filter(agreement=agreement).select_related("actor").order_by("occurred_at", "id")


def policy_versions(*, kind: str) -> QuerySet[AgreementPolicy]:
    return AgreementPolicy.objects.filter(kind=kind).select_related("created_by").order_by("-version")

"""Reads of field orders: the cut candidates (set-based, one SQL statement over the whole
portfolio), orders per contractor, the SLA board."""

from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from mora.agreements.domain.states import ACTIVE, AgreementStatus
from mora.agreements.models import Agreement, Installment
from mora.billing.models import Invoice
from mora.core.business_calendar import calendar_overrides
from mora.core.calendar import is_business_day
from mora.customers.models import Account, Complaint, ComplaintStatus, Hold, SupplyStatus

from .domain.policy import FieldPolicy
from .models import Contractor, CutReason, ExclusionReason, FieldOrder, FieldPolicyVersion, OrderKind, OrderStatus

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")


def field_policy_current() -> FieldPolicyVersion:
    return FieldPolicyVersion.objects.order_by("-version").first()


def field_policy_terms(version: FieldPolicyVersion | None = None) -> FieldPolicy:
    version = version or field_policy_current()
    return FieldPolicy.from_dict(version.terms) if version else FieldPolicy()


def business_day_checker():
    overrides = calendar_overrides()
    return lambda day: is_business_day(day, **overrides)


def _overdue_invoices(today: date):
    return Invoice.objects.filter(account=OuterRef("pk"), balance__gt=0, due_date__lt=today, in_agreement=False)


def _installment_owed():
    interest = Case(When(interest_waived=True, then=Value(ZERO)), default=F("interest"), output_field=MONEY_FIELD)
    return ExpressionWrapper(F("principal") + interest - F("paid"), output_field=MONEY_FIELD)


def cut_candidates(
    *, today: date, cut_date: date, policy: FieldPolicy, account_ids=None, unsigned_agreements_protect: bool = True
):
    """Every account that may be cut on `cut_date`, with its debt, the reason (breached
    agreement first, then unpaid invoices without an agreement in force) and, when it must not
    be cut, the exclusion reason, all computed in SQL. One row per account, as dicts."""
    invoices = _overdue_invoices(today)
    invoice_debt = Subquery(
        invoices.order_by().values("account").annotate(s=Sum("balance")).values("s"), output_field=MONEY_FIELD
    )
    invoice_count = Subquery(
        invoices.order_by().values("account").annotate(c=Count("pk")).values("c"), output_field=IntegerField()
    )
    oldest_invoice = Subquery(invoices.order_by().values("account").annotate(m=Min("due_date")).values("m"))
    breached = Agreement.objects.filter(account=OuterRef("pk"), status=AgreementStatus.BREACHED)
    owed = (
        Installment.objects.filter(
            agreement__account=OuterRef("pk"),
            agreement__status=AgreementStatus.BREACHED,
            superseded=False,
            due_date__lt=today,
        )
        .annotate(owed=_installment_owed())
        .filter(owed__gt=0)
    )
    agreement_debt = Subquery(
        owed.order_by().values("agreement__account").annotate(s=Sum("owed")).values("s"), output_field=MONEY_FIELD
    )
    agreement_oldest = Subquery(owed.order_by().values("agreement__account").annotate(m=Min("due_date")).values("m"))
    # An agreement being negotiated (awaiting approval or signature) keeps the account off the
    # cut list, but only a signed one grants time to pay and so a reconnection.
    protecting = [s.value for s in ACTIVE if s != AgreementStatus.BREACHED]
    if unsigned_agreements_protect:
        protecting += [AgreementStatus.AWAITING_SIGNATURE, AgreementStatus.PENDING_APPROVAL]
    in_force = Agreement.objects.filter(account=OuterRef("pk"), status__in=protecting)
    pending_complaint = Complaint.objects.filter(account=OuterRef("pk"), status=ComplaintStatus.PENDING)
    active_hold = Hold.objects.filter(
        account=OuterRef("pk"), released_on__isnull=True, starts_on__lte=cut_date, expires_on__gte=cut_date
    )
    open_cut = FieldOrder.objects.filter(account=OuterRef("pk"), kind=OrderKind.CUT, status=OrderStatus.PENDING)
    contractor = Contractor.objects.filter(zones=OuterRef("zone_id"), is_active=True).order_by("pk")

    accounts = Account.objects.all() if account_ids is None else Account.objects.filter(pk__in=account_ids)
    rows = (
        accounts.annotate(
            has_breach=Exists(breached),
            invoice_debt=Coalesce(invoice_debt, Value(ZERO)),
            unpaid_count=Coalesce(invoice_count, Value(0)),
            agreement_debt=Coalesce(agreement_debt, Value(ZERO)),
        )
        .filter(
            Q(has_breach=True)
            | (Q(unpaid_count__gte=policy.min_unpaid_invoices) & ~Exists(in_force) & ~Exists(breached))
        )
        .annotate(
            debt=ExpressionWrapper(F("invoice_debt") + F("agreement_debt"), output_field=MONEY_FIELD),
            contractor_id=Subquery(contractor.values("pk")[:1]),
        )
        .annotate(
            oldest_due=Coalesce(agreement_oldest, oldest_invoice),
            reason=Case(
                When(has_breach=True, then=Value(CutReason.BREACHED_AGREEMENT)),
                default=Value(CutReason.UNPAID_INVOICES),
                output_field=CharField(),
            ),
            exclusion=Case(
                # The never-cut reasons first (NEVER_CUT): they must win over "already cut" or
                # "open order", so that a pending order can be stopped by them.
                When(Exists(pending_complaint), then=Value(ExclusionReason.COMPLAINT)),
                When(is_protected=True, then=Value(ExclusionReason.PROTECTED)),
                When(Exists(active_hold), then=Value(ExclusionReason.HOLD)),
                When(debt__lt=policy.min_debt, then=Value(ExclusionReason.BELOW_MINIMUM)),
                When(supply_status=SupplyStatus.CUT, then=Value(ExclusionReason.ALREADY_CUT)),
                When(Exists(open_cut), then=Value(ExclusionReason.OPEN_ORDER)),
                When(contractor_id__isnull=True, then=Value(ExclusionReason.NO_CONTRACTOR)),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .values(
            "pk",
            "zone_id",
            "route_id",
            "route_sequence",
            "debt",
            "unpaid_count",
            "oldest_due",
            "reason",
            "exclusion",
            "contractor_id",
        )
        # Priority: breached agreements first, then the largest and oldest debts.
        .order_by(Case(When(has_breach=True, then=Value(0)), default=Value(1)), F("debt").desc(), "oldest_due", "pk")
    )
    return rows


# Reasons that forbid cutting the supply whatever else is true (DESIGN: never cut).
NEVER_CUT = (
    ExclusionReason.COMPLAINT,
    ExclusionReason.PROTECTED,
    ExclusionReason.HOLD,
    ExclusionReason.BELOW_MINIMUM,
)


def cut_blocker(*, account_id: int, today: date, policy: FieldPolicy) -> str | None:
    """Why this account may not be cut today, or None if it may: it no longer qualifies (paid,
    signed an agreement) or a never-cut reason applies (complaint, protected, hold, minimum)."""
    row = (
        cut_candidates(
            today=today, cut_date=today, policy=policy, account_ids=[account_id], unsigned_agreements_protect=False
        )
        .values_list("exclusion", flat=True)
        .first()
    )
    if row is None:
        return ExclusionReason.PAID_SINCE
    return row if row in NEVER_CUT else None


def breached_agreement_of(account_id: int) -> Agreement | None:
    return Agreement.objects.filter(account_id=account_id, status=AgreementStatus.BREACHED).order_by("pk").first()


def contractor_orders(*, contractor: Contractor, day: date):
    """What the coordinator sees: his contractor's open orders up to `day` and what was closed
    that day."""
    return (
        FieldOrder.objects.filter(contractor=contractor)
        .filter(Q(status=OrderStatus.PENDING, scheduled_for__lte=day) | Q(executed_at__date=day))
        .select_related("account__customer", "account__route", "account__zone", "crew")
        .order_by("kind", "account__zone__name", "account__route__code", "account__route_sequence", "pk")
    )


def contractor_for_zone(zone_id: int) -> Contractor | None:
    return Contractor.objects.filter(zones=zone_id, is_active=True).order_by("pk").first()

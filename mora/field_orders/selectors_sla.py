"""Reads for the field-order pages: the coordinator's day, the filtered orders list and the SLA
board. Counts are aggregate SQL; only the medians are taken in Python (see `sla_board`)."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import FieldOrder, FieldOrderEvent, NotExecutedReason, OrderKind, OrderStatus

# A reconnection in a zone no contractor serves has no contractor: the supervisor must assign it.
NO_CONTRACTOR = "Sin microempresa"

# ---------------------------------------------------------------------------------------------
# The coordinator's day and the orders list
# ---------------------------------------------------------------------------------------------


def cancelled_for_coordinator(*, contractor, day: date) -> QuerySet:
    """His contractor's orders that were for today, or were cancelled today: the crew must know
    not to go (a customer who paid before the cut). `selectors.contractor_orders` leaves them
    out, it lists open and closed-today orders only."""
    cancelled_today = FieldOrderEvent.objects.filter(
        order=OuterRef("pk"), to_status=OrderStatus.CANCELLED, occurred_at__date=day
    )
    return (
        FieldOrder.objects.filter(contractor=contractor, status=OrderStatus.CANCELLED, scheduled_for__lte=day)
        .filter(Q(scheduled_for=day) | Exists(cancelled_today))
        .select_related("account__customer", "account__route", "account__zone", "crew")
        .order_by("account__zone__name", "account__route__code", "account__route_sequence", "pk")
    )


def upcoming_reconnections(*, contractor, day: date) -> QuerySet:
    """Pending reconnections due after `day` (paid after the cut-off hour: due tomorrow by
    noon). `selectors.contractor_orders` stops at `day`, but the customer has paid already
    and the crew may well go today: the coordinator must see them."""
    return (
        FieldOrder.objects.filter(
            contractor=contractor, kind=OrderKind.RECONNECT, status=OrderStatus.PENDING, scheduled_for__gt=day
        )
        .select_related("account__customer", "account__route", "account__zone", "crew")
        .order_by("due_at", "pk")
    )


def cut_debts(orders) -> dict[int, object]:
    """The debt each cut order was issued for (from its cut-list line), by order id."""
    ids = [o.pk for o in orders]
    return dict(FieldOrder.objects.filter(pk__in=ids).values_list("pk", "cut_line__debt"))


@dataclass(frozen=True)
class OrderFilters:
    kind: str = ""
    status: str = ""
    contractor_id: int | None = None
    zone_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    late: bool = False
    query: str = ""


def late_q(now: datetime) -> Q:
    """A reconnection is late if still pending past its due time, or executed after it."""
    return Q(due_at__isnull=False) & (
        Q(status=OrderStatus.PENDING, due_at__lt=now) | Q(status=OrderStatus.EXECUTED, executed_at__gt=F("due_at"))
    )


def orders_list(*, filters: OrderFilters, now: datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    rows = FieldOrder.objects.select_related("account__customer", "account__zone", "contractor", "crew")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.contractor_id:
        rows = rows.filter(contractor_id=filters.contractor_id)
    if filters.zone_id:
        rows = rows.filter(account__zone_id=filters.zone_id)
    if filters.date_from:
        rows = rows.filter(scheduled_for__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(scheduled_for__lte=filters.date_to)
    if filters.late:
        rows = rows.filter(late_q(now))
    if filters.query:
        rows = rows.filter(Q(number__iexact=filters.query) | Q(account__number=filters.query))
    return rows.order_by("-scheduled_for", "-pk")


def order_get(*, number: str, contractor=None) -> FieldOrder | None:
    """One order; with `contractor`, only if it is his (a coordinator must not even learn that
    another contractor's order exists)."""
    rows = FieldOrder.objects.select_related(
        "account__customer",
        "account__zone__system",
        "account__route",
        "contractor",
        "crew",
        "cut_line__cut_list",
        "payment",
        "agreement",
        "recorded_by",
    )
    if contractor is not None:
        rows = rows.filter(contractor=contractor)
    return rows.filter(number=number).first()


def order_timeline(order: FieldOrder) -> QuerySet:
    return order.events.select_related("actor").order_by("occurred_at", "pk")


# ---------------------------------------------------------------------------------------------
# SLA board
# ---------------------------------------------------------------------------------------------


@dataclass
class SlaRow:
    label: str
    key: int | None = None
    total: int = 0
    executed: int = 0
    same_day: int = 0
    late_executed: int = 0
    pending: int = 0
    late_now: int = 0
    hours: list[float] = field(default_factory=list)

    @property
    def same_day_share(self):
        return None if not self.executed else 100 * self.same_day / self.executed

    @property
    def median_hours(self):
        return statistics.median(self.hours) if self.hours else None


@dataclass
class CutRow:
    label: str
    key: int | None = None
    released: int = 0
    executed: int = 0
    not_executed: int = 0
    cancelled: int = 0
    pending: int = 0
    by_reason: dict = field(default_factory=dict)

    @property
    def executed_share(self):
        return None if not self.released else 100 * self.executed / self.released


@dataclass
class SlaBoard:
    date_from: date
    date_to: date
    total: SlaRow
    by_contractor: list[SlaRow]
    by_zone: list[SlaRow]
    cuts: list[CutRow]
    cuts_total: CutRow
    reasons: list[tuple[str, str]]


def _scope(rows: QuerySet, *, contractor_id, zone_id) -> QuerySet:
    if contractor_id:
        rows = rows.filter(contractor_id=contractor_id)
    if zone_id:
        rows = rows.filter(account__zone_id=zone_id)
    return rows


def _reconnection_rows(base: QuerySet, group: str, label: str) -> dict:
    """One SQL GROUP BY for the counts of each group (`group` is the key column)."""
    exec_day, trig_day = TruncDate("executed_at"), TruncDate("triggered_at")
    executed = Q(status=OrderStatus.EXECUTED)
    counts = (
        base.annotate(exec_day=exec_day, trig_day=trig_day)
        .values(group, label)
        .annotate(
            total=Count("pk"),
            executed=Count("pk", filter=executed),
            same_day=Count("pk", filter=executed & Q(exec_day=F("trig_day"))),
            late_executed=Count("pk", filter=executed & Q(executed_at__gt=F("due_at"))),
        )
        .order_by(label)
    )
    return {
        r[group]: SlaRow(
            label=r[label] or NO_CONTRACTOR,
            key=r[group],
            total=r["total"],
            executed=r["executed"],
            same_day=r["same_day"],
            late_executed=r["late_executed"],
        )
        for r in counts
    }


def sla_board(
    *, date_from: date, date_to: date, contractor_id: int | None = None, zone_id: int | None = None, now=None
) -> SlaBoard:
    """Reconnections ordered in the period (by the date of the payment or agreement that
    triggered them, local time) and cuts scheduled in the period.

    Median hours from trigger to execution: the durations of the period's executed
    reconnections are read as (triggered_at, executed_at) pairs and the median is taken in
    Python. The same code then runs on SQLite and PostgreSQL (SQLite has no percentile_cont),
    and a period holds at most a few thousand reconnections."""
    now = now or timezone.now()
    reconnections = _scope(
        FieldOrder.objects.filter(
            kind=OrderKind.RECONNECT,
            triggered_at__isnull=False,
            triggered_at__date__gte=date_from,
            triggered_at__date__lte=date_to,
        ),
        contractor_id=contractor_id,
        zone_id=zone_id,
    )
    by_contractor = _reconnection_rows(reconnections, "contractor_id", "contractor__name")
    by_zone = _reconnection_rows(reconnections, "account__zone_id", "account__zone__name")
    total = SlaRow(label="Total")
    for row in by_contractor.values():
        for attr in ("total", "executed", "same_day", "late_executed"):
            setattr(total, attr, getattr(total, attr) + getattr(row, attr))

    # Pending and late are "now", whatever the period: what the unit must chase today.
    open_rows = (
        _scope(
            FieldOrder.objects.filter(kind=OrderKind.RECONNECT, status=OrderStatus.PENDING),
            contractor_id=contractor_id,
            zone_id=zone_id,
        )
        .values("contractor_id", "contractor__name", "account__zone_id", "account__zone__name")
        .annotate(pending=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
        .order_by()
    )
    for r in open_rows:
        for groups, key, label in (
            (by_contractor, r["contractor_id"], r["contractor__name"]),
            (by_zone, r["account__zone_id"], r["account__zone__name"]),
        ):
            row = groups.setdefault(key, SlaRow(label=label or NO_CONTRACTOR, key=key))
            row.pending += r["pending"]
            row.late_now += r["late"]
        total.pending += r["pending"]
        total.late_now += r["late"]

    durations = reconnections.filter(status=OrderStatus.EXECUTED).values_list(
        "contractor_id", "account__zone_id", "triggered_at", "executed_at"
    )
    for contractor, zone, triggered, executed in durations:
        hours = (executed - triggered).total_seconds() / 3600
        by_contractor[contractor].hours.append(hours)
        by_zone[zone].hours.append(hours)
        total.hours.append(hours)

    cuts, cuts_total = _cut_rows(date_from, date_to, contractor_id=contractor_id, zone_id=zone_id)
    return SlaBoard(
        date_from=date_from,
        date_to=date_to,
        total=total,
        by_contractor=sorted(by_contractor.values(), key=lambda r: r.label),
        by_zone=sorted(by_zone.values(), key=lambda r: r.label),
        cuts=cuts,
        cuts_total=cuts_total,
        reasons=list(NotExecutedReason.choices),
    )


def _cut_rows(date_from: date, date_to: date, *, contractor_id, zone_id) -> tuple[list[CutRow], CutRow]:
    """Cut orders released for a day of the period (`scheduled_for`, the list's cut date: what
    the crews were asked to do then), by what became of them."""
    base = _scope(
        FieldOrder.objects.filter(kind=OrderKind.CUT, scheduled_for__gte=date_from, scheduled_for__lte=date_to),
        contractor_id=contractor_id,
        zone_id=zone_id,
    )
    per_reason = {
        f"r_{code}": Count("pk", filter=Q(status=OrderStatus.NOT_EXECUTED, not_executed_reason=code))
        for code in NotExecutedReason.values
    }
    counts = (
        base.values("contractor_id", "contractor__name")
        .annotate(
            released=Count("pk"),
            executed=Count("pk", filter=Q(status=OrderStatus.EXECUTED)),
            not_executed=Count("pk", filter=Q(status=OrderStatus.NOT_EXECUTED)),
            cancelled=Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
            pending=Count("pk", filter=Q(status=OrderStatus.PENDING)),
            **per_reason,
        )
        .order_by("contractor__name")
    )
    rows, total = [], CutRow(label="Total", by_reason=dict.fromkeys(NotExecutedReason.values, 0))
    for r in counts:
        row = CutRow(
            label=r["contractor__name"] or NO_CONTRACTOR,
            key=r["contractor_id"],
            released=r["released"],
            executed=r["executed"],
            not_executed=r["not_executed"],
            cancelled=r["cancelled"],
            pending=r["pending"],
            by_reason={code: r[f"r_{code}"] for code in NotExecutedReason.values},
        )
        rows.append(row)
        for attr in ("released", "executed", "not_executed", "cancelled", "pending"):
            setattr(total, attr, getattr(total, attr) + getattr(row, attr))
        for code, n in row.by_reason.items():
            total.by_reason[code] += n
    return rows, total

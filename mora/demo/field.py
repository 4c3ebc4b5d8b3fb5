"""Demo field work: one microempresa per electric system with its crews, the demo coordinator,
and a few days of cut lists, cuts, payments and reconnections, made through the real services.

Dates, honestly: the services accept the dates that matter (`drawn_on` of a list, `at` of a
result, `paid_at` of a payment, which is the reconnection's `triggered_at` and sets its due
time), so the history is told on those. What the services stamp from the clock stays "now":
`created_at` of lists and orders, `released_at`, the order events and the audit trail say the
day the demo was loaded (docs/datos-demo.md). Results and payments are never in the future: a
moment later than now is moved back to now. The history is made only when `today` is the real
date (as in `make run`); for another reference date only the contractors are created.

Everything comes from one `random.Random(seed)` over rows read in primary-key order, so the
same seed, the same accounts and the same `today` give the same history.
"""

import random
import time as clock
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

# (system code, name, NIT, phone); systems not listed get a generic name.
CONTRACTORS = {
    "CT": ("Electro Sur SRL", "1028374019", "4663 2184"),
    "YA": ("Servicios Eléctricos Chaco", "2034856017", "4682 5530"),
    "BE": ("Electro Bermejo Ltda.", "3045127012", "4696 1247"),
    "VM": ("Instalaciones Pilcomayo SRL", "4019283015", "4672 3381"),
    "EP": ("Electro Valle Alto", "5067431018", "7183 4420"),
}
CREW_NAMES = ["Cuadrilla Norte", "Cuadrilla Sur", "Cuadrilla Este", "Cuadrilla Oeste"]
COORDINATOR_SYSTEM = "CT"  # the demo user "coordinador" coordinates the Central Tarija contractor
PAST_CUT_DAYS = 5
RECEIPT_FIRST = 8_000_000_000  # the generator's receipts stay below 2,000,000, the agreements' at 9e9
NOT_EXECUTED = [("CLOSED", 40), ("METER", 20), ("REFUSAL", 15), ("ADDRESS", 10), ("PAID", 10), ("ILLEGAL", 5)]
NOTES = {
    "CLOSED": "Nadie en el domicilio",
    "METER": "Medidor dentro del inmueble, con candado",
    "REFUSAL": "El usuario no permitió el corte",
    "ADDRESS": "La numeración no coincide",
    "PAID": "Mostró el recibo de pago",
    "ILLEGAL": "Conexión directa, se informa a la Unidad",
}


def seed_field_work(*, seed: int, today: date, progress: Callable[[str], None] | None = None) -> Counter:
    say = progress or (lambda _msg: None)
    started = clock.monotonic()
    counts = FieldDemo(seed=seed, today=today).run()
    say(
        f"Campo: {counts['contractors']} microempresas, {counts['crews']} cuadrillas, "
        f"{counts['lists']} listas de corte, {counts['cuts']} órdenes de corte ({counts['executed']} ejecutadas), "
        f"{counts['reconnections']} reconexiones ({counts['reconnections_pending']} pendientes) "
        f"en {clock.monotonic() - started:.1f} s"
    )
    return counts


class FieldDemo:
    def __init__(self, *, seed: int, today: date):
        self.rng = random.Random(f"campo-{seed}")
        self.today = today
        self.now = timezone.now()
        self.counts = Counter()
        self.receipt = RECEIPT_FIRST
        self.coordinated_id = None

    @transaction.atomic
    def run(self) -> Counter:
        self.contractors()
        if self.today != timezone.localdate():
            # The services check against the real clock (a released list is checked again at the
            # real date, results cannot be in the future): a history around another date would
            # not be honest. Only the contractors, then.
            return self.counts
        from mora.field_orders import selectors
        from mora.field_orders.domain.calendar import is_cut_day

        policy = selectors.field_policy_terms()
        business = selectors.business_day_checker()
        days, day = [], self.today - timedelta(days=1)
        while len(days) < PAST_CUT_DAYS and day > self.today - timedelta(days=60):
            if is_cut_day(day, policy=policy, is_business_day=business):
                days.append(day)
            day -= timedelta(days=1)
        for cut_day in sorted(days):
            self.cut_day(cut_day)
        self.todays_payments()
        # Tomorrow's proposal, for the supervisor to review.
        from mora.field_orders import services

        services.cut_list_draw(drawn_on=self.today)
        self.counts["lists"] += 1
        return self.counts

    # -- contractors -------------------------------------------------------------------------

    def contractors(self) -> None:
        from mora.customers.models import System
        from mora.field_orders import services, services_admin
        from mora.field_orders.models import Contractor

        admin = get_user_model().objects.filter(username="admin").first()
        for system in System.objects.order_by("code"):
            name, nit, phone = CONTRACTORS.get(system.code, (f"Microempresa {system.name}", "", ""))
            # A database seeded before (accounts deleted, contractors kept) reuses its contractors.
            existing = Contractor.objects.filter(name=name).first()
            contractor = services.contractor_save(
                actor=admin,
                contractor=existing or Contractor(name=name, tax_id=nit, phone=phone),
                zone_ids=list(system.zones.order_by("pk").values_list("pk", flat=True)),
            )
            crews = [
                {"id": None, "name": crew, "daily_capacity": self.rng.randint(15, 30), "is_active": True}
                for crew in CREW_NAMES[: self.rng.randint(2, 4)]
            ]
            if not contractor.crews.exists():
                services_admin.crews_save(actor=admin, contractor=contractor, crews=crews)
            self.counts["contractors"] += 1
            self.counts["crews"] += len(crews)
            if system.code == COORDINATOR_SYSTEM:
                self.coordinated_id = contractor.pk
                user = get_user_model().objects.filter(username="coordinador").first()
                if user is not None:
                    services_admin.coordinators_set(actor=admin, contractor=contractor, user_ids=[user.pk])

    # -- one past cut day --------------------------------------------------------------------

    def moment(self, day: date, hour: float) -> datetime:
        at = timezone.make_aware(datetime.combine(day, time())) + timedelta(hours=hour)
        return min(at, self.now)

    @staticmethod
    def drawn_on_for(cut_day: date) -> date | None:
        """The latest business day whose list falls on `cut_day` (the list leaves the policy's
        business days of notice), asking the same rule `cut_list_draw` uses."""
        from mora.field_orders import selectors, services

        policy = selectors.field_policy_terms()
        business = selectors.business_day_checker()
        for back in range(1, 21):
            day = cut_day - timedelta(days=back)
            if business(day) and services.first_cut_day_with_notice(day, policy=policy) == cut_day:
                return day
        return None

    def cut_day(self, cut_day: date) -> None:
        from mora.field_orders import services
        from mora.field_orders.models import CutReason, FieldOrder, OrderKind, OrderStatus

        supervisor = get_user_model().objects.filter(username="jefe").first()
        coordinator = get_user_model().objects.filter(username="coordinador").first()
        drawn_on = self.drawn_on_for(cut_day)
        if drawn_on is None:
            return
        cut_list = services.cut_list_draw(drawn_on=drawn_on, actor=None)
        if cut_list.cut_date != cut_day or cut_list.status != cut_list.Status.DRAFT:
            return
        services.cut_list_release(actor=supervisor, cut_list_id=cut_list.pk, as_of=drawn_on)
        self.counts["lists"] += 1
        orders = list(
            FieldOrder.objects.filter(cut_line__cut_list=cut_list, kind=OrderKind.CUT, status=OrderStatus.PENDING)
            .select_related("cut_line")
            .order_by("pk")
        )
        self.counts["cuts"] += len(orders)
        executed = []
        for order in orders:
            # The demo coordinator records his own contractor's results; the others appear as "sistema".
            actor = coordinator if order.contractor_id == self.coordinated_id else None
            roll = self.rng.random()
            at = self.moment(cut_day, self.rng.uniform(8.5, 17.5))
            if roll < 0.80:
                services.order_record_result(actor=actor, order_id=order.pk, executed=True, at=at)
                self.counts["executed"] += 1
                if order.cut_line.reason == CutReason.UNPAID_INVOICES:
                    executed.append((order, at))
            elif roll < 0.95:
                reason = self.rng.choices([r for r, _ in NOT_EXECUTED], [w for _, w in NOT_EXECUTED])[0]
                services.order_record_result(
                    actor=actor, order_id=order.pk, executed=False, at=at, reason=reason, notes=NOTES[reason]
                )
            # The rest stay pending: the crew did not get to them (the supervisor sees them open).
        for order, cut_at in executed:
            if self.rng.random() < 0.45:
                self.pay_and_reconnect(order.account_id, cut_at)

    def pay_and_reconnect(self, account_id: int, cut_at: datetime) -> None:
        """The customer pays all he owes some hours or days after the cut; the crew reconnects
        the same day (most), the next day (late), or not yet."""
        from mora.field_orders import services
        from mora.field_orders.models import FieldOrder, OrderKind, OrderStatus

        cut_day = timezone.localtime(cut_at).date()
        paid_day = cut_day + timedelta(days=self.rng.choice([0, 0, 1, 1, 2, 3]))
        if paid_day >= self.today:
            return  # today's payments are made in todays_payments, with pending reconnections
        paid_at = self.moment(paid_day, self.rng.uniform(8, 18))
        if paid_at <= cut_at:
            paid_at = cut_at + timedelta(hours=1)
        reconnection = self.pay(account_id, paid_at)
        if reconnection is None:
            return
        roll = self.rng.random()
        if roll < 0.75:
            # Same day: one to five hours after the payment, before the evening.
            at = min(paid_at + timedelta(hours=self.rng.uniform(1, 5)), self.moment(paid_day, 21.5))
        elif roll < 0.92:
            at = self.moment(paid_day + timedelta(days=1), self.rng.uniform(9, 15))  # next day: often late
        else:
            self.counts["reconnections_pending"] += 1
            return  # still pending, and late by now
        if at <= paid_at:
            at = paid_at + timedelta(minutes=30)
        if at > self.now:
            self.counts["reconnections_pending"] += 1
            return
        order = FieldOrder.objects.get(pk=reconnection)
        if order.status == OrderStatus.PENDING and order.kind == OrderKind.RECONNECT:
            coordinator = get_user_model().objects.filter(username="coordinador").first()
            actor = coordinator if order.contractor_id == self.coordinated_id else None
            services.order_record_result(actor=actor, order_id=order.pk, executed=True, at=at)

    def pay(self, account_id: int, paid_at: datetime) -> int | None:
        """Pay the whole open balance (what the policy requires to reconnect); return the
        reconnection order the payment created."""
        from mora.billing.models import Invoice
        from mora.billing.services import payment_record
        from mora.customers.models import Account
        from mora.field_orders.models import FieldOrder, OrderKind, OrderStatus

        owed = Invoice.objects.filter(account_id=account_id, balance__gt=0, in_agreement=False).aggregate(
            s=Sum("balance")
        )["s"] or Decimal("0")
        if owed <= 0:
            return None
        self.receipt += 1
        source, channel = self.rng.choice(
            [("CAJA-SETAR", "VENTANILLA"), ("BANCO-UNION", "BANCO"), ("TIGO-MONEY", "EN_LINEA"), ("BNB", "BANCO")]
        )
        payment_record(
            source=source,
            receipt_number=str(self.receipt),
            account=Account.objects.get(pk=account_id),
            paid_at=paid_at,
            amount=owed,
            channel=channel,
        )
        order = (
            FieldOrder.objects.filter(account_id=account_id, kind=OrderKind.RECONNECT, status=OrderStatus.PENDING)
            .order_by("-pk")
            .first()
        )
        if order is not None:
            self.counts["reconnections"] += 1
        return order.pk if order else None

    def todays_payments(self) -> None:
        """A few cut customers pay today, a little before now: their reconnections are pending
        on the coordinator's screen when the demo opens."""
        from mora.customers.models import Account, SupplyStatus

        if self.today != timezone.localdate():
            return
        local_now = timezone.localtime(self.now)
        start = timezone.make_aware(datetime.combine(self.today, time(7)))
        if local_now <= start:
            return
        cut = list(
            Account.objects.filter(
                supply_status=SupplyStatus.CUT, field_orders__kind="CUT", field_orders__status="EXECUTED"
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()
        )
        span = (local_now - start).total_seconds()
        for account_id in self.rng.sample(cut, min(len(cut), max(2, len(cut) // 12))):
            paid_at = start + timedelta(seconds=self.rng.uniform(0, span))
            if self.pay(account_id, paid_at) is not None:
                self.counts["reconnections_pending"] += 1

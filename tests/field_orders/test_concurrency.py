"""Payments racing the cut list and each other, on real concurrent PostgreSQL connections: a paid
account is never left with a pending cut, and a cut account that pays gets exactly one
reconnection order."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from mora.billing.services import payment_record
from mora.core.roles import Role
from mora.customers.models import SupplyStatus
from mora.field_orders import services
from mora.field_orders.models import Contractor, Crew, CutListLine, FieldOrder, OrderKind, OrderStatus
from tests.factories import make_account, make_invoice, make_route, make_zone

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrent writers need PostgreSQL (SQLite serializes the whole database); CI runs it.",
    ),
]
ROUNDS = 5
# The first Thursday from today: each round draws a week later, so each list has its own cut date,
# and every cut date is still ahead (a list whose cut date passed cannot be released).
FIRST_DRAW = date.today() + timedelta(days=(3 - date.today().weekday()) % 7)


def run_together(*works) -> list[BaseException]:
    """Run the callables in threads released at the same instant by a barrier; each thread has
    its own connection and closes it. Returns the errors raised."""
    barrier = threading.Barrier(len(works))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(work):
        try:
            barrier.wait(timeout=30)
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return errors


@pytest.fixture
def zone():
    zone = make_zone(code="CT-SRO", name="San Roque")
    contractor = Contractor.objects.create(name="Electro Sur SRL")
    contractor.zones.add(zone)
    Crew.objects.create(contractor=contractor, name="Cuadrilla 1", daily_capacity=50)
    return zone


def debtor(zone, number: str, seq: int):
    account = make_account(number=number, route=make_route(code=f"{zone.code}-R1", zone=zone), route_sequence=seq)
    for k in range(2):
        make_invoice(account=account, due_date=date.today() - timedelta(days=40 + 30 * k), amount="150.00")
    return account


def full_payment(account, receipt: str):
    # The moment is fixed here: a retried receipt carries exactly the same data.
    paid_at = timezone.now().replace(microsecond=0)
    return lambda: payment_record(
        source="CAJA",
        receipt_number=receipt,
        account=account,
        paid_at=paid_at,
        amount=Decimal("300.00"),
        channel="VENTANILLA",
    )


def test_payment_during_release_never_leaves_a_pending_cut(zone, users):
    supervisor = users[Role.SUPERVISOR]
    for round_ in range(ROUNDS):
        payer = debtor(zone, f"2{round_:07d}", seq=1)
        other = debtor(zone, f"3{round_:07d}", seq=2)  # on the same list, does not pay
        cut_list = services.cut_list_draw(drawn_on=FIRST_DRAW + timedelta(days=7 * round_))
        proposed = set(cut_list.lines.filter(status=CutListLine.Status.PROPOSED).values_list("account_id", flat=True))
        assert {payer.pk, other.pk} <= proposed

        errors = run_together(
            lambda cut_list=cut_list: services.cut_list_release(actor=supervisor, cut_list_id=cut_list.pk),
            full_payment(payer, f"R{round_}"),
        )
        assert errors == []
        assert not FieldOrder.objects.filter(account=payer, kind=OrderKind.CUT, status=OrderStatus.PENDING).exists()
        # Either the release saw the payment (line excluded) or the payment found the order and cancelled it.
        line = CutListLine.objects.get(cut_list=cut_list, account=payer)
        order = FieldOrder.objects.filter(cut_line=line).first()
        assert (order is None and line.exclusion == "PAID") or (order and order.status == OrderStatus.CANCELLED)
        assert FieldOrder.objects.get(account=other, kind=OrderKind.CUT).status == OrderStatus.PENDING
        assert not FieldOrder.objects.filter(account=payer, kind=OrderKind.RECONNECT).exists()  # never cut


def cut_account(zone, users, number: str, round_: int):
    account = debtor(zone, number, seq=1)
    cut_list = services.cut_list_draw(drawn_on=FIRST_DRAW + timedelta(days=7 * round_))
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=cut_list.pk)
    order = FieldOrder.objects.get(account=account, kind=OrderKind.CUT)
    services.order_record_result(actor=None, order_id=order.pk, executed=True)
    account.refresh_from_db()
    assert account.supply_status == SupplyStatus.CUT
    return account


def test_cut_account_paying_concurrently_gets_exactly_one_reconnection(zone, users):
    for round_ in range(ROUNDS):
        account = cut_account(zone, users, f"4{round_:07d}", round_)
        # Two different receipts and the retry of one of them, all at the same instant.
        first = full_payment(account, f"A{round_}")
        errors = run_together(first, full_payment(account, f"B{round_}"), first)
        assert errors == []
        reconnections = FieldOrder.objects.filter(account=account, kind=OrderKind.RECONNECT)
        assert reconnections.count() == 1
        assert reconnections.get().status == OrderStatus.PENDING


def test_payment_racing_a_new_list_and_a_result_still_reconnects_once(zone, users):
    """The cut account pays while the supervisor releases the next list (with other accounts)
    and the coordinator closes another order: one reconnection, nothing lost."""
    for round_ in range(ROUNDS):
        # Three lists a round, a week apart each: every list has its own cut date.
        account = cut_account(zone, users, f"5{round_:07d}", 3 * round_)
        neighbour = debtor(zone, f"6{round_:07d}", seq=3)
        pending = debtor(zone, f"7{round_:07d}", seq=4)
        next_list = services.cut_list_draw(drawn_on=FIRST_DRAW + timedelta(days=7 * (3 * round_ + 1)))
        assert next_list.lines.filter(account=neighbour, status=CutListLine.Status.PROPOSED).exists()
        services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=next_list.pk)
        pending_order = FieldOrder.objects.get(account=pending, kind=OrderKind.CUT, status=OrderStatus.PENDING)
        third = services.cut_list_draw(drawn_on=FIRST_DRAW + timedelta(days=7 * (3 * round_ + 2)))
        assert third.cut_date > next_list.cut_date and third.status == third.Status.DRAFT
        errors = run_together(
            full_payment(account, f"C{round_}"),
            lambda third=third: services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=third.pk),
            lambda order=pending_order: services.order_record_result(actor=None, order_id=order.pk, executed=True),
        )
        assert errors == []
        assert FieldOrder.objects.filter(account=account, kind=OrderKind.RECONNECT).count() == 1

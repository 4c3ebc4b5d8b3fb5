"""Cut lists and reconnection orders through the services."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from mora.billing.services import payment_record
from mora.core.roles import Role
from mora.customers.models import Complaint, Hold, SupplyStatus
from mora.field_orders import services
from mora.field_orders.models import (
    Contractor,
    Crew,
    CutList,
    CutListLine,
    ExclusionReason,
    FieldOrder,
    OrderKind,
    OrderStatus,
)
from tests.factories import make_account, make_invoice, make_route, make_zone

pytestmark = pytest.mark.django_db
DRAWN_ON = date(2026, 12, 3)  # Thursday: with 3 business days of notice the list is for Tuesday 08/12/2026


@pytest.fixture
def zone():
    return make_zone(code="CT-SRO", name="San Roque")


@pytest.fixture
def contractor(zone):
    contractor = Contractor.objects.create(name="Electro Sur SRL")
    contractor.zones.add(zone)
    Crew.objects.create(contractor=contractor, name="Cuadrilla 1", daily_capacity=2)
    Crew.objects.create(contractor=contractor, name="Cuadrilla 2", daily_capacity=1)
    return contractor


def debtor(zone, number, *, invoices=2, amount="100.00", seq=1, **fields):
    route = make_route(code=f"{zone.code}-R1", zone=zone)
    account = make_account(number=number, route=route, route_sequence=seq, **fields)
    for k in range(invoices):
        make_invoice(account=account, due_date=DRAWN_ON - timedelta(days=20 + 30 * k), amount=amount)
    return account


def pay(account, amount, receipt, paid_at=None, channel="VENTANILLA"):
    return payment_record(
        source="CAJA",
        receipt_number=receipt,
        account=account,
        paid_at=paid_at or timezone.now(),
        amount=Decimal(amount),
        channel=channel,
    )


def lines(cut_list, status=None):
    rows = cut_list.lines.all()
    if status:
        rows = rows.filter(status=status)
    return {line.account.number: line for line in rows.select_related("account")}


def test_candidates_need_two_unpaid_invoices(zone, contractor):
    debtor(zone, "1", invoices=2)
    debtor(zone, "2", invoices=1)
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    assert cut_list.cut_date == date(2026, 12, 8)
    assert set(lines(cut_list)) == {"1"}


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (
            lambda a, u: Complaint.objects.create(account=a, number="R1", opened_on=DRAWN_ON, description="x"),
            "COMPLAINT",
        ),
        (lambda a, u: a.__class__.objects.filter(pk=a.pk).update(is_protected=True), "PROTECTED"),
        (
            lambda a, u: Hold.objects.create(
                account=a, reason="x", starts_on=DRAWN_ON, expires_on=DRAWN_ON + timedelta(days=10), created_by=u
            ),
            "HOLD",
        ),
        (lambda a, u: a.__class__.objects.filter(pk=a.pk).update(supply_status=SupplyStatus.CUT), "CUT"),
    ],
    ids=["complaint", "protected", "hold", "already-cut"],
)
def test_each_exclusion_is_kept_with_its_reason(zone, contractor, users, setup, reason):
    account = debtor(zone, "1")
    setup(account, users[Role.OFFICER])
    line = lines(services.cut_list_draw(drawn_on=DRAWN_ON))["1"]
    assert line.status == CutListLine.Status.EXCLUDED
    assert line.exclusion == reason


def test_debt_below_minimum_is_excluded(zone, contractor):
    debtor(zone, "1", amount="20.00")
    line = lines(services.cut_list_draw(drawn_on=DRAWN_ON))["1"]
    assert line.exclusion == ExclusionReason.BELOW_MINIMUM


def test_zone_without_contractor_is_excluded(zone):
    debtor(zone, "1")
    assert lines(services.cut_list_draw(drawn_on=DRAWN_ON))["1"].exclusion == ExclusionReason.NO_CONTRACTOR


def test_capacity_priority_and_idempotency(zone, contractor):
    debtor(zone, "small", amount="60.00", seq=1)
    debtor(zone, "big", amount="500.00", seq=3)
    debtor(zone, "mid", amount="200.00", seq=2)
    debtor(zone, "mid2", amount="150.00", seq=4)
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    proposed = lines(cut_list, CutListLine.Status.PROPOSED)
    assert set(proposed) == {"big", "mid", "mid2"}  # capacity 3: the largest debts
    assert lines(cut_list, CutListLine.Status.DEFERRED).keys() == {"small"}
    # Crews take the chosen ones in route order: crew 1 (capacity 2) gets seq 2 and 3.
    assert proposed["mid"].crew.name == proposed["big"].crew.name == "Cuadrilla 1"
    assert proposed["mid2"].crew.name == "Cuadrilla 2"
    before = sorted(cut_list.lines.values_list("account_id", "status", "crew_id", "priority"))
    again = services.cut_list_draw(drawn_on=DRAWN_ON)
    assert again.pk == cut_list.pk
    assert sorted(again.lines.values_list("account_id", "status", "crew_id", "priority")) == before
    assert CutList.objects.count() == 1


def test_release_issues_orders_and_payment_cancels_the_pending_cut(zone, contractor, users):
    account = debtor(zone, "1")
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=cut_list.pk)
    cut_list.refresh_from_db()
    assert cut_list.status == CutList.Status.RELEASED and cut_list.number.startswith("LC-2026-")
    order = FieldOrder.objects.get(account=account, kind=OrderKind.CUT)
    assert order.status == OrderStatus.PENDING and order.scheduled_for == date(2026, 12, 8)
    # Releasing twice is refused; drawing again does not touch a released list.
    with pytest.raises(services.FieldOrderError):
        services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=cut_list.pk)
    services.cut_list_draw(drawn_on=DRAWN_ON)
    assert FieldOrder.objects.count() == 1

    pay(account, "200.00", "1")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert "Pago CAJA/1" in order.cancel_reason
    assert not FieldOrder.objects.filter(kind=OrderKind.RECONNECT).exists()  # it was never cut


def test_partial_payment_does_not_cancel_the_cut(zone, contractor, users):
    account = debtor(zone, "1", invoices=3)
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=services.cut_list_draw(drawn_on=DRAWN_ON).pk)
    pay(account, "100.00", "1")
    assert FieldOrder.objects.get(account=account).status == OrderStatus.PENDING


def test_cut_then_payment_creates_reconnection_due_today(zone, contractor, users):
    account = debtor(zone, "1")
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=services.cut_list_draw(drawn_on=DRAWN_ON).pk)
    order = FieldOrder.objects.get(account=account)
    services.order_record_result(actor=users[Role.COORDINATOR], order_id=order.pk, executed=True, contractor=contractor)
    account.refresh_from_db()
    assert account.supply_status == SupplyStatus.CUT

    paid_at = timezone.make_aware(datetime.combine(date(2026, 12, 3), time(10, 0)))
    payment_record(
        source="CAJA", receipt_number="9", account=account, paid_at=paid_at, amount=Decimal("200.00"), channel="BANCO"
    )
    reconnection = FieldOrder.objects.get(account=account, kind=OrderKind.RECONNECT)
    assert reconnection.contractor == contractor
    assert timezone.localtime(reconnection.due_at).date() == date(2026, 12, 3)
    # The same receipt again changes nothing.
    payment_record(
        source="CAJA", receipt_number="9", account=account, paid_at=paid_at, amount=Decimal("200.00"), channel="BANCO"
    )
    assert FieldOrder.objects.filter(kind=OrderKind.RECONNECT).count() == 1

    services.order_record_result(
        actor=users[Role.COORDINATOR], order_id=reconnection.pk, executed=True, contractor=contractor
    )
    account.refresh_from_db()
    reconnection.refresh_from_db()
    assert account.supply_status == SupplyStatus.ACTIVE
    assert reconnection.charge == Decimal("38.00")


def test_coordinator_cannot_close_another_contractors_order(zone, contractor, users):
    account = debtor(zone, "1")
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=services.cut_list_draw(drawn_on=DRAWN_ON).pk)
    other = Contractor.objects.create(name="Otra SRL")
    order = FieldOrder.objects.get(account=account)
    with pytest.raises(PermissionDenied):
        services.order_record_result(actor=users[Role.COORDINATOR], order_id=order.pk, executed=True, contractor=other)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_not_executed_needs_a_reason(zone, contractor, users):
    account = debtor(zone, "1")
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=services.cut_list_draw(drawn_on=DRAWN_ON).pk)
    order = FieldOrder.objects.get(account=account)
    with pytest.raises(services.FieldOrderError):
        services.order_record_result(actor=None, order_id=order.pk, executed=False, reason="")
    services.order_record_result(actor=None, order_id=order.pk, executed=False, reason="CLOSED")
    order.refresh_from_db()
    assert order.status == OrderStatus.NOT_EXECUTED and order.not_executed_reason == "CLOSED"
    account.refresh_from_db()
    assert account.supply_status == SupplyStatus.ACTIVE


def test_payment_of_a_cut_account_in_a_zone_without_contractor_still_orders_reconnection(zone):
    account = debtor(zone, "1")
    _cut(account)
    pay(account, "200.00", "1")
    order = FieldOrder.objects.get(account=account, kind=OrderKind.RECONNECT)
    assert order.contractor is None and order.status == OrderStatus.PENDING


def test_open_cut_order_and_paid_since_are_exclusions(zone, contractor, users):
    first = debtor(zone, "1", seq=1)
    second = debtor(zone, "2", seq=2)
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=cut_list.pk)
    # The next day's list: both still owe, but both already have an open cut order.
    later = services.cut_list_draw(drawn_on=DRAWN_ON + timedelta(days=1))
    assert later.pk != cut_list.pk
    assert {line.exclusion for line in later.lines.all()} == {ExclusionReason.OPEN_ORDER}
    # On a fresh draft, an account that pays before the release is left out as "paid since".
    FieldOrder.objects.filter(kind=OrderKind.CUT).update(status=OrderStatus.CANCELLED)
    draft = services.cut_list_draw(drawn_on=DRAWN_ON + timedelta(days=1))
    assert lines(draft, CutListLine.Status.PROPOSED).keys() == {"1", "2"}
    pay(first, "200.00", "P-1")
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=draft.pk)
    assert lines(draft)["1"].exclusion == ExclusionReason.PAID_SINCE
    assert FieldOrder.objects.filter(account=second, status=OrderStatus.PENDING).count() == 1
    assert not FieldOrder.objects.filter(account=first, status=OrderStatus.PENDING).exists()


def _cut(account):
    account.__class__.objects.filter(pk=account.pk).update(supply_status=SupplyStatus.CUT)
    account.refresh_from_db()


def test_signing_an_agreement_orders_the_reconnection(zone, contractor, users):
    from tests.agreements.helpers import create_and_sign

    account = debtor(zone, "1", invoices=3)
    _cut(account)
    agreement = create_and_sign(account, users[Role.OFFICER])
    order = FieldOrder.objects.get(account=account, kind=OrderKind.RECONNECT)
    assert order.agreement == agreement and order.status == OrderStatus.PENDING
    assert order.contractor == contractor


def test_regularizing_a_breached_agreement_orders_the_reconnection(zone, contractor, users):
    from mora.agreements import selectors as agreement_selectors
    from mora.agreements.domain.states import AgreementStatus
    from mora.agreements.services import agreements_evaluate
    from tests.agreements.helpers import create_and_sign, pay

    account = debtor(zone, "1", invoices=3)
    agreement = create_and_sign(account, users[Role.OFFICER])
    first = agreement_selectors.agreement_schedule(agreement=agreement).get(number=1)
    breach_day = first.due_date + timedelta(days=agreement.grace_days + 1)
    agreements_evaluate(today=breach_day)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.BREACHED
    _cut(account)  # the crew cut it for the breach
    paid_at = timezone.make_aware(datetime.combine(breach_day, time(9, 0)))
    pay(account, str(first.amount), "R-2", when=paid_at)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.CURRENT
    order = FieldOrder.objects.get(account=account, kind=OrderKind.RECONNECT)
    assert order.status == OrderStatus.PENDING


def test_payment_leaving_the_debt_under_the_minimum_cancels_the_pending_cut(zone, contractor, users):
    account = debtor(zone, "1", invoices=3, amount="30.00")  # Bs 90 overdue
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=services.cut_list_draw(drawn_on=DRAWN_ON).pk)
    order = FieldOrder.objects.get(account=account)
    pay(account, "45.00", "1")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED  # Bs 45 left, under the Bs 50 minimum


def test_a_complaint_after_release_stops_the_cut(zone, contractor, users):
    account = debtor(zone, "1")
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=services.cut_list_draw(drawn_on=DRAWN_ON).pk)
    order = FieldOrder.objects.get(account=account)
    Complaint.objects.create(account=account, number="R-9", opened_on=DRAWN_ON, description="Lectura errónea")
    with pytest.raises(services.FieldOrderError, match="Reclamo pendiente"):
        services.order_record_result(actor=None, order_id=order.pk, executed=True, contractor=contractor)
    account.refresh_from_db()
    assert account.supply_status == SupplyStatus.ACTIVE


def test_release_keeps_the_real_reason_of_a_dropped_line(zone, contractor, users):
    account = debtor(zone, "1")
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    Hold.objects.create(
        account=account, reason="x", starts_on=DRAWN_ON, expires_on=date(2026, 12, 31), created_by=users[Role.OFFICER]
    )
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=cut_list.pk)
    assert lines(cut_list)["1"].exclusion == ExclusionReason.HOLD
    assert not FieldOrder.objects.exists()


def test_a_list_whose_cut_date_passed_cannot_be_released(zone, contractor, users):
    debtor(zone, "1")
    old = services.cut_list_draw(drawn_on=date(2026, 11, 2))
    assert old.cut_date < timezone.localdate()
    with pytest.raises(services.FieldOrderError, match="ya pasó"):
        services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=old.pk)


def test_a_failed_reconnection_visit_issues_a_new_order(zone, contractor, users):
    account = debtor(zone, "1")
    _cut(account)
    pay(account, "200.00", "1")
    first = FieldOrder.objects.get(account=account, kind=OrderKind.RECONNECT)
    services.order_record_result(actor=None, order_id=first.pk, executed=False, reason="CLOSED")
    retry = FieldOrder.objects.get(account=account, kind=OrderKind.RECONNECT, status=OrderStatus.PENDING)
    assert retry.pk != first.pk and retry.payment_id == first.payment_id


def test_a_cut_done_before_the_payment_but_reported_after_it_orders_the_reconnection(zone, contractor, users):
    account = debtor(zone, "1")
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=services.cut_list_draw(drawn_on=DRAWN_ON).pk)
    order = FieldOrder.objects.get(account=account)
    cut_at = timezone.now() - timedelta(hours=2)
    pay(account, "200.00", "1", paid_at=timezone.now() - timedelta(hours=1))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    services.order_record_result(actor=None, order_id=order.pk, executed=True, at=cut_at, contractor=contractor)
    order.refresh_from_db()
    account.refresh_from_db()
    assert order.status == OrderStatus.EXECUTED and account.supply_status == SupplyStatus.CUT
    assert FieldOrder.objects.filter(account=account, kind=OrderKind.RECONNECT, status=OrderStatus.PENDING).exists()

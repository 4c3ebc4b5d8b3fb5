"""SLA board figures on a hand-built set of orders, with exact expected numbers."""

import itertools
from datetime import date, datetime
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from mora.core.roles import Role
from mora.field_orders import selectors_sla
from mora.field_orders.models import Contractor, FieldOrder, OrderKind, OrderStatus
from tests.factories import make_account, make_route, make_zone

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour, minute))


@pytest.fixture
def setup():
    contractors = {}
    for code, name in (("A", "Electro Sur SRL"), ("B", "Servicios Eléctricos Chaco")):
        zone = make_zone(code=f"CT-{code}", name=f"Zona {code}")
        contractor = Contractor.objects.create(name=name)
        contractor.zones.add(zone)
        contractors[code] = (contractor, make_route(code=f"CT-{code}-R1", zone=zone))
    return contractors


def order(setup, who, kind, *, status, scheduled, triggered=None, executed=None, due=None, reason=""):
    contractor, route = setup[who]
    n = next(_numbers)
    return FieldOrder.objects.create(
        number=f"X-{n}",
        kind=kind,
        status=status,
        account=make_account(number=f"9{n:07d}", route=route),
        contractor=contractor,
        scheduled_for=scheduled,
        triggered_at=triggered,
        executed_at=executed,
        due_at=due,
        not_executed_reason=reason,
    )


@pytest.fixture
def orders(setup):
    R, E, P = OrderKind.RECONNECT, OrderStatus.EXECUTED, OrderStatus.PENDING
    # Contractor A: 4 h same day, 18 h next morning (on time), 2 h same day, one pending and late.
    order(
        setup, "A", R, status=E, scheduled=date(2026, 11, 3), triggered=at(3, 10), executed=at(3, 14), due=at(3, 23, 59)
    )
    order(setup, "A", R, status=E, scheduled=date(2026, 11, 5), triggered=at(4, 15), executed=at(5, 9), due=at(5, 12))
    order(
        setup, "A", R, status=E, scheduled=date(2026, 11, 9), triggered=at(9, 9), executed=at(9, 11), due=at(9, 23, 59)
    )
    order(setup, "A", R, status=P, scheduled=date(2026, 11, 10), triggered=at(10, 10), due=at(10, 23, 59))
    # Contractor B: 20,5 h and past its noon deadline; one pending, not yet due.
    order(
        setup, "B", R, status=E, scheduled=date(2026, 11, 4), triggered=at(3, 16, 30), executed=at(4, 13), due=at(4, 12)
    )
    order(setup, "B", R, status=P, scheduled=date(2026, 11, 11), triggered=at(11, 9), due=at(11, 23, 59))
    # Outside the period (October): not counted in the period's figures.
    order(
        setup,
        "B",
        R,
        status=E,
        scheduled=date(2026, 10, 20),
        triggered=at(20, 9, month=10),
        executed=at(20, 10, month=10),
    )
    # Cuts: A released 3 for 09/11 (executed, closed premises, cancelled); B 2 for 10/11.
    C = OrderKind.CUT
    order(setup, "A", C, status=E, scheduled=date(2026, 11, 9), executed=at(9, 10))
    order(
        setup, "A", C, status=OrderStatus.NOT_EXECUTED, scheduled=date(2026, 11, 9), executed=at(9, 11), reason="CLOSED"
    )
    order(setup, "A", C, status=OrderStatus.CANCELLED, scheduled=date(2026, 11, 9))
    order(setup, "B", C, status=P, scheduled=date(2026, 11, 10))
    order(
        setup,
        "B",
        C,
        status=OrderStatus.NOT_EXECUTED,
        scheduled=date(2026, 11, 10),
        executed=at(10, 9),
        reason="REFUSAL",
    )
    order(setup, "B", C, status=E, scheduled=date(2026, 10, 28), executed=at(28, 9, month=10))


NOVEMBER = {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}


def test_reconnection_figures(orders):
    board = selectors_sla.sla_board(**NOVEMBER, now=at(11, 10))
    total = board.total
    assert (total.total, total.executed, total.same_day, total.late_executed) == (6, 4, 2, 1)
    assert total.same_day_share == 50
    assert total.median_hours == 11  # median of 2, 4, 18, 20,5
    assert (total.pending, total.late_now) == (2, 1)

    a, b = board.by_contractor
    assert a.label == "Electro Sur SRL"
    assert (a.total, a.executed, a.same_day, a.pending, a.late_now) == (4, 3, 2, 1, 1)
    assert round(a.same_day_share, 4) == round(200 / 3, 4)
    assert a.median_hours == 4
    assert (b.total, b.executed, b.same_day, b.late_executed, b.pending, b.late_now) == (2, 1, 0, 1, 1, 0)
    assert b.median_hours == 20.5
    assert [z.label for z in board.by_zone] == ["Zona A", "Zona B"]
    assert board.by_zone[1].median_hours == 20.5


def test_cut_figures(orders):
    board = selectors_sla.sla_board(**NOVEMBER, now=at(11, 10))
    a, b = board.cuts
    assert (a.released, a.executed, a.not_executed, a.cancelled, a.pending) == (3, 1, 1, 1, 0)
    assert a.by_reason["CLOSED"] == 1 and a.by_reason["REFUSAL"] == 0
    assert (b.released, b.executed, b.not_executed, b.cancelled, b.pending) == (2, 0, 1, 0, 1)
    assert board.cuts_total.released == 5 and board.cuts_total.by_reason == {
        "PAID": 0,
        "CLOSED": 1,
        "METER": 0,
        "REFUSAL": 1,
        "ADDRESS": 0,
        "ILLEGAL": 0,
    }


def test_filters_by_contractor_and_zone(orders, setup):
    contractor_b = setup["B"][0]
    board = selectors_sla.sla_board(**NOVEMBER, contractor_id=contractor_b.pk, now=at(11, 10))
    assert [r.label for r in board.by_contractor] == ["Servicios Eléctricos Chaco"]
    assert (board.total.total, board.total.median_hours, board.cuts_total.released) == (2, 20.5, 2)
    zone_a = setup["A"][1].zone
    board = selectors_sla.sla_board(**NOVEMBER, zone_id=zone_a.pk, now=at(11, 10))
    assert (board.total.total, board.total.executed) == (4, 3)


def test_board_page_and_export(client_for, orders):
    client = client_for(Role.AUDITOR)
    page = client.get(reverse("field_orders:sla"), {"desde": "2026-11-01", "hasta": "2026-11-30"}).content.decode()
    assert 'id="kpi-same-day">50,0 %' in page
    assert 'id="kpi-median">11,0 h' in page
    assert "66,7 %" in page  # contractor A, same day
    assert "chart.umd.min.js" in page
    response = client.get(reverse("field_orders:sla_export"), {"desde": "01/11/2026", "hasta": "30/11/2026"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = {(r[0], r[1]): r for r in sheet.iter_rows(min_row=5, values_only=True)}
    total = rows[("Reconexiones (total)", "Total")]
    assert total[2:9] == (6, 4, 50, 11, 1, 2, total[8])
    assert rows[("Cortes por microempresa", "Electro Sur SRL")][9] == 3


def test_default_period_is_the_current_month(client_for):
    page = client_for(Role.SUPERVISOR).get(reverse("field_orders:sla")).content.decode()
    today = timezone.localdate()
    assert f"del {today.replace(day=1):%d/%m/%Y} al {today:%d/%m/%Y}" in page
    assert client_for(Role.CASHIER).get(reverse("field_orders:sla")).status_code == 403

"""The coordinator's phone screen, the orders pages and the contractors administration, through
the Django test client."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mora.billing.services import payment_record
from mora.core.models import AuditEvent
from mora.core.roles import Role
from mora.customers.models import SupplyStatus
from mora.field_orders import services
from mora.field_orders.models import Contractor, Coordinator, Crew, FieldOrder, OrderKind, OrderStatus
from tests.conftest import make_user
from tests.factories import make_account, make_invoice, make_route, make_zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users):
    """Two contractors in two zones, one debtor in each, the list released for today; the
    coordinator user coordinates the first contractor."""
    today = timezone.localdate()
    zones, contractors, accounts = [], [], []
    for n, name in enumerate(["Electro Sur SRL", "Servicios Eléctricos Chaco"], start=1):
        zone = make_zone(code=f"CT-Z{n}", name=f"Zona {n}")
        contractor = Contractor.objects.create(name=name)
        contractor.zones.add(zone)
        Crew.objects.create(contractor=contractor, name="Cuadrilla 1", daily_capacity=10)
        route = make_route(code=f"CT-Z{n}-R1", zone=zone)
        account = make_account(number=f"1000000{n}", route=route, route_sequence=n, meter_number=f"M-{n}")
        for k in range(2):
            make_invoice(account=account, due_date=today - timedelta(days=40 + 30 * k), amount="120.00")
        zones.append(zone)
        contractors.append(contractor)
        accounts.append(account)
    Coordinator.objects.create(user=users[Role.COORDINATOR], contractor=contractors[0])
    cut_list = services.cut_list_draw(drawn_on=today - timedelta(days=1))
    # The list is for the next allowed cut day; the test wants today's orders on the screen.
    cut_list.__class__.objects.filter(pk=cut_list.pk).update(cut_date=today)
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=cut_list.pk)
    mine = FieldOrder.objects.get(account=accounts[0], kind=OrderKind.CUT)
    theirs = FieldOrder.objects.get(account=accounts[1], kind=OrderKind.CUT)
    return {"contractors": contractors, "accounts": accounts, "mine": mine, "theirs": theirs, "today": today}


def pay(account, receipt, amount="500.00"):
    return payment_record(
        source="CAJA",
        receipt_number=receipt,
        account=account,
        paid_at=timezone.now(),
        amount=Decimal(amount),
        channel="VENTANILLA",
    )


def test_coordinator_sees_only_his_contractors_orders(client_for, world):
    client = client_for(Role.COORDINATOR)
    page = client.get(reverse("field_orders:my_orders")).content.decode()
    assert world["mine"].number in page
    assert world["accounts"][0].number in page
    assert world["theirs"].number not in page
    assert world["accounts"][1].number not in page
    assert 'hx-trigger="every 10s' in page
    assert "Bs 240,00" in page  # the debt of his cut


def test_coordinator_cannot_open_or_close_another_contractors_order(client_for, world):
    client = client_for(Role.COORDINATOR)
    theirs = world["theirs"]
    assert client.get(reverse("field_orders:order_detail", args=[theirs.number])).status_code == 404
    response = client.post(reverse("field_orders:order_result", args=[theirs.number]), {"resultado": "ejecutada"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.PENDING
    # He may not cancel at all, nor list every order.
    assert (
        client.post(reverse("field_orders:order_cancel", args=[world["mine"].number]), {"motivo": "x"}).status_code
        == 403
    )
    assert client.get(reverse("field_orders:orders")).status_code == 403
    assert client.get(reverse("field_orders:sla")).status_code == 403
    # His own order he can open.
    assert client.get(reverse("field_orders:order_detail", args=[world["mine"].number])).status_code == 200


def test_coordinator_without_contractor_gets_a_message(client, world):
    lonely = make_user("coord_solo", Role.COORDINATOR)
    client.force_login(lonely)
    response = client.get(reverse("field_orders:my_orders"))
    assert response.status_code == 200
    assert "no está vinculado a ninguna microempresa" in response.content.decode()
    assert client.get(reverse("field_orders:order_detail", args=[world["mine"].number])).status_code == 404
    response = client.post(
        reverse("field_orders:order_result", args=[world["mine"].number]), {"resultado": "ejecutada"}
    )
    assert response.status_code == 403


def test_recording_results_changes_the_supply_and_payment_brings_a_reconnection(client_for, world):
    client = client_for(Role.COORDINATOR)
    mine, account = world["mine"], world["accounts"][0]
    url = reverse("field_orders:order_result", args=[mine.number])
    response = client.post(url, {"resultado": "ejecutada", "next": reverse("field_orders:my_orders")})
    assert response.status_code == 302 and response.url == reverse("field_orders:my_orders")
    account.refresh_from_db()
    mine.refresh_from_db()
    assert mine.status == OrderStatus.EXECUTED and account.supply_status == SupplyStatus.CUT

    # The poll partial, asked with the last reconnection seen, shows the new one and the badge.
    partial = reverse("field_orders:my_orders_partial") + "?visto=0"
    assert "reconexión nueva" not in client.get(partial).content.decode()
    pay(account, "77")
    reconnection = FieldOrder.objects.get(account=account, kind=OrderKind.RECONNECT)
    body = client.get(partial).content.decode()
    assert reconnection.number in body
    assert "1 reconexión nueva" in body
    assert body.index(reconnection.number) < body.index(mine.number)  # reconnections first

    client.post(reverse("field_orders:order_result", args=[reconnection.number]), {"resultado": "ejecutada"})
    account.refresh_from_db()
    assert account.supply_status == SupplyStatus.ACTIVE


def test_not_executed_needs_a_reason_through_the_page(client_for, world):
    client = client_for(Role.COORDINATOR)
    mine = world["mine"]
    url = reverse("field_orders:order_result", args=[mine.number])
    client.post(url, {"resultado": "no_ejecutada", "motivo": ""})
    mine.refresh_from_db()
    assert mine.status == OrderStatus.PENDING
    client.post(url, {"resultado": "no_ejecutada", "motivo": "CLOSED", "observaciones": "Nadie en casa"})
    mine.refresh_from_db()
    assert mine.status == OrderStatus.NOT_EXECUTED and mine.notes == "Nadie en casa"


def test_paid_before_the_cut_is_shown_struck_through(client_for, world):
    pay(world["accounts"][0], "88")
    world["mine"].refresh_from_db()
    assert world["mine"].status == OrderStatus.CANCELLED
    page = client_for(Role.COORDINATOR).get(reverse("field_orders:my_orders")).content.decode()
    assert "Anulada: Pago CAJA/88" in page
    assert "text-decoration-line-through" in page


def test_supervisor_lists_filters_exports_and_cancels(client_for, world):
    client = client_for(Role.SUPERVISOR)
    mine, theirs = world["mine"], world["theirs"]
    page = client.get(reverse("field_orders:orders"), {"microempresa": world["contractors"][1].pk}).content.decode()
    assert theirs.number in page and mine.number not in page
    export = client.get(reverse("field_orders:orders"), {"formato": "xlsx", "tipo": "CUT"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    detail = client.get(reverse("field_orders:order_detail", args=[theirs.number])).content.decode()
    assert "Orden de corte emitida" in detail  # the timeline
    client.post(reverse("field_orders:order_cancel", args=[theirs.number]), {"motivo": "Error de zona"})
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.CANCELLED and theirs.cancel_reason == "Error de zona"
    # The supervisor may record a result for any contractor.
    client.post(reverse("field_orders:order_result", args=[mine.number]), {"resultado": "ejecutada"})
    mine.refresh_from_db()
    assert mine.status == OrderStatus.EXECUTED


def test_officer_reads_but_cannot_record(client_for, world):
    client = client_for(Role.OFFICER)
    assert client.get(reverse("field_orders:order_detail", args=[world["theirs"].number])).status_code == 200
    response = client.post(
        reverse("field_orders:order_result", args=[world["theirs"].number]), {"resultado": "ejecutada"}
    )
    assert response.status_code == 403


def test_admin_creates_a_contractor_with_crews_and_a_coordinator(client_for, users):
    zone_a = make_zone(code="YA-CEN", name="Centro")
    zone_b = make_zone(code="YA-LAP", name="Lapachal")
    coordinator = users[Role.COORDINATOR]
    client = client_for(Role.ADMIN)
    assert client.get(reverse("field_orders:contractor_new")).status_code == 200
    data = {
        "m-name": "Servicios Eléctricos Chaco",
        "m-tax_id": "1023456021",
        "m-phone": "46822233",
        "m-is_active": "on",
        "m-zones": [zone_a.pk, zone_b.pk],
        "m-coordinators": [coordinator.pk],
        "crews-TOTAL_FORMS": "2",
        "crews-INITIAL_FORMS": "0",
        "crews-MIN_NUM_FORMS": "0",
        "crews-MAX_NUM_FORMS": "1000",
        "crews-0-name": "Cuadrilla Norte",
        "crews-0-daily_capacity": "20",
        "crews-0-is_active": "on",
        "crews-1-name": "",
        "crews-1-daily_capacity": "25",
    }
    response = client.post(reverse("field_orders:contractor_new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contractor = Contractor.objects.get(name="Servicios Eléctricos Chaco")
    assert set(contractor.zones.values_list("code", flat=True)) == {"YA-CEN", "YA-LAP"}
    assert list(contractor.crews.values_list("name", "daily_capacity", "is_active")) == [("Cuadrilla Norte", 20, True)]
    assert Coordinator.objects.get(user=coordinator).contractor == contractor
    assert AuditEvent.objects.filter(action="crew.created").count() == 1
    assert AuditEvent.objects.filter(action="coordinator.assigned").count() == 1
    listing = client.get(reverse("field_orders:contractors")).content.decode()
    assert "Cuadrilla Norte (20)" in listing and "Lapachal" in listing

    # Editing: a second crew, the first deactivated; a user without the role is refused.
    crew = contractor.crews.get()
    edit = reverse("field_orders:contractor_edit", args=[contractor.pk])
    data.update(
        {
            "crews-TOTAL_FORMS": "2",
            "crews-INITIAL_FORMS": "1",
            "crews-0-id": crew.pk,
            "crews-0-is_active": "",
            "crews-1-name": "Cuadrilla Sur",
            "crews-1-daily_capacity": "15",
            "crews-1-is_active": "on",
        }
    )
    del data["crews-0-is_active"]
    assert client.post(edit, data).status_code == 302
    assert sorted(contractor.crews.values_list("name", "is_active")) == [
        ("Cuadrilla Norte", False),
        ("Cuadrilla Sur", True),
    ]
    data["m-coordinators"] = [users[Role.OFFICER].pk]
    response = client.post(edit, data)
    assert response.status_code == 200  # the officer is not offered: the field refuses him
    assert Coordinator.objects.get(user=coordinator).contractor == contractor


def test_only_contractor_admins_manage_contractors(client_for):
    assert client_for(Role.OFFICER).get(reverse("field_orders:contractors")).status_code == 403
    assert client_for(Role.SUPERVISOR).get(reverse("field_orders:contractors")).status_code == 200

"""The field cycle in a browser: the supervisor releases a list, the coordinator cuts on his
phone, the customer pays, and the reconnection appears on the phone without reloading."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from mora.billing.services import payment_record
from mora.customers.models import Account, SupplyStatus
from mora.field_orders import services
from mora.field_orders.models import Contractor, Coordinator, Crew, CutList, FieldOrder, OrderKind
from tests.browser.test_portfolio_browser import login
from tests.factories import make_account, make_invoice, make_route, make_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def field(db):
    call_command("demo_logins")
    today = timezone.localdate()
    zone = make_zone(code="CT-SRO", name="San Roque")
    contractor = Contractor.objects.create(name="Electro Sur SRL", phone="4663 2184")
    contractor.zones.add(zone)
    Crew.objects.create(contractor=contractor, name="Cuadrilla Norte", daily_capacity=20)
    Coordinator.objects.create(user=get_user_model().objects.get(username="coordinador"), contractor=contractor)
    route = make_route(code="CT-SRO-R01", zone=zone)
    account = make_account(
        number="10012345", route=route, route_sequence=7, meter_number="MT-558812", address="Calle Colón N° 245"
    )
    for k in range(2):
        make_invoice(account=account, due_date=today - timedelta(days=35 + 30 * k), amount="180.00")
    cut_list = services.cut_list_draw(drawn_on=today - timedelta(days=1))
    # The list is for the next day cuts are allowed; the crew works it today in this test.
    CutList.objects.filter(pk=cut_list.pk).update(cut_date=today)
    return {"account": account, "cut_list": CutList.objects.get(pk=cut_list.pk)}


def logout(page):
    page.get_by_role("button", name="Salir").click()


def test_cut_pay_and_reconnect_on_the_phone(live_server, page, screenshot, field):
    account, cut_list = field["account"], field["cut_list"]

    # 1. The supervisor releases the list on his page (through the service if that page is not built).
    login(page, live_server, "jefe")
    response = page.goto(f"{live_server.url}/campo/listas/{cut_list.pk}/")
    if response.status == 200 and page.get_by_role("button", name="Emitir lista").count():
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Emitir lista").click()
        page.wait_for_load_state("networkidle")
    else:
        services.cut_list_release(actor=get_user_model().objects.get(username="jefe"), cut_list_id=cut_list.pk)
    cut_order = FieldOrder.objects.get(account=account, kind=OrderKind.CUT)
    logout(page)

    # 2. The coordinator, on his phone, executes the cut.
    page.set_viewport_size(PHONE)
    login(page, live_server, "coordinador")
    page.goto(f"{live_server.url}/campo/mis-ordenes/")
    expect(page.get_by_role("heading", name="Mis órdenes")).to_be_visible()
    card = page.locator(f"#order-{cut_order.number}")
    expect(card).to_contain_text("10012345")
    expect(card).to_contain_text("MT-558812")
    expect(card).to_contain_text("Bs 360,00")
    card.get_by_role("button", name="Ejecutada").click()
    expect(page.get_by_text(re.compile(f"Orden {cut_order.number}.*ejecutada"))).to_be_visible()
    account.refresh_from_db()
    assert account.supply_status == SupplyStatus.CUT

    # 3. The customer pays at the window; the phone is NOT reloaded.
    page.evaluate("window.__sinRecargar = true")
    payment_record(
        source="CAJA-SETAR",
        receipt_number="55001",
        account=Account.objects.get(pk=account.pk),
        paid_at=timezone.now(),
        amount=Decimal("360.00"),
        channel="VENTANILLA",
    )
    reconnection = FieldOrder.objects.get(account=account, kind=OrderKind.RECONNECT)
    new_card = page.locator(f"#order-{reconnection.number}")
    expect(new_card).to_be_visible(timeout=25000)  # the HTMX poll runs every 10 s
    expect(page.locator("#new-reconnections")).to_contain_text("1 reconexión nueva")
    expect(new_card).to_contain_text("NUEVA")
    assert page.evaluate("window.__sinRecargar") is True
    screenshot("10-coordinador")

    # 4. He executes the reconnection: the supply is active again.
    new_card.get_by_role("button", name="Ejecutada").click()
    expect(page.get_by_text(re.compile(f"Orden {reconnection.number}.*ejecutada"))).to_be_visible()
    account.refresh_from_db()
    assert account.supply_status == SupplyStatus.ACTIVE
    # A coordinator cannot open the SLA board.
    assert page.goto(f"{live_server.url}/campo/sla/").status == 403

    # 5. The SLA board shows the reconnection executed.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/")
    logout(page)
    login(page, live_server, "jefe")
    page.goto(f"{live_server.url}/campo/sla/")
    expect(page.get_by_role("heading", name=re.compile("Tablero SLA"))).to_be_visible()
    expect(page.locator("#kpi-total")).to_have_text("1")
    page.wait_for_timeout(300)  # let Chart.js draw for the screenshot
    screenshot("11-sla")

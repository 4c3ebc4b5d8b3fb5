"""The cut list's documents: the crew sheet and the cut notices (HTML in route order, PDF)."""

from datetime import date, timedelta

import pytest
import weasyprint

from mora.core.roles import Role
from mora.field_orders import documents, services
from mora.field_orders.models import Contractor, Crew, FieldOrder
from tests.factories import make_account, make_customer, make_invoice, make_route, make_zone

pytestmark = pytest.mark.django_db
DRAWN_ON = date(2026, 12, 3)  # Thursday: with 3 business days of notice the list is for Tuesday 08/12/2026


@pytest.fixture
def contractor():
    zone = make_zone(code="CT-SRO", name="San Roque")
    contractor = Contractor.objects.create(name="Electro Sur SRL")
    contractor.zones.add(zone)
    Crew.objects.create(contractor=contractor, name="Cuadrilla 1", daily_capacity=10)
    # Two routes; accounts created out of order so that the order comes from the documents.
    for route_code, seq, number, amount in [
        ("CT-SRO-R2", 5, "R2-5", "100.00"),
        ("CT-SRO-R1", 9, "R1-9", "900.00"),
        ("CT-SRO-R2", 1, "R2-1", "300.00"),
        ("CT-SRO-R1", 2, "R1-2", "200.00"),
        ("CT-SRO-R1", 4, "R1-4", "500.00"),
    ]:
        route = make_route(code=route_code, zone=zone)
        account = make_account(
            number=number,
            route=route,
            route_sequence=seq,
            customer=make_customer(name=f"Titular {number}"),
            meter_number=f"M-{number}",
        )
        for k in range(2):
            make_invoice(account=account, due_date=DRAWN_ON - timedelta(days=20 + 30 * k), amount=amount)
    return contractor


ROUTE_ORDER = ["R1-2", "R1-4", "R1-9", "R2-1", "R2-5"]


def positions(html: str, accounts) -> list[int]:
    return [html.index(f">{number}<") for number in accounts]


def test_sheet_html_lists_the_accounts_in_route_order(contractor):
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    html = documents.cut_list_html(cut_list, contractor)
    found = positions(html, ROUTE_ORDER)
    assert found == sorted(found)
    assert "Titular R1-9" in html and "M-R1-9" in html and "900,00" not in html.split("R1-2")[0]
    assert "PROPUESTA SIN EMITIR" in html  # a draft is never taken for an order
    for column in ("Hora", "Resultado", "Firma", "Medidor", "Fact."):
        assert f">{column}</th>" in html


def test_sheet_pdf_is_a_pdf_with_the_order_numbers_once_released(contractor, users):
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=cut_list.pk)
    cut_list.refresh_from_db()
    html = documents.cut_list_html(cut_list, contractor)
    assert "PROPUESTA SIN EMITIR" not in html and cut_list.number in html
    for order in FieldOrder.objects.all():
        assert order.number in html
    assert documents.html_to_pdf(html).startswith(b"%PDF")


def test_a_cancelled_order_is_marked_do_not_cut_on_the_sheet_and_gets_no_notice(contractor, users):
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    services.cut_list_release(actor=users[Role.SUPERVISOR], cut_list_id=cut_list.pk)
    cut_list.refresh_from_db()
    order = FieldOrder.objects.get(account__number="R1-4")
    services.order_cancel(actor=users[Role.SUPERVISOR], order_id=order.pk, reason="Pagó en caja")
    assert documents.cut_list_html(cut_list, contractor).count("ANULADA: NO CORTAR") == 1
    notices = documents.cut_notices_html(cut_list)
    assert 'data-account="R1-4"' not in notices and notices.count('class="notice ') == 4


def test_notices_one_per_line_in_route_order_two_per_page(contractor):
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    html = documents.cut_notices_html(cut_list)
    assert html.count('class="notice ') == 5
    found = [html.index(f'data-account="{number}"') for number in ROUTE_ORDER]
    assert found == sorted(found)
    assert "Su suministro podrá ser suspendido a partir del 08/12/2026" in html
    assert "Ley N° 1604" in html and "artículo 59" in html and "26302" in html and "artículo 41" in html
    assert "Solución Temprana" in html and "convenio de pago" in html
    assert "Bs 1.800,00" in html  # R1-9: two invoices of 900
    assert len(weasyprint.HTML(string=html).render().pages) == 3  # 5 notices, two per A4 page
    pdf = documents.html_to_pdf(html)
    assert pdf.startswith(b"%PDF")


def test_notices_of_one_crew_only(contractor):
    other_zone = make_zone(code="CT-LOM", name="Lourdes")
    other = Contractor.objects.create(name="Redes Norte SRL")
    other.zones.add(other_zone)
    Crew.objects.create(contractor=other, name="Única", daily_capacity=5)
    account = make_account(number="LOM-1", route=make_route(code="CT-LOM-R1", zone=other_zone))
    for k in range(2):
        make_invoice(account=account, due_date=DRAWN_ON - timedelta(days=20 + 30 * k), amount="80.00")
    cut_list = services.cut_list_draw(drawn_on=DRAWN_ON)
    assert 'data-account="LOM-1"' in documents.cut_notices_html(cut_list)
    html = documents.cut_notices_html(cut_list, contractor_id=contractor.pk)
    assert 'data-account="LOM-1"' not in html and html.count('class="notice ') == 5

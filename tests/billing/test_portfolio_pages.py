import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from mora.core.roles import Role
from tests.factories import make_account, make_invoice, make_route, make_system, make_zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts():
    today = timezone.localdate()
    route = make_route(code="CT-SRO-R01", zone=make_zone(code="CT-SRO", name="San Roque", system=make_system()))
    created = []
    for i in range(60):
        account = make_account(number=f"2000{i:04d}", route=route, tarifa_dignidad=i % 3 == 0)
        make_invoice(account=account, due_date=today - timedelta(days=10 + i * 5), amount=Decimal("10.00") + i)
        created.append(account)
    return created


def test_dashboard_shows_totals_in_bolivian_format(client_for, accounts):
    html = client_for(Role.SUPERVISOR).get(reverse("billing:dashboard")).content.decode()
    # 60 invoices of 10 + i for i in 0..59 = 600 + 1770 = 2370
    assert "Bs 2.370,00" in html
    assert "Central Tarija" in html
    assert "Más de 180 días" in html


def test_arrears_list_pages_filters_and_sorts(client_for, accounts):
    client = client_for(Role.OFFICER)
    html = client.get(reverse("billing:arrears_list")).content.decode()
    assert "Página 1 de 2" in html
    assert html.index("20000059") < html.index("20000058")  # largest debt first
    html = client.get(reverse("billing:arrears_list"), {"beneficio": "dignidad"}).content.decode()
    assert '<span id="total-accounts">20</span>' in html
    html = client.get(reverse("billing:arrears_list"), {"orden": "deuda"}).content.decode()
    assert html.index("20000000") < html.index("20000001")


def test_arrears_list_htmx_returns_only_the_table(client_for, accounts):
    response = client_for(Role.OFFICER).get(reverse("billing:arrears_list"), {"q": "20000007"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert '<span id="total-accounts">1</span>' in html


def test_invalid_filter_is_reported_not_crashing(client_for, accounts):
    response = client_for(Role.OFFICER).get(reverse("billing:arrears_list"), {"deuda_min": "abc"})
    assert response.status_code == 200
    assert "Revise los filtros" in response.content.decode()


def test_export_contains_exactly_the_filtered_rows(client_for, accounts):
    client = client_for(Role.OFFICER)
    response = client.get(reverse("billing:arrears_export"), {"beneficio": "dignidad", "orden": "cuenta"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    numbers = [row[0] for row in rows]
    assert numbers == [f"2000{i:04d}" for i in range(60) if i % 3 == 0]
    assert sheet.cell(row=4, column=1).value == "Cuenta"
    assert rows[1][16] == pytest.approx(13.00)  # account 3: Bs 13,00

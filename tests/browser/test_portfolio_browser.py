import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from mora.core.demo_users import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.goto(f"{live_server.url}/ingresar/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()


def test_officer_logs_in_and_filters_the_portfolio(live_server, page, screenshot, settings):
    settings.DEBUG = False
    call_command("seed_demo", accounts=400, seed=11, today=timezone.localdate())
    call_command("demo_logins")

    page.goto(f"{live_server.url}/ingresar/")
    screenshot("01-ingreso")
    login(page, live_server, "oficial")
    expect(page.get_by_role("heading", name=re.compile("Cartera en mora"))).to_be_visible()
    expect(page.locator("#kpi-debt")).to_have_text(re.compile(r"^Bs \d{1,3}(\.\d{3})*,\d{2}$"))
    page.wait_for_timeout(300)  # let Chart.js draw for the screenshot
    screenshot("02-cartera")

    page.get_by_role("link", name="Cuentas en mora").first.click()
    expect(page.get_by_role("heading", name="Cuentas en mora")).to_be_visible()
    total_before = int(page.locator("#total-accounts").inner_text().replace(".", ""))
    assert total_before > 0

    # Filter by the oldest bucket: HTMX swaps the table and the URL keeps the filter.
    page.get_by_label("Antigüedad").select_option("180+")
    expect(page).to_have_url(re.compile(r"antiguedad=180%2B|antiguedad=180\+"))
    page.wait_for_load_state("networkidle")
    total_after = int(page.locator("#total-accounts").inner_text().replace(".", ""))
    assert 0 < total_after < total_before
    for days in page.locator("#arrears-table tbody tr td:nth-child(8)").all_inner_texts():
        assert int(days) > 180
    screenshot("03-cuentas-en-mora")

    # The export link carries exactly the filters on screen.
    assert "antiguedad=180" in page.locator("#export-link").get_attribute("href")

    # Open the first account.
    page.locator("#arrears-table tbody tr td a").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Cuenta \d+"))).to_be_visible()
    screenshot("04-cuenta")


def test_cashier_cannot_open_the_dashboard(live_server, page):
    call_command("demo_logins")
    login(page, live_server, "cajero")
    expect(page.get_by_role("heading", name="Buscar cuenta")).to_be_visible()
    response = page.goto(f"{live_server.url}/cartera/")
    assert response.status == 403
    expect(page.get_by_text("Su rol no permite ver esta página")).to_be_visible()


def test_supervisor_imports_a_file_and_sees_the_row_errors(live_server, page, screenshot, tmp_path):
    call_command("demo_logins")
    bad = tmp_path / "facturas.csv"
    bad.write_text(
        "numero_factura;numero_cuenta;periodo;fecha_emision;fecha_vencimiento;kwh;importe\n"
        "F-1;99999999;11/2026;01/11/2026;20/11/2026;120;1.234,50\n",
        encoding="utf-8",
    )
    login(page, live_server, "jefe")
    page.goto(f"{live_server.url}/cartera/importaciones/nueva/")
    screenshot("05-importar")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name=re.compile("Importar|Subir")).click()
    expect(page.get_by_text("99999999").first).to_be_visible()
    expect(page.get_by_text(re.compile("Rechazado")).first).to_be_visible()
    screenshot("06-importacion-rechazada")

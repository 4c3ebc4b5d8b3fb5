"""An officer builds a Solución Temprana in the simulator, the cashier posts the down payment and
the officer registers the signature: the agreement is in force ("Al día")."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from mora.agreements import services as agreement_services
from mora.agreements.models import Agreement
from tests.browser.test_portfolio_browser import login
from tests.factories import make_account, make_customer, make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECEIPT_SOURCE = "CAJA-SETAR"
RECEIPT_NUMBER = "V-2026-0001"
SCHEDULE_ROWS = "#schedule-table tbody tr"


def logout(page):
    page.get_by_role("button", name="Salir").click()
    page.wait_for_load_state("networkidle")


def test_officer_creates_an_early_solution_and_it_enters_into_force(live_server, page, screenshot):
    # Transactional tests flush the tables, the policies of the data migration included.
    agreement_services.policy_ensure_defaults()
    call_command("demo_logins")
    today = timezone.localdate()
    customer = make_customer(name="Rosa Quispe Mamani", id_number="4123456")
    account = make_account(number="30012345", customer=customer, address="Calle Sucre N° 310, Barrio El Molino")
    for months in (3, 2, 1):
        make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="300.00")
    quote_url = live_server.url + reverse("agreements:quote", args=[account.number])

    login(page, live_server, "oficial")
    page.goto(live_server.url + reverse("customers:account_detail", args=[account.number]))
    new_agreement = page.get_by_role("link", name="Nuevo convenio")
    if new_agreement.count():
        new_agreement.first.click()
    else:  # the account card is another engineer's work: go straight to the simulator
        page.goto(quote_url)
    expect(page.get_by_role("heading", name=re.compile(r"^Nuevo convenio"))).to_be_visible()
    expect(page.locator("#eligibility-ST")).to_contain_text("puede firmarlo")
    expect(page.get_by_label("Cuota inicial (Bs)")).to_have_value("180,00")
    expect(page.get_by_label("Número de cuotas")).to_have_value("3")
    expect(page.locator(SCHEDULE_ROWS)).to_have_count(4)  # down payment + 3
    expect(page.locator("#schedule-totals")).to_contain_text("Bs 900,00")
    screenshot("07-simulador")

    # The schedule follows the inputs without reloading the page.
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Número de cuotas").fill("2")
    expect(page.locator(SCHEDULE_ROWS)).to_have_count(3)
    expect(page.locator(SCHEDULE_ROWS).nth(1)).to_contain_text("Bs 360,00")  # 720 / 2
    page.get_by_label("Cuota inicial (Bs)").fill("100,00")  # below 20 %: not allowed for this kind
    expect(page.locator("#quote-blocking")).to_be_visible()
    expect(page.get_by_role("button", name="Crear convenio")).to_be_disabled()
    page.get_by_label("Cuota inicial (Bs)").fill("180,00")
    expect(page.locator("#quote-blocking")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True

    page.get_by_role("button", name="Crear convenio").click()
    agreement = Agreement.objects.get(account=account)
    assert agreement.installments_count == 2 and agreement.down_payment == Decimal("180.00")
    expect(page).to_have_url(re.compile(re.escape(reverse("agreements:detail", args=[agreement.number])) + "$"))
    expect(page.get_by_text(f"Convenio {agreement.number} creado: imprímalo y hágalo firmar")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Convenio {agreement.number}")).to_be_visible()
    screenshot("08-convenio")

    # The document to print and sign (the session's cookies go with page.request).
    pdf = page.request.get(live_server.url + reverse("agreements:document_pdf", args=[agreement.number]))
    assert pdf.status == 200, pdf.status
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body()[:4] == b"%PDF"

    # The customer pays the down payment at the cashier's window.
    try:
        payment_url = live_server.url + reverse("billing:payment_new")
    except NoReverseMatch:
        payment_url = None
    if payment_url:
        logout(page)
        login(page, live_server, "cajero")
        page.goto(f"{payment_url}?cuenta={account.number}")
        page.get_by_label("Número de cuenta").fill(account.number)
        page.get_by_label("Origen del recibo").fill(RECEIPT_SOURCE)
        page.get_by_label("Número de recibo").fill(RECEIPT_NUMBER)
        page.get_by_label("Importe (Bs)").fill("180,00")
        page.get_by_role("button", name="Registrar pago").click()
        expect(page.get_by_role("heading", name=f"Cuenta {account.number}")).to_be_visible()
        logout(page)
        login(page, live_server, "oficial")
    else:  # the cashier page is another engineer's work: post it as the billing system would
        from mora.billing.services import payment_record

        payment_record(
            source=RECEIPT_SOURCE,
            receipt_number=RECEIPT_NUMBER,
            account=account,
            paid_at=timezone.now(),
            amount=Decimal("180.00"),
            channel="VENTANILLA",
        )
    assert account.payments.filter(receipt_number=RECEIPT_NUMBER, amount=Decimal("180.00")).exists()

    # The officer registers the signature with the receipt: the agreement enters into force.
    page.goto(live_server.url + reverse("agreements:detail", args=[agreement.number]))
    page.get_by_label("Fecha de firma", exact=True).fill(today.isoformat())
    page.get_by_label(re.compile(r"^Nombre (del firmante|de quien firma)")).fill("Rosa Quispe Mamani")
    page.get_by_label(re.compile(r"^CI( del firmante)?$")).fill("4123456")
    page.get_by_label("Origen del recibo").fill(RECEIPT_SOURCE)
    page.get_by_label(re.compile(r"^Número de recibo")).fill(RECEIPT_NUMBER)
    page.get_by_role("button", name=re.compile(r"^Registrar firma")).click()
    expect(page.locator("#agreement-status")).to_have_text("Al día")
    agreement.refresh_from_db()
    assert agreement.status == "CURRENT" and agreement.down_payment_receipt.receipt_number == RECEIPT_NUMBER
    screenshot("09-convenio-vigente")

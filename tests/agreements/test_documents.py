"""Printed documents of agreements built through the real services. pypdf is not installed, so
the text is checked on the HTML the PDF is made from (`documents.agreement_html`), and the PDF
itself is checked for being produced (and, through WeasyPrint's layout, for its page count)."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
import weasyprint
from django.urls import reverse
from django.utils import timezone

from mora.agreements import documents, selectors, services
from mora.agreements.domain.policy import DEFAULT_POLICIES, AgreementKind
from mora.agreements.domain.words import amount_in_words, date_in_words
from mora.agreements.utility import utility_profile
from mora.billing.services import payment_record
from mora.core.roles import Role
from tests.factories import make_account, make_customer, make_invoice

pytestmark = pytest.mark.django_db


def pay(account, amount, receipt):
    payment_record(
        source="CAJA",
        receipt_number=receipt,
        account=account,
        paid_at=timezone.now(),
        amount=Decimal(amount),
        channel="VENTANILLA",
    )


def request_for(kind, **terms):
    return selectors.QuoteRequest(
        kind=kind,
        invoice_ids=None,
        down_payment=terms.get("down_payment"),
        installments=terms.get("installments"),
        first_due=terms.get("first_due"),
        signing_date=timezone.localdate(),
    )


def sign(agreement, officer, receipt="R-1", **signer):
    pay(agreement.account, str(agreement.down_payment), receipt)
    services.agreement_sign(
        actor=officer,
        agreement_id=agreement.pk,
        signed_on=timezone.localdate(),
        signer_name=signer.get("name", "María Quispe Flores"),
        signer_id_number=signer.get("id_number", "4123456"),
        signer_id_department=signer.get("department", "TJ"),
        receipt_source="CAJA",
        receipt_number=receipt,
    )
    agreement.refresh_from_db()
    return agreement


def debtor_account(number, *, large=False):
    today = timezone.localdate()
    customer = make_customer(name="María Quispe Flores", id_number=f"41{number[-5:]}", id_department="TJ")
    account = make_account(number=number, customer=customer, address="Av. La Paz N° 512, barrio San Roque")
    for months in (3, 2, 1):
        make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="300.00")
    if large:
        # A contract is for larger debts: this makes it eligible by size.
        make_invoice(account=account, due_date=today - timedelta(days=150), amount="3000.00")
    return account


def dates_of(agreement):
    return [f"{row.due_date:%d/%m/%Y}" for row in agreement.installments.filter(version=1)]


@pytest.fixture
def early_solution(users):
    account = debtor_account("50000001")
    return services.agreement_create(
        actor=users[Role.OFFICER], account=account, request=request_for(AgreementKind.EARLY_SOLUTION)
    )


@pytest.fixture
def contract(users):
    """24 installments without a social flag: outside policy, approved by the supervisor, with a
    guarantor, signed."""
    account = debtor_account("50000002", large=True)
    agreement = services.agreement_create(
        actor=users[Role.OFFICER],
        account=account,
        request=request_for(AgreementKind.DEBT_CONTRACT, installments=24),
        justification="Ingresos estacionales",
        guarantor_name="Juan Pérez Vaca",
        guarantor_id_number="3987654 TJ",
        notice_address="Calle Sucre N° 77, Tarija",
    )
    services.agreement_approve(
        actor=users[Role.SUPERVISOR], agreement_id=agreement.pk, reason="Familia con ingresos bajos"
    )
    agreement.refresh_from_db()
    return sign(agreement, users[Role.OFFICER])


# ---------------------------------------------------------------------------------------------
# Solución Temprana
# ---------------------------------------------------------------------------------------------


def test_early_solution_shows_debt_schedule_and_conditions(early_solution):
    html = documents.agreement_html(early_solution)
    assert f"SOLUCIÓN TEMPRANA N° {early_solution.number}" in html
    assert early_solution.debt == Decimal("900.00")
    assert "NOVECIENTOS 00/100 BOLIVIANOS" in html
    assert "Bs 900,00" in html and "Bs 180,00" in html
    for invoice_row in early_solution.covered_invoices.select_related("invoice"):
        assert invoice_row.invoice.number in html
    dates = dates_of(early_solution)
    assert len(dates) == 4  # cuota inicial + 3
    for due in dates:
        assert due in html
    assert "Cuota inicial" in html
    # The usual bill is the average of the invoices (Bs 300): each Bs 240 installment is 80 %.
    assert early_solution.usual_bill == Decimal("300.00")
    assert "% de su factura habitual" in html and "80,0 %" in html
    assert "Ley N° 1604" in html and "artículo 41" in html
    assert "una sola Solución Temprana por cuenta cada 12 meses" in html
    assert "Tarija, " + date_in_words(timezone.localdate()) in html
    # Not yet signed: said in the footer, no watermark; signed by the account holder.
    assert "Documento para firma" in html
    assert 'class="watermark"' not in html
    assert "María Quispe Flores" in html and "expedido en Tarija" in html
    # The acceleration clause belongs to contracts only.
    assert "aceleración" not in html.lower()
    assert "CLÁUSULA" not in html


def test_early_solution_fits_on_one_page(early_solution):
    html = documents.agreement_html(early_solution)
    assert len(weasyprint.HTML(string=html).render().pages) == 1


def test_cancelled_agreement_carries_the_void_watermark(early_solution, users):
    sign(early_solution, users[Role.OFFICER])
    services.agreement_cancel(actor=users[Role.OFFICER], agreement_id=early_solution.pk, reason="Error de digitación")
    early_solution.refresh_from_db()
    html = documents.agreement_html(early_solution)
    assert '<div class="watermark">ANULADO</div>' in html
    assert "Documento para firma" not in html


# ---------------------------------------------------------------------------------------------
# Contrato Privado
# ---------------------------------------------------------------------------------------------


def test_contract_has_every_clause_amounts_dates_and_parties(contract, users):
    html = documents.agreement_html(contract)
    assert f"N° {contract.number}" in html
    assert contract.debt == Decimal("3900.00")
    assert amount_in_words(contract.debt) == "TRES MIL NOVECIENTOS 00/100 BOLIVIANOS"
    assert "TRES MIL NOVECIENTOS 00/100 BOLIVIANOS" in html
    # Financed balance, also in words.
    assert amount_in_words(contract.debt - contract.down_payment) in html
    dates = dates_of(contract)
    assert len(dates) == 25
    for due in dates:
        assert due in html
    for clause in (
        "PRIMERA.-",
        "SEGUNDA.-",
        "TERCERA.-",
        "CUARTA.-",
        "QUINTA.-",
        "SEXTA.- (DE LA CLÁUSULA DE ACELERACIÓN)",
        "SÉPTIMA.-",
        "OCTAVA.-",
        "NOVENA.-",
        "DÉCIMA.-",
        "DÉCIMA PRIMERA.-",
        "DÉCIMA SEGUNDA.-",
        "DÉCIMA TERCERA.-",
    ):
        assert clause in html, clause
    assert "vencimiento anticipado de todas las cuotas pendientes" in html
    assert "no implicará novación" in html
    assert "artículo 379 de la Ley N° 439" in html
    assert "Decreto Supremo N° 26302" in html
    assert f"plazo de gracia de {contract.grace_days} días" in html
    # Parties: the utility and the signer as recorded at signature; the guarantor.
    assert "Servicios Eléctricos de Tarija S.A. (SETAR)" in html
    assert "María Quispe Flores" in html and "4123456 expedido en Tarija" in html
    assert "Juan Pérez Vaca" in html and "3987654 TJ" in html
    assert "GARANTE" in html and "sin garante" not in html
    assert "Calle Sucre N° 77, Tarija" in html
    # Outside policy: the supervisor's approval is on the document.
    boss = users[Role.SUPERVISOR]
    assert f"Aprobado fuera de política por {boss.get_full_name()} el " in html
    assert "Familia con ingresos bajos" in html
    # A reprint of a signed contract says so and is not "for signature".
    assert f"Copia: documento firmado el {contract.signed_on:%d/%m/%Y}" in html
    assert "Documento para firma" not in html


def test_unsigned_contract_without_guarantor_names_the_account_holder(users):
    account = debtor_account("50000003", large=True)
    agreement = services.agreement_create(
        actor=users[Role.OFFICER], account=account, request=request_for(AgreementKind.DEBT_CONTRACT, installments=12)
    )
    html = documents.agreement_html(agreement)
    assert "sin garante" in html and "GARANTE" not in html
    assert account.customer.name in html and f"{account.customer.id_number} expedido en Tarija" in html
    assert "Aprobado fuera de política" not in html
    assert "Documento para firma" in html
    # The default notice address is the customer's or the supply's.
    assert "Av. La Paz N° 512, barrio San Roque" in html


def test_contract_with_interest_prints_the_rate_and_the_interest(users):
    terms = dataclasses.replace(DEFAULT_POLICIES[AgreementKind.DEBT_CONTRACT], monthly_interest_rate=Decimal("0.005"))
    services.policy_update(
        actor=users[Role.SUPERVISOR], kind=AgreementKind.DEBT_CONTRACT, terms=terms, reason="Interés del 0,5 %"
    )
    account = debtor_account("50000004", large=True)
    agreement = services.agreement_create(
        actor=users[Role.OFFICER], account=account, request=request_for(AgreementKind.DEBT_CONTRACT, installments=6)
    )
    context = documents.agreement_context(agreement)
    assert context["totals"]["interest"] > 0
    assert context["totals"]["principal"] == agreement.debt
    html = documents.agreement_html(agreement)
    assert "un interés de 0,5 % mensual sobre saldo deudor" in html
    assert "será condonado" in html  # the on-time incentive of the default policy
    assert f"{context['totals']['interest']:.2f}".replace(".", ",") in html


def test_contract_pdf_is_produced_on_several_pages(contract):
    pdf = documents.agreement_pdf(contract)
    assert pdf.startswith(b"%PDF")
    assert len(weasyprint.HTML(string=documents.agreement_html(contract)).render().pages) >= 2


def test_utility_data_comes_from_settings_over_defaults(settings, contract):
    settings.MORA_UTILITY = {
        "name": "Distribuidora de Prueba S.A.",
        "nit": "1234567019",
        "representative_name": "Ana Ríos",
    }
    profile = utility_profile()
    assert profile["name"] == "Distribuidora de Prueba S.A."
    assert profile["city"] == "Tarija"  # default kept
    html = documents.agreement_html(contract)
    assert "Distribuidora de Prueba S.A." in html and "con NIT N° 1234567019" in html and "Ana Ríos" in html
    assert "SETAR" not in html.replace("Distribuidora de Prueba", "")


# ---------------------------------------------------------------------------------------------
# Adenda de reprogramación
# ---------------------------------------------------------------------------------------------


def test_addendum_preview_is_what_the_signature_records(early_solution, users):
    officer = users[Role.OFFICER]
    agreement = sign(early_solution, officer)
    today = timezone.localdate()
    reschedule = services.reschedule_request(
        actor=officer, agreement_id=agreement.pk, new_count=3, first_due=today + timedelta(days=40), reason="Enfermedad"
    )
    before = documents.addendum_context(reschedule)
    assert [line.number for line in before["previous"]] == [1, 2, 3]
    assert before["carried"] == Decimal("720.00")
    assert len(before["new"]) == 3 and before["preview_error"] == ""
    html = documents.addendum_html(reschedule)
    assert f"ADENDA DE REPROGRAMACIÓN N° {reschedule.number}" in html
    assert f"Solución Temprana N° {agreement.number} de fecha {agreement.signed_on:%d/%m/%Y}" in html
    assert "«Enfermedad»" in html
    assert "SETECIENTOS VEINTE 00/100 BOLIVIANOS" in html
    assert "Documento para firma" in html
    for line in before["previous"] + before["new"]:
        assert f"{line.due_date:%d/%m/%Y}" in html

    services.reschedule_sign(actor=officer, reschedule_id=reschedule.pk, signed_on=today)
    reschedule.refresh_from_db()
    after = documents.addendum_context(reschedule)

    def key(lines):
        return [(line.number, line.due_date, line.principal, line.interest) for line in lines]

    assert key(after["new"]) == key(before["new"])
    assert key(after["previous"]) == key(before["previous"])
    assert after["carried"] == before["carried"]
    assert f"Copia: adenda firmada el {today:%d/%m/%Y}" in documents.addendum_html(reschedule)
    # The agreement still prints its schedule as signed, with a note of the adenda.
    agreement_html = documents.agreement_html(agreement)
    assert f"la adenda N° {reschedule.number} firmada el {today:%d/%m/%Y}" in agreement_html
    assert documents.addendum_pdf(reschedule).startswith(b"%PDF")


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CASHIER, Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR])
def test_readers_get_the_pdf_inline(client_for, early_solution, role):
    response = client_for(role).get(reverse("agreements:document_pdf", args=[early_solution.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{early_solution.number}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_coordinator_may_not_see_documents(client_for, early_solution):
    response = client_for(Role.COORDINATOR).get(reverse("agreements:document_pdf", args=[early_solution.number]))
    assert response.status_code == 403


def test_anonymous_user_goes_to_login(client, early_solution):
    response = client.get(reverse("agreements:document_pdf", args=[early_solution.number]))
    assert response.status_code == 302


def test_unknown_numbers_are_404(client_for):
    client = client_for(Role.OFFICER)
    assert client.get(reverse("agreements:document_pdf", args=["CPRD-2026-999999"])).status_code == 404
    assert client.get(reverse("agreements:addendum_pdf", args=["ADCPRD-2026-999999"])).status_code == 404


def test_addendum_view(client_for, early_solution, users):
    agreement = sign(early_solution, users[Role.OFFICER])
    reschedule = services.reschedule_request(
        actor=users[Role.OFFICER],
        agreement_id=agreement.pk,
        new_count=3,
        first_due=timezone.localdate() + timedelta(days=40),
        reason="Pérdida de empleo",
    )
    url = reverse("agreements:addendum_pdf", args=[reschedule.number])
    response = client_for(Role.AUDITOR).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{reschedule.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    assert client_for(Role.COORDINATOR).get(url).status_code == 403

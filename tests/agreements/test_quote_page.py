"""The simulator page: who may open it, the HTMX partial, and creating from it."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mora.agreements.domain.states import AgreementStatus
from mora.agreements.models import Agreement
from mora.core.roles import Role
from tests.factories import make_account, make_invoice

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def debtor():
    today = timezone.localdate()
    account = make_account(number="41000001", address="Av. Las Américas 100")
    for months in (3, 2, 1):
        make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="300.00")
    return account


def url(account):
    return reverse("agreements:quote", args=[account.number])


def invoice_ids(account):
    return [str(pk) for pk in account.invoices.order_by("due_date").values_list("pk", flat=True)]


def form_data(account, **overrides):
    data = {
        "kind": "ST",
        "prev_kind": "ST",
        "invoices_sent": "1",
        "invoices": invoice_ids(account),
        "down_payment": "180,00",
        "installments": "3",
        "first_due": "",
        "guarantor_name": "",
        "guarantor_id_number": "",
        "notice_address": "",
        "justification": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.OFFICER, 200),
        (Role.SUPERVISOR, 200),
        (Role.CASHIER, 403),
        (Role.COORDINATOR, 403),
        (Role.AUDITOR, 403),
        (Role.ADMIN, 403),
    ],
)
def test_quote_page_access_by_role(client_for, debtor, role, status):
    assert client_for(role).get(url(debtor)).status_code == status


def test_anonymous_is_sent_to_login(client, debtor):
    response = client.get(url(debtor))
    assert response.status_code == 302 and "/ingresar/" in response["Location"]


def test_unknown_account_is_404(client_for):
    assert client_for(Role.OFFICER).get(reverse("agreements:quote", args=["00000000"])).status_code == 404


def test_page_shows_account_eligibility_and_prefilled_policy_terms(client_for, debtor):
    response = client_for(Role.OFFICER).get(url(debtor))
    html = response.content.decode()
    assert debtor.customer.name in html
    assert "Bs 900,00" in html  # overdue debt
    # 3 invoices and Bs 900: a Solución Temprana, not a contract (too small, never breached).
    assert 'id="eligibility-ST"' in html and "puede firmarlo" in html
    assert "no corresponde" in html
    form = response.context["form"]
    assert form["kind"].value() == "ST"
    assert form["down_payment"].value() == "180,00"  # 20 % of 900
    assert form["installments"].value() == 3
    assert form["notice_address"].value() == "Av. Las Américas 100"  # the holder has no address of his own
    # Every overdue invoice is checked, and the schedule of the defaults is already shown.
    assert response.context["checked"] == {int(pk) for pk in invoice_ids(debtor)}
    assert html.count('name="invoices"') == 3
    assert "Cuota inicial" in html and "Bs 240,00" in html  # 720 / 3


def test_partial_more_installments_more_rows(client_for, debtor):
    client = client_for(Role.OFFICER)
    two = client.get(url(debtor), form_data(debtor, installments="2"), **HX)
    three = client.get(url(debtor), form_data(debtor, installments="3"), **HX)
    assert two.templates[0].name == "agreements/_quote_result.html"
    assert len(two.context["rows"]) == 3  # down payment + 2
    assert len(three.context["rows"]) == 4
    assert "<html" not in two.content.decode()
    # The totals add up exactly to the debt.
    assert three.context["total_principal"] == three.context["quote"].debt


def test_partial_accepts_both_decimal_formats(client_for, debtor):
    client = client_for(Role.OFFICER)
    comma = client.get(url(debtor), form_data(debtor, down_payment="200,50"), **HX).context["quote"]
    dot = client.get(url(debtor), form_data(debtor, down_payment="200.50"), **HX).context["quote"]
    assert str(comma.down_payment) == str(dot.down_payment) == "200.50"


def test_partial_low_down_payment_is_a_violation_or_a_hard_limit(client_for, debtor):
    # A Solución Temprana admits no approval: a down payment below 20 % cannot be created.
    response = client_for(Role.OFFICER).get(url(debtor), form_data(debtor, down_payment="50,00"), **HX)
    html = response.content.decode()
    assert not response.context["quote"].can_create
    assert 'id="quote-blocking"' in html or "Fuera de política" in html
    assert "disabled" in html


def test_partial_contract_below_minimum_asks_for_the_supervisor(client_for, debtor):
    make_invoice(account=debtor, due_date=timezone.localdate() - timedelta(days=150), amount="3000.00")
    data = form_data(debtor, kind="CPRD", prev_kind="CPRD", down_payment="500,00", installments="6")
    response = client_for(Role.OFFICER).get(url(debtor), data, **HX)
    html = response.content.decode()
    assert "Fuera de política: necesita aprobación del Jefe de la Unidad" in html
    assert response.context["quote"].violations
    assert "Crear y enviar al jefe" in html


def test_partial_switching_kind_refills_the_policy_defaults(client_for, debtor):
    make_invoice(account=debtor, due_date=timezone.localdate() - timedelta(days=150), amount="3000.00")
    data = form_data(debtor, kind="CPRD", prev_kind="ST", down_payment="1,00", installments="1")
    response = client_for(Role.OFFICER).get(url(debtor), data, **HX)
    quote = response.context["quote"]
    assert quote.down_payment == quote.min_down_payment == quote.debt * 30 / 100
    assert '"quoteDefaults"' in response["HX-Trigger"] and '"prev_kind": "CPRD"' in response["HX-Trigger"]
    assert "1.170,00" in response["HX-Trigger"]  # 30 % of 3.900
    # Without a switch the officer's numbers stay.
    same = client_for(Role.OFFICER).get(url(debtor), {**data, "prev_kind": "CPRD"}, **HX)
    assert same.context["quote"].down_payment == 1


def test_partial_unchecking_invoices_lowers_the_debt(client_for, debtor):
    ids = invoice_ids(debtor)
    response = client_for(Role.OFFICER).get(url(debtor), form_data(debtor, invoices=ids[:2], down_payment="120"), **HX)
    assert response.context["quote"].debt == 600
    none = client_for(Role.OFFICER).get(url(debtor), form_data(debtor, invoices=[]), **HX)
    assert "Elija al menos una factura vencida con saldo." in none.content.decode()


def test_partial_unreadable_amount_shows_the_error(client_for, debtor):
    response = client_for(Role.OFFICER).get(url(debtor), form_data(debtor, down_payment="doscientos"), **HX)
    assert "Escriba un importe" in response.content.decode()
    assert response.context["rows"] == []


def test_post_creates_and_redirects(client_for, debtor):
    client = client_for(Role.OFFICER)
    response = client.post(url(debtor), {**form_data(debtor), "crear": "1"})
    agreement = Agreement.objects.get(account=debtor)
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:detail", args=[agreement.number])
    assert agreement.status == AgreementStatus.AWAITING_SIGNATURE
    assert agreement.installments_count == 3 and agreement.down_payment == 180
    followed = client.get(url(debtor))  # the message is kept for the next page
    assert f"Convenio {agreement.number} creado: imprímalo y hágalo firmar" in followed.content.decode()


def test_post_without_crear_only_simulates(client_for, debtor):
    response = client_for(Role.OFFICER).post(url(debtor), form_data(debtor))
    assert response.status_code == 200
    assert not Agreement.objects.exists()


def test_outside_policy_without_justification_creates_nothing(client_for, debtor):
    make_invoice(account=debtor, due_date=timezone.localdate() - timedelta(days=150), amount="3000.00")
    data = {**form_data(debtor, kind="CPRD", prev_kind="CPRD", down_payment="1170,00", installments="18"), "crear": "1"}
    client = client_for(Role.OFFICER)
    response = client.post(url(debtor), data)
    assert response.status_code == 200
    assert "escriba la justificación para el jefe" in response.content.decode()
    assert not Agreement.objects.exists()
    # With a justification it goes to the supervisor.
    response = client.post(url(debtor), {**data, "justification": "Ingreso irregular"})
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.PENDING_APPROVAL
    assert response.status_code == 302
    page = client.get(url(debtor)).content.decode()
    assert f"Convenio {agreement.number} creado y enviado al jefe para aprobación" in page


def test_partial_is_fast_with_24_invoices(client_for):
    today = timezone.localdate()
    account = make_account()
    for months in range(24, 0, -1):
        make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="150.00")
    client = client_for(Role.OFFICER)
    data = form_data(account, kind="CPRD", prev_kind="CPRD", down_payment="1080", installments="12")
    client.get(url(account), data, **HX)  # warm up templates and the calendar
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get(url(account), data, **HX)
        timings.append(time.perf_counter() - start)
    assert response.status_code == 200 and len(response.context["rows"]) == 13
    print(f"partial render: min {min(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms")
    assert min(timings) < 0.2, timings

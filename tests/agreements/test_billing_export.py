"""Export of the month's installments to the billing system."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mora.agreements import selectors, services
from mora.agreements.domain.policy import AgreementKind
from mora.agreements.domain.states import AgreementStatus
from mora.agreements.forms_quote import next_month
from mora.agreements.models import Installment
from mora.agreements.selectors_export import installments_due_in_period
from mora.billing.services import payment_record
from mora.core.roles import Role
from tests.factories import make_account, make_invoice

pytestmark = pytest.mark.django_db

_receipts = iter(range(1, 10_000))


def pay(account, amount):
    payment_record(
        source="CAJA",
        receipt_number=f"R-{next(_receipts)}",
        account=account,
        paid_at=timezone.now(),
        amount=Decimal(amount),
        channel="VENTANILLA",
    )


def agreement_for(officer, number, *, sign=True):
    """A Solución Temprana of Bs 900 (180 down, 3 x 240), signed unless told otherwise."""
    today = timezone.localdate()
    account = make_account(number=number)
    for months in (3, 2, 1):
        make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="300.00")
    request = selectors.QuoteRequest(
        kind=AgreementKind.EARLY_SOLUTION,
        invoice_ids=None,
        down_payment=None,
        installments=None,
        first_due=None,
        signing_date=today,
    )
    agreement = services.agreement_create(actor=officer, account=account, request=request)
    if sign:
        pay(account, "180.00")
        payment = account.payments.get()
        services.agreement_sign(
            actor=officer,
            agreement_id=agreement.pk,
            signed_on=today,
            signer_name="Titular",
            signer_id_number="123",
            receipt_source=payment.source,
            receipt_number=payment.receipt_number,
        )
        agreement.refresh_from_db()
    return agreement


def first_installment(agreement):
    return agreement.installments.get(number=1, superseded=False)


@pytest.fixture
def portfolio(users):
    officer = users[Role.OFFICER]
    current = agreement_for(officer, "50000001")
    partly_paid = agreement_for(officer, "50000002")
    pay(partly_paid.account, "100.00")
    fully_paid = agreement_for(officer, "50000003")
    pay(fully_paid.account, "240.00")
    cancelled = agreement_for(officer, "50000004")
    services.agreement_cancel(actor=officer, agreement_id=cancelled.pk, reason="Error de digitación")
    unsigned = agreement_for(officer, "50000005", sign=False)
    rescheduled = agreement_for(officer, "50000006")
    first = first_installment(rescheduled)
    reschedule = services.reschedule_request(
        actor=officer,
        agreement_id=rescheduled.pk,
        new_count=3,
        first_due=first.due_date + timedelta(days=40),
        reason="Enfermedad",
    )
    services.reschedule_sign(actor=officer, reschedule_id=reschedule.pk, signed_on=timezone.localdate())
    waived = agreement_for(officer, "50000007")
    Installment.objects.filter(pk=first_installment(waived).pk).update(interest=Decimal("5.00"), interest_waived=True)
    with_interest = agreement_for(officer, "50000008")
    Installment.objects.filter(pk=first_installment(with_interest).pk).update(interest=Decimal("5.00"))
    due = first_installment(current).due_date
    return {
        "period": (due.year, due.month),
        "current": current,
        "partly_paid": partly_paid,
        "fully_paid": fully_paid,
        "cancelled": cancelled,
        "unsigned": unsigned,
        "rescheduled": rescheduled,
        "waived": waived,
        "with_interest": with_interest,
    }


def test_exactly_the_installments_of_the_month(portfolio, django_assert_num_queries):
    year, month = portfolio["period"]
    assert portfolio["current"].status == AgreementStatus.CURRENT
    with django_assert_num_queries(1):
        rows = installments_due_in_period(year=year, month=month)
    by_agreement = {row.agreement_number: row for row in rows}
    expected = {portfolio[key].number for key in ("current", "partly_paid", "waived", "with_interest")}
    assert set(by_agreement) == expected
    assert len(rows) == 4  # one installment each: the second ones fall in the next month
    assert all(row.due_date.month == month and row.number == 1 for row in rows)

    current = by_agreement[portfolio["current"].number]
    assert (current.principal, current.interest, current.amount_due) == (
        Decimal("240.00"),
        Decimal("0.00"),
        Decimal("240.00"),
    )
    assert current.concept == f"Cuota 1/3 convenio {portfolio['current'].number}"
    assert current.account_number == "50000001"
    assert current.kind_label == "Solución Temprana"
    assert by_agreement[portfolio["partly_paid"].number].amount_due == Decimal("140.00")  # the balance
    waived = by_agreement[portfolio["waived"].number]
    assert waived.interest == Decimal("0.00") and waived.amount_due == Decimal("240.00")
    charged = by_agreement[portfolio["with_interest"].number]
    assert charged.interest == Decimal("5.00") and charged.amount_due == Decimal("245.00")


def test_rescheduled_numbering_continues(portfolio):
    new_rows = portfolio["rescheduled"].installments.filter(superseded=False, number__gt=0).order_by("number")
    due = new_rows.first().due_date
    rows = [
        row
        for row in installments_due_in_period(year=due.year, month=due.month)
        if row.agreement_number == portfolio["rescheduled"].number
    ]
    assert rows and rows[0].concept.startswith(f"Cuota {new_rows.first().number}/{new_rows.last().number} ")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SUPERVISOR, 200),
        (Role.ADMIN, 200),
        (Role.AUDITOR, 200),
        (Role.OFFICER, 403),
        (Role.CASHIER, 403),
        (Role.COORDINATOR, 403),
    ],
)
def test_access_by_role(client_for, role, status):
    assert client_for(role).get(reverse("agreements:billing_export")).status_code == status


def test_page_defaults_to_next_month_and_previews(client_for, portfolio):
    client = client_for(Role.SUPERVISOR)
    default = client.get(reverse("agreements:billing_export"))
    assert default.context["form"].cleaned_data["periodo"] == next_month(timezone.localdate())
    year, month = portfolio["period"]
    response = client.get(reverse("agreements:billing_export"), {"periodo": f"{year}-{month:02d}"})
    html = response.content.decode()
    assert response.context["totals"].count == 4
    assert response.context["totals"].amount_due == Decimal("865.00")  # 240 + 140 + 240 + 245
    assert "Bs 865,00" in html and portfolio["current"].number in html
    assert portfolio["cancelled"].number not in html
    assert "formato=csv" in html and "formato=xlsx" in html


def test_bad_period_is_refused(client_for):
    response = client_for(Role.SUPERVISOR).get(reverse("agreements:billing_export"), {"periodo": "2026-13"})
    assert response.status_code == 400
    assert "Elija un mes (AAAA-MM)." in response.content.decode()


def test_csv_semicolon_bom_decimal_comma_and_totals(client_for, portfolio):
    year, month = portfolio["period"]
    response = client_for(Role.AUDITOR).get(
        reverse("agreements:billing_export"), {"periodo": f"{year}-{month:02d}", "formato": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert f"cuotas-a-facturar-{year}-{month:02d}.csv" in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["Cuenta", "Titular", "Convenio"]
    assert len(lines) == 1 + 4 + 1
    row = next(line for line in lines if line[2] == portfolio["partly_paid"].number)
    assert row[6:9] == ["240,00", "0,00", "140,00"]
    assert row[5].count("/") == 2  # dd/mm/yyyy
    assert row[9] == f"Cuota 1/3 convenio {portfolio['partly_paid'].number}"
    assert lines[-1][0] == "TOTAL" and lines[-1][8] == "865,00"


def test_xlsx_download(client_for, portfolio):
    year, month = portfolio["period"]
    response = client_for(Role.SUPERVISOR).get(
        reverse("agreements:billing_export"), {"periodo": f"{year}-{month:02d}", "formato": "xlsx"}
    )
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = b"".join(response.streaming_content)
    assert content[:2] == b"PK"

"""The cashier's page: post a payment at the window, idempotent on the receipt."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mora.billing.models import Invoice, Payment
from mora.core.roles import Role
from tests.factories import make_account, make_customer, make_invoice

pytestmark = pytest.mark.django_db

O, S, C, K, A, D = Role.OFFICER, Role.SUPERVISOR, Role.CASHIER, Role.COORDINATOR, Role.AUDITOR, Role.ADMIN  # noqa: E741
URL = "billing:payment_new"


@pytest.fixture
def account():
    account = make_account(number="70000001", customer=make_customer(name="Rosa Flores Vaca"))
    today = timezone.localdate()
    make_invoice(account=account, due_date=today - timedelta(days=60), amount="300.00")
    make_invoice(account=account, due_date=today - timedelta(days=30), amount="200.00")
    return account


def form_data(**changes):
    paid_at = timezone.localtime() - timedelta(hours=1)
    data = {
        "account": "70000001",
        "source": "CAJA-SETAR",
        "receipt_number": "000123",
        "amount": "1.234,50",
        "paid_at": paid_at.strftime("%Y-%m-%dT%H:%M"),
        "channel": "VENTANILLA",
    }
    data.update(changes)
    return data


def test_only_cashier_and_supervisor(client, users, account):
    url = reverse(URL)
    assert reverse("login") in client.get(url)["Location"]
    for role in Role.values:
        client.force_login(users[role])
        get, post = client.get(url), client.post(url, {})
        expected = 200 if role in {C, S} else 403
        assert get.status_code == expected and post.status_code == expected, role


def test_form_defaults(client_for):
    html = client_for(C).get(reverse(URL)).content.decode()
    assert 'value="CAJA-SETAR"' in html
    assert f'value="{timezone.localtime():%Y-%m-%dT}' in html  # now, as the default date-time
    assert '<option value="VENTANILLA" selected>' in html


def test_posts_a_payment_and_a_repeat_changes_nothing(client_for, users, account):
    client = client_for(C)
    data = form_data()
    response = client.post(reverse(URL), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("customers:account_detail", kwargs={"number": "70000001"})
    text = " ".join(str(m) for m in response.context["messages"])
    assert "CAJA-SETAR/000123" in text and "Bs 1.234,50" in text and "registrado" in text
    assert "saldo a favor sin aplicar: Bs 734,50" in text  # 1.234,50 minus the 500 owed
    payment = Payment.objects.get()
    assert payment.amount == Decimal("1234.50") and payment.posted_by == users[C]
    assert list(Invoice.objects.filter(account=account).values_list("balance", flat=True)) == [0, 0]

    response = client.post(reverse(URL), data, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "ya estaba registrado" in text and "no se cambió nada" in text
    assert Payment.objects.count() == 1
    assert Payment.objects.get().unapplied == Decimal("734.50")


def test_amount_in_plain_format_is_accepted(client_for, account):
    client_for(S).post(reverse(URL), form_data(amount="250.50", receipt_number="R-2"))
    payment = Payment.objects.get(receipt_number="R-2")
    assert payment.amount == Decimal("250.50") and payment.unapplied == 0
    assert Invoice.objects.get(account=account, amount=Decimal("300.00")).balance == Decimal("49.50")


@pytest.mark.parametrize("amount", ["abc", "1.23.4,5", "0", "-5"])
def test_bad_amount_shows_a_spanish_error(client_for, account, amount):
    response = client_for(C).post(reverse(URL), form_data(amount=amount))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Importe no válido" in html or "mayor que cero" in html
    assert not Payment.objects.exists()


def test_future_date_unknown_account_and_reused_receipt(client_for, account):
    client = client_for(C)
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    html = client.post(reverse(URL), form_data(paid_at=future)).content.decode()
    assert "no puede ser futura" in html
    html = client.post(reverse(URL), form_data(account="99999999")).content.decode()
    assert "No existe la cuenta 99999999" in html
    assert not Payment.objects.exists()
    client.post(reverse(URL), form_data())
    # Same receipt, other amount: the billing system must never reuse a receipt number.
    html = client.post(reverse(URL), form_data(amount="10,00")).content.decode()
    assert "ya está registrado con otros datos" in html
    assert Payment.objects.get().amount == Decimal("1234.50")


def test_account_lookup_shows_holder_and_debt(client_for, account):
    client = client_for(C)
    response = client.get(reverse(URL), {"account": "70000001"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Rosa Flores Vaca" in html and "Bs 500,00" in html
    html = client.get(reverse(URL), {"account": "123"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No existe la cuenta 123" in html

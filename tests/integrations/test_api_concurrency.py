"""Real concurrent clients over HTTP against a live server on PostgreSQL."""

import json
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from mora.agreements.models import InstallmentPayment
from mora.billing.models import Invoice, Payment, PaymentAllocation
from mora.integrations.models import Scope
from mora.integrations.services import api_client_create
from tests.factories import make_account, make_invoice

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 50


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serializes every write); CI runs on PostgreSQL.")


def post(url, token, body, key):
    """A client that retries when the connection is refused or reset, as a cashier system
    would: the test server's listen backlog is small, and the Idempotency-Key makes a retry
    safe even when the first attempt did reach the server."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"},
        method="POST",
    )
    for attempt in range(20):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("el servidor no respondió después de 20 intentos")


def run_concurrently(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.fixture
def setup(live_server):
    account = make_account(number="80000001")
    for months in range(1, 13):
        make_invoice(account=account, due_date=timezone.localdate() - timedelta(days=30 * months), amount="100.00")
    _, token = api_client_create(actor=None, name="caja", scopes=[Scope.PAYMENTS_WRITE])
    return account, token, f"{live_server.url}/api/v1/payments"


def body(receipt, amount="10.00"):
    return {
        "receipt_number": receipt,
        "source": "CAJA",
        "account": "80000001",
        "amount": amount,
        "paid_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "channel": "VENTANILLA",
    }


def test_same_receipt_posted_50_times_at_once_creates_one_payment(setup):
    account, token, url = setup
    same = body("R-1", "25.00")
    results = run_concurrently([lambda i=i: post(url, token, same, key=f"key-{i}") for i in range(THREADS)])
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1 and statuses.count(200) == THREADS - 1, statuses
    assert Payment.objects.count() == 1
    assert Invoice.objects.filter(account=account).aggregate(s=Sum("balance"))["s"] == Decimal("1175.00")


def test_50_different_payments_to_one_account_are_each_allocated_once(setup):
    account, token, url = setup
    results = run_concurrently(
        [lambda i=i: post(url, token, body(f"R-{i}", "7.00"), key=f"key-{i}") for i in range(THREADS)]
    )
    assert all(status == 201 for status, _ in results), [r for r in results if r[0] != 201][:3]
    assert Payment.objects.count() == THREADS
    for payment in Payment.objects.all():
        allocated = PaymentAllocation.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] or 0
        to_installments = InstallmentPayment.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] or 0
        assert allocated + to_installments + payment.unapplied == payment.amount
    total_balance = Invoice.objects.filter(account=account).aggregate(s=Sum("balance"))["s"]
    assert total_balance == Decimal("1200.00") - Decimal("7.00") * THREADS
    # Oldest first: the paid money sits entirely on the oldest invoices.
    oldest = Invoice.objects.filter(account=account).order_by("due_date").first()
    assert oldest.balance == Decimal("0.00")

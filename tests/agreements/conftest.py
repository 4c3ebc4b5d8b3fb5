from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_account, make_invoice


@pytest.fixture
def debtor(db):
    """An account with three overdue invoices of Bs 300 (Bs 900 overdue)."""
    today = timezone.localdate()
    account = make_account(number="40000001")
    for months in (3, 2, 1):
        make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="300.00")
    return account

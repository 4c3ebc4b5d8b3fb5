from datetime import date, timedelta
from decimal import Decimal

import pytest

from mora.billing.selectors import ArrearsFilters, arrears_rows, arrears_totals, portfolio_summary
from mora.customers.models import Category
from tests.factories import make_account, make_invoice, make_route, make_system, make_zone

TODAY = date(2026, 12, 4)
pytestmark = pytest.mark.django_db


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def portfolio():
    """Four accounts with known debts:
    a1: two overdue invoices, oldest 45 days -> 31-60, debt 250.50 (plus one paid, one not due yet)
    a2: one overdue invoice 200 days -> 180+, debt 1.234,50, Tarifa Dignidad, other system
    a3: partially paid invoice 10 days overdue -> 0-30, debt 40.00, General
    a4: nothing overdue (paid and not yet due) -> not in arrears
    """
    ct = make_system(code="CT", name="Central Tarija")
    ya = make_system(code="YA", name="Yacuiba")
    route_ct = make_route(code="CT-SRO-R01", zone=make_zone(code="CT-SRO", name="San Roque", system=ct))
    route_ya = make_route(code="YA-LAP-R01", zone=make_zone(code="YA-LAP", name="Lapachal", system=ya))
    a1 = make_account(number="10000001", route=route_ct)
    make_invoice(account=a1, due_date=days_ago(45), amount="150.50")
    make_invoice(account=a1, due_date=days_ago(15), amount="100.00")
    make_invoice(account=a1, due_date=days_ago(75), amount="90.00", balance="0")
    make_invoice(account=a1, due_date=TODAY + timedelta(days=5), amount="80.00")
    a2 = make_account(number="10000002", route=route_ya, tarifa_dignidad=True)
    make_invoice(account=a2, due_date=days_ago(200), amount="1234.50")
    a3 = make_account(number="10000003", route=route_ct, category=Category.GENERAL)
    make_invoice(account=a3, due_date=days_ago(10), amount="100.00", balance="40.00")
    a4 = make_account(number="10000004", route=route_ct)
    make_invoice(account=a4, due_date=days_ago(40), amount="60.00", balance="0")
    make_invoice(account=a4, due_date=TODAY, amount="60.00")  # due today: not overdue yet
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "ct": ct, "ya": ya}


def numbers(rows):
    return [row["account__number"] for row in rows]


def test_arrears_rows_aggregate_only_overdue_unpaid_invoices(portfolio):
    rows = {row["account__number"]: row for row in arrears_rows(today=TODAY, filters=ArrearsFilters())}
    assert set(rows) == {"10000001", "10000002", "10000003"}
    assert rows["10000001"]["debt"] == Decimal("250.50")
    assert rows["10000001"]["unpaid_count"] == 2
    assert rows["10000001"]["oldest_due"] == days_ago(45)
    assert rows["10000003"]["debt"] == Decimal("40.00")


def test_default_order_is_largest_debt_first(portfolio):
    assert numbers(arrears_rows(today=TODAY, filters=ArrearsFilters())) == ["10000002", "10000001", "10000003"]
    assert numbers(arrears_rows(today=TODAY, filters=ArrearsFilters(sort="antiguedad"))) == [
        "10000002",
        "10000001",
        "10000003",
    ]
    assert numbers(arrears_rows(today=TODAY, filters=ArrearsFilters(sort="deuda"))) == [
        "10000003",
        "10000001",
        "10000002",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ArrearsFilters(bucket="0-30"), ["10000003"]),
        (ArrearsFilters(bucket="31-60"), ["10000001"]),
        (ArrearsFilters(bucket="180+"), ["10000002"]),
        (ArrearsFilters(bucket="61-90"), []),
        (ArrearsFilters(social_flag="dignidad"), ["10000002"]),
        (ArrearsFilters(social_flag="ninguna"), ["10000001", "10000003"]),
        (ArrearsFilters(category=Category.GENERAL), ["10000003"]),
        (ArrearsFilters(min_debt=Decimal("100"), max_debt=Decimal("300")), ["10000001"]),
        (ArrearsFilters(min_unpaid=2), ["10000001"]),
        (ArrearsFilters(max_unpaid=1), ["10000002", "10000003"]),
        (ArrearsFilters(text="10000003"), ["10000003"]),
        (ArrearsFilters(route="ya-lap-r01"), ["10000002"]),
    ],
)
def test_filters(portfolio, filters, expected):
    assert sorted(numbers(arrears_rows(today=TODAY, filters=filters))) == sorted(expected)


def test_filter_by_system_and_zone(portfolio):
    by_system = arrears_rows(today=TODAY, filters=ArrearsFilters(system=portfolio["ya"].pk))
    assert numbers(by_system) == ["10000002"]
    zone = portfolio["a1"].zone_id
    assert sorted(numbers(arrears_rows(today=TODAY, filters=ArrearsFilters(zone=zone)))) == ["10000001", "10000003"]


def test_totals_follow_the_filters(portfolio):
    totals = arrears_totals(arrears_rows(today=TODAY, filters=ArrearsFilters()))
    assert totals == {"accounts": 3, "debt": Decimal("1525.00")}
    totals = arrears_totals(arrears_rows(today=TODAY, filters=ArrearsFilters(system=portfolio["ct"].pk)))
    assert totals == {"accounts": 2, "debt": Decimal("290.50")}


def test_portfolio_summary_buckets_and_dimensions(portfolio):
    summary = portfolio_summary(today=TODAY)
    assert summary.accounts == 3
    assert summary.total_accounts == 4
    assert summary.debt == Decimal("1525.00")
    assert summary.invoices == 4
    buckets = {row["key"]: (row["accounts"], row["debt"]) for row in summary.by_bucket}
    assert buckets == {
        "0-30": (1, Decimal("40.00")),
        "31-60": (1, Decimal("250.50")),
        "61-90": (0, Decimal("0.00")),
        "91-180": (0, Decimal("0.00")),
        "180+": (1, Decimal("1234.50")),
    }
    systems = {row["label"]: row["debt"] for row in summary.by_system}
    assert systems == {"Yacuiba": Decimal("1234.50"), "Central Tarija": Decimal("290.50")}
    categories = {row["label"]: row["accounts"] for row in summary.by_category}
    assert categories == {"Domiciliaria": 2, "General": 1}
    flags = {row["key"]: row["accounts"] for row in summary.by_flag}
    assert flags == {"dignidad": 1, "ninguna": 2}
    assert sum(row["debt"] for row in summary.by_zone) == summary.debt


def test_portfolio_summary_for_one_system(portfolio):
    summary = portfolio_summary(today=TODAY, system=portfolio["ct"].pk)
    assert summary.accounts == 2
    assert summary.total_accounts == 3
    assert summary.debt == Decimal("290.50")

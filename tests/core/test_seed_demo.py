import hashlib
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mora.billing.models import Invoice, Payment, PaymentAllocation
from mora.customers.models import Account, Complaint, Customer, Hold, Route, System, Zone
from mora.demo import generator
from mora.demo.generator import AGING_BUCKETS, DemoGenerator, bucket_of

TODAY = date(2026, 5, 20)


def seed(n: int, seed: int = 7, *extra: str) -> str:
    out = StringIO()
    call_command(
        "seed_demo", "--accounts", str(n), "--seed", str(seed), "--today", TODAY.isoformat(), *extra, stdout=out
    )
    return out.getvalue()


def pure_rows(n: int, seed: int):
    """Rows of the pure generator, with fake zone/route/user ids (no database)."""
    gen = DemoGenerator(accounts=n, seed=seed, today=TODAY)
    plans = gen.topology()
    zone_ids = {z.code: i for i, z in enumerate(plans, start=1)}
    route_ids = {r.code: i for i, r in enumerate((r for z in plans for r in z.routes), start=1)}
    return gen, gen.rows(zone_ids=zone_ids, route_ids=route_ids, supervisor_id=1)


def digest(n: int, seed: int) -> str:
    sha = hashlib.sha256()
    _gen, batches = pure_rows(n, seed)
    for batch in batches:
        for table in sorted(batch):
            for row in batch[table]:
                sha.update(repr((table, row)).encode())
    return sha.hexdigest()


def arrears_by_account(today=TODAY) -> dict[int, list[date]]:
    """Account id -> due dates of its invoices that are unpaid past due, from the database."""
    overdue = defaultdict(list)
    for account_id, due in Invoice.objects.filter(balance__gt=0, due_date__lt=today).values_list(
        "account_id", "due_date"
    ):
        overdue[account_id].append(due)
    return overdue


@pytest.mark.django_db
def test_counts_and_structure():
    output = seed(300)
    assert Account.objects.count() == 300
    assert "Cuentas: 300" in output
    assert sorted(System.objects.values_list("code", flat=True)) == ["BE", "CT", "EP", "VM", "YA"]
    assert System.objects.get(code="CT").name == "Central Tarija"
    for zone in Zone.objects.all():
        assert zone.code.startswith(f"{zone.system.code}-") and len(zone.code) == 6
    for route in Route.objects.select_related("zone"):
        assert route.code.startswith(f"{route.zone.code}-R")
    # Central Tarija is the largest system.
    per_system = Counter(Account.objects.values_list("zone__system__code", flat=True))
    assert per_system.most_common(1)[0][0] == "CT"
    # About 24 invoices per account (none while a supply is cut); the last ones issued this month.
    invoices = Invoice.objects.count()
    assert 300 * 20 <= invoices <= 300 * 24
    assert Invoice.objects.filter(period=TODAY.replace(day=1), issue_date__lte=TODAY).count() > 250
    assert not Invoice.objects.filter(issue_date__gt=TODAY).exists()
    assert Invoice.objects.values("number").distinct().count() == invoices
    for inv in Invoice.objects.all()[:500]:
        assert inv.period.day == 1
        assert 15 <= (inv.due_date - inv.issue_date).days <= 20
    assert Payment.objects.count() > invoices * 0.8
    assert all(len(a.number) == 8 and a.number.isdigit() for a in Account.objects.all())
    assert Customer.objects.filter(id_department="TJ").count() > Customer.objects.count() * 0.6


@pytest.mark.django_db
def test_balances_equal_amount_minus_allocations():
    seed(300)
    allocated = defaultdict(Decimal)
    for invoice_id, amount in PaymentAllocation.objects.values_list("invoice_id", "amount"):
        allocated[invoice_id] += amount
    partial = 0
    for pk, amount, balance in Invoice.objects.values_list("id", "amount", "balance"):
        assert isinstance(amount, Decimal)
        assert balance == amount - allocated[pk]
        assert Decimal(0) <= balance <= amount
        partial += Decimal(0) < balance < amount
    assert partial > 0  # a few partial payments
    # Each payment is fully allocated, paid after the invoices it pays were issued and never in the future.
    by_payment = defaultdict(Decimal)
    for allocation in PaymentAllocation.objects.select_related("invoice", "payment"):
        by_payment[allocation.payment_id] += allocation.amount
        paid_local = allocation.payment.paid_at.astimezone(generator.LA_PAZ).date()
        assert allocation.invoice.issue_date <= paid_local <= TODAY
    for payment in Payment.objects.all():
        assert payment.amount == by_payment[payment.pk]
        assert payment.unapplied == 0


@pytest.mark.django_db
def test_receipts_unique_per_source_and_known_channels():
    seed(300)
    pairs = list(Payment.objects.values_list("source", "receipt_number"))
    assert len(pairs) == len(set(pairs))
    sources = {s for s, _r in pairs}
    assert "CAJA-SETAR" in sources and len(sources) >= 5
    channels = {c for c, _ in Payment._meta.get_field("channel").choices}
    assert set(Payment.objects.values_list("channel", flat=True)) <= channels


@pytest.mark.django_db
def test_flags_are_consistent():
    seed(1000)
    assert not Account.objects.filter(tarifa_dignidad=True).exclude(category="DOM").exists()
    assert Account.objects.filter(tarifa_dignidad=True).count() > 50
    for account in Account.objects.filter(ley_1886=True).select_related("customer"):
        born = account.customer.birth_date
        assert (TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))) >= 60
    # A cut supply has large arrears: at least two invoices unpaid past due.
    overdue = arrears_by_account()
    cut = list(Account.objects.filter(supply_status="CUT").values_list("id", flat=True))
    assert cut
    assert all(len(overdue[pk]) >= 2 for pk in cut)
    # Categories: Domiciliaria dominates.
    categories = Counter(Account.objects.values_list("category", flat=True))
    assert 0.8 < categories["DOM"] / 1000 < 0.95
    assert categories["GEN"] > 40


@pytest.mark.django_db
def test_realistic_arrears_portfolio():
    seed(1000)
    overdue = arrears_by_account()
    share = len(overdue) / 1000
    assert 0.05 <= share <= 0.35
    buckets = Counter(bucket_of((TODAY - min(dues)).days) for dues in overdue.values())
    assert all(buckets[b] > 0 for b in AGING_BUCKETS), buckets
    counts = Counter(len(dues) for dues in overdue.values())
    assert counts[1] + counts[2] > len(overdue) / 2  # most debtors owe one or two invoices
    assert max(counts) >= 5  # and a tail owes many
    assert Complaint.objects.filter(status="PENDING").exists()
    assert Complaint.objects.filter(number__startswith="REC-2026-").exists()
    holds = Hold.objects.select_related("created_by")
    assert all(h.created_by.username == "jefe" for h in holds)
    assert any(h.is_active_on(TODAY) for h in holds)
    assert any(h.expires_on < TODAY for h in holds)


@pytest.mark.django_db
def test_tarifa_dignidad_accounts_fall_behind_more():
    """The planted factor must be visible; with its coefficient reversed the test below fails
    (see test_tarifa_dignidad_effect_follows_its_coefficient)."""
    seed(2000, 11)
    overdue = arrears_by_account()
    td = list(Account.objects.filter(tarifa_dignidad=True).values_list("id", flat=True))
    other = list(Account.objects.filter(tarifa_dignidad=False).values_list("id", flat=True))
    share_td = sum(pk in overdue for pk in td) / len(td)
    share_other = sum(pk in overdue for pk in other) / len(other)
    assert share_td > share_other


def td_arrears_gap(n: int, seed_value: int) -> float:
    gen, batches = pure_rows(n, seed_value)
    td_accounts, others, overdue = set(), set(), set()
    for batch in batches:
        for row in batch.get("account", []):
            (td_accounts if row[4] else others).add(row[0])
        for row in batch.get("invoice", []):
            if row[8] > 0 and row[5] < TODAY:
                overdue.add(row[1])
    return len(td_accounts & overdue) / len(td_accounts) - len(others & overdue) / len(others)


def test_tarifa_dignidad_effect_follows_its_coefficient(monkeypatch):
    assert td_arrears_gap(2000, 11) > 0.03
    monkeypatch.setitem(generator.COEFFICIENTS, "tarifa_dignidad", -0.9)
    assert td_arrears_gap(2000, 11) < 0


def test_generator_is_deterministic():
    assert digest(300, 7) == digest(300, 7)
    assert digest(300, 7) != digest(300, 8)


@pytest.mark.django_db
def test_same_seed_same_database_summary():
    def summary():
        return (
            list(
                Account.objects.order_by("number").values_list("number", "category", "tarifa_dignidad", "supply_status")
            ),
            list(Invoice.objects.order_by("number").values_list("number", "amount", "balance", "due_date")),
            sorted(Payment.objects.values_list("source", "receipt_number", "amount", "paid_at")),
        )

    seed(200, 7)
    first = summary()
    # Children before parents: the demo's agreements and field orders point to payments,
    # invoices and accounts (PROTECT), so they go first.
    from mora.agreements.models import (
        Agreement,
        AgreementEvent,
        AgreementInvoice,
        Installment,
        InstallmentPayment,
        Reschedule,
    )
    from mora.field_orders.models import CutList, CutListLine, DailyCycleRun, FieldOrder, FieldOrderEvent

    for model in (
        FieldOrderEvent,
        FieldOrder,
        CutListLine,
        DailyCycleRun,
        CutList,
        InstallmentPayment,
        AgreementEvent,
        AgreementInvoice,
        Installment,
        Reschedule,
        Agreement,
        PaymentAllocation,
        Payment,
        Invoice,
        Hold,
        Complaint,
        Account,
        Customer,
    ):
        model.objects.all().delete()
    seed(200, 7)
    assert summary() == first


@pytest.mark.django_db
def test_if_empty_leaves_existing_data_alone():
    seed(50)
    counts = (Account.objects.count(), Invoice.objects.count(), Payment.objects.count())
    output = seed(80, 3, "--if-empty")
    assert "ya tiene cuentas" in output
    assert (Account.objects.count(), Invoice.objects.count(), Payment.objects.count()) == counts
    with pytest.raises(CommandError, match="use una base vacía"):
        seed(80, 3)
    assert Account.objects.count() == counts[0]

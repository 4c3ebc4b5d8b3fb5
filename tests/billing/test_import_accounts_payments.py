from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mora.billing.models import Channel, ImportKind, ImportMode, ImportStatus, Invoice, Payment
from mora.core.models import AuditEvent
from mora.customers.models import Account, Category, Customer, Route, SupplyStatus, Zone
from tests.factories import make_account, make_invoice

from .importing_helpers import ACCOUNT_HEADER, PAYMENT_HEADER, errors, run_file, snapshot, write

ROW_1 = (
    "100201;María Quispe Flores;4123456;TJ;12/03/1958;71812345;maria@example.com;Calle Sucre 120;Domiciliaria;si;"
    "si;CT;CT-SR;San Roque;CT-SR-01;10;Calle Sucre 120;M-1;Activo;no;"
)
ROW_2 = "100202;María Quispe Flores;4123456;TJ;12/03/1958;71812345;maria@example.com;Calle Sucre 120;GEN;no;no;Central Tarija;CT-SR;;CT-SR-02;3;Av. Potosí 4;;Cortado;si;Centro de salud"  # noqa: E501
ROW_3 = "300101;Rosa Mamani;6345678;PT;;;;;Alumbrado Público;no;no;ya;YA-CE;Yacuiba Centro;YA-CE-01;1;Calle 15;M-3;Suspendido;no;"  # noqa: E501


@pytest.mark.django_db
def test_accounts_file_creates_customers_zones_routes_and_accounts(tmp_path):
    job = run_file(write(tmp_path, "cuentas.csv", [ACCOUNT_HEADER, ROW_1, ROW_2, ROW_3]))
    assert job.status == ImportStatus.DONE, (job.message, errors(job))
    assert job.kind == ImportKind.ACCOUNTS
    assert job.imported_rows == 3
    assert Customer.objects.count() == 2  # the same CI owns two accounts
    first = Account.objects.get(number="100201")
    assert first.customer.birth_date == date(1958, 3, 12)
    assert (first.category, first.tarifa_dignidad, first.ley_1886) == (Category.DOMICILIARIA, True, True)
    assert (first.zone.code, first.zone.system.code, first.zone.name, first.route.code) == (
        "CT-SR",
        "CT",
        "San Roque",
        "CT-SR-01",
    )
    second = Account.objects.get(number="100202")
    assert (second.is_protected, second.protected_reason, second.supply_status) == (
        True,
        "Centro de salud",
        SupplyStatus.CUT,
    )
    third = Account.objects.get(number="300101")
    assert (third.zone.system.code, third.category, third.supply_status) == (
        "YA",
        Category.ALUMBRADO_PUBLICO,
        SupplyStatus.SUSPENDED,
    )
    assert Zone.objects.filter(code__in=["CT-SR", "YA-CE"]).count() == 2
    assert Route.objects.filter(code__startswith="CT-SR-").count() == 2


@pytest.mark.django_db
def test_accounts_reimport_is_unchanged_and_a_change_is_audited(tmp_path):
    run_file(write(tmp_path, "a.csv", [ACCOUNT_HEADER, ROW_1, ROW_2]))
    before = snapshot()
    again = run_file(write(tmp_path, "b.csv", [ACCOUNT_HEADER, ROW_1, ROW_2]))
    assert (again.status, again.imported_rows, again.unchanged_rows) == (ImportStatus.DONE, 0, 2)
    assert snapshot() == before

    changed = ROW_1.replace("Calle Sucre 120;M-1;Activo", "Calle Sucre 122;M-1;Cortado")
    job = run_file(write(tmp_path, "c.csv", [ACCOUNT_HEADER, changed, ROW_2]))
    assert (job.imported_rows, job.unchanged_rows) == (1, 1)
    account = Account.objects.get(number="100201")
    # The supply status is Mora's once the account exists (crews change it): only the address moves.
    assert (account.address, account.supply_status) == ("Calle Sucre 122", SupplyStatus.ACTIVE)
    event = AuditEvent.objects.get(action="account.updated_by_import")
    assert event.account_id == account.pk
    assert event.before == {"address": "Calle Sucre 120"}
    assert event.after == {"address": "Calle Sucre 122"}


@pytest.mark.django_db
def test_bad_account_rows_are_reported_and_nothing_is_written(tmp_path):
    rows = [
        ACCOUNT_HEADER,
        ROW_1,
        ROW_1.replace(";CT;CT-SR;", ";XX;CT-SR;").replace("100201", "100209"),  # unknown system
        ROW_1.replace("Domiciliaria", "Comercial").replace("100201", "100210"),  # unknown category
        ROW_1.replace(";TJ;", ";ZZ;").replace("100201", "100211"),  # bad department
        ROW_1.replace("12/03/1958", "1958/03/12").replace("100201", "100212"),  # bad date
        ROW_1.replace("maria@example.com", "maria-at-example").replace("100201", "100213"),  # bad email
        ROW_2.replace("Centro de salud", ""),  # protected without a reason
        ROW_1.replace("Domiciliaria;si", "General;si").replace("100201", "100214"),  # dignidad not domiciliaria
        ROW_1.replace("María Quispe Flores", "Otra Persona").replace("100201", "100215"),  # same CI, other name
    ]
    before = snapshot()
    job = run_file(write(tmp_path, "c.csv", rows))
    assert job.status == ImportStatus.REJECTED
    assert snapshot() == before
    assert {(row, column) for row, column, _ in errors(job)} == {
        (3, "sistema"),
        (4, "categoria"),
        (5, "ci_expedido"),
        (6, "fecha_nacimiento"),
        (7, "email"),
        (8, "motivo_proteccion"),
        (9, "tarifa_dignidad"),
        (10, "ci"),
    }


@pytest.fixture
def ledger(db):
    account = make_account(number="100201")
    other = make_account(number="100202")
    make_invoice(account=account, due_date=date(2025, 2, 25), amount="100.00", number="F-1")
    make_invoice(account=account, due_date=date(2025, 3, 25), amount="80.00", number="F-2")
    return account, other


def test_payments_file_allocates_oldest_first(tmp_path, ledger):
    account, other = ledger
    lines = [
        PAYMENT_HEADER,
        "CAJA;R-1;100201;20/02/2025 10:15;1.20,00;Ventanilla".replace("1.20,00", "120,00"),
        "BANCO;B-1;100202;2025-03-01T09:05:00;50.00;BANCO",
    ]
    job = run_file(write(tmp_path, "pagos.csv", lines))
    assert job.status == ImportStatus.DONE, (job.message, errors(job))
    assert job.kind == ImportKind.PAYMENTS
    assert Invoice.objects.get(number="F-1").balance == 0
    assert Invoice.objects.get(number="F-2").balance == Decimal("60.00")
    cash = Payment.objects.get(receipt_number="R-1")
    assert cash.paid_at == datetime(2025, 2, 20, 10, 15, tzinfo=ZoneInfo("America/La_Paz"))
    assert (cash.channel, cash.import_job_id, cash.unapplied) == (Channel.WINDOW, job.pk, Decimal("0.00"))
    assert Payment.objects.get(receipt_number="B-1").unapplied == Decimal("50.00")

    before = snapshot()
    again = run_file(write(tmp_path, "pagos2.csv", lines))
    assert (again.status, again.imported_rows, again.unchanged_rows) == (ImportStatus.DONE, 0, 2)
    assert snapshot() == before


def test_bad_payment_rows_leave_the_database_as_it_was(tmp_path, ledger):
    make_account(number="100203")
    run_file(write(tmp_path, "p0.csv", [PAYMENT_HEADER, "CAJA;R-1;100201;20/02/2025 10:15;10,00;Ventanilla"]))
    lines = [
        PAYMENT_HEADER,
        "CAJA;R-2;100201;20/02/2025 10:15;10,00;Ventanilla",  # 2 good
        "CAJA;R-2;100202;20/02/2025 10:15;10,00;Ventanilla",  # 3 receipt repeated in the file
        "CAJA;R-1;100201;20/02/2025 10:15;11,00;Ventanilla",  # 4 receipt exists with other data
        "CAJA;R-3;555555;20/02/2025 10:15;10,00;Ventanilla",  # 5 unknown account
        "CAJA;R-4;100201;20/02/2099 10:15;10,00;Ventanilla",  # 6 future
        "CAJA;R-5;100201;20/02/2025;10,00;Ventanilla",  # 7 no time
        "CAJA;R-6;100201;20/02/2025 10:15;0;Ventanilla",  # 8 zero
        "CAJA;R-7;100201;20/02/2025 10:15;10,00;Paloma",  # 9 unknown channel
        "OTRA;R-2;100203;20/02/2025 10:15;10,00;Campo",  # 10 good: other source, same receipt
    ]
    before = snapshot()
    job = run_file(write(tmp_path, "p.csv", lines))
    assert job.status == ImportStatus.REJECTED
    assert snapshot() == before
    assert {(row, column) for row, column, _ in errors(job)} == {
        (3, "numero_recibo"),
        (4, "numero_recibo"),
        (5, "numero_cuenta"),
        (6, "fecha_hora"),
        (7, "fecha_hora"),
        (8, "importe"),
        (9, "canal"),
    }
    valid = run_file(write(tmp_path, "p2.csv", lines), mode=ImportMode.VALID_ROWS)
    assert (valid.status, valid.imported_rows, valid.error_rows) == (ImportStatus.DONE, 2, 7)
    assert set(Payment.objects.values_list("source", "receipt_number")) == {
        ("CAJA", "R-1"),
        ("CAJA", "R-2"),
        ("OTRA", "R-2"),
    }


@pytest.mark.django_db
def test_documented_example_files_import_in_order(tmp_path):
    from pathlib import Path

    examples = Path(__file__).resolve().parents[2] / "docs" / "ejemplos"
    for name in ("cuentas.csv", "facturas.csv", "pagos.csv"):
        job = run_file(str(examples / name))
        assert job.status == ImportStatus.DONE, (name, job.message, errors(job))
        assert job.error_rows == 0
    assert Account.objects.filter(number__in=["100201", "100202", "100203", "300101"]).count() == 4
    # 1.500,00 paid to 100202: its January invoice (1.234,50) in full, the rest to February.
    assert Invoice.objects.get(number="F-2025-000201").balance == 0
    assert Invoice.objects.get(number="F-2025-000202").balance == Decimal("932.70")
    assert Payment.objects.get(receipt_number="R-000502").unapplied == Decimal("28.60")

from datetime import date
from decimal import Decimal

import pytest

from mora.billing.models import ImportKind, ImportMode, ImportStatus, Invoice
from tests.factories import make_account

from .importing_helpers import INVOICE_HEADER, errors, run_file, snapshot, write


@pytest.fixture
def accounts(db):
    return [make_account(number="100201"), make_account(number="100202")]


GOOD = [
    INVOICE_HEADER,
    "F-1;100201;01/2025;05/02/2025;25/02/2025;65;1.234,50",
    "F-2;100201;2025-02;2025-03-05;2025-03-25;70;1234.50",
    "F-3;100202;02/2025;05/03/2025;25/03/2025;180;48,3",
]


def test_good_file_imports_every_invoice_with_balance_equal_to_amount(tmp_path, accounts):
    job = run_file(write(tmp_path, "facturas.csv", GOOD))
    assert job.status == ImportStatus.DONE, job.message
    assert job.kind == ImportKind.INVOICES
    assert (job.total_rows, job.imported_rows, job.unchanged_rows, job.error_rows) == (3, 3, 0, 0)
    f1 = Invoice.objects.get(number="F-1")
    assert f1.amount == f1.balance == Decimal("1234.50")  # Bolivian format
    assert Invoice.objects.get(number="F-2").amount == Decimal("1234.50")  # plain format
    assert Invoice.objects.get(number="F-3").amount == Decimal("48.30")
    assert f1.period == date(2025, 1, 1)
    assert f1.due_date == date(2025, 2, 25)
    assert f1.account == accounts[0]
    assert f1.import_job_id == job.pk


def test_importing_the_same_file_twice_changes_nothing(tmp_path, accounts):
    path = write(tmp_path, "facturas.csv", GOOD)
    run_file(path)
    before = snapshot()
    again = run_file(path)
    assert again.status == ImportStatus.DONE
    assert (again.imported_rows, again.unchanged_rows) == (0, 3)
    assert snapshot() == before


def test_existing_invoice_with_other_data_is_an_error(tmp_path, accounts):
    run_file(write(tmp_path, "a.csv", GOOD))
    before = snapshot()
    job = run_file(write(tmp_path, "b.csv", [INVOICE_HEADER, "F-1;100201;01/2025;05/02/2025;25/02/2025;65;99,00"]))
    assert job.status == ImportStatus.REJECTED
    assert errors(job) == [(2, "numero_factura", "la factura ya existe con otros datos")]
    assert snapshot() == before


BROKEN = [
    INVOICE_HEADER,
    "F-1;100201;01/2025;05/02/2025;25/02/2025;65;100,00",  # row 2: good
    "F-2;100201;01/2025;31/02/2025;25/02/2025;65;100,00",  # row 3: 31 February
    "F-3;100201;01/2025;05/02/2025;25/02/2025;65;-5,00",  # row 4: negative
    "F-4;100201;01/2025;05/02/2025;25/02/2025;65;abc",  # row 5: not a number
    "F-5;100201;01/2025;05/02/2025;25/02/2025;65;20.000.000,00",  # row 6: absurd
    "F-6;999999;01/2025;05/02/2025;25/02/2025;65;10,00",  # row 7: unknown account
    "F-1;100202;01/2025;05/02/2025;25/02/2025;65;10,00",  # row 8: repeated number
    "F-7;100202;01/2025;25/02/2025;05/02/2025;65;10,00",  # row 9: due before issue
    ";100202;13/2025;05/02/2025;25/02/2025;;10,00",  # row 10: no number, bad period, no kwh
    "F-8;100202;02/2025;05/03/2025;25/03/2025;70;20,00",  # row 11: good
]


def test_all_or_nothing_rejects_a_file_with_any_error_and_reports_each(tmp_path, accounts):
    before = snapshot()
    job = run_file(write(tmp_path, "facturas.csv", BROKEN))
    assert job.status == ImportStatus.REJECTED
    assert "no se importó nada" in job.message
    assert snapshot() == before
    assert job.error_rows == 8
    assert job.imported_rows == 0
    found = {(row, column) for row, column, _ in errors(job)}
    assert found == {
        (3, "fecha_emision"),
        (4, "importe"),
        (5, "importe"),
        (6, "importe"),
        (7, "numero_cuenta"),
        (8, "numero_factura"),
        (9, "fecha_vencimiento"),
        (10, "numero_factura"),
        (10, "periodo"),
        (10, "kwh"),
    }
    messages = {(row, column): message for row, column, message in errors(job)}
    assert messages[(3, "fecha_emision")] == "fecha inválida (use dd/mm/aaaa)"
    assert messages[(4, "importe")] == "el importe no puede ser negativo"
    assert "fuera de rango" in messages[(6, "importe")]
    assert "la cuenta no existe" in messages[(7, "numero_cuenta")]
    assert "repetido" in messages[(8, "numero_factura")]
    assert job.row_errors.get(row_number=5).value == "abc"


def test_valid_mode_imports_exactly_the_good_rows(tmp_path, accounts):
    job = run_file(write(tmp_path, "facturas.csv", BROKEN), mode=ImportMode.VALID_ROWS)
    assert job.status == ImportStatus.DONE
    assert set(Invoice.objects.values_list("number", flat=True)) == {"F-1", "F-8"}
    assert (job.imported_rows, job.error_rows, job.total_rows) == (2, 8, 10)


def test_wrong_columns_give_one_error_for_the_whole_file(tmp_path, accounts):
    before = snapshot()
    job = run_file(write(tmp_path, "f.csv", ["numero_factura;cuenta_x;periodo;importe", "F-1;100201;01/2025;10"]))
    assert job.status == ImportStatus.REJECTED
    assert "faltan las columnas: numero_cuenta, fecha_emision, fecha_vencimiento, kwh" in job.message
    assert "columnas desconocidas: cuenta_x" in job.message
    assert job.row_errors.count() == 0
    assert snapshot() == before


def test_unknown_header_is_rejected(tmp_path, accounts):
    job = run_file(write(tmp_path, "f.csv", ["a;b;c", "1;2;3"]))
    assert job.status == ImportStatus.REJECTED
    assert "No se reconoce el tipo de archivo" in job.message


def test_headers_are_case_and_accent_insensitive_in_any_order_with_comma_delimiter(tmp_path, accounts):
    lines = [
        "Importe,Número de Factura,KWH,Periodo,Fecha Emisión,Fecha_Vencimiento,NUMERO_CUENTA",
        '"1.234,50",F-9,65,01/2025,05/02/2025,25/02/2025,100201',
    ]
    job = run_file(write(tmp_path, "f.csv", lines))
    assert job.status == ImportStatus.DONE, job.message
    assert Invoice.objects.get(number="F-9").amount == Decimal("1234.50")


def test_latin1_and_utf8_with_bom_are_both_read(tmp_path, accounts):
    header = "número_factura;numero_cuenta;periodo;fecha_emisión;fecha_vencimiento;kwh;importe"
    latin = run_file(write(tmp_path, "l.csv", [header, "F-Ñ1;100201;01/2025;05/02/2025;25/02/2025;1;1,00"], "latin-1"))
    bom = run_file(write(tmp_path, "u.csv", [header, "F-Ñ2;100201;01/2025;05/02/2025;25/02/2025;1;1,00"], "utf-8-sig"))
    assert latin.status == bom.status == ImportStatus.DONE, (latin.message, bom.message)
    assert set(Invoice.objects.values_list("number", flat=True)) == {"F-Ñ1", "F-Ñ2"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (("\r\n".join(GOOD)).encode("utf-16"), "UTF-16"),
        (b"numero_factura;numero_cuenta\x00\x01\x02;x\n", "bytes nulos"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04 not really a zip", "dañado"),
        (b"", "vacío"),
    ],
)
def test_unreadable_files_get_a_clear_spanish_error(tmp_path, accounts, content, expected):
    path = tmp_path / "malo.csv"
    path.write_bytes(content)
    before = snapshot()
    job = run_file(str(path))
    assert job.status == ImportStatus.REJECTED
    assert expected in job.message
    assert snapshot() == before


def test_xlsx_file_is_imported_with_dates_and_numbers_as_cells(tmp_path, accounts):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["numero_factura", "numero_cuenta", "periodo", "fecha_emision", "fecha_vencimiento", "kwh", "importe"])
    sheet.append(["X-1", 100201, "01/2025", date(2025, 2, 5), date(2025, 2, 25), 65, 1234.5])
    sheet.append(["X-2", "100202", "2025-02", "05/03/2025", "25/03/2025", "70", "1.234,50"])
    path = tmp_path / "facturas.xlsx"
    workbook.save(path)
    job = run_file(str(path))
    assert job.status == ImportStatus.DONE, (job.message, errors(job))
    x1 = Invoice.objects.get(number="X-1")
    assert (x1.amount, x1.issue_date, x1.account) == (Decimal("1234.50"), date(2025, 2, 5), accounts[0])
    assert Invoice.objects.get(number="X-2").amount == Decimal("1234.50")


def test_many_rows_over_several_chunks_keep_row_numbers_and_store_at_most_1000_errors(tmp_path, accounts, monkeypatch):
    monkeypatch.setattr("mora.billing.services.CHUNK_SIZE", 50)
    lines = [INVOICE_HEADER]
    for i in range(1200):
        account = "100201" if i % 2 else "404"  # every even one is unknown
        lines.append(f"N-{i};{account};01/2025;05/02/2025;25/02/2025;1;1,00")
    job = run_file(write(tmp_path, "f.csv", lines), mode=ImportMode.VALID_ROWS)
    assert job.status == ImportStatus.DONE
    assert job.error_rows == 600
    assert job.imported_rows == 600
    assert Invoice.objects.count() == 600
    assert job.row_errors.count() == 600
    assert job.row_errors.order_by("row_number").first().row_number == 2
    assert job.row_errors.order_by("row_number").last().row_number == 1200  # N-1198 is on row 1200

    many = [INVOICE_HEADER] + [f"M-{i};404;01/2025;05/02/2025;25/02/2025;1;1,00" for i in range(1500)]
    job = run_file(write(tmp_path, "g.csv", many))
    assert job.error_rows == 1500
    assert job.row_errors.count() == 1000


def test_a_crash_while_writing_leaves_the_database_as_it_was(tmp_path, accounts, monkeypatch):
    monkeypatch.setattr("mora.billing.services.CHUNK_SIZE", 2)
    from mora.billing import services

    real_apply = services._InvoiceImporter.apply
    calls = {"n": 0}

    def apply_then_crash(self, plans):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disco lleno")
        return real_apply(self, plans)

    monkeypatch.setattr(services._InvoiceImporter, "apply", apply_then_crash)
    before = snapshot()
    job = run_file(write(tmp_path, "f.csv", GOOD))
    assert calls["n"] == 2  # the first chunk was written, then the crash
    assert job.status == ImportStatus.FAILED
    assert "disco lleno" in job.message
    assert snapshot() == before

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from mora.billing.models import ImportJob, ImportMode, ImportStatus, Invoice
from mora.billing.services import import_job_create
from mora.core.roles import Role
from tests.factories import make_account

from .importing_helpers import INVOICE_HEADER, snapshot, write

F1 = "F-1;100201;01/2025;05/02/2025;25/02/2025;65;1.234,50"
GOOD = f"{INVOICE_HEADER}\n {F1}\nF-2;100201;02/2025;05/03/2025;25/03/2025;70;10\n"
BAD = f"{INVOICE_HEADER}\n{F1}\nF-2;999;02/2025;05/03/2025;25/03/2025;70;10\n"


@pytest.fixture
def account(db):
    return make_account(number="100201")


def upload(client, content: str, mode=ImportMode.ALL_OR_NOTHING, name="facturas.csv"):
    return client.post(
        reverse("billing:import_upload"),
        {"archivo": SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv"), "modo": mode},
    )


def test_supervisor_uploads_a_file_end_to_end(client_for, account, django_capture_on_commit_callbacks):
    client = client_for(Role.SUPERVISOR)
    page = client.get(reverse("billing:import_upload"))
    assert page.status_code == 200
    assert "Todo o nada" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:import_detail", args=[job.pk])
    assert job.status == ImportStatus.DONE, job.message
    assert job.created_by.username == f"u_{Role.SUPERVISOR}"
    assert Invoice.objects.count() == 2

    detail = client.get(response["Location"]).content.decode()
    assert "Importado" in detail
    assert "hx-trigger" not in detail  # finished: no polling
    listing = client.get(reverse("billing:import_list")).content.decode()
    assert "facturas.csv" in listing


def test_rejected_upload_shows_the_row_errors_and_their_spreadsheet(
    client_for, account, django_capture_on_commit_callbacks
):
    client = client_for(Role.SUPERVISOR)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, BAD)
    assert snapshot() == before
    detail = client.get(response["Location"]).content.decode()
    assert "Rechazado por errores" in detail
    assert "la cuenta no existe en Mora" in detail
    job = ImportJob.objects.get()
    xlsx = client.get(reverse("billing:import_errors_xlsx", args=[job.pk]))
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "numero_cuenta" in values and 3 in values


def test_progress_partial_polls_while_running_and_stops_when_finished(client_for, account):
    client = client_for(Role.AUDITOR)
    job = import_job_create(uploaded_file=SimpleUploadedFile("f.csv", GOOD.encode()), mode=ImportMode.ALL_OR_NOTHING)
    url = reverse("billing:import_progress", args=[job.pk])
    pending = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in pending
    assert f'hx-get="{url}"' in pending

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed_rows=50, total_rows=100)
    assert "25 %" in client.get(url).content.decode()  # validation is the first half

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, processed_rows=100)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert "hx-trigger" not in finished.content.decode()
    assert "100 %" in finished.content.decode()
    assert finished["HX-Refresh"] == "true"


def test_invalid_upload_is_refused_with_a_message(client_for, db):
    client = client_for(Role.SUPERVISOR)
    response = upload(client, "hola", name="datos.pdf")
    assert response.status_code == 200
    assert "Suba un archivo .csv o .xlsx." in response.content.decode()
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("role", [Role.OFFICER, Role.CASHIER, Role.COORDINATOR, Role.AUDITOR])
def test_upload_is_refused_to_other_roles(client_for, role, account):
    client = client_for(role)
    assert client.get(reverse("billing:import_upload")).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("role", [Role.OFFICER, Role.CASHIER, Role.COORDINATOR])
def test_import_pages_are_refused_to_roles_without_access(client_for, role, account):
    job = import_job_create(uploaded_file=SimpleUploadedFile("f.csv", GOOD.encode()))
    client = client_for(role)
    for name, args in [
        ("import_list", []),
        ("import_detail", [job.pk]),
        ("import_progress", [job.pk]),
        ("import_errors_xlsx", [job.pk]),
    ]:
        assert client.get(reverse(f"billing:{name}", args=args)).status_code == 403, name


def test_anonymous_is_sent_to_login(client, account):
    for name in ("import_list", "import_upload"):
        response = client.get(reverse(f"billing:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert upload(client, GOOD).status_code == 302
    assert ImportJob.objects.count() == 0


def test_management_command_imports_and_prints_a_summary(tmp_path, account, capsys):
    path = write(tmp_path, "facturas.csv", GOOD.strip().splitlines())
    call_command("import_billing", path)
    out = capsys.readouterr().out
    assert "importadas: 2" in out
    assert "validación: 2 de 2 filas" in out
    assert Invoice.objects.count() == 2


def test_management_command_fails_and_lists_errors_when_rejected(tmp_path, account, capsys):
    path = write(tmp_path, "facturas.csv", BAD.strip().splitlines())
    with pytest.raises(CommandError, match="Rechazado"):
        call_command("import_billing", path)
    assert "fila 3 · numero_cuenta · «999»" in capsys.readouterr().out
    assert Invoice.objects.count() == 0

    call_command("import_billing", path, "--solo-validas")
    assert list(Invoice.objects.values_list("number", flat=True)) == ["F-1"]

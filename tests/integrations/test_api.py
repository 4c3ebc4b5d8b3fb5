import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mora.billing.models import Payment
from mora.customers.models import SupplyStatus
from mora.field_orders.models import Contractor, Crew, FieldOrder, OrderKind, OrderStatus
from mora.integrations.models import ApiCall, Scope
from mora.integrations.services import api_client_revoke, api_client_rotate
from tests.factories import make_account, make_invoice, make_route, make_zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    today = timezone.localdate()
    account = make_account(number="50000001")
    make_invoice(account=account, due_date=today - timedelta(days=40), amount="100.00", number="F-1")
    make_invoice(account=account, due_date=today - timedelta(days=10), amount="80.00", number="F-2")
    return account


PAID_AT = (timezone.now() - timedelta(minutes=1)).isoformat()


def payment_body(**changes):
    body = {
        "receipt_number": "R-100",
        "source": "BANCO-UNION",
        "account": "50000001",
        "amount": "150.00",
        "paid_at": PAID_AT,
        "channel": "BANCO",
    }
    body.update(changes)
    return body


def test_account_status(api, account):
    response = api.get("/accounts/50000001")
    assert response.status_code == 200
    data = response.json()
    assert Decimal(data["overdue_debt"]) == Decimal("180.00")
    assert [inv["number"] for inv in data["unpaid_invoices"]] == ["F-1", "F-2"]
    assert data["supply_status"] == "ACTIVE"


def test_unknown_account_is_404_with_the_error_shape(api, db):
    response = api.get("/accounts/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "nope" in response.json()["message"]


def test_post_payment_allocates_oldest_first_and_is_idempotent(api, account):
    response = api.post("/payments", payment_body(), key="abc")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["created"] is True
    assert [(a["reference"], Decimal(a["amount"])) for a in data["allocations"]] == [
        ("F-1", Decimal("100.00")),
        ("F-2", Decimal("50.00")),
    ]
    again = api.post("/payments", payment_body(), key="abc")
    assert again.status_code == 201 and again.json() == data  # the first answer, replayed
    other_key = api.post("/payments", payment_body(), key="xyz")
    assert other_key.status_code == 200 and other_key.json()["created"] is False
    assert Payment.objects.count() == 1
    conflict = api.post("/payments", payment_body(receipt_number="R-101"), key="abc")
    assert conflict.status_code == 409 and conflict.json()["code"] == "conflict"
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "99999999"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"channel": "PALOMA"}, "channel"),
        ({"receipt_number": "  "}, "receipt_number"),
        ({"paid_at": "2026-12-04T10:00:00"}, "paid_at"),
    ],
)
def test_bad_input_is_422_and_changes_nothing(api, account, changes, field):
    response = api.post("/payments", payment_body(**changes), key=f"k-{field}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert any(detail["field"] == field for detail in body["details"]), body
    assert Payment.objects.count() == 0


def test_future_payment_unknown_account_and_missing_key(api, account):
    future = api.post("/payments", payment_body(paid_at=(timezone.now() + timedelta(days=1)).isoformat()))
    assert future.status_code == 422
    unknown = api.post("/payments", payment_body(account="99999"), key="k-2")
    assert unknown.status_code == 404
    no_key = api.post("/payments", payment_body(), key=None)
    assert no_key.status_code == 422
    assert [d["field"] for d in no_key.json()["details"]] == ["Idempotency-Key"]
    assert Payment.objects.count() == 0


def test_oversized_body_is_413(api, account, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/payments", {**payment_body(), "padding": "x" * 5000})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_scopes_revocation_and_rotation(api, make_client, account):
    _, read_only = make_client(name="Consulta", scopes=[Scope.ACCOUNTS_READ])
    assert api.get("/accounts/50000001", token_=read_only).status_code == 200
    forbidden = api.post("/payments", payment_body(), token_=read_only)
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    assert api.get("/accounts/50000001", token_="wrong").status_code == 401
    client, token = make_client(name="Banco", scopes=[Scope.ACCOUNTS_READ])
    _, new_token = api_client_rotate(actor=None, client_id=client.pk)
    assert api.get("/accounts/50000001", token_=token).status_code == 401
    assert api.get("/accounts/50000001", token_=new_token).status_code == 200
    api_client_revoke(actor=None, client_id=client.pk, reason="Contrato terminado")
    revoked = api.get("/accounts/50000001", token_=new_token)
    assert revoked.status_code == 401 and revoked.json()["code"] == "unauthorized"
    assert ApiCall.objects.filter(status=401).exists()
    assert ApiCall.objects.filter(client__name="Consulta", status=403).exists()


@pytest.fixture
def contractors():
    zone_a, zone_b = make_zone(code="CT-A", name="A"), make_zone(code="CT-B", name="B")
    first, second = Contractor.objects.create(name="Uno SRL"), Contractor.objects.create(name="Dos SRL")
    first.zones.add(zone_a)
    second.zones.add(zone_b)
    for contractor in (first, second):
        Crew.objects.create(contractor=contractor, name="C1", daily_capacity=10)
    return {"first": (first, zone_a), "second": (second, zone_b)}


def test_contractor_token_sees_and_closes_only_its_orders(api, make_client, contractors):
    today = timezone.localdate()
    orders = {}
    for key, (contractor, zone) in contractors.items():
        account = make_account(number=f"6{len(orders)}", route=make_route(zone=zone))
        for days in (40, 70):  # two overdue invoices: the account may be cut
            make_invoice(account=account, due_date=today - timedelta(days=days), amount="100.00")
        orders[key] = FieldOrder.objects.create(
            number=f"OC-{key}", kind=OrderKind.CUT, account=account, contractor=contractor, scheduled_for=today
        )
    _, token = make_client(
        name="Uno", scopes=[Scope.ORDERS_READ, Scope.ORDERS_WRITE], contractor=contractors["first"][0]
    )
    listed = api.get("/field-orders", token_=token).json()
    assert [row["number"] for row in listed] == ["OC-first"]
    other = api.post("/field-orders/OC-second/result", {"executed": True}, token_=token)
    assert other.status_code == 404
    mine = api.post("/field-orders/OC-first/result", {"executed": True}, token_=token)
    assert mine.status_code == 200 and mine.json()["status"] == OrderStatus.EXECUTED
    orders["first"].account.refresh_from_db()
    assert orders["first"].account.supply_status == SupplyStatus.CUT
    orders["second"].refresh_from_db()
    assert orders["second"].status == OrderStatus.PENDING


def test_batch_upload_reports_progress_and_row_errors(client, token, account, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (
        b"origen;numero_recibo;numero_cuenta;fecha_hora;importe;canal\n"
        b"CAJA;B-1;50000001;01/12/2026 10:00;50,00;Ventanilla\n"
        b"CAJA;B-2;99999999;01/12/2026 10:00;50,00;Ventanilla\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/batches",
            {"file": SimpleUploadedFile("pagos.csv", content, content_type="text/csv")},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 202, response.content
    job_id = response.json()["job_id"]
    status = client.get(f"/api/v1/batches/{job_id}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert status["status"] == "REJECTED"
    assert status["error_rows"] == 1 and status["errors"][0]["row"] == 3
    assert Payment.objects.count() == 0


def test_openapi_document_lists_every_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert operations >= {
        ("/api/v1/accounts/{number}", "get"),
        ("/api/v1/payments", "post"),
        ("/api/v1/batches", "post"),
        ("/api/v1/batches/{job_id}", "get"),
        ("/api/v1/field-orders", "get"),
        ("/api/v1/field-orders/{number}/result", "post"),
        ("/api/v1/exports/charges", "get"),
    }
    assert "Error" in schema["components"]["schemas"]


def test_batch_in_json_lines(client, token, account, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = [
        {"origen": "CAJA", "numero_recibo": "J-1", "numero_cuenta": "50000001", "fecha_hora": "01/12/2026 10:00",
         "importe": "50,00", "canal": "Ventanilla"},
        {"origen": "CAJA", "numero_recibo": "J-2", "numero_cuenta": "50000001", "fecha_hora": "01/12/2026 11:00",
         "importe": "25.50", "canal": "Banco"},
    ]  # fmt: skip
    body = "\n".join(json.dumps(line) for line in lines).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/batches",
            {"file": SimpleUploadedFile("pagos.jsonl", body, content_type="application/x-ndjson")},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 202, response.content
    status = client.get(f"/api/v1/batches/{response.json()['job_id']}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert status["status"] == "DONE" and status["imported_rows"] == 2
    assert sorted(Payment.objects.values_list("receipt_number", flat=True)) == ["J-1", "J-2"]
    bad = client.post(
        "/api/v1/batches",
        {
            "file": SimpleUploadedFile(
                "pagos.jsonl", b'{"origen": "CAJA"}\nno es json', content_type="application/x-ndjson"
            )
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bad.status_code == 422 and "Línea 2" in bad.json()["message"]
    latin1 = client.post(
        "/api/v1/batches",
        {"file": SimpleUploadedFile("pagos.jsonl", '{"origen": "CAJé"}'.encode("latin-1"))},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert latin1.status_code == 422 and "UTF-8" in latin1.json()["message"]


def test_a_client_reads_only_its_own_batches(client, make_client, account, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _, first = make_client(name="Uno", scopes=[Scope.IMPORT_WRITE])
    _, second = make_client(name="Dos", scopes=[Scope.IMPORT_WRITE])
    content = (
        b"origen;numero_recibo;numero_cuenta;fecha_hora;importe;canal\nCAJA;O-1;50000001;01/12/2026 10:00;5,00;Banco\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client.post(
            "/api/v1/batches", {"file": SimpleUploadedFile("p.csv", content)}, HTTP_AUTHORIZATION=f"Bearer {first}"
        ).json()["job_id"]
    assert client.get(f"/api/v1/batches/{job_id}", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 200
    assert client.get(f"/api/v1/batches/{job_id}", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 404

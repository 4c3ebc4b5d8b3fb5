"""HTTP API for the billing and cashier systems and the contractors (django-ninja), under
/api/v1/. Token auth per client with scopes; one error shape for every failure; writes carry an
Idempotency-Key. The endpoints are thin: they call the same services as the pages."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja import File, Form, Header, NinjaAPI, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from mora.agreements import selectors as agreement_selectors
from mora.agreements.domain.states import ACTIVE, AgreementStatus
from mora.agreements.models import Agreement, InstallmentPayment
from mora.agreements.selectors_export import installments_due_in_period
from mora.billing import selectors as billing_selectors
from mora.billing.importing.jsonlines import JsonLinesError, jsonlines_to_csv
from mora.billing.models import ImportJob, ImportMode, Payment, PaymentAllocation
from mora.billing.services import import_job_create, payment_record
from mora.billing.tasks import run_import
from mora.core.tasks import enqueue
from mora.customers.models import Account
from mora.field_orders import services as field_services
from mora.field_orders.models import FieldOrder, OrderKind, OrderStatus

from . import schemas
from .models import ApiBatch, ApiClient, Scope
from .services import IdempotencyConflict, api_client_authenticate, idempotent

ERRORS = {400: schemas.Error, 401: schemas.Error, 403: schemas.Error, 404: schemas.Error, 409: schemas.Error,
          413: schemas.Error, 422: schemas.Error}  # fmt: skip


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        return api_client_authenticate(token)


api = NinjaAPI(
    title="Mora API",
    version="1.0.0",
    description=(
        "API de la Unidad de Mora para el sistema comercial, las cajas y bancos, y las microempresas. "
        "Autenticación: `Authorization: Bearer <token>` (lo crea el administrador o "
        "`manage.py create_api_client`). Toda escritura lleva la cabecera `Idempotency-Key`. "
        "Todo error responde `{code, message, details}`."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
)


def error(request, status: int, code: str, message: str, details=None):
    return api.create_response(request, {"code": code, "message": message, "details": details or []}, status=status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc):
    details = []
    for item in exc.errors:
        location = [
            str(part)
            for part in item.get("loc", [])
            if part not in ("body", "payload", "query", "path", "header", "form", "file")
        ]
        details.append({"field": ".".join(location), "message": item.get("msg", "")})
    return error(request, 422, "validation_error", "Datos inválidos.", details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "unauthorized", "Token ausente, inválido o revocado.")


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 409: "conflict", 413: "too_large"}
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", str(exc) or "No encontrado.")


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or "Sin permiso.")


@api.exception_handler(ValidationError)
def on_domain_error(request, exc):
    return error(request, 422, "business_rule", " ".join(exc.messages))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error(request, 413, "too_large", "El cuerpo de la petición es demasiado grande.")


def require(request, scope: Scope) -> ApiClient:
    client: ApiClient = request.auth
    if not client.has_scope(scope):
        raise HttpError(403, f"El cliente no tiene el permiso «{scope}».")
    return client


def _account(number: str) -> Account:
    account = Account.objects.select_related("customer").filter(number=number).first()
    if account is None:
        raise Http404(f"La cuenta {number} no existe.")
    return account


def _agreement_out(agreement: Agreement) -> dict:
    schedule = list(agreement_selectors.agreement_schedule(agreement=agreement))
    pending = [row for row in schedule if row.balance > 0]
    nxt = pending[0] if pending else None
    return {
        "number": agreement.number,
        "kind": agreement.kind,
        "status": agreement.status,
        "status_label": AgreementStatus(agreement.status).label,
        "balance": sum((row.balance for row in schedule), Decimal("0.00")),
        "next_installment": (
            {"number": nxt.number, "due_date": nxt.due_date, "amount": nxt.amount, "balance": nxt.balance}
            if nxt
            else None
        ),
    }


def _order_out(order: FieldOrder) -> dict:
    return {
        "number": order.number,
        "kind": order.kind,
        "status": order.status,
        "scheduled_for": order.scheduled_for,
        "due_at": order.due_at,
    }


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------

accounts = Router(tags=["Cuentas"])


@accounts.get("/{number}", response={200: schemas.AccountStatus, **ERRORS}, summary="Estado de una cuenta")
def account_status(request, number: str):
    """Lo que necesita una caja: deuda vencida, facturas impagas, antigüedad, convenio vigente
    con su próxima cuota, estado del suministro y órdenes abiertas."""
    require(request, Scope.ACCOUNTS_READ)
    account = _account(number)
    today = timezone.localdate()
    invoices = billing_selectors.account_invoices(account=account).filter(balance__gt=0).order_by("due_date")
    overdue = sum((inv.balance for inv in invoices if inv.due_date < today and not inv.in_agreement), Decimal("0.00"))
    agreement = Agreement.objects.filter(account=account, status__in=[s.value for s in ACTIVE]).order_by("-pk").first()
    orders = FieldOrder.objects.filter(account=account, status=OrderStatus.PENDING).order_by("pk")
    return Status(
        200,
        {
            "number": account.number,
            "holder": account.customer.name,
            "id_number": account.customer.id_display,
            "address": account.address,
            "category": account.get_category_display(),
            "supply_status": account.supply_status,
            "overdue_debt": overdue,
            "unpaid_invoices": [
                {
                    "number": inv.number,
                    "period": inv.period,
                    "due_date": inv.due_date,
                    "amount": inv.amount,
                    "balance": inv.balance,
                    "in_agreement": inv.in_agreement,
                }
                for inv in invoices
            ],
            "aging": [
                {"bucket": row["label"], "count": row["count"], "debt": row["debt"]}
                for row in billing_selectors.account_aging(account=account, today=today)
            ],
            "agreement": _agreement_out(agreement) if agreement else None,
            "open_orders": [_order_out(order) for order in orders],
        },
    )


# ---------------------------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------------------------

payments = Router(tags=["Pagos"])


def payment_result(payment: Payment, *, created: bool) -> dict:
    allocations = [
        {
            "target": "installment",
            "reference": f"{row.installment.agreement.number} cuota {row.installment.number}",
            "amount": row.amount,
        }
        for row in InstallmentPayment.objects.filter(payment=payment).select_related("installment__agreement")
    ]
    allocations += [
        {"target": "invoice", "reference": row.invoice.number, "amount": row.amount}
        for row in PaymentAllocation.objects.filter(payment=payment).select_related("invoice")
    ]
    agreement_ids = InstallmentPayment.objects.filter(payment=payment).values("installment__agreement")
    agreements = Agreement.objects.filter(Q(pk__in=agreement_ids)).order_by("pk")
    return {
        "payment_id": payment.pk,
        "created": created,
        "receipt_number": payment.receipt_number,
        "source": payment.source,
        "account": payment.account.number,
        "amount": payment.amount,
        "allocations": allocations,
        "unapplied": payment.unapplied,
        "agreements": [_agreement_out(agreement) for agreement in agreements],
        "orders": [_order_out(order) for order in FieldOrder.objects.filter(payment=payment).order_by("pk")],
    }


@payments.post(
    "", response={200: schemas.PaymentResult, 201: schemas.PaymentResult, **ERRORS}, summary="Registrar un pago"
)
def post_payment(
    request,
    payload: schemas.PaymentIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=100),
):
    """Aplica el pago (primero a cuotas de convenio, luego a facturas, la más antigua primero),
    regulariza un convenio incumplido, anula un corte pendiente o crea la orden de reconexión,
    todo en una transacción. Cabecera obligatoria `Idempotency-Key`: la misma clave con el mismo
    cuerpo devuelve la primera respuesta; con otro cuerpo, 409. El mismo recibo con otra clave
    devuelve el pago existente con `created: false` y no cambia nada."""
    client = require(request, Scope.PAYMENTS_WRITE)
    key = idempotency_key.strip()
    if not key:
        raise HttpError(400, "Falta la cabecera Idempotency-Key (máximo 100 caracteres).")
    if payload.paid_at > timezone.now() + timedelta(minutes=5):
        raise HttpError(422, "La fecha del pago no puede ser futura.")
    account = _account(payload.account)

    def run():
        payment, created = payment_record(
            source=payload.source,
            receipt_number=payload.receipt_number,
            account=account,
            paid_at=payload.paid_at,
            amount=payload.amount,
            channel=payload.channel,
            actor=None,
        )
        return (201 if created else 200), schemas.PaymentResult(**payment_result(payment, created=created)).model_dump(
            mode="json"
        )

    try:
        status, body, _replayed = idempotent(client=client, key=key, payload=payload.model_dump(mode="json"), run=run)
    except IdempotencyConflict:
        raise HttpError(409, "Esa Idempotency-Key ya se usó con otro pago.") from None
    return Status(status, body)


# ---------------------------------------------------------------------------------------------
# Batches (nightly hand-over from billing)
# ---------------------------------------------------------------------------------------------

batches = Router(tags=["Lotes"])


def _batch_out(job: ImportJob) -> dict:
    return {
        "job_id": job.pk,
        "status": job.status,
        "kind": job.kind,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "imported_rows": job.imported_rows,
        "unchanged_rows": job.unchanged_rows,
        "error_rows": job.error_rows,
        "message": job.message,
        "errors": [
            {"row": e.row_number, "column": e.column, "value": e.value, "message": e.message}
            for e in job.row_errors.all()[:1000]
        ],
    }


@batches.post("", response={202: schemas.BatchOut, **ERRORS}, summary="Enviar un lote de facturas o pagos")
def post_batch(request, file: File[UploadedFile], only_valid_rows: Form[bool] = False):
    """Un archivo en los formatos de importación (CSV o XLSX de cuentas, facturas o pagos; ver
    docs/importacion.md) o en JSON lines (`.jsonl`: un objeto por línea con las mismas claves que
    las columnas). Devuelve el número de trabajo; su avance y los errores por fila se consultan
    con GET /batches/{job_id}."""
    require(request, Scope.IMPORT_WRITE)
    mode = ImportMode.VALID_ROWS if only_valid_rows else ImportMode.ALL_OR_NOTHING
    if file.name.lower().endswith((".jsonl", ".ndjson")):
        try:
            path = jsonlines_to_csv(_lines(file), name=file.name)
        except JsonLinesError as exc:
            raise HttpError(422, str(exc)) from None
        try:
            job = import_job_create(mode=mode, path=path, actor=None)
        finally:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
    else:
        job = import_job_create(mode=mode, uploaded_file=file, actor=None)
    ApiBatch.objects.create(client=request.auth, job=job)
    enqueue(run_import, job.pk)
    job.refresh_from_db()
    return Status(202, _batch_out(job))


def _lines(upload: UploadedFile):
    """The upload's lines, read from disk or memory without loading the whole file."""
    upload.seek(0)
    yield from upload


@batches.get("/{job_id}", response={200: schemas.BatchOut, **ERRORS}, summary="Avance y errores de un lote")
def get_batch(request, job_id: int):
    require(request, Scope.IMPORT_WRITE)
    job = ImportJob.objects.filter(pk=job_id, api_batch__client=request.auth).first()
    if job is None:
        raise Http404("El lote no existe.")
    return Status(200, _batch_out(job))


# ---------------------------------------------------------------------------------------------
# Field orders (contractors)
# ---------------------------------------------------------------------------------------------

orders = Router(tags=["Órdenes de campo"])


def _orders_for(client: ApiClient):
    queryset = FieldOrder.objects.select_related("account__customer", "account__zone", "account__route", "crew")
    if client.contractor_id:
        queryset = queryset.filter(contractor_id=client.contractor_id)
    return queryset


def _field_order_out(order: FieldOrder) -> dict:
    account = order.account
    return {
        "number": order.number,
        "kind": order.kind,
        "status": order.status,
        "account": account.number,
        "holder": account.customer.name,
        "address": account.address,
        "zone": account.zone.name,
        "route": account.route.code,
        "route_sequence": account.route_sequence,
        "meter": account.meter_number,
        "scheduled_for": order.scheduled_for,
        "due_at": order.due_at,
        "crew": order.crew.name if order.crew_id else None,
    }


@orders.get("", response={200: list[schemas.FieldOrderOut], **ERRORS}, summary="Órdenes pendientes")
def list_orders(request, kind: OrderKind | None = None, day: str | None = None):
    """Las órdenes pendientes (de la microempresa del token, si tiene una) hasta el día dado."""
    client = require(request, Scope.ORDERS_READ)
    queryset = _orders_for(client).filter(status=OrderStatus.PENDING)
    if kind:
        queryset = queryset.filter(kind=kind)
    if day:
        try:
            limit = date.fromisoformat(day)
        except ValueError:
            raise HttpError(422, "Fecha inválida: use AAAA-MM-DD.") from None
        queryset = queryset.filter(scheduled_for__lte=limit)
    return Status(200, [_field_order_out(order) for order in queryset.order_by("kind", "scheduled_for", "pk")[:2000]])


@orders.post("/{number}/result", response={200: schemas.FieldOrderOut, **ERRORS}, summary="Registrar el resultado")
def order_result(request, number: str, payload: schemas.OrderResultIn):
    """Ejecutada (con hora) o no ejecutada con su motivo. Un token de microempresa solo cierra
    órdenes de su microempresa."""
    client = require(request, Scope.ORDERS_WRITE)
    order = _orders_for(client).filter(number=number).first()
    if order is None:
        raise Http404(f"La orden {number} no existe.")
    if payload.at is not None and payload.at.tzinfo is None:
        raise HttpError(422, "Indique la zona horaria de la hora de ejecución.")
    field_services.order_record_result(
        actor=None,
        order_id=order.pk,
        executed=payload.executed,
        at=payload.at,
        reason=payload.reason,
        notes=payload.notes,
        contractor=client.contractor,
    )
    order.refresh_from_db()
    return Status(200, _field_order_out(order))


# ---------------------------------------------------------------------------------------------
# Exports for billing
# ---------------------------------------------------------------------------------------------

exports = Router(tags=["Exportaciones"])


@exports.get("/charges", response={200: list[schemas.ChargeOut], **ERRORS}, summary="Cargos para facturar")
def charges(request, period: str):
    """Los cargos de un período `AAAA-MM` para la factura mensual: cuotas de convenio que vencen
    en el mes (con su interés) y cargos de reconexión de las reconexiones ejecutadas en el mes."""
    require(request, Scope.EXPORTS_READ)
    try:
        year, month = (int(part) for part in period.split("-"))
        if not 2000 <= year <= 2100 or not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise HttpError(422, "Período inválido: use AAAA-MM.") from None
    rows = [
        {
            "account": row.account_number,
            "concept": row.concept,
            "reference": row.agreement_number,
            "due_date": row.due_date,
            "principal": row.principal,
            "interest": row.interest,
            "amount": row.amount_due,
        }
        for row in installments_due_in_period(year=year, month=month)
    ]
    reconnections = FieldOrder.objects.filter(
        kind=OrderKind.RECONNECT,
        status=OrderStatus.EXECUTED,
        charge__gt=0,
        executed_at__year=year,
        executed_at__month=month,
    ).select_related("account")
    rows += [
        {
            "account": order.account.number,
            "concept": f"Cargo por reconexión, orden {order.number}",
            "reference": order.number,
            "due_date": timezone.localtime(order.executed_at).date(),
            "principal": order.charge,
            "interest": Decimal("0.00"),
            "amount": order.charge,
        }
        for order in reconnections
    ]
    return Status(200, rows)


api.add_router("/accounts", accounts)
api.add_router("/payments", payments)
api.add_router("/batches", batches)
api.add_router("/field-orders", orders)
api.add_router("/exports", exports)

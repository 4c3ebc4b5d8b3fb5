"""Request and response shapes of the API (what the OpenAPI document publishes)."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import field_validator

from mora.billing.models import Channel

MAX_PAYMENT = Decimal("1000000.00")


class ErrorDetail(Schema):
    field: str = Field(description="Campo con el problema ('' si es general)")
    message: str


class Error(Schema):
    """The one shape of every failure."""

    code: str = Field(description="Código estable, p. ej. 'validation_error', 'not_found', 'forbidden'")
    message: str = Field(description="Mensaje en español para mostrar")
    details: list[ErrorDetail] = Field(default_factory=list)


class InvoiceOut(Schema):
    number: str
    period: date
    due_date: date
    amount: Decimal
    balance: Decimal
    in_agreement: bool


class InstallmentOut(Schema):
    number: int
    due_date: date
    amount: Decimal
    balance: Decimal


class AgreementOut(Schema):
    number: str
    kind: str
    status: str
    status_label: str
    balance: Decimal
    next_installment: InstallmentOut | None


class OrderOut(Schema):
    number: str
    kind: str
    status: str
    scheduled_for: date
    due_at: datetime | None


class AgingBucket(Schema):
    bucket: str
    count: int
    debt: Decimal


class AccountStatus(Schema):
    number: str
    holder: str
    id_number: str
    address: str
    category: str
    supply_status: str
    overdue_debt: Decimal
    unpaid_invoices: list[InvoiceOut]
    aging: list[AgingBucket]
    agreement: AgreementOut | None
    open_orders: list[OrderOut]


class PaymentIn(Schema):
    receipt_number: str = Field(min_length=1, max_length=40)
    source: str = Field(min_length=1, max_length=30, description="Sistema o caja de origen del recibo")
    account: str = Field(min_length=1, max_length=20, description="Número de cuenta")
    amount: Decimal = Field(gt=0, le=MAX_PAYMENT, max_digits=12, decimal_places=2)
    paid_at: datetime = Field(description="Fecha y hora del pago, con zona horaria")
    channel: Channel

    @field_validator("receipt_number", "source", "account")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("no puede estar vacío")
        return value.strip()

    @field_validator("paid_at")
    @classmethod
    def aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("indique la zona horaria (p. ej. 2026-12-04T10:30:00-04:00)")
        return value


class AllocationOut(Schema):
    target: str = Field(description="'installment' o 'invoice'")
    reference: str = Field(description="Convenio y cuota, o número de factura")
    amount: Decimal


class PaymentResult(Schema):
    payment_id: int
    created: bool = Field(description="False si el recibo ya estaba registrado (no se cambió nada)")
    receipt_number: str
    source: str
    account: str
    amount: Decimal
    allocations: list[AllocationOut]
    unapplied: Decimal
    agreements: list[AgreementOut]
    orders: list[OrderOut] = Field(description="Órdenes anuladas o creadas por este pago")


class BatchOut(Schema):
    job_id: int
    status: str
    kind: str
    total_rows: int
    processed_rows: int
    imported_rows: int
    unchanged_rows: int
    error_rows: int
    message: str
    errors: list[dict]


class FieldOrderOut(Schema):
    number: str
    kind: str
    status: str
    account: str
    holder: str
    address: str
    zone: str
    route: str
    route_sequence: int
    meter: str
    scheduled_for: date
    due_at: datetime | None
    crew: str | None


class OrderResultIn(Schema):
    executed: bool
    at: datetime | None = None
    reason: str = Field("", description="Motivo si no se ejecutó: PAID, CLOSED, METER, REFUSAL, ADDRESS, ILLEGAL")
    notes: str = Field("", max_length=300)


class ChargeOut(Schema):
    account: str
    concept: str
    reference: str
    due_date: date
    principal: Decimal
    interest: Decimal
    amount: Decimal

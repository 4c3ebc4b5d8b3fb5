"""Helpers shared by the import tests: write a file, run it, and take a snapshot of the tables
an import may touch (to prove a rejected file leaves the database exactly as it was)."""

from decimal import Decimal

from django.db.models import Sum

from mora.billing.models import ImportMode, Invoice, Payment, PaymentAllocation
from mora.billing.services import import_job_create, import_job_run
from mora.customers.models import Account, Customer, Route, Zone

ACCOUNT_HEADER = (
    "numero_cuenta;nombre;ci;ci_expedido;fecha_nacimiento;telefono;email;direccion_cliente;categoria;"
    "tarifa_dignidad;ley_1886;sistema;zona;zona_nombre;ruta;secuencia_ruta;direccion;medidor;estado_suministro;"
    "protegido;motivo_proteccion"
)
INVOICE_HEADER = "numero_factura;numero_cuenta;periodo;fecha_emision;fecha_vencimiento;kwh;importe"
PAYMENT_HEADER = "origen;numero_recibo;numero_cuenta;fecha_hora;importe;canal"


def write(tmp_path, name: str, lines: list[str], encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return str(path)


def run_file(path: str, mode: str = ImportMode.ALL_OR_NOTHING, actor=None):
    job = import_job_create(path=path, mode=mode, actor=actor)
    return import_job_run(job_id=job.pk)


def snapshot() -> dict:
    return {
        "accounts": list(Account.objects.order_by("pk").values()),
        "customers": Customer.objects.count(),
        "zones": Zone.objects.count(),
        "routes": Route.objects.count(),
        "invoices": Invoice.objects.count(),
        "balances": Invoice.objects.aggregate(s=Sum("balance"))["s"] or Decimal(0),
        "payments": Payment.objects.count(),
        "allocations": PaymentAllocation.objects.count(),
    }


def errors(job) -> list[tuple[int, str, str]]:
    return [(e.row_number, e.column, e.message) for e in job.row_errors.all()]

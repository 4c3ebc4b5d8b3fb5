"""Writes of the billing app: payments and the import of the billing system's extracts."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from mora.core.audit import audit_record
from mora.core.money import format_bs, to_money
from mora.customers.models import Account, Customer, Route, System, Zone

from .allocation import allocate_oldest_first, unapplied_after
from .importing.formats import (
    KIND_LABELS,
    Row,
    RowIssue,
    detect_kind,
    normalize_name,
    validate_account_row,
    validate_invoice_row,
    validate_payment_row,
)
from .importing.readers import FileFormatError, inspect_file, iter_rows
from .models import (
    ImportJob,
    ImportKind,
    ImportMode,
    ImportRowError,
    ImportStatus,
    Invoice,
    Payment,
    PaymentAllocation,
)
from .payment_steps import after_payment_hooks, payment_steps

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------------------------


def _same_payment(payment: Payment, *, account_id, paid_at, amount, channel) -> bool:
    return (
        payment.account_id == account_id
        and payment.paid_at == paid_at
        and payment.amount == amount
        and payment.channel == channel
    )


@transaction.atomic
def payment_record(
    *, source: str, receipt_number: str, account, paid_at, amount, channel, actor=None, import_job=None
) -> tuple[Payment, bool]:
    """Post a payment and allocate it oldest first (by due date, then number) to the account's
    open invoices; what is left is the payer's credit (`unapplied`).

    Idempotent on (source, receipt_number): the same receipt with the same data returns the
    existing payment and `created=False`; with other data it is a ValidationError, because the
    billing system must never reuse a receipt number.
    """
    source, receipt_number = source.strip(), receipt_number.strip()
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError("El importe del pago debe ser mayor que cero.")
    # The account row is the lock that serializes every payment of this account: balances are
    # read after it, so two cashiers posting at once cannot both pay the same invoice.
    account = Account.objects.select_for_update().get(pk=account.pk)
    existing = Payment.objects.filter(source=source, receipt_number=receipt_number).first()
    if existing is not None:
        if _same_payment(existing, account_id=account.pk, paid_at=paid_at, amount=amount, channel=channel):
            return existing, False
        raise ValidationError(f"El recibo {source}/{receipt_number} ya está registrado con otros datos.")

    payment = Payment(
        source=source,
        receipt_number=receipt_number,
        account=account,
        paid_at=paid_at,
        amount=amount,
        channel=channel,
        unapplied=amount,
        posted_by=actor if getattr(actor, "is_authenticated", False) else None,
        import_job=import_job,
    )
    payment.full_clean(
        exclude=["account", "posted_by", "import_job"], validate_unique=False, validate_constraints=False
    )
    try:
        # A savepoint: the same receipt posted at this instant for another account (so not
        # serialized by the account lock) loses the race on the unique constraint.
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        existing = Payment.objects.get(source=source, receipt_number=receipt_number)
        if _same_payment(existing, account_id=account.pk, paid_at=paid_at, amount=amount, channel=channel):
            return existing, False
        raise ValidationError(f"El recibo {source}/{receipt_number} ya está registrado con otros datos.") from None

    # First the registered steps (agreement installments), then the plain invoices oldest first.
    remaining = amount
    for step in payment_steps():
        remaining = step(payment=payment, account=account, amount=remaining, actor=actor)
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(account=account, balance__gt=0, in_agreement=False)
        .order_by("due_date", "number", "pk")
    )
    plan = invoices_apply(payment=payment, invoices=invoices, amount=remaining)
    payment.unapplied = unapplied_after(remaining, plan)
    payment.save(update_fields=["unapplied"])

    numbers = {invoice.pk: invoice.number for invoice in invoices}
    audit_record(
        actor=actor,
        actor_label="" if actor else (f"importación {import_job.pk}" if import_job else "sistema"),
        action="payment.recorded",
        entity=payment,
        account_id=account.pk,
        summary=(
            f"Pago {source}/{receipt_number} de {format_bs(amount)}: {format_bs(amount - remaining)} a cuotas de "
            f"convenio, {format_bs(remaining - payment.unapplied)} a {len(plan)} factura(s); "
            f"saldo a favor {format_bs(payment.unapplied)}"
        ),
        after={
            "amount": str(amount),
            "channel": channel,
            "paid_at": paid_at.isoformat(),
            "to_installments": str(amount - remaining),
            "allocations": [{"invoice": numbers[key], "amount": str(value)} for key, value in plan],
            "unapplied": str(payment.unapplied),
        },
    )
    for hook in after_payment_hooks():
        hook(payment=payment, account=account, actor=actor)
    return payment, True


def invoices_apply(*, payment: Payment, invoices: list[Invoice], amount: Decimal) -> list[tuple[int, Decimal]]:
    """Apply `amount` of `payment` to `invoices` (already locked, in the order to pay them):
    lower their balances and record the allocations. Returns the plan (invoice id, amount)."""
    plan = allocate_oldest_first(amount, [(invoice.pk, invoice.balance) for invoice in invoices])
    applied = dict(plan)
    changed = []
    for invoice in invoices:
        if invoice.pk in applied:
            invoice.balance -= applied[invoice.pk]
            changed.append(invoice)
    Invoice.objects.bulk_update(changed, ["balance"])
    PaymentAllocation.objects.bulk_create(
        [PaymentAllocation(payment=payment, invoice_id=key, amount=value) for key, value in plan]
    )
    return plan


# ---------------------------------------------------------------------------------------------
# Import of the billing system's files
#
# How a job runs, and why (a file may have 1,000,000 rows):
# - The file is never held in memory: readers stream it row by row, and rows are handled in
#   chunks of CHUNK_SIZE, with one query per chunk for the accounts and one for the existing
#   keys (invoices, payments, accounts).
# - Pass 1 validates everything and writes nothing but the job's progress and its row errors,
#   each chunk in autocommit, so other connections (the progress page) see them at once.
# - Pass 2 runs only when the file can be imported (mode ALL: no error at all; mode VALID: at
#   least one good row). It validates again (the same code, so the same rows are good) and
#   writes inside ONE transaction: a crash halfway leaves the database as it was. Its progress
#   cannot go to the job row (uncommitted until the end), so it goes to the Django cache,
#   keyed by job id, which the progress page reads (Redis in production; in the embedded mode
#   the job runs in a thread of the web process, which shares the local-memory cache).
# ---------------------------------------------------------------------------------------------

CHUNK_SIZE = 2000
MAX_STORED_ERRORS = 1000
PROGRESS_TTL = 6 * 3600

ProgressCallback = Callable[[str, int, int], None]


def import_progress_key(job_id: int) -> str:
    return f"mora:import:{job_id}:progress"


def import_job_create(*, mode: str = ImportMode.ALL_OR_NOTHING, actor=None, uploaded_file=None, path=None) -> ImportJob:
    """Store the file (an upload or a path on disk) and queue nothing: the caller decides
    whether to run it now (management command) or in the background (page)."""
    if (uploaded_file is None) == (path is None):
        raise ValueError("Indique uploaded_file o path, no ambos.")
    if mode not in ImportMode.values:
        raise ValidationError(f"Modo de importación desconocido: {mode}.")
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ValidationError(f"No existe el archivo {path}.")
        handle = path.open("rb")
        upload = File(handle, name=path.name)
    else:
        handle = None
        upload = uploaded_file
    try:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        original_name = Path(upload.name).name[:255]
        job = ImportJob(
            mode=mode,
            original_name=original_name,
            sha256=digest.hexdigest(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        upload.seek(0)
        with transaction.atomic():
            job.file.save(original_name, upload, save=False)
            job.full_clean()
            job.save()
            audit_record(
                actor=actor,
                action="import.created",
                entity=job,
                summary=f"Archivo {original_name} subido para importar ({ImportMode(mode).label})",
            )
    finally:
        if handle is not None:
            handle.close()
    return job


@dataclass
class _PassStats:
    rows: int = 0
    error_rows: int = 0
    stored_errors: int = 0
    imported: int = 0
    unchanged: int = 0

    @property
    def valid_rows(self) -> int:
        return self.rows - self.error_rows


@dataclass
class _Plan:
    row: Row
    clean: dict
    action: str  # "create", "update" or "unchanged"
    extra: dict


class _Rejected(Exception):
    """Ends a job as REJECTED with a message for the user (rolls back pass 2)."""


class _Importer:
    """What differs between the three kinds of file. One instance per pass: it keeps the
    keys already seen in the file, to report a key repeated inside the same file."""

    key_columns: tuple[str, ...] = ()

    def __init__(self, job: ImportJob, now):
        self.job = job
        self.now = now
        self.seen: set = set()

    def check(self, row: Row) -> dict | None:
        key = tuple(row.raw(column) for column in self.key_columns)
        if all(key):
            if key in self.seen:
                row.fail(self.key_columns[-1], "repetido en el mismo archivo (ya apareció en una fila anterior)")
            else:
                self.seen.add(key)
        clean = self.validate(row)
        return None if row.issues else clean

    def validate(self, row: Row) -> dict | None:
        raise NotImplementedError

    def plan(self, items: list[tuple[Row, dict]]) -> list[_Plan]:
        """Database checks of a chunk of valid rows; adds issues to rows that fail them."""
        raise NotImplementedError

    def apply(self, plans: list[_Plan]) -> tuple[int, int]:
        """Write a chunk; returns (imported, unchanged)."""
        raise NotImplementedError

    def accounts_by_number(self, numbers) -> dict[str, int]:
        return dict(Account.objects.filter(number__in=set(numbers)).values_list("number", "pk"))


class _InvoiceImporter(_Importer):
    key_columns = ("numero_factura",)

    def validate(self, row):
        return validate_invoice_row(row)

    def plan(self, items):
        accounts = self.accounts_by_number(clean["account_number"] for _, clean in items)
        existing = {
            number: rest
            for number, *rest in Invoice.objects.filter(number__in=[clean["number"] for _, clean in items]).values_list(
                "number", "account_id", "period", "issue_date", "due_date", "kwh", "amount"
            )
        }
        plans = []
        for row, clean in items:
            account_id = accounts.get(clean["account_number"])
            if account_id is None:
                row.fail("numero_cuenta", "la cuenta no existe en Mora (importe antes el archivo de cuentas)")
                continue
            incoming = [
                account_id,
                clean["period"],
                clean["issue_date"],
                clean["due_date"],
                clean["kwh"],
                clean["amount"],
            ]
            if clean["number"] in existing:
                if existing[clean["number"]] == incoming:
                    plans.append(_Plan(row, clean, "unchanged", {}))
                else:
                    row.fail("numero_factura", "la factura ya existe con otros datos")
                continue
            plans.append(_Plan(row, clean, "create", {"account_id": account_id}))
        return plans

    def apply(self, plans):
        new = [
            Invoice(
                account_id=plan.extra["account_id"],
                number=plan.clean["number"],
                period=plan.clean["period"],
                issue_date=plan.clean["issue_date"],
                due_date=plan.clean["due_date"],
                kwh=plan.clean["kwh"],
                amount=plan.clean["amount"],
                # Mora owns the balance: a new invoice is unpaid until a payment is applied here.
                balance=plan.clean["amount"],
                import_job=self.job,
            )
            for plan in plans
            if plan.action == "create"
        ]
        Invoice.objects.bulk_create(new, batch_size=500)
        return len(new), len(plans) - len(new)


class _PaymentImporter(_Importer):
    key_columns = ("origen", "numero_recibo")

    def validate(self, row):
        return validate_payment_row(row, now=self.now)

    def plan(self, items):
        accounts = self.accounts_by_number(clean["account_number"] for _, clean in items)
        existing = {
            (source, receipt): rest
            for source, receipt, *rest in Payment.objects.filter(
                receipt_number__in={clean["receipt_number"] for _, clean in items}
            ).values_list("source", "receipt_number", "account_id", "paid_at", "amount", "channel")
        }
        plans = []
        for row, clean in items:
            account_id = accounts.get(clean["account_number"])
            if account_id is None:
                row.fail("numero_cuenta", "la cuenta no existe en Mora (importe antes el archivo de cuentas)")
                continue
            known = existing.get((clean["source"], clean["receipt_number"]))
            if known is not None:
                if known == [account_id, clean["paid_at"], clean["amount"], clean["channel"]]:
                    plans.append(_Plan(row, clean, "unchanged", {}))
                else:
                    row.fail("numero_recibo", "el recibo ya existe con otros datos")
                continue
            plans.append(_Plan(row, clean, "create", {"account_id": account_id}))
        return plans

    def apply(self, plans):
        # One payment at a time through payment_record: it locks the account and allocates
        # oldest first, exactly as a cashier's payment; correctness over raw speed.
        imported = unchanged = 0
        for plan in plans:
            if plan.action != "create":
                unchanged += 1
                continue
            try:
                _, created = payment_record(
                    source=plan.clean["source"],
                    receipt_number=plan.clean["receipt_number"],
                    account=Account(pk=plan.extra["account_id"]),
                    paid_at=plan.clean["paid_at"],
                    amount=plan.clean["amount"],
                    channel=plan.clean["channel"],
                    actor=self.job.created_by,
                    import_job=self.job,
                )
            except ValidationError as exc:
                plan.row.fail("numero_recibo", "; ".join(exc.messages))
                continue
            if created:
                imported += 1
            else:
                unchanged += 1
        return imported, unchanged


ACCOUNT_FIELDS = (
    "category",
    "tarifa_dignidad",
    "ley_1886",
    "route_sequence",
    "address",
    "meter_number",
    "is_protected",
    "protected_reason",
)
# The supply status comes from the billing extract only for a new account: afterwards Mora owns
# it (the crews' results change it), and a nightly extract that still says "active" must not
# undo a cut recorded today.
CREATE_ONLY_FIELDS = ("supply_status",)
CUSTOMER_FIELDS = ("name", "birth_date", "phone", "email", "address")


def _jsonable(values: dict) -> dict:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in values.items()}


class _AccountImporter(_Importer):
    key_columns = ("numero_cuenta",)

    def __init__(self, job, now):
        super().__init__(job, now)
        # Inside one file a zone belongs to one system, a route to one zone and a customer has
        # one set of data; these maps hold (value, first row) to say where the conflict is.
        self.zone_system: dict[str, tuple[str, int]] = {}
        self.route_zone: dict[str, tuple[str, int]] = {}
        self.customers: dict[tuple, tuple[tuple, int]] = {}
        self.systems: dict[str, System] = {}
        for system in System.objects.all():
            self.systems[normalize_name(system.code)] = system
            self.systems[normalize_name(system.name)] = system

    def _consistent(self, row: Row, table: dict, key, value, column: str, message: str) -> None:
        first = table.setdefault(key, (value, row.number))
        if first[0] != value:
            row.fail(column, f"{message} (fila {first[1]})")

    def validate(self, row):
        clean = validate_account_row(row)
        if clean is None:
            return None
        system = self.systems.get(normalize_name(clean["system"]))
        if system is None:
            codes = ", ".join(sorted({s.code for s in self.systems.values()})) or "ninguno cargado"
            row.fail("sistema", f"sistema desconocido (sistemas: {codes})")
            return None
        clean["system_id"] = system.pk
        self._consistent(
            row, self.zone_system, clean["zone_code"], system.pk, "zona", "la zona ya aparece con otro sistema"
        )
        self._consistent(
            row, self.route_zone, clean["route_code"], clean["zone_code"], "ruta", "la ruta ya aparece en otra zona"
        )
        customer = clean["customer"]
        self._consistent(
            row,
            self.customers,
            (customer["id_number"], customer["id_department"]),
            tuple(customer[name] for name in CUSTOMER_FIELDS),
            "ci",
            "el cliente ya aparece con otros datos",
        )
        return None if row.issues else clean

    def plan(self, items):
        zones = dict(Zone.objects.filter(code__in={c["zone_code"] for _, c in items}).values_list("code", "system_id"))
        routes = dict(
            Route.objects.filter(code__in={c["route_code"] for _, c in items}).values_list("code", "zone__code")
        )
        customers = {
            (customer.id_number, customer.id_department): customer
            for customer in Customer.objects.filter(id_number__in={c["customer"]["id_number"] for _, c in items})
        }
        accounts = {
            account.number: account
            for account in Account.objects.filter(number__in=[c["number"] for _, c in items]).select_related(
                "zone", "route", "customer"
            )
        }
        plans = []
        for row, clean in items:
            if clean["zone_code"] in zones and zones[clean["zone_code"]] != clean["system_id"]:
                row.fail("zona", "la zona ya existe en Mora con otro sistema")
            if clean["route_code"] in routes and routes[clean["route_code"]] != clean["zone_code"]:
                row.fail("ruta", f"la ruta ya existe en Mora en la zona {routes[clean['route_code']]}")
            if row.issues:
                continue
            data = clean["customer"]
            customer = customers.get((data["id_number"], data["id_department"]))
            customer_changes = {}
            if customer is not None:
                customer_changes = {
                    name: (getattr(customer, name), data[name])
                    for name in CUSTOMER_FIELDS
                    if getattr(customer, name) != data[name]
                }
            account = accounts.get(clean["number"])
            if account is None:
                plans.append(_Plan(row, clean, "create", {"customer": customer, "customer_changes": customer_changes}))
                continue
            changes = {
                name: (getattr(account, name), clean[name])
                for name in ACCOUNT_FIELDS
                if getattr(account, name) != clean[name]
            }
            if account.zone.code != clean["zone_code"]:
                changes["zona"] = (account.zone.code, clean["zone_code"])
            if account.route.code != clean["route_code"]:
                changes["ruta"] = (account.route.code, clean["route_code"])
            if (account.customer.id_number, account.customer.id_department) != (
                data["id_number"],
                data["id_department"],
            ):
                changes["titular"] = (account.customer.id_display, f"{data['id_number']} {data['id_department']}")
            action = "update" if changes or customer_changes else "unchanged"
            plans.append(
                _Plan(
                    row,
                    clean,
                    action,
                    {
                        "account": account,
                        "customer": customer,
                        "changes": changes,
                        "customer_changes": customer_changes,
                    },
                )
            )
        return plans

    def _zone(self, clean) -> Zone:
        zone = Zone.objects.filter(code=clean["zone_code"]).first()
        if zone is None:
            zone = Zone(
                system_id=clean["system_id"], code=clean["zone_code"], name=clean["zone_name"] or clean["zone_code"]
            )
            zone.full_clean(exclude=["system"], validate_unique=False)
            zone.save()
        return zone

    def _route(self, clean, zone: Zone) -> Route:
        route = Route.objects.filter(code=clean["route_code"]).first()
        if route is None:
            route = Route.objects.create(zone=zone, code=clean["route_code"])
        return route

    def _customer(self, plan: _Plan) -> Customer:
        data = plan.clean["customer"]
        # Looked up again: an earlier row of this file may have created or updated it.
        customer = Customer.objects.filter(id_number=data["id_number"], id_department=data["id_department"]).first()
        if customer is None:
            customer = Customer(**data)
            customer.full_clean(validate_unique=False, validate_constraints=False)
            customer.save()
            return customer
        changes = {n: (getattr(customer, n), data[n]) for n in CUSTOMER_FIELDS if getattr(customer, n) != data[n]}
        if changes:
            for name, (_, new) in changes.items():
                setattr(customer, name, new)
            customer.full_clean(validate_unique=False, validate_constraints=False)
            customer.save()
            audit_record(
                actor=self.job.created_by,
                actor_label="" if self.job.created_by else f"importación {self.job.pk}",
                action="customer.updated_by_import",
                entity=customer,
                summary=f"Cliente {customer.id_display} actualizado por la importación {self.job.pk}",
                before=_jsonable({k: old for k, (old, _) in changes.items()}),
                after=_jsonable({k: new for k, (_, new) in changes.items()}),
            )
        return customer

    def apply(self, plans):
        imported = unchanged = 0
        for plan in plans:
            if plan.action == "unchanged":
                unchanged += 1
                continue
            clean = plan.clean
            zone = self._zone(clean)
            route = self._route(clean, zone)
            customer = self._customer(plan)
            values = {name: clean[name] for name in ACCOUNT_FIELDS}
            if plan.action == "create":
                values.update({name: clean[name] for name in CREATE_ONLY_FIELDS})
                account = Account(number=clean["number"], customer=customer, zone=zone, route=route, **values)
                account.full_clean(exclude=["customer", "zone", "route"], validate_unique=False)
                account.save()
            else:
                # Locked, and only the imported columns written: a crew's result recorded
                # meanwhile (supply status) is not overwritten.
                account = Account.objects.select_for_update().get(pk=plan.extra["account"].pk)
                for name, value in values.items():
                    setattr(account, name, value)
                account.customer, account.zone, account.route = customer, zone, route
                account.full_clean(exclude=["customer", "zone", "route"], validate_unique=False)
                account.save(update_fields=[*values, "customer", "zone", "route", "updated_at"])
                changes = plan.extra["changes"]
                if changes:
                    audit_record(
                        actor=self.job.created_by,
                        actor_label="" if self.job.created_by else f"importación {self.job.pk}",
                        action="account.updated_by_import",
                        entity=account,
                        account_id=account.pk,
                        summary=f"Cuenta {account.number} actualizada por la importación {self.job.pk}: "
                        + ", ".join(changes),
                        before=_jsonable({k: old for k, (old, _) in changes.items()}),
                        after=_jsonable({k: new for k, (_, new) in changes.items()}),
                    )
            imported += 1
        return imported, unchanged


IMPORTERS = {
    ImportKind.ACCOUNTS: _AccountImporter,
    ImportKind.INVOICES: _InvoiceImporter,
    ImportKind.PAYMENTS: _PaymentImporter,
}


def _store_errors(job: ImportJob, issues: list[RowIssue], stats: _PassStats) -> None:
    room = MAX_STORED_ERRORS - stats.stored_errors
    if room <= 0 or not issues:
        return
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                job=job, row_number=i.row, column=i.column[:60], value=i.value[:200], message=i.message[:300]
            )
            for i in issues[:room]
        ]
    )
    stats.stored_errors += min(room, len(issues))


def _run_pass(job, importer: _Importer, rows, columns, *, write: bool, on_chunk) -> _PassStats:
    stats = _PassStats()
    width = max(columns.values()) + 1

    def flush(chunk: list[tuple[Row, dict | None]]) -> None:
        good = [(row, clean) for row, clean in chunk if clean is not None]
        plans = importer.plan(good) if good else []
        if write:
            imported, unchanged = importer.apply([plan for plan in plans if not plan.row.issues])
            stats.imported += imported
            stats.unchanged += unchanged
        bad = [row for row, _ in chunk if row.issues]
        stats.error_rows += len(bad)
        stats.rows += len(chunk)
        if not write:
            _store_errors(job, [issue for row in bad for issue in row.issues], stats)
        on_chunk(stats)

    chunk: list[tuple[Row, dict | None]] = []
    for number, cells in rows:
        if not any(cells):
            continue  # a blank line is not a row (exports often end with some)
        row = Row(number=number, cells=cells, columns=columns)
        extra = [cell for cell in cells[width:] if cell]
        if extra:
            row.fail("", f"la fila tiene más columnas que el encabezado ({len(cells)})", value=extra[0])
        clean = importer.check(row) if not row.issues else None
        chunk.append((row, clean))
        if len(chunk) >= CHUNK_SIZE:
            flush(chunk)
            chunk = []
    if chunk:
        flush(chunk)
    return stats


def _finish(job_id: int, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(finished_at=timezone.now(), **fields)


def import_job_run(*, job_id: int, progress: ProgressCallback | None = None) -> ImportJob:
    """Validate and import a queued job. Runs once: a job that is not PENDING is left alone,
    so a task delivered twice does not import twice. A job left RUNNING for longer than any
    import takes (its worker died; the task is redelivered) is taken over and run again from
    the start: the writing pass is one transaction, so nothing of the dead run was kept."""
    stale = timezone.now() - timedelta(seconds=PROGRESS_TTL)
    with transaction.atomic():
        claimed = ImportJob.objects.filter(
            Q(status=ImportStatus.PENDING) | Q(status=ImportStatus.RUNNING, started_at__lt=stale), pk=job_id
        ).update(status=ImportStatus.RUNNING, started_at=timezone.now(), processed_rows=0, error_rows=0)
        if claimed:
            # The row report of a dead run is rebuilt by this one.
            ImportRowError.objects.filter(job_id=job_id).delete()
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        _import(job, progress or (lambda phase, done, total: None))
    except _Rejected as exc:
        _finish(job.pk, status=ImportStatus.REJECTED, message=str(exc), imported_rows=0, unchanged_rows=0)
    except Exception as exc:
        logger.exception("Import job %s failed", job.pk)
        _finish(job.pk, status=ImportStatus.FAILED, message=f"Error interno, no se importó nada: {exc}"[:2000])
    finally:
        cache.delete(import_progress_key(job.pk))
    job.refresh_from_db()
    return job


def _import(job: ImportJob, progress: ProgressCallback) -> None:
    storage, name = job.file.storage, job.file.name

    def opener():
        return storage.open(name, "rb")

    now = timezone.now()
    try:
        info = inspect_file(opener)
        rows = iter_rows(opener, info)
        first = next(rows, None)
        if first is None:
            raise FileFormatError("El archivo está vacío.")
        kind, columns = detect_kind(first[1])
    except FileFormatError as exc:
        raise _Rejected(str(exc)) from exc
    finally:
        if "rows" in locals():
            rows.close()
    ImportJob.objects.filter(pk=job.pk).update(kind=kind, total_rows=info.approx_rows, processed_rows=0)
    job.kind = kind
    estimate = info.approx_rows

    # Pass 1: validate and count; progress and row errors are committed chunk by chunk.
    def on_validated(stats: _PassStats) -> None:
        total = max(estimate, stats.rows)
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=stats.rows, total_rows=total, error_rows=stats.error_rows
        )
        progress("validación", stats.rows, total)

    rows = iter_rows(opener, info)
    next(rows)  # the header
    try:
        checked = _run_pass(job, IMPORTERS[kind](job, now), rows, columns, write=False, on_chunk=on_validated)
    except FileFormatError as exc:
        raise _Rejected(str(exc)) from exc
    total = checked.rows
    ImportJob.objects.filter(pk=job.pk).update(total_rows=total, processed_rows=total, error_rows=checked.error_rows)
    label = KIND_LABELS[kind]
    if total == 0:
        raise _Rejected("El archivo no tiene filas de datos, solo el encabezado.")
    if checked.error_rows and job.mode == ImportMode.ALL_OR_NOTHING:
        raise _Rejected(
            f"{checked.error_rows} de {total} filas tienen errores: no se importó nada (modo «todo o nada»). "
            "Corrija el archivo o súbalo en el modo «solo filas válidas»."
        )
    if checked.valid_rows == 0:
        raise _Rejected(f"Ninguna de las {total} filas es válida: no se importó nada.")

    # Pass 2: the same checks again, and the writes, all in one transaction.
    def on_written(stats: _PassStats) -> None:
        cache.set(
            import_progress_key(job.pk), {"phase": "write", "processed": stats.rows, "total": total}, PROGRESS_TTL
        )
        progress("importación", stats.rows, total)

    rows = iter_rows(opener, info)
    next(rows)
    with transaction.atomic():
        written = _run_pass(job, IMPORTERS[kind](job, now), rows, columns, write=True, on_chunk=on_written)
        if written.error_rows != checked.error_rows and job.mode == ImportMode.ALL_OR_NOTHING:
            # The database changed between the passes (e.g. a payment posted meanwhile).
            raise _Rejected("Los datos cambiaron durante la importación; no se importó nada. Vuelva a intentarlo.")
        summary = (
            f"Importación {job.pk} de {label} ({job.original_name}): {written.imported} filas importadas, "
            f"{written.unchanged} sin cambios, {written.error_rows} con errores"
        )
        audit_record(
            actor=job.created_by,
            actor_label="" if job.created_by else f"importación {job.pk}",
            action="import.done",
            entity=job,
            summary=summary,
        )
    _finish(
        job.pk,
        status=ImportStatus.DONE,
        imported_rows=written.imported,
        unchanged_rows=written.unchanged,
        error_rows=max(written.error_rows, checked.error_rows),
        processed_rows=total,
        message=summary + ".",
    )


__all__ = [
    "CHUNK_SIZE",
    "Decimal",
    "import_job_create",
    "import_job_run",
    "import_progress_key",
    "payment_record",
]

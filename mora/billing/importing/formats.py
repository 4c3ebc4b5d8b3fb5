"""The three kinds of file the billing system sends, and the checks of one row.

Pure code: no database. What needs the database (does the account exist? is the invoice already
there with other data?) is checked in services.py, one query per chunk of rows. Column names are
compared without case, accents or spaces, so `Número de cuenta`, `NUMERO_CUENTA` and
`numero cuenta` are the same column; the order of the columns is free.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from mora.billing.models import Channel, ImportKind, Invoice, Payment
from mora.core.money import AmountError, format_bs, parse_amount
from mora.customers.models import Account, Category, Customer, IdDepartment, Route, SupplyStatus, Zone

from .readers import FileFormatError

LA_PAZ = ZoneInfo("America/La_Paz")
MAX_AMOUNT = Decimal("10000000")
MAX_KWH = 10_000_000


@dataclass(frozen=True)
class Column:
    name: str
    required: bool  # must be present in the header (its value may still be allowed empty)
    kind: str  # text, date, amount, ... (for the documentation and the error table)


ACCOUNT_COLUMNS = (
    Column("numero_cuenta", True, "texto"),
    Column("nombre", True, "texto"),
    Column("ci", True, "texto"),
    Column("ci_expedido", True, "departamento"),
    Column("fecha_nacimiento", False, "fecha"),
    Column("telefono", True, "texto"),
    Column("email", True, "correo"),
    Column("direccion_cliente", False, "texto"),
    Column("categoria", True, "categoría"),
    Column("tarifa_dignidad", True, "si/no"),
    Column("ley_1886", True, "si/no"),
    Column("sistema", True, "sistema"),
    Column("zona", True, "código"),
    Column("zona_nombre", False, "texto"),
    Column("ruta", True, "código"),
    Column("secuencia_ruta", True, "entero"),
    Column("direccion", True, "texto"),
    Column("medidor", True, "texto"),
    Column("estado_suministro", True, "estado"),
    Column("protegido", True, "si/no"),
    Column("motivo_proteccion", False, "texto"),
)
INVOICE_COLUMNS = (
    Column("numero_factura", True, "texto"),
    Column("numero_cuenta", True, "texto"),
    Column("periodo", True, "mes"),
    Column("fecha_emision", True, "fecha"),
    Column("fecha_vencimiento", True, "fecha"),
    Column("kwh", True, "entero"),
    Column("importe", True, "importe"),
)
PAYMENT_COLUMNS = (
    Column("origen", True, "texto"),
    Column("numero_recibo", True, "texto"),
    Column("numero_cuenta", True, "texto"),
    Column("fecha_hora", True, "fecha y hora"),
    Column("importe", True, "importe"),
    Column("canal", True, "canal"),
)
SPECS = {
    ImportKind.ACCOUNTS: ACCOUNT_COLUMNS,
    ImportKind.INVOICES: INVOICE_COLUMNS,
    ImportKind.PAYMENTS: PAYMENT_COLUMNS,
}
KIND_LABELS = {
    ImportKind.ACCOUNTS: "cuentas",
    ImportKind.INVOICES: "facturas",
    ImportKind.PAYMENTS: "pagos",
}


def normalize_name(text: str) -> str:
    """`Número de Cuenta ` -> `numero_de_cuenta`; also drops a UTF-8 BOM Excel may leave."""
    text = unicodedata.normalize("NFKD", str(text).replace("\ufeff", "").strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


# A few spellings billing extracts use for the same column.
ALIASES = {
    "numero_de_cuenta": "numero_cuenta",
    "nro_cuenta": "numero_cuenta",
    "cuenta": "numero_cuenta",
    "numero_de_factura": "numero_factura",
    "nro_factura": "numero_factura",
    "numero_de_recibo": "numero_recibo",
    "nro_recibo": "numero_recibo",
    "correo": "email",
    "expedido": "ci_expedido",
}


def detect_kind(header: list[str]) -> tuple[str, dict[str, int]]:
    """From the header row, the kind of file and where each column is. Raises FileFormatError
    with one message for the whole file when the columns are wrong."""
    while header and not header[-1].strip():
        header = header[:-1]  # Excel often leaves empty cells after the last column
    names = [ALIASES.get(normalize_name(cell), normalize_name(cell)) for cell in header]
    if not names:
        raise FileFormatError("La primera fila está vacía: debe tener los nombres de las columnas.")
    if "numero_factura" in names:
        kind = ImportKind.INVOICES
    elif "numero_recibo" in names:
        kind = ImportKind.PAYMENTS
    elif "ci" in names or "nombre" in names:
        kind = ImportKind.ACCOUNTS
    else:
        raise FileFormatError(
            "No se reconoce el tipo de archivo: la primera fila debe tener los nombres de columna de un archivo "
            "de cuentas (numero_cuenta, nombre, ci, ...), de facturas (numero_factura, ...) o de pagos "
            f"(numero_recibo, ...). Se encontró: {', '.join(h for h in header if h) or '(nada)'}."
        )
    spec = SPECS[kind]
    label = KIND_LABELS[kind]
    known = {c.name for c in spec}
    problems = []
    blank = [str(i + 1) for i, name in enumerate(names) if not name]
    if blank:
        problems.append(f"columnas sin nombre en la posición {', '.join(blank)}")
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        problems.append(f"columnas repetidas: {', '.join(repeated)}")
    missing = [c.name for c in spec if c.required and c.name not in names]
    if missing:
        problems.append(f"faltan las columnas: {', '.join(missing)}")
    unknown = [header[i] for i, n in enumerate(names) if n and n not in known]
    if unknown:
        problems.append(f"columnas desconocidas: {', '.join(unknown)}")
    if problems:
        raise FileFormatError(
            f"El archivo parece de {label} pero sus columnas no son las esperadas: {'; '.join(problems)}. "
            f"Columnas de un archivo de {label}: {', '.join(c.name for c in spec)}."
        )
    return kind, {name: index for index, name in enumerate(names)}


@dataclass(frozen=True)
class RowIssue:
    row: int
    column: str
    value: str
    message: str


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Accept a choice by its code or by its label, written any way."""
    table = {}
    for code, label in choices:
        table[normalize_name(code)] = code
        table[normalize_name(label)] = code
    for alias, code in (extra or {}).items():
        table[normalize_name(alias)] = code
    return table


CATEGORIES = _lookup(Category.choices)
DEPARTMENTS = _lookup(IdDepartment.choices)
SUPPLY_STATUSES = _lookup(SupplyStatus.choices, {"Suspendido": SupplyStatus.SUSPENDED})
CHANNELS = _lookup(
    Channel.choices,
    {
        "Ventanilla": Channel.WINDOW,
        "Banco": Channel.BANK,
        "Agente": Channel.AGENT,
        "En línea": Channel.ONLINE,
        "QR": Channel.ONLINE,
        "Online": Channel.ONLINE,
        "Campo": Channel.FIELD,
    },
)
TRUE_WORDS = {"si", "s", "1", "x", "true", "verdadero", "yes"}
FALSE_WORDS = {"no", "n", "0", "false", "falso", ""}

_DATE_DMY = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[ T]00:00(?::00)?)?$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DATETIME_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_PERIOD_MY = re.compile(r"^(\d{1,2})[/-](\d{4})$")
_PERIOD_YM = re.compile(r"^(\d{4})[/-](\d{1,2})$")


def parse_date(text: str) -> date:
    """dd/mm/yyyy (the Bolivian order) or yyyy-mm-dd; ValueError otherwise."""
    if match := _DATE_DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _DATE_ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(text)
    if not 1900 <= year <= 2100:
        raise ValueError(text)
    return date(year, month, day)


def parse_datetime(text: str) -> datetime:
    """dd/mm/yyyy hh:mm[:ss] or ISO 8601; without an offset it is La Paz time (no DST there)."""
    if match := _DATETIME_DMY.match(text):
        day, month, year, hour, minute, second = (int(g or 0) for g in match.groups())
        value = datetime(year, month, day, hour, minute, second)
    elif re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", text):
        value = datetime.fromisoformat(text)
    else:
        raise ValueError(text)
    if not 1900 <= value.year <= 2100:
        raise ValueError(text)
    return value.replace(tzinfo=LA_PAZ) if value.tzinfo is None else value


def parse_period(text: str) -> date:
    """mm/yyyy or yyyy-mm (also a full date, as Excel turns `03/2025` into one): first day."""
    if match := _PERIOD_MY.match(text):
        month, year = (int(g) for g in match.groups())
    elif match := _PERIOD_YM.match(text):
        year, month = (int(g) for g in match.groups())
    else:
        day = parse_date(text)
        year, month = day.year, day.month
    if not 1900 <= year <= 2100:
        raise ValueError(text)
    return date(year, month, 1)


@dataclass
class Row:
    """One data row being checked; `issues` collects every problem found in it."""

    number: int
    cells: list[str]
    columns: dict[str, int]
    issues: list[RowIssue] = field(default_factory=list)

    def raw(self, name: str) -> str:
        index = self.columns.get(name)
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def fail(self, column: str, message: str, value: str | None = None) -> None:
        self.issues.append(RowIssue(self.number, column, (self.raw(column) if value is None else value)[:200], message))

    def text(self, name: str, *, max_length: int, required: bool = False) -> str:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "dato obligatorio vacío")
        elif len(value) > max_length:
            self.fail(name, f"demasiado largo (máximo {max_length} caracteres)")
        return value

    def date(self, name: str, *, required: bool = True) -> date | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "fecha obligatoria vacía")
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.fail(name, "fecha inválida (use dd/mm/aaaa)")
            return None

    def amount(self, name: str, *, positive: bool) -> Decimal | None:
        value = self.raw(name)
        if not value:
            self.fail(name, "importe obligatorio vacío")
            return None
        try:
            amount = parse_amount(value)
        except AmountError:
            self.fail(name, "no es un importe válido (use 1.234,50 o 1234.50)")
            return None
        if amount < 0:
            self.fail(name, "el importe no puede ser negativo")
        elif positive and amount == 0:
            self.fail(name, "el importe debe ser mayor que cero")
        elif amount > MAX_AMOUNT:
            self.fail(name, f"importe fuera de rango (más de {format_bs(MAX_AMOUNT)})")
        else:
            return amount
        return None

    def integer(self, name: str, *, maximum: int, required: bool = True) -> int | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "dato obligatorio vacío")
                return None
            return 0
        if not value.isdigit():
            self.fail(name, "debe ser un número entero no negativo")
            return None
        number = int(value)
        if number > maximum:
            self.fail(name, f"valor fuera de rango (máximo {maximum})")
            return None
        return number

    def boolean(self, name: str) -> bool:
        value = normalize_name(self.raw(name))
        if value in TRUE_WORDS:
            return True
        if value not in FALSE_WORDS:
            self.fail(name, "use si o no")
        return False

    def choice(self, name: str, table: dict[str, str], accepted: str, *, required: bool = True) -> str:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, f"dato obligatorio vacío (valores: {accepted})")
            return ""
        code = table.get(normalize_name(value))
        if code is None:
            self.fail(name, f"valor no reconocido (valores: {accepted})")
            return ""
        return code


def validate_account_row(row: Row) -> dict | None:
    """A customer and one of its accounts (service points). The customer is the pair
    (ci, ci_expedido); an empty ci_expedido is allowed for a NIT."""
    customer = {
        "id_number": row.text("ci", max_length=_max_length(Customer, "id_number"), required=True),
        "id_department": row.choice(
            "ci_expedido", DEPARTMENTS, "LP, CB, SC, OR, PT, TJ, CH, BE, PD o vacío si es NIT", required=False
        ),
        "name": row.text("nombre", max_length=_max_length(Customer, "name"), required=True),
        "birth_date": row.date("fecha_nacimiento", required=False),
        "phone": row.text("telefono", max_length=_max_length(Customer, "phone")),
        "email": row.text("email", max_length=_max_length(Customer, "email")),
        "address": row.text("direccion_cliente", max_length=_max_length(Customer, "address")),
    }
    if customer["email"]:
        try:
            validate_email(customer["email"])
        except ValidationError:
            row.fail("email", "correo electrónico inválido")
    if customer["birth_date"] and customer["birth_date"] > date.today():
        row.fail("fecha_nacimiento", "la fecha de nacimiento está en el futuro")
    clean = {
        "number": row.text("numero_cuenta", max_length=_max_length(Account, "number"), required=True),
        "customer": customer,
        "category": row.choice(
            "categoria", CATEGORIES, "Domiciliaria, General, Industrial Menor, Industrial Mayor, Alumbrado Público"
        ),
        "tarifa_dignidad": row.boolean("tarifa_dignidad"),
        "ley_1886": row.boolean("ley_1886"),
        "system": row.text("sistema", max_length=80, required=True),
        "zone_code": row.text("zona", max_length=_max_length(Zone, "code"), required=True),
        "zone_name": row.text("zona_nombre", max_length=_max_length(Zone, "name")),
        "route_code": row.text("ruta", max_length=_max_length(Route, "code"), required=True),
        "route_sequence": row.integer("secuencia_ruta", maximum=2_147_483_647, required=False),
        "address": row.text("direccion", max_length=_max_length(Account, "address"), required=True),
        "meter_number": row.text("medidor", max_length=_max_length(Account, "meter_number")),
        "supply_status": row.choice("estado_suministro", SUPPLY_STATUSES, "Activo, Cortado, Suspendido, Retirado"),
        "is_protected": row.boolean("protegido"),
        "protected_reason": row.text("motivo_proteccion", max_length=_max_length(Account, "protected_reason")),
    }
    if clean["tarifa_dignidad"] and clean["category"] and clean["category"] != Category.DOMICILIARIA:
        row.fail("tarifa_dignidad", "la Tarifa Dignidad es solo para la categoría Domiciliaria")
    if clean["is_protected"] and not clean["protected_reason"]:
        row.fail("motivo_proteccion", "un cliente protegido necesita el motivo de protección")
    return None if row.issues else clean


def validate_invoice_row(row: Row) -> dict | None:
    clean = {
        "number": row.text("numero_factura", max_length=_max_length(Invoice, "number"), required=True),
        "account_number": row.text("numero_cuenta", max_length=_max_length(Account, "number"), required=True),
        "period": None,
        "issue_date": row.date("fecha_emision"),
        "due_date": row.date("fecha_vencimiento"),
        "kwh": row.integer("kwh", maximum=MAX_KWH),
        "amount": row.amount("importe", positive=False),
    }
    period = row.raw("periodo")
    if not period:
        row.fail("periodo", "periodo obligatorio vacío")
    else:
        try:
            clean["period"] = parse_period(period)
        except ValueError:
            row.fail("periodo", "periodo inválido (use mm/aaaa o aaaa-mm)")
    if clean["issue_date"] and clean["due_date"] and clean["due_date"] < clean["issue_date"]:
        row.fail("fecha_vencimiento", "el vencimiento es anterior a la emisión")
    if clean["period"] and clean["issue_date"] and clean["issue_date"] < clean["period"] - timedelta(days=31):
        row.fail("fecha_emision", "la emisión es anterior al periodo facturado")
    return None if row.issues else clean


def validate_payment_row(row: Row, *, now: datetime) -> dict | None:
    clean = {
        "source": row.text("origen", max_length=_max_length(Payment, "source"), required=True),
        "receipt_number": row.text("numero_recibo", max_length=_max_length(Payment, "receipt_number"), required=True),
        "account_number": row.text("numero_cuenta", max_length=_max_length(Account, "number"), required=True),
        "paid_at": None,
        "amount": row.amount("importe", positive=True),
        "channel": row.choice("canal", CHANNELS, "Ventanilla, Banco, Agente, En línea, Campo"),
    }
    paid_at = row.raw("fecha_hora")
    if not paid_at:
        row.fail("fecha_hora", "fecha y hora obligatorias vacías")
    else:
        try:
            clean["paid_at"] = parse_datetime(paid_at)
        except ValueError:
            row.fail("fecha_hora", "fecha y hora inválidas (use dd/mm/aaaa hh:mm)")
        else:
            if clean["paid_at"] > now:
                row.fail("fecha_hora", "la fecha del pago está en el futuro")
    return None if row.issues else clean


def row_key(kind: str, clean: dict) -> tuple:
    """What makes a row unique inside one file."""
    if kind == ImportKind.ACCOUNTS:
        return (clean["number"],)
    if kind == ImportKind.INVOICES:
        return (clean["number"],)
    return (clean["source"], clean["receipt_number"])


KEY_COLUMNS = {
    ImportKind.ACCOUNTS: "numero_cuenta",
    ImportKind.INVOICES: "numero_factura",
    ImportKind.PAYMENTS: "numero_recibo",
}

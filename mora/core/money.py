"""Money in Bolivianos: Decimal with two places, parsed from and shown in Bolivian format."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class AmountError(ValueError):
    """A text that is not an amount of money."""


def to_money(value) -> Decimal:
    """Round to cents, half up, as the utility's invoices do."""
    if isinstance(value, float):
        raise TypeError("El dinero nunca es float; use Decimal o texto.")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str) -> Decimal:
    """Read `1.234,50`, `1234,50`, `1234.50`, `1,234.50` or `Bs 1.234,50`.

    The decimal separator is the last `.` or `,` when followed by one or two digits; any other
    `.`/`,` is a thousands separator and must group digits by three.
    """
    raw = str(text).strip().replace("Bs.", "").replace("Bs", "").replace(" ", "").replace("\u00a0", "")
    if not raw:
        raise AmountError("vacío")
    sign = ""
    if raw[0] in "+-":
        sign, raw = raw[0], raw[1:]
    last_sep = max(raw.rfind("."), raw.rfind(","))
    if last_sep >= 0 and 1 <= len(raw) - last_sep - 1 <= 2:
        integer_part, decimals = raw[:last_sep], raw[last_sep + 1 :]
    else:
        integer_part, decimals = raw, ""
    groups = integer_part.replace(",", ".").split(".")
    if len(groups) > 1 and (not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        raise AmountError("separadores de miles mal ubicados")
    digits = "".join(groups)
    if not digits.isdigit() or (decimals and not decimals.isdigit()):
        raise AmountError("no es un número")
    try:
        value = Decimal(f"{sign}{digits}.{decimals or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - guarded by the checks above
        raise AmountError("no es un número") from exc
    return to_money(value)


def format_bs(value, *, symbol: bool = True) -> str:
    """`Decimal('1234.5')` -> `Bs 1.234,50` (Bolivian format: `.` thousands, `,` decimals)."""
    if value is None:
        return ""
    amount = to_money(value)
    sign = "-" if amount < 0 else ""
    integer, _, cents = f"{abs(amount):.2f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", ".")
    text = f"{sign}{grouped},{cents}"
    return f"Bs {text}" if symbol else text

"""Configurable rules of cutting and reconnection (DESIGN defaults), versioned as JSON."""

from dataclasses import asdict, dataclass, fields
from datetime import time
from decimal import Decimal


@dataclass(frozen=True)
class FieldPolicy:
    # A supply may be cut after two unpaid invoices (Ley 1604 art. 59; RSPSE art. 41).
    min_unpaid_invoices: int = 2
    # Never cut for less than this debt.
    min_debt: Decimal = Decimal("50.00")
    # Cut notice this many business days before the cut date.
    notice_business_days: int = 3
    no_cuts_on_fridays: bool = True
    no_cuts_before_holidays: bool = True
    # Reconnection: same day if paid before this hour, else next business day by noon.
    cutoff_hour: int = 16
    next_day_deadline_hour: int = 12
    max_reconnection_hours: int = 24
    # Charged only if the supply was really cut; may be billed on the next invoice instead.
    reconnection_charge: Decimal = Decimal("38.00")

    def validation_errors(self) -> list[str]:
        errors = []
        if self.min_unpaid_invoices < 1:
            errors.append("El mínimo de facturas impagas para cortar es al menos 1.")
        if self.min_debt < 0 or self.reconnection_charge < 0:
            errors.append("Los importes no pueden ser negativos.")
        if not 0 <= self.cutoff_hour <= 23 or not 0 <= self.next_day_deadline_hour <= 23:
            errors.append("Las horas van de 0 a 23.")
        if self.notice_business_days < 0 or self.max_reconnection_hours < 1:
            errors.append("Los días de aviso no pueden ser negativos y el plazo de reconexión es de al menos 1 hora.")
        return errors

    @property
    def cutoff(self) -> time:
        return time(self.cutoff_hour)

    def to_dict(self) -> dict:
        return {key: str(value) if isinstance(value, Decimal) else value for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> "FieldPolicy":
        known = {f.name: f for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"Parámetros desconocidos: {', '.join(sorted(unknown))}.")
        return cls(**{k: Decimal(str(v)) if known[k].type is Decimal else v for k, v in data.items()})


DEFAULT_FIELD_POLICY = FieldPolicy()

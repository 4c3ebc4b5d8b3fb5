"""Plain factory functions for tests: keyword-only, sensible defaults, nothing hidden."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from mora.billing.models import Invoice
from mora.customers.models import Account, Category, Customer, Route, System, Zone

_seq = itertools.count(1)


def make_system(*, code: str = "CT", name: str = "Central Tarija") -> System:
    return System.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_zone(*, code: str | None = None, name: str = "San Roque", system: System | None = None) -> Zone:
    system = system or make_system()
    code = code or f"{system.code}-Z{next(_seq)}"
    return Zone.objects.get_or_create(code=code, defaults={"name": name, "system": system})[0]


def make_route(*, code: str | None = None, zone: Zone | None = None) -> Route:
    zone = zone or make_zone()
    code = code or f"{zone.code}-R{next(_seq)}"
    return Route.objects.get_or_create(code=code, defaults={"zone": zone})[0]


def make_customer(*, name: str | None = None, id_number: str | None = None, id_department: str = "TJ") -> Customer:
    n = next(_seq)
    return Customer.objects.create(
        name=name or f"Cliente de Prueba {n}", id_number=id_number or f"{4000000 + n}", id_department=id_department
    )


def make_account(
    *,
    number: str | None = None,
    customer: Customer | None = None,
    route: Route | None = None,
    category: str = Category.DOMICILIARIA,
    **fields,
) -> Account:
    route = route or make_route()
    return Account.objects.create(
        number=number or f"{10000000 + next(_seq)}",
        customer=customer or make_customer(),
        route=route,
        zone=route.zone,
        category=category,
        address=fields.pop("address", "Calle Colón N° 245"),
        **fields,
    )


def make_invoice(
    *,
    account: Account,
    due_date: date,
    amount: Decimal | str = "100.00",
    balance: Decimal | str | None = None,
    number: str | None = None,
    kwh: int = 120,
) -> Invoice:
    amount = Decimal(amount)
    period = due_date.replace(day=1) - timedelta(days=1)
    return Invoice.objects.create(
        account=account,
        number=number or f"F{next(_seq):09d}",
        period=period.replace(day=1),
        issue_date=due_date - timedelta(days=15),
        due_date=due_date,
        kwh=kwh,
        amount=amount,
        balance=amount if balance is None else Decimal(balance),
    )

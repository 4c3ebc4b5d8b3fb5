"""Demo data for a Tarija-like utility: systems, zones, routes, customers, accounts, 24 months of
invoices and the payments of a hidden behaviour model documented in docs/datos-demo.md.

Two parts:
- `DemoGenerator` is pure: from (accounts, seed, today) it yields rows as plain tuples, with the
  primary keys it is given to start from. Same inputs, same rows (one `random.Random(seed)`, no
  set or dict ordering, no clock other than `today`).
- `seed_demo()` writes those rows in one transaction with multi-row `executemany` inserts (model
  instances and `bulk_create` cost more than the generation itself at 1,3 million rows).

Money is computed in integer cents (exact) and handed to the database as `Decimal`.
"""

import math
import random
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from . import names

LA_PAZ = ZoneInfo("America/La_Paz")
MONTHS = 24

# ---------------------------------------------------------------------------------------------
# The hidden model. docs/datos-demo.md states these numbers; keep both in step.
# Log-odds of NOT paying an invoice within its billing cycle (a "skip").
COEFFICIENTS = {
    "intercepto": -2.9,
    "tarifa_dignidad": 0.9,
    "zona_periurbana": 0.6,
    "categoria_general": -0.5,
    "categoria_industrial": -1.0,  # Industrial Menor and Mayor
    "alumbrado_publico": -1.0,
    "ley_1886": -0.7,
    "log_importe_relativo": 1.5,  # times ln(invoice amount / the account's usual bill)
    "enero_febrero": 0.5,  # invoice issued in January or February (school expenses)
    "inercia_mora": 0.6,  # the account already had unpaid invoices when the invoice was issued
    "efecto_cliente_sd": 0.8,  # persistent customer effect u ~ Normal(0, sd)
    "desplazamiento_atraso": 1.6,  # P(late | pays) = sigmoid(eta + this)
}
BEHAVIOUR = {
    "share_chronic": 0.012,  # chronic debtors: from an onset month they stop paying
    "chronic_skip": 0.92,
    "pay_all_arrears": 0.70,  # a payment with older debts covers all of it; else only the oldest
    "partial_payment": 0.015,  # a payment covers only 30-80 % of the oldest open invoice
    "cut_per_month": 0.35,  # >= 2 unpaid invoices and not protected: cut this month
    "reconnect_per_month": 0.35,  # a cut account pays everything (and is reconnected)
    "reconnect_chronic": 0.03,
}

CATEGORY_WEIGHTS = (("DOM", 0.882), ("GEN", 0.092), ("IME", 0.020), ("IMA", 0.003), ("AP", 0.003))
SHARE_PROTECTED = 0.003
SHARE_SECOND_ACCOUNT = 0.04  # a domiciliary customer already holding another account

# Tariff in cents: (fixed charge, rate for the first block, block size in kWh, rate beyond it).
TARIFFS = {
    "DOM": (850, 84, 100, 97),
    "GEN": (1500, 112, 0, 112),
    "IME": (4500, 95, 0, 95),
    "IMA": (35000, 78, 0, 78),
    "AP": (0, 88, 0, 88),
}
TARIFA_DIGNIDAD_DISCOUNT = 25  # % of the whole bill
LEY_1886_DISCOUNT = 20  # % of the energy of the first 100 kWh (when not on Tarifa Dignidad)
TARIFA_DIGNIDAD_KWH = 70

# Median monthly kWh and log-sd of the account's base consumption.
BASE_KWH = {"DOM": (115, 0.55), "GEN": (380, 0.8), "IME": (3500, 0.6), "IMA": (45000, 0.5), "AP": (6000, 0.5)}
DOM_MEDIAN_BY_SYSTEM = {"CT": 115, "EP": 70, "YA": 150, "VM": 155, "BE": 140}
MONTHLY_NOISE_SD = 0.15
SEASON_HOT = (1.75, 1.65, 1.35, 1.10, 0.90, 0.85, 0.85, 0.90, 1.00, 1.20, 1.40, 1.70)
SEASON_VALLEY = (1.02, 1.00, 0.98, 0.97, 1.00, 1.08, 1.10, 1.05, 0.98, 0.96, 0.97, 1.04)
SEASON_LIGHTING = (0.94, 0.95, 0.98, 1.01, 1.04, 1.06, 1.06, 1.04, 1.01, 0.98, 0.95, 0.94)

ACCOUNTS_PER_ROUTE = 250

# Columns of each table, in the order of the tuples the generator yields (model field names).
COLUMNS = {
    "customer": ("id", "name", "id_number", "id_department", "birth_date", "phone", "email", "address"),
    "account": (
        "id",
        "number",
        "customer",
        "category",
        "tarifa_dignidad",
        "ley_1886",
        "zone",
        "route",
        "route_sequence",
        "address",
        "meter_number",
        "supply_status",
        "is_protected",
        "protected_reason",
        "created_at",
        "updated_at",
    ),
    "invoice": (
        "id",
        "account",
        "number",
        "period",
        "issue_date",
        "due_date",
        "kwh",
        "amount",
        "balance",
        "in_agreement",
    ),
    "payment": ("id", "source", "receipt_number", "account", "paid_at", "amount", "channel", "unapplied", "posted_at"),
    "allocation": ("id", "payment", "invoice", "amount"),
    "complaint": ("id", "account", "number", "opened_on", "description", "status", "resolved_on"),
    "hold": (
        "id",
        "account",
        "reason",
        "starts_on",
        "expires_on",
        "created_by",
        "created_at",
        "released_on",
        "released_by",
        "release_reason",
    ),
}
TABLE_ORDER = ("customer", "account", "invoice", "payment", "allocation", "complaint", "hold")
AGING_BUCKETS = ("0-30", "31-60", "61-90", "91-180", ">180")
ZERO = Decimal("0.00")


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def bucket_of(days_past_due: int) -> str:
    if days_past_due <= 30:
        return "0-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    if days_past_due <= 180:
        return "91-180"
    return ">180"


def bill_cents(category: str, kwh: int, *, tarifa_dignidad: bool, ley_1886: bool) -> int:
    fixed, rate1, block, rate2 = TARIFFS[category]
    first = min(kwh, block)
    energy = first * rate1 + (kwh - first) * rate2
    if tarifa_dignidad:
        return ((fixed + energy) * (100 - TARIFA_DIGNIDAD_DISCOUNT) + 50) // 100
    if ley_1886 and kwh <= 100:
        return fixed + (energy * (100 - LEY_1886_DISCOUNT) + 50) // 100
    return fixed + energy


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _local(day: date, hour: int, minute: int) -> datetime:
    """A wall-clock time in Tarija as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LA_PAZ).astimezone(UTC)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass(frozen=True)
class RoutePlan:
    code: str
    name: str
    accounts: int
    issue_day: int  # day of the month the route's invoices are issued
    due_days: int  # days from issue to due date


@dataclass(frozen=True)
class ZonePlan:
    system_code: str
    code: str
    name: str
    periurban: bool
    accounts: int
    routes: tuple[RoutePlan, ...]


@dataclass
class Summary:
    """What the generator produced; `accounts_in_arrears` counts accounts with an unpaid invoice
    past its due date on `today`, bucketed by their oldest one."""

    counts: dict = field(default_factory=lambda: dict.fromkeys(TABLE_ORDER, 0))
    accounts_in_arrears: int = 0
    buckets: dict = field(default_factory=lambda: dict.fromkeys(AGING_BUCKETS, 0))
    overdue_invoices_histogram: dict = field(default_factory=dict)  # n overdue invoices -> accounts
    cut_accounts: int = 0
    partial_invoices: int = 0


class DemoGenerator:
    def __init__(self, *, accounts: int, seed: int, today: date):
        if accounts < 1:
            raise ValueError("accounts must be >= 1")
        self.n_accounts = accounts
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)
        first = _add_months(date(today.year, today.month, 1), -(MONTHS - 1))
        self.periods = [_add_months(first, i) for i in range(MONTHS)]
        self.summary = Summary()

    # -- topology ------------------------------------------------------------------------------
    def topology(self) -> list[ZonePlan]:
        """Zones and routes, with how many accounts each gets (no randomness)."""
        per_system = _largest_remainder(self.n_accounts, [share for _c, _n, share in names.SYSTEMS])
        plans = []
        route_counter = 0
        for (system_code, _name, _share), system_accounts in zip(names.SYSTEMS, per_system, strict=True):
            zones = names.ZONES[system_code]
            per_zone = _largest_remainder(system_accounts, [w for _s, _n, w, _p in zones])
            for (suffix, zone_name, _w, periurban), zone_accounts in zip(zones, per_zone, strict=True):
                zone_code = f"{system_code}-{suffix}"
                n_routes = max(1, math.ceil(zone_accounts / ACCOUNTS_PER_ROUTE))
                routes = []
                for r, route_accounts in enumerate(_largest_remainder(zone_accounts, [1.0] * n_routes), start=1):
                    route_counter += 1
                    routes.append(
                        RoutePlan(
                            code=f"{zone_code}-R{r:02d}",
                            name=f"Ruta {r} {zone_name}",
                            accounts=route_accounts,
                            issue_day=1 + (route_counter * 3) % 8,
                            due_days=15 + (route_counter * 7) % 6,
                        )
                    )
                plans.append(ZonePlan(system_code, zone_code, zone_name, periurban, zone_accounts, tuple(routes)))
        return plans

    def _cycles(self, route: RoutePlan) -> list[tuple]:
        """(period, issue, due, last day a payment of this cycle can happen) for each month."""
        cycles = []
        issues = []
        for i, period in enumerate(self.periods):
            issue = period.replace(day=route.issue_day)
            if i == MONTHS - 1:
                issue = min(issue, self.today)
            issues.append(issue)
        for i, period in enumerate(self.periods):
            issue = issues[i]
            due = issue + timedelta(days=route.due_days)
            end = issues[i + 1] - timedelta(days=1) if i + 1 < MONTHS else due + timedelta(days=12)
            cycles.append((period, issue, due, end))
        return cycles

    # -- rows ----------------------------------------------------------------------------------
    def rows(
        self,
        *,
        zone_ids: dict[str, int],
        route_ids: dict[str, int],
        supervisor_id: int,
        first_ids: dict[str, int] | None = None,
        chunk: int = 2000,
    ) -> Iterator[dict[str, list[tuple]]]:
        """Yields batches {table: [row tuples]} in TABLE_ORDER-safe order (a row's foreign keys
        point to rows of the same or an earlier batch)."""
        rng = self.rng
        today = self.today
        ids = dict.fromkeys(TABLE_ORDER, 1) | (first_ids or {})
        summary = self.summary
        coef = COEFFICIENTS
        beh = BEHAVIOUR
        updated_at = _local(today, 6, 0)

        cat_codes = [c for c, _w in CATEGORY_WEIGHTS]
        cat_cum = []
        acc = 0.0
        for _c, w in CATEGORY_WEIGHTS:
            acc += w
            cat_cum.append(acc)
        dept_codes = [d for d, _w in names.ID_DEPARTMENTS]
        dept_weights = [w for _d, w in names.ID_DEPARTMENTS]
        src_rows = names.PAYMENT_SOURCES
        src_weights = [s[2] for s in src_rows]
        self._source_weights = src_weights
        self._receipt_next = {s[0]: 100000 + rng.randint(0, 899999) for s in src_rows}
        used_ci: set[int] = set()
        used_nit: set[int] = set()
        municipality_customer: dict[str, int] = {}
        account_counter = {code: 0 for code, _n, _s in names.SYSTEMS}
        system_prefix = {code: i + 1 for i, (code, _n, _s) in enumerate(names.SYSTEMS)}
        recent_persons: list[tuple[int, date | None, str]] = []  # (customer id, birth, system)
        account_state: list[tuple[int, int, date | None, bool]] = []  # (id, n overdue, oldest due, cut)
        open_days_limit = 100  # for the histogram key cap

        batch = {t: [] for t in TABLE_ORDER}
        done = 0

        def new_person(system: str) -> tuple[str, str, str, date, int]:
            female = rng.random() < 0.5
            first = rng.choice(names.FEMALE_NAMES if female else names.MALE_NAMES)
            s1, s2 = rng.choice(names.SURNAMES), rng.choice(names.SURNAMES)
            while s2 == s1:
                s2 = rng.choice(names.SURNAMES)
            age = int(rng.triangular(20, 90, 40))
            birth = date(today.year - age - 1, 1, 1) + timedelta(days=rng.randint(0, 364))
            ci = rng.randint(1_000_000, 9_999_999)
            while ci in used_ci:
                ci = rng.randint(1_000_000, 9_999_999)
            used_ci.add(ci)
            return f"{first} {s1} {s2}", first, s1, birth, ci

        def phone_for(system: str) -> str:
            r = rng.random()
            if r < 0.80:
                return f"{7 if rng.random() < 0.85 else 6}{rng.randint(0, 9999999):07d}"
            if r < 0.92:
                prefix = "466" if system in ("CT", "EP", "BE") else "468"
                return f"{prefix}{rng.randint(10000, 99999)}"
            return ""

        def new_nit() -> int:
            nit = rng.randint(1_000_000_000, 9_999_999_999)
            while nit in used_nit:
                nit = rng.randint(1_000_000_000, 9_999_999_999)
            used_nit.add(nit)
            return nit

        def address_for(system: str, zone_name: str) -> str:
            street = rng.choice(names.STREETS[system])
            number = rng.randint(1, 1800) if rng.random() < 0.9 else 0
            if zone_name == "Centro":
                place = "Zona Central"
            elif system == "EP":
                place = f"Comunidad {zone_name}" if zone_name != "El Puente" else "El Puente"
            else:
                place = f"Barrio {zone_name}"
            return f"{street} N° {number}, {place}" if number else f"{street} s/n, {place}"

        for zone in self.topology():
            system = zone.system_code
            season_dom = SEASON_HOT if system in names.HOT_SYSTEMS else SEASON_VALLEY
            season_mean = sum(season_dom) / 12
            zone_id = zone_ids[zone.code]
            for route in zone.routes:
                route_id = route_ids[route.code]
                cycles = self._cycles(route)
                for seq in range(1, route.accounts + 1):
                    # -- account and customer --------------------------------------------------
                    r = rng.random()
                    category = next((c for c, cum in zip(cat_codes, cat_cum, strict=True) if r < cum), "DOM")
                    protected_reason = ""
                    if rng.random() < SHARE_PROTECTED:
                        if rng.random() < 0.35:
                            category, protected_reason = "GEN", names.PROTECTED_HEALTH
                        else:
                            category, protected_reason = "DOM", names.PROTECTED_PATIENT
                    address = address_for(system, zone.name)
                    birth = None
                    customer_id = None
                    if category == "AP":
                        customer_id = municipality_customer.get(system)
                        if customer_id is None:
                            customer_id = ids["customer"]
                            ids["customer"] += 1
                            municipality_customer[system] = customer_id
                            batch["customer"].append(
                                (
                                    customer_id,
                                    names.MUNICIPALITY[system],
                                    str(new_nit()),
                                    "",
                                    None,
                                    phone_for(system),
                                    "",
                                    address,
                                )
                            )
                    elif category == "DOM" and recent_persons and rng.random() < SHARE_SECOND_ACCOUNT:
                        pick = recent_persons[rng.randrange(len(recent_persons))]
                        if pick[2] == system:
                            customer_id, birth = pick[0], pick[1]
                    if customer_id is None:
                        person = category == "DOM" or (
                            category == "GEN" and not protected_reason and rng.random() < 0.55
                        )
                        if person:
                            name, first, s1, birth, ci = new_person(system)
                            dept = rng.choices(dept_codes, dept_weights)[0]
                            id_number = str(ci)
                            email = ""
                            if rng.random() < 0.25:
                                tail = str(rng.randint(1, 99)) if rng.random() < 0.6 else ""
                                email = (
                                    f"{_ascii(first.split()[0])}.{_ascii(s1)}{tail}@{rng.choice(names.EMAIL_DOMAINS)}"
                                )
                        else:
                            surname = rng.choice(names.SURNAMES)
                            if protected_reason:
                                name = f"Centro de Salud {'Central' if zone.name == 'Centro' else zone.name}"
                            elif category == "IMA":
                                name = rng.choice(names.BUSINESS_MAJOR)
                            elif category == "IME":
                                name = f"{rng.choice(names.BUSINESS_INDUSTRIAL)} {surname} S.R.L."
                            else:
                                name = f"{rng.choice(names.BUSINESS_GENERAL)} {surname}"
                            dept, id_number, email = "", str(new_nit()), ""
                        customer_id = ids["customer"]
                        ids["customer"] += 1
                        customer_address = address if rng.random() < 0.9 else address_for(system, zone.name)
                        batch["customer"].append(
                            (customer_id, name, id_number, dept, birth, phone_for(system), email, customer_address)
                        )
                        if person and category == "DOM":
                            recent_persons.append((customer_id, birth, system))
                            if len(recent_persons) > 200:
                                recent_persons.pop(0)

                    median, sd = BASE_KWH[category]
                    if category == "DOM":
                        median = DOM_MEDIAN_BY_SYSTEM[system]
                    base_kwh = median * math.exp(rng.gauss(0.0, sd))
                    age = None
                    if birth is not None:
                        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
                    ley = category == "DOM" and age is not None and age >= 60
                    td = category == "DOM" and base_kwh <= TARIFA_DIGNIDAD_KWH and rng.random() < 0.9
                    if category == "DOM":
                        season = season_dom
                    elif category == "AP":
                        season = SEASON_LIGHTING
                    elif category == "IMA":
                        season = (1.0,) * 12
                    else:
                        season = tuple(1 + (s - 1) / 2 for s in season_dom)
                    mean_season = season_mean if category == "DOM" else sum(season) / 12
                    usual = bill_cents(category, round(base_kwh * mean_season), tarifa_dignidad=td, ley_1886=ley)
                    usual = max(usual, 1)

                    account_counter[system] += rng.randint(1, 7)
                    number = f"{system_prefix[system]}{account_counter[system] + 10000:07d}"
                    meter = f"{rng.choice(('ELS', 'HXE', 'LGZ', 'ITR'))}{rng.randint(0, 99999999):08d}"
                    account_id = ids["account"]
                    ids["account"] += 1
                    created = _local(today - timedelta(days=rng.randint(800, 9000)), 9, rng.randint(0, 59))

                    # -- hidden behaviour ------------------------------------------------------
                    eta_static = coef["intercepto"] + rng.gauss(0.0, coef["efecto_cliente_sd"])
                    if td:
                        eta_static += coef["tarifa_dignidad"]
                    if zone.periurban:
                        eta_static += coef["zona_periurbana"]
                    if category == "GEN":
                        eta_static += coef["categoria_general"]
                    elif category in ("IME", "IMA"):
                        eta_static += coef["categoria_industrial"]
                    elif category == "AP":
                        eta_static += coef["alumbrado_publico"]
                    if ley:
                        eta_static += coef["ley_1886"]
                    chronic_from = MONTHS
                    if rng.random() < beh["share_chronic"]:
                        chronic_from = rng.randrange(MONTHS)
                    preferred_source = rng.choices(range(len(src_rows)), src_weights)[0]

                    invoices, allocations, cut = self._history(
                        account_id=account_id,
                        category=category,
                        td=td,
                        ley=ley,
                        protected=bool(protected_reason),
                        eta_static=eta_static,
                        chronic_from=chronic_from,
                        preferred_source=preferred_source,
                        base_kwh=base_kwh,
                        season=season,
                        usual=usual,
                        cycles=cycles,
                        due_days=route.due_days,
                        ids=ids,
                        payments=batch["payment"],
                    )

                    # -- rows of this account --------------------------------------------------
                    batch["account"].append(
                        (
                            account_id,
                            number,
                            customer_id,
                            category,
                            td,
                            ley,
                            zone_id,
                            route_id,
                            seq,
                            address,
                            meter,
                            "CUT" if cut else "ACTIVE",
                            bool(protected_reason),
                            protected_reason,
                            created,
                            updated_at,
                        )
                    )
                    inv_rows = batch["invoice"]
                    for inv in invoices:
                        inv_rows.append(
                            (
                                inv[0],
                                account_id,
                                inv[1],
                                inv[2],
                                inv[3],
                                inv[4],
                                inv[5],
                                money(inv[6]),
                                money(inv[7]),
                                False,
                            )
                        )
                        if 0 < inv[7] < inv[6]:
                            summary.partial_invoices += 1
                    alloc_rows = batch["allocation"]
                    for payment_id, k, part in allocations:
                        alloc_rows.append((ids["allocation"], payment_id, invoices[k][0], money(part)))
                        ids["allocation"] += 1
                    overdue = [inv[4] for inv in invoices if inv[7] > 0 and inv[4] < today]
                    if overdue:
                        summary.accounts_in_arrears += 1
                        summary.buckets[bucket_of((today - min(overdue)).days)] += 1
                        key = min(len(overdue), open_days_limit)
                        summary.overdue_invoices_histogram[key] = summary.overdue_invoices_histogram.get(key, 0) + 1
                    summary.cut_accounts += cut
                    account_state.append((account_id, len(overdue), min(overdue) if overdue else None, cut))

                    done += 1
                    if done % chunk == 0:
                        yield self._flush(batch)
        yield self._flush(batch)
        yield self._flush(self._complaints_and_holds(batch, account_state, ids, supervisor_id))

    def _history(
        self,
        *,
        account_id,
        category,
        td,
        ley,
        protected,
        eta_static,
        chronic_from,
        preferred_source,
        base_kwh,
        season,
        usual,
        cycles,
        due_days,
        ids,
        payments,
    ):
        """The 24 billing cycles of one account: invoices, the payments of the hidden model
        (appended to `payments`) and whether the supply ends up cut."""
        rng = self.rng
        today = self.today
        coef = COEFFICIENTS
        beh = BEHAVIOUR
        invoices = []  # [id, number, period, issue, due, kwh, amount cents, balance cents]
        allocations = []  # (payment id, invoice index, cents)
        open_idx: list[int] = []
        cut = False
        for t, (period, issue, due, end) in enumerate(cycles):
            chronic = t >= chronic_from
            if cut:
                p = beh["reconnect_chronic"] if chronic else beh["reconnect_per_month"]
                if rng.random() < p:
                    day = issue + timedelta(days=rng.randint(0, (end - issue).days))
                    if self._pay(
                        account_id, invoices, allocations, list(open_idx), day, False, preferred_source, ids, payments
                    ):
                        open_idx = []
                        cut = False
                continue
            had_arrears = bool(open_idx)
            month = period.month
            kwh = max(0, round(base_kwh * season[month - 1] * math.exp(rng.gauss(0.0, MONTHLY_NOISE_SD))))
            cents = bill_cents(category, kwh, tarifa_dignidad=td, ley_1886=ley)
            invoices.append([ids["invoice"], f"{period:%Y%m}{account_id:08d}", period, issue, due, kwh, cents, cents])
            ids["invoice"] += 1
            if cents == 0:
                continue
            open_idx.append(len(invoices) - 1)
            eta = eta_static + coef["log_importe_relativo"] * math.log(cents / usual)
            if month <= 2:
                eta += coef["enero_febrero"]
            if had_arrears:
                eta += coef["inercia_mora"]
            skip = rng.random() < (beh["chronic_skip"] if chronic else sigmoid(eta))
            if not skip:
                if rng.random() < sigmoid(eta + coef["desplazamiento_atraso"]):
                    span = (end - due).days
                    day = due + timedelta(days=1 + int(rng.triangular(0, max(span - 1, 0), 0)))
                else:
                    day = issue + timedelta(days=max(1, round(rng.triangular(1, due_days, due_days))))
                partial = rng.random() < beh["partial_payment"]
                if partial:
                    covering = open_idx[:1]
                elif len(open_idx) == 1 or rng.random() < beh["pay_all_arrears"]:
                    covering = list(open_idx)
                else:
                    covering = open_idx[: rng.randint(1, len(open_idx) - 1)]
                if self._pay(
                    account_id, invoices, allocations, covering, day, partial, preferred_source, ids, payments
                ):
                    open_idx = [k for k in open_idx if invoices[k][7] > 0]
            if (
                len(open_idx) >= 2
                and not protected
                and rng.random() < beh["cut_per_month"]
                and due + timedelta(days=rng.randint(3, 10)) <= today
            ):
                cut = True
        return invoices, allocations, cut

    def _pay(self, account_id, invoices, allocations, covering, day, partial, preferred_source, ids, payments) -> bool:
        """One receipt paying `covering` (oldest first). Nothing happens after `today`."""
        if day > self.today:
            return False
        rng = self.rng
        sources = names.PAYMENT_SOURCES
        index = preferred_source
        if rng.random() >= 0.7:  # 30 % of the payments go elsewhere than the customer's usual place
            index = rng.choices(range(len(sources)), self._source_weights)[0]
        source, channel, _w, opens, closes = sources[index]
        if channel != "EN_LINEA" and day.weekday() == 6:  # offices and banks close on Sunday
            day -= timedelta(days=1)
        paid_at = _local(day, rng.randint(opens, closes - 1), rng.randint(0, 59))
        payment_id = ids["payment"]
        ids["payment"] += 1
        total = 0
        for k in covering:
            inv = invoices[k]
            part = max(1, inv[7] * rng.randint(30, 80) // 100) if partial else inv[7]
            inv[7] -= part
            total += part
            allocations.append((payment_id, k, part))
        receipt = self._receipt_next[source]
        self._receipt_next[source] = receipt + 1
        posted = paid_at if channel == "VENTANILLA" else paid_at + timedelta(minutes=rng.randint(5, 900))
        payments.append(
            (payment_id, source, f"{receipt:010d}", account_id, paid_at, money(total), channel, ZERO, posted)
        )
        return True

    def _flush(self, batch: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
        out = {t: batch[t] for t in TABLE_ORDER if batch[t]}
        for t in TABLE_ORDER:
            self.summary.counts[t] += len(batch[t])
            batch[t] = []
        return out

    def _complaints_and_holds(self, batch, account_state, ids, supervisor_id) -> dict[str, list[tuple]]:
        """Reclamos (mostly about bills of accounts in arrears) and manual holds. Drawn after the
        payment history: they do not feed back into it (docs/datos-demo.md)."""
        rng = self.rng
        today = self.today
        complaints = []
        for account_id, n_overdue, _oldest, _cut in account_state:
            r = rng.random()
            if r < (0.012 if n_overdue else 0.003):
                opened = today - timedelta(days=rng.randint(0, 45))
                complaints.append((opened, account_id, "PENDING", None))
            elif r < 0.03:
                opened = today - timedelta(days=rng.randint(46, 700))
                complaints.append((opened, account_id, "RESOLVED", opened + timedelta(days=rng.randint(2, 25))))
        complaints.sort(key=lambda c: (c[0], c[1]))
        per_year: dict[int, int] = {}
        for opened, account_id, status, resolved in complaints:
            per_year[opened.year] = per_year.get(opened.year, 0) + 1
            batch["complaint"].append(
                (
                    ids["complaint"],
                    account_id,
                    f"REC-{opened.year}-{per_year[opened.year]:05d}",
                    opened,
                    rng.choice(names.COMPLAINT_TEXTS),
                    status,
                    resolved,
                )
            )
            ids["complaint"] += 1
        for account_id, n_overdue, _oldest, _cut in account_state:
            r = rng.random()
            base = 0.04 if n_overdue else 0.002
            if r >= base:
                continue
            kind = rng.random()
            if kind < 0.65:  # active
                starts = today - timedelta(days=rng.randint(0, 20))
                expires = today + timedelta(days=rng.randint(5, 60))
                released = None
            elif kind < 0.9:  # expired
                starts = today - timedelta(days=rng.randint(40, 200))
                expires = starts + timedelta(days=rng.randint(15, 30))
                released = None
            else:  # released before expiry
                starts = today - timedelta(days=rng.randint(30, 120))
                expires = starts + timedelta(days=rng.randint(30, 60))
                released = starts + timedelta(days=rng.randint(3, 25))
            batch["hold"].append(
                (
                    ids["hold"],
                    account_id,
                    rng.choice(names.HOLD_REASONS),
                    starts,
                    expires,
                    supervisor_id,
                    _local(starts, rng.randint(8, 17), rng.randint(0, 59)),
                    released,
                    supervisor_id if released else None,
                    rng.choice(names.HOLD_RELEASE_REASONS) if released else "",
                )
            )
            ids["hold"] += 1
        return batch


# ---------------------------------------------------------------------------------------------
# Writing to the database


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _copy_rows(cursor, table: str, columns: str, rows: list[tuple]) -> None:
    """PostgreSQL: COPY ... FROM STDIN (psycopg 3), an order of magnitude faster than INSERTs."""
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed_demo(
    *,
    accounts: int,
    seed: int,
    today: date,
    progress: Callable[[str], None] | None = None,
    chunk: int = 2000,
    agreements: bool = True,
) -> Summary:
    """Generate and insert the demo portfolio in one transaction, then (in a transaction of their
    own, through the services) the demo agreements of mora/demo/agreements.py. The caller checks
    that the database has no accounts (the generated numbers would collide)."""
    from django.contrib.auth import get_user_model
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Max

    from mora.billing.models import Invoice, Payment, PaymentAllocation
    from mora.core.demo_users import ensure_demo_users
    from mora.customers.models import Account, Complaint, Customer, Hold, Route, System, Zone

    models = {
        "customer": Customer,
        "account": Account,
        "invoice": Invoice,
        "payment": Payment,
        "allocation": PaymentAllocation,
        "complaint": Complaint,
        "hold": Hold,
    }
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    generator = DemoGenerator(accounts=accounts, seed=seed, today=today)
    sqlite = connection.vendor == "sqlite"
    datetime_columns = {
        t: [i for i, name in enumerate(cols) if models[t]._meta.get_field(name).get_internal_type() == "DateTimeField"]
        for t, cols in COLUMNS.items()
    }
    statements, copy_targets = {}, {}
    for t, cols in COLUMNS.items():
        meta = models[t]._meta
        columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in cols)
        marks = ", ".join(["%s"] * len(cols))
        statements[t] = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks})"
        copy_targets[t] = (connection.ops.quote_name(meta.db_table), columns)

    with transaction.atomic():
        ensure_demo_users()
        supervisor = get_user_model().objects.get(username="jefe")
        systems = {
            code: System.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name, _ in names.SYSTEMS
        }
        zone_ids, route_ids = {}, {}
        for plan in generator.topology():
            zone = Zone.objects.get_or_create(
                code=plan.code, defaults={"system": systems[plan.system_code], "name": plan.name}
            )[0]
            zone_ids[plan.code] = zone.pk
            for route in plan.routes:
                route_ids[route.code] = Route.objects.get_or_create(
                    code=route.code, defaults={"zone": zone, "name": route.name}
                )[0].pk
        say(f"Sistemas: {len(systems)}  Zonas: {len(zone_ids)}  Rutas: {len(route_ids)}")
        first_ids = {t: (m.objects.aggregate(m=Max("id"))["m"] or 0) + 1 for t, m in models.items()}

        with connection.cursor() as cursor:
            # psycopg 3 has COPY; psycopg2 and other backends get executemany.
            postgres = connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy")
            if sqlite:
                cursor.execute("PRAGMA cache_size")
                old_cache = cursor.fetchone()[0]
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB while loading
            for n, batch in enumerate(
                generator.rows(
                    zone_ids=zone_ids,
                    route_ids=route_ids,
                    supervisor_id=supervisor.pk,
                    first_ids=first_ids,
                    chunk=chunk,
                ),
                start=1,
            ):
                for t in TABLE_ORDER:
                    rows = batch.get(t)
                    if not rows:
                        continue
                    if sqlite and datetime_columns[t]:
                        # SQLite keeps naive UTC (as Django writes it); the rows carry aware UTC.
                        positions = datetime_columns[t]
                        rows = [
                            tuple(
                                v.replace(tzinfo=None) if i in positions and v is not None else v
                                for i, v in enumerate(r)
                            )
                            for r in rows
                        ]
                    if postgres:
                        _copy_rows(cursor, *copy_targets[t], rows)
                    else:
                        cursor.executemany(statements[t], rows)
                c = generator.summary.counts
                if n % 5 == 0:
                    say(
                        f"  Cuentas: {_fmt(c['account'])}  Facturas: {_fmt(c['invoice'])}  Pagos: {_fmt(c['payment'])}"
                        f"  ({time.monotonic() - started:.0f} s)"
                    )
            if sqlite:
                cursor.execute(f"PRAGMA cache_size = {int(old_cache)}")
            for sql in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
                cursor.execute(sql)

    summary = generator.summary
    c = summary.counts
    say(
        f"Cuentas: {_fmt(c['account'])}  Clientes: {_fmt(c['customer'])}  Facturas: {_fmt(c['invoice'])}  "
        f"Pagos: {_fmt(c['payment'])}  Aplicaciones: {_fmt(c['allocation'])}  Reclamos: {_fmt(c['complaint'])}  "
        f"Retenciones: {_fmt(c['hold'])}  en {time.monotonic() - started:.1f} s"
    )
    spread = "  ".join(f"{k}: {_fmt(v)}" for k, v in summary.buckets.items())
    share = f"{100 * summary.accounts_in_arrears / max(c['account'], 1):.1f}".replace(".", ",")
    say(f"Cuentas con deuda vencida: {_fmt(summary.accounts_in_arrears)} ({share} %)  Antigüedad: {spread}")
    if agreements:
        from .agreements import seed_agreements

        seed_agreements(seed=seed, today=today, progress=say)
    from .field import seed_field_work

    seed_field_work(seed=seed, today=today, progress=say)
    return summary

"""Reads of the arrears portfolio. Aging is computed set-based in SQL over the unpaid, overdue
invoices (served by the partial index `invoice_open_idx`), never by a loop over accounts."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Min, Q, QuerySet, Sum

from mora.core.money import to_money
from mora.customers.models import Account, Category, System, Zone

from .aging import BUCKET_BY_CODE, BUCKETS
from .models import Invoice, Payment

SOCIAL_FLAGS = {
    "dignidad": ("Tarifa Dignidad", Q(account__tarifa_dignidad=True)),
    "1886": ("Ley 1886", Q(account__ley_1886=True)),
    "alguna": ("Con algún beneficio social", Q(account__tarifa_dignidad=True) | Q(account__ley_1886=True)),
    "ninguna": ("Sin beneficio social", Q(account__tarifa_dignidad=False, account__ley_1886=False)),
}

FLAG_GROUP_LABELS = {
    "dignidad": "Tarifa Dignidad",
    "1886": "Ley 1886",
    "ambas": "Tarifa Dignidad y Ley 1886",
    "ninguna": "Sin beneficio social",
}

SORTS = {
    "deuda": "debt",
    "antiguedad": "oldest_due",
    "facturas": "unpaid_count",
    "cuenta": "account__number",
    "nombre": "account__customer__name",
}


@dataclass
class ArrearsFilters:
    """What the officer can filter the accounts in arrears by (all optional)."""

    text: str = ""  # account number, holder name or CI
    system: int | None = None
    zone: int | None = None
    route: str = ""
    category: str = ""
    social_flag: str = ""
    bucket: str = ""
    min_debt: Decimal | None = None
    max_debt: Decimal | None = None
    min_unpaid: int | None = None
    max_unpaid: int | None = None
    supply_status: str = ""
    sort: str = "-deuda"


def _sql_money(value) -> Decimal:
    """A SUM from raw SQL: Decimal on PostgreSQL, a float on SQLite (no decimal type there)."""
    return to_money(str(value or 0))


def overdue_invoices(*, today: date) -> QuerySet[Invoice]:
    return Invoice.objects.filter(balance__gt=0, due_date__lt=today, in_agreement=False)


def arrears_rows(*, today: date, filters: ArrearsFilters) -> QuerySet:
    """One row per account in arrears: debt, oldest due date, unpaid invoice count, plus the
    account's own columns. Grouped in SQL; filters on the account go to WHERE, filters on the
    aggregates (amount, invoices, bucket) to HAVING."""
    invoices = overdue_invoices(today=today)
    text = filters.text.strip()
    if text:
        invoices = invoices.filter(
            Q(account__number__startswith=text)
            | Q(account__customer__id_number=text)
            | Q(account__customer__name__icontains=text)
        )
    if filters.system:
        invoices = invoices.filter(account__zone__system_id=filters.system)
    if filters.zone:
        invoices = invoices.filter(account__zone_id=filters.zone)
    if filters.route:
        invoices = invoices.filter(account__route__code__iexact=filters.route.strip())
    if filters.category:
        invoices = invoices.filter(account__category=filters.category)
    if filters.social_flag in SOCIAL_FLAGS:
        invoices = invoices.filter(SOCIAL_FLAGS[filters.social_flag][1])
    if filters.supply_status:
        invoices = invoices.filter(account__supply_status=filters.supply_status)

    rows = invoices.values(
        "account_id",
        "account__number",
        "account__customer__name",
        "account__customer__id_number",
        "account__customer__id_department",
        "account__category",
        "account__tarifa_dignidad",
        "account__ley_1886",
        "account__supply_status",
        "account__zone__name",
        "account__zone__system__name",
        "account__route__code",
        "account__route_sequence",
        "account__address",
    ).annotate(debt=Sum("balance"), oldest_due=Min("due_date"), unpaid_count=Count("id"))

    if filters.bucket in BUCKET_BY_CODE:
        earliest, latest = BUCKET_BY_CODE[filters.bucket].due_date_range(today)
        rows = rows.filter(oldest_due__lte=latest)
        if earliest is not None:
            rows = rows.filter(oldest_due__gte=earliest)
    if filters.min_debt is not None:
        rows = rows.filter(debt__gte=filters.min_debt)
    if filters.max_debt is not None:
        rows = rows.filter(debt__lte=filters.max_debt)
    if filters.min_unpaid is not None:
        rows = rows.filter(unpaid_count__gte=filters.min_unpaid)
    if filters.max_unpaid is not None:
        rows = rows.filter(unpaid_count__lte=filters.max_unpaid)

    sort = filters.sort if filters.sort.lstrip("-") in SORTS else "-deuda"
    column = SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    return rows.order_by(f"-{column}" if descending else column, "account__number")


def arrears_totals(rows: QuerySet) -> dict:
    """Number of accounts and total debt of a filtered arrears list (one query)."""
    # Django cannot aggregate over this grouped queryset, so wrap its SQL in one outer query.
    sql, params = rows.order_by().values("account_id", "debt").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), SUM(grouped.debt) FROM ({sql}) grouped", params)
        accounts, debt = cursor.fetchone()
    return {"accounts": accounts or 0, "debt": _sql_money(debt)}


@dataclass
class PortfolioSummary:
    today: date
    accounts: int = 0
    debt: Decimal = Decimal("0.00")
    invoices: int = 0
    total_accounts: int = 0
    by_bucket: list[dict] = field(default_factory=list)
    by_system: list[dict] = field(default_factory=list)
    by_zone: list[dict] = field(default_factory=list)
    by_category: list[dict] = field(default_factory=list)
    by_flag: list[dict] = field(default_factory=list)
    by_unpaid: list[dict] = field(default_factory=list)

    @property
    def share_in_arrears(self) -> Decimal:
        if not self.total_accounts:
            return Decimal("0")
        return (Decimal(self.accounts) * 100 / Decimal(self.total_accounts)).quantize(Decimal("0.1"))


def _bucket_case_sql() -> str:
    """CASE giving the bucket index of an oldest due date; one parameter (the bucket's earliest
    due date) per bucket but the last, open-ended one."""
    whens = " ".join(f"WHEN a.oldest_due >= %s THEN {index}" for index in range(len(BUCKETS) - 1))
    return f"CASE {whens} ELSE {len(BUCKETS) - 1} END"


def portfolio_summary(*, today: date, system: int | None = None) -> PortfolioSummary:
    """The morning dashboard. One SQL statement aggregates the overdue invoices per account
    (CTE) and then per (system, zone, category, social flags, bucket, unpaid invoices); Python
    only folds those few hundred groups into the dimensions shown."""
    bucket_params = [BUCKETS[i].due_date_range(today)[0] for i in range(len(BUCKETS) - 1)]
    invoice_table = Invoice._meta.db_table
    account_table = Account._meta.db_table
    zone_table = Zone._meta.db_table
    where_system = "AND z.system_id = %s" if system else ""
    sql = f"""
        WITH arrears AS (
            SELECT i.account_id, SUM(i.balance) AS debt, MIN(i.due_date) AS oldest_due, COUNT(*) AS unpaid
            FROM {invoice_table} i
            WHERE i.balance > 0 AND i.due_date < %s AND NOT i.in_agreement
            GROUP BY i.account_id
        )
        SELECT z.system_id, ac.zone_id, ac.category, ac.tarifa_dignidad, ac.ley_1886,
               {_bucket_case_sql()} AS bucket,
               CASE WHEN a.unpaid >= 4 THEN 4 ELSE a.unpaid END AS unpaid_group,
               COUNT(*) AS accounts, SUM(a.debt) AS debt, SUM(a.unpaid) AS invoices
        FROM arrears a
        JOIN {account_table} ac ON ac.id = a.account_id
        JOIN {zone_table} z ON z.id = ac.zone_id
        WHERE 1 = 1 {where_system}
        GROUP BY z.system_id, ac.zone_id, ac.category, ac.tarifa_dignidad, ac.ley_1886, bucket, unpaid_group
    """
    params = [today, *bucket_params] + ([system] if system else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups = cursor.fetchall()

    summary = PortfolioSummary(today=today)
    accounts_qs = Account.objects.all()
    if system:
        accounts_qs = accounts_qs.filter(zone__system_id=system)
    summary.total_accounts = accounts_qs.count()

    systems = dict(System.objects.values_list("id", "name"))
    zones = {z.id: z for z in Zone.objects.select_related("system")}
    categories = dict(Category.choices)
    dims: dict[str, dict] = {name: {} for name in ("bucket", "system", "zone", "category", "flag", "unpaid")}

    def add(dim: str, key, label: str, accounts: int, debt: Decimal, **extra):
        slot = dims[dim].setdefault(key, {"key": key, "label": label, "accounts": 0, "debt": Decimal("0.00"), **extra})
        slot["accounts"] += accounts
        slot["debt"] += debt

    for system_id, zone_id, category, dignidad, ley_1886, bucket, unpaid_group, accounts, debt, invoices in groups:
        debt = _sql_money(debt)
        summary.accounts += accounts
        summary.debt += debt
        summary.invoices += invoices
        add("bucket", BUCKETS[bucket].code, BUCKETS[bucket].label, accounts, debt, order=bucket)
        add("system", system_id, systems.get(system_id, "?"), accounts, debt)
        zone = zones[zone_id]
        add("zone", zone_id, zone.name, accounts, debt, system=zone.system.name)
        add("category", category, categories.get(category, category), accounts, debt)
        flag = "ambas" if dignidad and ley_1886 else "dignidad" if dignidad else "1886" if ley_1886 else "ninguna"
        add("flag", flag, FLAG_GROUP_LABELS[flag], accounts, debt)
        add("unpaid", unpaid_group, "4 o más" if unpaid_group == 4 else str(unpaid_group), accounts, debt)

    # Every bucket is shown, empty ones too, in age order.
    for index, bucket in enumerate(BUCKETS):
        dims["bucket"].setdefault(
            bucket.code,
            {"key": bucket.code, "label": bucket.label, "accounts": 0, "debt": Decimal("0.00"), "order": index},
        )
    summary.by_bucket = sorted(dims["bucket"].values(), key=lambda row: row["order"])
    summary.by_system = sorted(dims["system"].values(), key=lambda row: -row["debt"])
    summary.by_zone = sorted(dims["zone"].values(), key=lambda row: -row["debt"])
    summary.by_category = sorted(dims["category"].values(), key=lambda row: -row["debt"])
    summary.by_flag = sorted(dims["flag"].values(), key=lambda row: -row["debt"])
    summary.by_unpaid = sorted(dims["unpaid"].values(), key=lambda row: row["key"])
    for rows in (
        summary.by_bucket,
        summary.by_system,
        summary.by_zone,
        summary.by_category,
        summary.by_flag,
        summary.by_unpaid,
    ):
        for row in rows:
            row["share"] = (row["debt"] * 100 / summary.debt).quantize(Decimal("0.1")) if summary.debt else Decimal("0")
    return summary


def account_aging(*, account: Account, today: date) -> list[dict]:
    """This account's overdue debt per bucket, by the age of each invoice (one query)."""
    aggregates = {}
    for index, bucket in enumerate(BUCKETS):
        earliest, latest = bucket.due_date_range(today)
        in_bucket = Q(due_date__lte=latest) & (Q(due_date__gte=earliest) if earliest else Q())
        aggregates[f"debt{index}"] = Sum("balance", filter=in_bucket)
        aggregates[f"count{index}"] = Count("id", filter=in_bucket)
    totals = overdue_invoices(today=today).filter(account=account).aggregate(**aggregates)
    return [
        {"label": bucket.label, "debt": totals[f"debt{i}"] or Decimal("0.00"), "count": totals[f"count{i}"]}
        for i, bucket in enumerate(BUCKETS)
    ]


def account_invoices(*, account: Account) -> QuerySet[Invoice]:
    return Invoice.objects.filter(account=account).order_by("-period", "-number")


def account_payments(*, account: Account) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(account=account)
        .select_related("posted_by")
        .prefetch_related("allocations__invoice")
        .order_by("-paid_at")
    )

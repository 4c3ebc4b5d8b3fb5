from datetime import date

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from mora.core.access import role_required
from mora.core.roles import ACCOUNT_READERS, PORTFOLIO_READERS
from mora.core.spreadsheets import xlsx_response
from mora.customers.models import Category, SupplyStatus, System

from . import selectors
from .forms import ArrearsFilterForm

PAGE_SIZE = 50


@role_required(*PORTFOLIO_READERS)
def dashboard(request):
    today = timezone.localdate()
    system_id = request.GET.get("sistema") or None
    system = System.objects.filter(pk=system_id).first() if system_id and system_id.isdigit() else None
    summary = selectors.portfolio_summary(today=today, system=system.pk if system else None)
    return render(
        request,
        "billing/dashboard.html",
        {"summary": summary, "systems": System.objects.all(), "system": system, "today": today},
    )


@role_required(*ACCOUNT_READERS)
def arrears_list(request):
    today = timezone.localdate()
    form = ArrearsFilterForm(request.GET or None)
    filters = form.to_filters()
    rows = selectors.arrears_rows(today=today, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row["days_past_due"] = (today - row["oldest_due"]).days
    context = {
        "form": form,
        "page": page,
        "totals": selectors.arrears_totals(rows),
        "sort": filters.sort,
        "today": today,
        "categories": dict(Category.choices),
        "supply_statuses": dict(SupplyStatus.choices),
    }
    template = "billing/_arrears_table.html" if request.headers.get("HX-Request") else "billing/arrears_list.html"
    return render(request, template, context)


EXPORT_HEADERS = [
    "Cuenta",
    "Titular",
    "CI",
    "Expedido",
    "Categoría",
    "Tarifa Dignidad",
    "Ley 1886",
    "Sistema",
    "Zona",
    "Ruta",
    "Secuencia",
    "Dirección",
    "Suministro",
    "Facturas vencidas impagas",
    "Vencimiento más antiguo",
    "Días de mora",
    "Deuda vencida (Bs)",
]


def _export_row(row: dict, today: date, categories: dict, statuses: dict) -> list:
    return [
        row["account__number"],
        row["account__customer__name"],
        row["account__customer__id_number"],
        row["account__customer__id_department"],
        categories.get(row["account__category"], row["account__category"]),
        row["account__tarifa_dignidad"],
        row["account__ley_1886"],
        row["account__zone__system__name"],
        row["account__zone__name"],
        row["account__route__code"],
        row["account__route_sequence"],
        row["account__address"],
        statuses.get(row["account__supply_status"], row["account__supply_status"]),
        row["unpaid_count"],
        row["oldest_due"],
        (today - row["oldest_due"]).days,
        row["debt"],
    ]


@role_required(*ACCOUNT_READERS)
def arrears_export(request):
    """Exactly the filtered list the officer is looking at, all pages, in the same order."""
    today = timezone.localdate()
    form = ArrearsFilterForm(request.GET or None)
    rows = selectors.arrears_rows(today=today, filters=form.to_filters())
    categories, statuses = dict(Category.choices), dict(SupplyStatus.choices)
    return xlsx_response(
        filename=f"cuentas-en-mora-{today:%Y%m%d}.xlsx",
        sheet="Cuentas en mora",
        title=f"Cuentas en mora al {today:%d/%m/%Y}",
        headers=EXPORT_HEADERS,
        rows=(_export_row(row, today, categories, statuses) for row in rows.iterator(chunk_size=2000)),
    )

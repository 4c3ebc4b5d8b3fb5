"""Export to the billing system of the installments to be charged on next month's invoice:
a preview on the page, then XLSX or CSV (`;`, UTF-8 with BOM, decimal comma: what Bolivian
billing systems and a Spanish Excel read without a conversion step)."""

import csv
from datetime import date

from django.http import HttpResponse
from django.shortcuts import render

from mora.core.access import role_required
from mora.core.roles import BILLING_EXPORT_READERS
from mora.core.spreadsheets import xlsx_response

from .forms_quote import BillingPeriodForm
from .selectors_export import BillingRow, BillingTotals, billing_totals, installments_due_in_period

PREVIEW_ROWS = 50
HEADERS = [
    "Cuenta",
    "Titular",
    "Convenio",
    "Tipo",
    "Cuota",
    "Vencimiento",
    "Capital (Bs)",
    "Interés (Bs)",
    "Importe a cobrar (Bs)",
    "Concepto",
]


def _values(row: BillingRow) -> list:
    return [
        row.account_number,
        row.holder,
        row.agreement_number,
        row.kind_label,
        row.number,
        row.due_date,
        row.principal,
        row.interest,
        row.amount_due,
        row.concept,
    ]


def _totals_values(totals: BillingTotals) -> list:
    return [
        "TOTAL",
        f"{totals.count} cuota(s)",
        "",
        "",
        "",
        None,
        totals.principal,
        totals.interest,
        totals.amount_due,
        "",
    ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if hasattr(value, "quantize"):  # Decimal: no thousands separator, decimal comma
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def _csv_response(rows: list[BillingRow], totals: BillingTotals, period: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cuotas-a-facturar-{period}.csv"'
    # The BOM tells Excel the file is UTF-8 (names with ñ and accents).
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in _values(row)])
    writer.writerow([_csv_cell(value) for value in _totals_values(totals)])
    return response


@role_required(*BILLING_EXPORT_READERS)
def billing_export(request):
    form = BillingPeriodForm(request.GET)
    context = {"form": form, "rows": [], "totals": None, "period": None}
    if not form.is_valid():
        return render(request, "agreements/billing_export.html", context, status=400)
    year, month = form.year_month()
    period = form.cleaned_data["periodo"]
    rows = installments_due_in_period(year=year, month=month)
    totals = billing_totals(rows)
    output = request.GET.get("formato")
    if output == "csv":
        return _csv_response(rows, totals, period)
    if output == "xlsx":
        return xlsx_response(
            filename=f"cuotas-a-facturar-{period}.xlsx",
            sheet=f"Cuotas {period}",
            headers=HEADERS,
            rows=[*(_values(row) for row in rows), _totals_values(totals)],
            title=f"Cuotas de convenios a facturar · periodo {month:02d}/{year}",
        )
    context.update(
        {
            "rows": rows[:PREVIEW_ROWS],
            "totals": totals,
            "period": period,
            "period_date": date(year, month, 1),
            "preview_rows": PREVIEW_ROWS,
        }
    )
    return render(request, "agreements/billing_export.html", context)

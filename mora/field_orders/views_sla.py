"""The SLA board of the field work: reconnections on time, cuts executed vs released."""

from django.shortcuts import render
from django.utils import timezone

from mora.core.access import role_required
from mora.core.roles import FIELD_READERS
from mora.core.spreadsheets import xlsx_response

from . import selectors_sla
from .forms_orders import SlaFilterForm


def _board(request):
    form = SlaFilterForm(request.GET or None)
    date_from, date_to, contractor_id, zone_id = form.period(timezone.localdate())
    board = selectors_sla.sla_board(date_from=date_from, date_to=date_to, contractor_id=contractor_id, zone_id=zone_id)
    return form, board


@role_required(*FIELD_READERS)
def sla_board(request):
    form, board = _board(request)
    tables = [
        ("Microempresa", "sla-contractors", board.by_contractor),
        ("Zona", "sla-zones", board.by_zone),
    ]
    return render(
        request,
        "field_orders/sla.html",
        {"form": form, "board": board, "tables": tables},
    )


def _hours(value):
    return None if value is None else round(value, 1)


def _share(value):
    return None if value is None else round(value, 1)


@role_required(*FIELD_READERS)
def sla_export(request):
    """The board as on screen: one sheet, the three tables one after the other (a section
    column tells them apart)."""
    _form, board = _board(request)
    reasons = board.reasons
    headers = [
        "Sección",
        "Nombre",
        "Reconexiones ordenadas",
        "Ejecutadas",
        "El mismo día del pago (%)",
        "Mediana de horas",
        "Ejecutadas fuera de plazo",
        "Pendientes ahora",
        "Atrasadas ahora",
        "Cortes emitidos",
        "Cortes ejecutados",
        "Cortes no ejecutados",
        *[f"No ejecutado: {label}" for _code, label in reasons],
        "Cortes anulados",
        "Cortes pendientes",
    ]
    blank_cuts = [None] * (5 + len(reasons))

    def sla(section, row):
        return [
            section,
            row.label,
            row.total,
            row.executed,
            _share(row.same_day_share),
            _hours(row.median_hours),
            row.late_executed,
            row.pending,
            row.late_now,
            *blank_cuts,
        ]

    def cut(row):
        return [
            "Cortes por microempresa",
            row.label,
            *[None] * 7,
            row.released,
            row.executed,
            row.not_executed,
            *[row.by_reason.get(code, 0) for code, _label in reasons],
            row.cancelled,
            row.pending,
        ]

    rows = [
        sla("Reconexiones (total)", board.total),
        *[sla("Reconexiones por microempresa", r) for r in board.by_contractor],
        *[sla("Reconexiones por zona", r) for r in board.by_zone],
        *[cut(r) for r in board.cuts],
        cut(board.cuts_total),
    ]
    return xlsx_response(
        filename=f"sla-campo-{board.date_from:%Y%m%d}-{board.date_to:%Y%m%d}.xlsx",
        sheet="SLA",
        title=f"Tablero SLA de cortes y reconexiones del {board.date_from:%d/%m/%Y} al {board.date_to:%d/%m/%Y}",
        headers=headers,
        rows=rows,
    )

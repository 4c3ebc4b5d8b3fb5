"""The cut list's documents (the crew's sheet as PDF and spreadsheet, the customers' cut
notices) and the reads the list pages need.

HTML from Django templates, PDF with WeasyPrint; nothing here writes to the database.

Size decides how a PDF is produced. Measured here (shared machine, WeasyPrint 70): a crew
sheet of 200 lines takes 3.5-5 s, 200 cut notices (100 pages) 10-15 s, both linear in size.
So a sheet of up to `SYNC_MAX_LINES["lista"]` lines (a crew's day is 25 by default) and up to
`SYNC_MAX_LINES["avisos"]` notices are rendered in the request, in about 2-4 s. Above that,
the PDF is rendered by a background task into MEDIA_ROOT/cut_lists/<list>/ under a name
that carries a fingerprint of what it shows (lines, crews, order statuses); the page says
"generando..." until the file exists, and the same protected URL then serves it. When an
order is cancelled or a line removed, the fingerprint changes and the old file is simply no
longer used, so a stale sheet is never handed out. Files are never served from MEDIA_URL:
they carry customers' names and debts.
"""

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import weasyprint
from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.urls import URLFetcher

from mora.agreements.utility import utility_profile
from mora.core.business_calendar import calendar_overrides
from mora.core.calendar import add_business_days

from . import selectors
from .models import Contractor, Crew, CutList, CutListLine, CutReason, ExclusionReason, OrderStatus

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
# A render that has not finished after this long is taken as lost (worker restarted) and may
# be asked for again.
PENDING_STALE_AFTER = timedelta(minutes=15)
# Bump when the templates change, so files rendered with the old layout are not served.
LAYOUT_VERSION = "1"
# Relative URLs in the templates resolve inside the app, never on the network.
_BASE_URL = str(Path(__file__).resolve().parent)

P = CutListLine.Status


class Kind:
    SHEET = "lista"
    NOTICES = "avisos"


# Above this many lines a PDF is rendered in the background (see the module docstring).
SYNC_MAX_LINES = {Kind.SHEET: 150, Kind.NOTICES: 50}


# ---------------------------------------------------------------------------------------------
# Reads for the pages (they belong in selectors.py; kept here to stay within this change)
# ---------------------------------------------------------------------------------------------


def cut_lists_overview():
    """Every list with its lines per status and, once released, its orders executed/pending."""
    return CutList.objects.annotate(
        proposed=Count("lines", filter=Q(lines__status=P.PROPOSED)),
        deferred=Count("lines", filter=Q(lines__status=P.DEFERRED)),
        excluded=Count("lines", filter=Q(lines__status=P.EXCLUDED)),
        removed=Count("lines", filter=Q(lines__status=P.REMOVED)),
        executed=Count("lines", filter=Q(lines__order__status=OrderStatus.EXECUTED)),
        pending=Count("lines", filter=Q(lines__order__status=OrderStatus.PENDING)),
        not_executed=Count("lines", filter=Q(lines__order__status=OrderStatus.NOT_EXECUTED)),
        cancelled=Count("lines", filter=Q(lines__order__status=OrderStatus.CANCELLED)),
    ).order_by("-cut_date")


def list_lines(cut_list: CutList, *, status: str, contractor_id: int | None = None, crew_id: int | None = None):
    """The lines of one status, in the order a crew walks them: contractor, crew, zone, route,
    route sequence."""
    lines = cut_list.lines.filter(status=status)
    if contractor_id is not None:
        lines = lines.filter(contractor_id=contractor_id)
    if crew_id is not None:
        lines = lines.filter(crew_id=crew_id)
    return lines.select_related(
        "account__customer", "zone", "route", "contractor", "crew", "agreement", "order"
    ).order_by(
        F("contractor__name").asc(nulls_last=True),
        F("crew__name").asc(nulls_last=True),
        "zone__code",
        "route__code",
        "route_sequence",
        "account__number",
    )


@dataclass(frozen=True)
class CrewSummary:
    contractor_id: int
    contractor_name: str
    crew_id: int | None
    crew_name: str
    count: int
    debt: Decimal


def list_summary(cut_list: CutList) -> list[CrewSummary]:
    """The proposed lines per contractor and crew (count, total debt), one query."""
    rows = (
        cut_list.lines.filter(status=P.PROPOSED)
        .values("contractor_id", "contractor__name", "crew_id", "crew__name")
        .annotate(count=Count("pk"), debt=Sum("debt"))
        .order_by("contractor__name", "crew__name")
    )
    return [
        CrewSummary(
            contractor_id=row["contractor_id"],
            contractor_name=row["contractor__name"],
            crew_id=row["crew_id"],
            crew_name=row["crew__name"] or "Sin cuadrilla",
            count=row["count"],
            debt=row["debt"] or ZERO,
        )
        for row in rows
    ]


def notice_deadline(cut_list: CutList) -> date:
    """The last day the cut notices may be delivered: the policy's business days before the
    cut date, on the utility's calendar."""
    days = selectors.field_policy_terms(cut_list.policy).notice_business_days
    return add_business_days(cut_list.cut_date, -days, **calendar_overrides())


# ---------------------------------------------------------------------------------------------
# The crew's sheet (PDF and spreadsheet)
# ---------------------------------------------------------------------------------------------

SHEET_HEADERS = [
    "Orden",
    "Cuadrilla",
    "Cuenta",
    "Titular",
    "Dirección",
    "Zona",
    "Ruta",
    "Orden en ruta",
    "Medidor",
    "Deuda (Bs)",
    "Facturas impagas",
    "Motivo",
    "Estado de la orden",
    "Hora",
    "Resultado",
    "Firma",
]


def reason_text(line: CutListLine) -> str:
    if line.reason == CutReason.BREACHED_AGREEMENT:
        number = line.agreement.number if line.agreement_id else ""
        return f"Convenio incumplido {number}".strip()
    return f"{line.unpaid_invoices} facturas impagas"


def order_state(line: CutListLine) -> str:
    """What the crew must know about the order of a line: a cancelled one must not be cut."""
    order = getattr(line, "order", None) if line.cut_list.status == CutList.Status.RELEASED else None
    if order is None:
        return ""
    if order.status == OrderStatus.CANCELLED:
        return "ANULADA: NO CORTAR"
    return order.get_status_display()


def sheet_rows(lines):
    """Rows of the spreadsheet; the last three columns stay blank for the crew."""
    for line in lines:
        order = getattr(line, "order", None)
        yield [
            order.number if order else "",
            line.crew.name if line.crew_id else "",
            line.account.number,
            line.account.customer.name,
            line.account.address,
            line.zone.name,
            line.route.code,
            line.route_sequence,
            line.account.meter_number,
            line.debt,
            line.unpaid_invoices,
            reason_text(line),
            order_state(line),
            "",
            "",
            "",
        ]


def sheet_title(cut_list: CutList, contractor: Contractor, crew: Crew | None) -> str:
    name = cut_list.number or "Lista de corte propuesta (sin emitir)"
    who = f"{contractor.name} · {crew.name}" if crew else contractor.name
    return f"{name} · corte el {cut_list.cut_date:%d/%m/%Y} · {who}"


def sheet_filename(cut_list: CutList, contractor: Contractor, crew: Crew | None, suffix: str) -> str:
    base = cut_list.number or f"propuesta-{cut_list.cut_date:%Y%m%d}"
    parts = [base, f"microempresa-{contractor.pk}"] + ([f"cuadrilla-{crew.pk}"] if crew else [])
    return "-".join(parts) + suffix


@dataclass
class CrewGroup:
    crew_name: str
    lines: list
    debt: Decimal


def cut_list_html(cut_list: CutList, contractor: Contractor, crew: Crew | None = None) -> str:
    crew_id = crew.pk if crew else None
    lines = list(list_lines(cut_list, status=P.PROPOSED, contractor_id=contractor.pk, crew_id=crew_id))
    groups: list[CrewGroup] = []
    for line in lines:
        name = line.crew.name if line.crew_id else "Sin cuadrilla"
        if not groups or groups[-1].crew_name != name:
            groups.append(CrewGroup(crew_name=name, lines=[], debt=ZERO))
        groups[-1].lines.append(line)
        groups[-1].debt += line.debt
    for group in groups:
        for line in group.lines:
            line.reason_label = reason_text(line)
            line.order_label = order_state(line)
    context = {
        "cut_list": cut_list,
        "contractor": contractor,
        "crew": crew,
        "groups": groups,
        "count": len(lines),
        "debt": sum((line.debt for line in lines), ZERO),
        "title": sheet_title(cut_list, contractor, crew),
        "utility": utility_profile(),
        "generated_at": timezone.localtime(),
        "is_draft": cut_list.status == CutList.Status.DRAFT,
    }
    return render_to_string("field_orders/pdf/cut_list.html", context)


# ---------------------------------------------------------------------------------------------
# Cut notices
# ---------------------------------------------------------------------------------------------

LEGAL_BASIS = (
    "Ley N° 1604 de Electricidad, artículo 59, y Reglamento de Servicio Público de Suministro de "
    "Electricidad (RSPSE), Decreto Supremo N° 26302, artículo 41: el suministro puede ser suspendido "
    "por falta de pago de dos o más facturas."
)


def notice_lines(cut_list: CutList, *, contractor_id: int | None = None, crew_id: int | None = None) -> list:
    """One notice per proposed line, grouped by route and in route order. Once released, a
    line whose order was cancelled (the customer paid or signed) gets no notice."""
    lines = cut_list.lines.filter(status=P.PROPOSED)
    if contractor_id is not None:
        lines = lines.filter(contractor_id=contractor_id)
    if crew_id is not None:
        lines = lines.filter(crew_id=crew_id)
    if cut_list.status == CutList.Status.RELEASED:
        lines = lines.exclude(order__status=OrderStatus.CANCELLED)
    return list(
        lines.select_related("account__customer", "zone", "route", "agreement").order_by(
            "zone__code", "route__code", "route_sequence", "account__number"
        )
    )


def cut_notices_html(cut_list: CutList, *, contractor_id: int | None = None, crew_id: int | None = None) -> str:
    lines = notice_lines(cut_list, contractor_id=contractor_id, crew_id=crew_id)
    for line in lines:
        line.reason_label = reason_text(line)
    utility = utility_profile()
    context = {
        "cut_list": cut_list,
        "lines": lines,
        "utility": utility,
        "legal_basis": LEGAL_BASIS,
        "policy": selectors.field_policy_terms(cut_list.policy),
        "title": f"Avisos de corte · corte a partir del {cut_list.cut_date:%d/%m/%Y}",
        "issued_on": timezone.localdate(),
    }
    return render_to_string("field_orders/pdf/cut_notices.html", context)


# ---------------------------------------------------------------------------------------------
# PDF rendering, in the request or in the background
# ---------------------------------------------------------------------------------------------


def html_to_pdf(html: str) -> bytes:
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    return weasyprint.HTML(string=html, base_url=_BASE_URL, url_fetcher=fetcher).write_pdf()


def document_html(kind: str, cut_list: CutList, contractor: Contractor | None, crew: Crew | None) -> str:
    if kind == Kind.SHEET:
        return cut_list_html(cut_list, contractor, crew)
    return cut_notices_html(
        cut_list, contractor_id=contractor.pk if contractor else None, crew_id=crew.pk if crew else None
    )


def document_lines(kind: str, cut_list: CutList, contractor: Contractor | None, crew: Crew | None):
    """The (pk, status, crew, order status) of what a document shows: its size and fingerprint."""
    lines = cut_list.lines.filter(status=P.PROPOSED)
    if contractor is not None:
        lines = lines.filter(contractor_id=contractor.pk)
    if crew is not None:
        lines = lines.filter(crew_id=crew.pk)
    if kind == Kind.NOTICES and cut_list.status == CutList.Status.RELEASED:
        lines = lines.exclude(order__status=OrderStatus.CANCELLED)
    return lines.order_by("pk").values_list("pk", "crew_id", "route_sequence", "order__status")


@dataclass(frozen=True)
class StoredPdf:
    kind: str
    path: Path
    lines: int

    @property
    def pending_marker(self) -> Path:
        return self.path.with_suffix(".pendiente")

    @property
    def is_ready(self) -> bool:
        return self.path.exists()

    @property
    def is_pending(self) -> bool:
        marker = self.pending_marker
        try:
            started = marker.stat().st_mtime
        except FileNotFoundError:
            return False
        return timezone.now().timestamp() - started < PENDING_STALE_AFTER.total_seconds()

    @property
    def in_background(self) -> bool:
        return self.lines > SYNC_MAX_LINES[self.kind]

    @property
    def relative(self) -> str:
        return str(self.path.relative_to(Path(settings.MEDIA_ROOT)))


def stored_pdf(kind: str, cut_list: CutList, contractor: Contractor | None, crew: Crew | None) -> StoredPdf:
    """Where the background-rendered PDF of exactly this content lives (it may not exist yet)."""
    rows = list(document_lines(kind, cut_list, contractor, crew))
    digest = hashlib.sha256(
        repr((LAYOUT_VERSION, cut_list.status, cut_list.number, str(cut_list.cut_date), rows)).encode()
    ).hexdigest()[:16]
    who = f"c{contractor.pk}" if contractor else "todas"
    if crew is not None:
        who += f"-q{crew.pk}"
    path = Path(settings.MEDIA_ROOT) / "cut_lists" / str(cut_list.pk) / f"{kind}-{who}-{digest}.pdf"
    return StoredPdf(kind=kind, path=path, lines=len(rows))


def pdf_mark_pending(stored: StoredPdf) -> None:
    stored.path.parent.mkdir(parents=True, exist_ok=True)
    stored.pending_marker.touch()


def pdf_render_to_file(
    *, kind: str, cut_list_id: int, contractor_id: int | None, crew_id: int | None, relative: str
) -> None:
    """The background render: write to a temporary file in the same folder and rename, so a
    half-written PDF is never served."""
    target = Path(settings.MEDIA_ROOT) / relative
    try:
        cut_list = CutList.objects.get(pk=cut_list_id)
        contractor = Contractor.objects.get(pk=contractor_id) if contractor_id else None
        crew = Crew.objects.get(pk=crew_id) if crew_id else None
        content = html_to_pdf(document_html(kind, cut_list, contractor, crew))
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, target)
    finally:
        target.with_suffix(".pendiente").unlink(missing_ok=True)


def excluded_label(line: CutListLine) -> str:
    return ExclusionReason(line.exclusion).label if line.exclusion else ""

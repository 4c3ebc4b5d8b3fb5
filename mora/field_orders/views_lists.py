"""The supervisor's side of field orders: the daily cycle run from the page (with progress),
the cut lists (review, remove lines, release), their documents per contractor and crew, the
cut notices and the field policy. Thin views: writes are services, reads are in documents.py
and selectors.py, background work in tasks.py."""

from collections import OrderedDict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mora.agreements.domain.states import LABELS as AGREEMENT_LABELS
from mora.agreements.domain.states import AgreementStatus
from mora.core.access import role_required
from mora.core.roles import FIELD_READERS, FIELD_SUPERVISORS, has_role
from mora.core.spreadsheets import xlsx_response
from mora.core.tasks import enqueue

from . import documents, selectors, services, tasks
from .documents import Kind
from .forms import CycleForm, FieldPolicyForm, RemoveLineForm, policy_display
from .models import Contractor, Crew, CutList, CutListLine, FieldPolicyVersion
from .models_runs import DailyCycleRun

P = CutListLine.Status
# The tabs of deferred, excluded and removed lines show this many; the count says if more.
TAB_LIMIT = 500
PANES = [
    (
        P.DEFERRED,
        "espera",
        "Espera: sin capacidad",
        "Estado",
        "Corresponde cortarlas, pero las cuadrillas no tienen capacidad ese día: pasan a la próxima lista, "
        "con prioridad a las deudas mayores y más antiguas.",
    ),
    (P.EXCLUDED, "excluidas", "Excluidas", "Motivo de exclusión", "No se cortan; el motivo queda registrado."),
    (P.REMOVED, "quitadas", "Quitadas", "Motivo", "Quitadas por el Jefe de la Unidad antes de emitir la lista."),
]


def _may_supervise(request) -> bool:
    return has_role(request.user, *FIELD_SUPERVISORS)


# ---------------------------------------------------------------------------------------------
# Daily cycle
# ---------------------------------------------------------------------------------------------


@role_required(*FIELD_READERS)
@require_http_methods(["GET", "POST"])
def cycle(request):
    may_run = _may_supervise(request)
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied("Solo el Jefe de la Unidad ejecuta el ciclo diario.")
        if form.is_valid():
            try:
                run = tasks.cycle_run_create(day=form.cleaned_data["day"], actor=request.user)
            except tasks.CycleBusy as exc:
                messages.error(request, str(exc))
            else:
                enqueue(tasks.run_daily_cycle, run.pk)
                return redirect(f"{reverse('field_orders:cycle')}?ejecucion={run.pk}")
    runs = list(DailyCycleRun.objects.select_related("started_by", "cut_list")[:20])
    current = None
    wanted = request.GET.get("ejecucion", "")
    if wanted.isdigit():
        current = DailyCycleRun.objects.select_related("cut_list").filter(pk=int(wanted)).first()
    if current is None:
        current = next((run for run in runs if not run.is_finished), None)
    return render(
        request,
        "field_orders/cycle.html",
        {"form": form, "may_run": may_run, "runs": runs, "current": current, **_run_context(current)},
    )


@require_GET
@role_required(*FIELD_READERS)
def cycle_progress(request, pk: int):
    run = get_object_or_404(DailyCycleRun.objects.select_related("cut_list"), pk=pk)
    return render(request, "field_orders/_cycle_progress.html", {"current": run, **_run_context(run)})


def _run_context(run: DailyCycleRun | None) -> dict:
    """The result of a finished run with Spanish labels."""
    if run is None or run.status != DailyCycleRun.Status.DONE:
        return {"agreement_changes": [], "line_counts": []}
    result = run.result or {}
    agreement_changes = []
    for status, count in sorted(result.get("agreements", {}).items()):
        try:
            label = AGREEMENT_LABELS[AgreementStatus(status)]
        except (KeyError, ValueError):
            label = status
        agreement_changes.append((label, count))
    labels = dict(P.choices)
    lines = result.get("lines", {})
    line_counts = [(labels[status], lines.get(status, 0)) for status in P.values]
    return {"agreement_changes": agreement_changes, "line_counts": line_counts}


# ---------------------------------------------------------------------------------------------
# Cut lists
# ---------------------------------------------------------------------------------------------


@require_GET
@role_required(*FIELD_READERS)
def cut_lists(request):
    page = Paginator(documents.cut_lists_overview(), 30).get_page(request.GET.get("page"))
    return render(request, "field_orders/cut_lists.html", {"page": page})


@require_GET
@role_required(*FIELD_READERS)
def cut_list_detail(request, pk: int):
    cut_list = get_object_or_404(CutList.objects.select_related("policy", "released_by"), pk=pk)
    summary = documents.list_summary(cut_list)
    contractors = _contractor_groups(cut_list, summary)
    deadline = documents.notice_deadline(cut_list)
    panes = []
    for status, pane_id, title, why, note in PANES:
        lines = documents.list_lines(cut_list, status=status)
        pane = {"id": pane_id, "title": title, "why": why, "note": note, "count": lines.count()}
        pane["lines"] = list(lines[:TAB_LIMIT])
        for line in pane["lines"]:
            line.exclusion_label = documents.excluded_label(line)
        panes.append(pane)
    proposed = list(documents.list_lines(cut_list, status=P.PROPOSED))
    notices = documents.stored_pdf(Kind.NOTICES, cut_list, None, None)
    is_draft = cut_list.status == CutList.Status.DRAFT
    context = {
        "cut_list": cut_list,
        "is_draft": is_draft,
        "may_supervise": _may_supervise(request),
        "contractors": contractors,
        "proposed": proposed,
        "proposed_debt": sum((line.debt for line in proposed), Decimal("0.00")),
        "panes": panes,
        "tab_limit": TAB_LIMIT,
        "notice_deadline": deadline,
        "notice_days": selectors.field_policy_terms(cut_list.policy).notice_business_days,
        "notice_late": deadline < timezone.localdate(),
        "notices": _doc_state(notices),
        "any_pending": notices.is_pending
        or any(doc["pdf"]["state"] == "pending" for group in contractors for doc in group["docs"]),
    }
    return render(request, "field_orders/cut_list.html", context)


def _contractor_groups(cut_list: CutList, summary) -> list[dict]:
    """Per contractor: its total and one document row for the whole contractor and one per
    crew, with the state of each PDF (rendered in the request, ready, being generated)."""
    grouped: OrderedDict[int, dict] = OrderedDict()
    for row in summary:
        if row.contractor_id is None:
            continue
        group = grouped.setdefault(
            row.contractor_id,
            {"id": row.contractor_id, "name": row.contractor_name, "count": 0, "debt": Decimal("0.00"), "crews": []},
        )
        group["count"] += row.count
        group["debt"] += row.debt
        group["crews"].append(row)
    contractors = {c.pk: c for c in Contractor.objects.filter(pk__in=grouped)}
    crews = {c.pk: c for c in Crew.objects.filter(contractor_id__in=grouped)}
    for contractor_id, group in grouped.items():
        contractor = contractors[contractor_id]
        group["docs"] = [
            {
                "label": "Toda la microempresa",
                "crew_id": None,
                "count": group["count"],
                "pdf": _doc_state(documents.stored_pdf(Kind.SHEET, cut_list, contractor, None)),
            }
        ] + [
            {
                "label": row.crew_name,
                "crew_id": row.crew_id,
                "count": row.count,
                "pdf": _doc_state(documents.stored_pdf(Kind.SHEET, cut_list, contractor, crews[row.crew_id])),
            }
            for row in group["crews"]
            if row.crew_id is not None
        ]
    return list(grouped.values())


def _doc_state(stored: documents.StoredPdf) -> dict:
    if not stored.in_background:
        state = "sync"
    elif stored.is_ready:
        state = "ready"
    elif stored.is_pending:
        state = "pending"
    else:
        state = "absent"
    return {"state": state, "lines": stored.lines}


@require_POST
@role_required(*FIELD_SUPERVISORS)
def cut_list_release(request, pk: int):
    cut_list = get_object_or_404(CutList, pk=pk)
    try:
        cut_list = services.cut_list_release(actor=request.user, cut_list_id=cut_list.pk)
    except services.FieldOrderError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        issued = cut_list.lines.filter(order__isnull=False).count()
        messages.success(request, f"Lista {cut_list.number} emitida: {issued} órdenes de corte.")
    return redirect("field_orders:cut_list", pk=pk)


@require_POST
@role_required(*FIELD_SUPERVISORS)
def cut_line_remove(request, pk: int):
    line = get_object_or_404(CutListLine.objects.select_related("account"), pk=pk)
    form = RemoveLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indique por qué se quita la línea.")
    else:
        try:
            services.cut_line_remove(actor=request.user, line_id=line.pk, reason=form.cleaned_data["reason"])
        except services.FieldOrderError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Cuenta {line.account.number} quitada de la lista.")
    return redirect(reverse("field_orders:cut_list", kwargs={"pk": line.cut_list_id}) + "#propuestas")


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


def _contractor_and_crew(request, cut_list: CutList, contractor_id: int | None, *, crew_param: str = "cuadrilla"):
    contractor = get_object_or_404(Contractor, pk=contractor_id) if contractor_id else None
    crew = None
    crew_id = request.GET.get(crew_param, "")
    if crew_id:
        if not crew_id.isdigit() or contractor is None:
            raise Http404("Cuadrilla inválida.")
        crew = get_object_or_404(Crew, pk=int(crew_id), contractor=contractor)
    return contractor, crew


@require_GET
@role_required(*FIELD_READERS)
def cut_list_xlsx(request, pk: int, contractor_id: int):
    cut_list = get_object_or_404(CutList, pk=pk)
    contractor, crew = _contractor_and_crew(request, cut_list, contractor_id)
    lines = documents.list_lines(
        cut_list, status=P.PROPOSED, contractor_id=contractor.pk, crew_id=crew.pk if crew else None
    )
    return xlsx_response(
        filename=documents.sheet_filename(cut_list, contractor, crew, ".xlsx"),
        sheet="Lista de corte",
        headers=documents.SHEET_HEADERS,
        rows=documents.sheet_rows(lines.iterator(chunk_size=1000)),
        title=documents.sheet_title(cut_list, contractor, crew),
    )


@require_GET
@role_required(*FIELD_READERS)
def cut_list_pdf(request, pk: int, contractor_id: int):
    cut_list = get_object_or_404(CutList, pk=pk)
    contractor, crew = _contractor_and_crew(request, cut_list, contractor_id)
    filename = documents.sheet_filename(cut_list, contractor, crew, ".pdf")
    return _pdf(request, Kind.SHEET, cut_list, contractor, crew, filename)


@require_GET
@role_required(*FIELD_READERS)
def cut_notices_pdf(request, pk: int):
    cut_list = get_object_or_404(CutList, pk=pk)
    contractor_id = request.GET.get("microempresa", "")
    if contractor_id and not contractor_id.isdigit():
        raise Http404("Microempresa inválida.")
    contractor, crew = _contractor_and_crew(request, cut_list, int(contractor_id) if contractor_id else None)
    base = cut_list.number or f"propuesta-{cut_list.cut_date:%Y%m%d}"
    return _pdf(request, Kind.NOTICES, cut_list, contractor, crew, f"avisos-{base}.pdf")


def _pdf(request, kind: str, cut_list: CutList, contractor, crew, filename: str):
    """Small documents now; large ones from the file a background task rendered (documents.py)."""
    stored = documents.stored_pdf(kind, cut_list, contractor, crew)
    if not stored.in_background:
        return _pdf_response(documents.html_to_pdf(documents.document_html(kind, cut_list, contractor, crew)), filename)
    if stored.is_ready:
        response = FileResponse(stored.path.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
        patch_cache_control(response, private=True, no_store=True)
        return response
    if not stored.is_pending:
        documents.pdf_mark_pending(stored)
        enqueue(
            tasks.render_cut_list_pdf,
            kind,
            cut_list.pk,
            contractor.pk if contractor else None,
            crew.pk if crew else None,
            stored.relative,
        )
    messages.info(
        request,
        f"El PDF tiene {stored.lines} suministros y se está generando (unos {max(1, stored.lines // 40)} s); "
        "el enlace aparecerá listo en esta página.",
    )
    return redirect(reverse("field_orders:cut_list", kwargs={"pk": cut_list.pk}) + "#documentos")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    # The documents carry customers' names and debts: no shared cache may keep a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response


# ---------------------------------------------------------------------------------------------
# Field policy
# ---------------------------------------------------------------------------------------------


@role_required(*FIELD_READERS)
@require_http_methods(["GET", "POST"])
def policy(request):
    may_edit = _may_supervise(request)
    current = selectors.field_policy_current()
    terms = selectors.field_policy_terms(current)
    form = None
    if may_edit:
        form = FieldPolicyForm(request.POST or None, current=terms)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Solo el Jefe de la Unidad cambia la política de cortes.")
        if form.is_valid():
            try:
                version = services.field_policy_update(
                    actor=request.user, terms=form.terms(), reason=form.cleaned_data["reason"]
                )
            except services.FieldOrderError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, f"Política de cortes: versión {version.version} en vigor.")
                return redirect("field_orders:policy")
    versions = [
        {"version": v, "rows": policy_display(selectors.field_policy_terms(v))}
        for v in FieldPolicyVersion.objects.select_related("created_by").order_by("-version")[:20]
    ]
    return render(
        request,
        "field_orders/policy.html",
        {"current": current, "rows": policy_display(terms), "versions": versions, "form": form, "may_edit": may_edit},
    )

"""Agreement pages: the list (and its spreadsheet), the approvals queue, one agreement with its
schedule, payments, reschedules, documents and timeline, and the actions on it. Views only
read through selectors and write through services; a refused action comes back as a message."""

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mora.core.access import role_required
from mora.core.roles import AGREEMENT_APPROVERS, AGREEMENT_READERS, AGREEMENT_WRITERS, has_role
from mora.core.spreadsheets import xlsx_response

from . import selectors, services
from .domain.policy import AgreementKind
from .domain.schedule import usual_bill_share
from .domain.states import ACTIVE, LABELS, TERMINAL, AgreementStatus
from .forms import (
    AgreementFilterForm,
    ReasonForm,
    RescheduleDecisionForm,
    RescheduleForm,
    RescheduleSignForm,
    SignForm,
)
from .models import Agreement, Installment, Reschedule

PAGE_SIZE = 50
ZERO = Decimal("0.00")
S = AgreementStatus

# Bootstrap colour of each status, the same on every page.
STATUS_BADGES = {
    S.PENDING_APPROVAL: "text-bg-warning",
    S.REJECTED: "text-bg-secondary",
    S.AWAITING_SIGNATURE: "text-bg-info",
    S.CURRENT: "text-bg-success",
    S.LATE: "text-bg-warning",
    S.BREACHED: "text-bg-danger",
    S.COMPLETED: "text-bg-primary",
    S.CANCELLED: "text-bg-dark",
}
RESCHEDULE_BADGES = {
    Reschedule.Status.PENDING_APPROVAL: "text-bg-warning",
    Reschedule.Status.AWAITING_SIGNATURE: "text-bg-info",
    Reschedule.Status.SIGNED: "text-bg-success",
    Reschedule.Status.REJECTED: "text-bg-secondary",
    Reschedule.Status.CANCELLED: "text-bg-dark",
}
STATUS_LABELS = {status.value: label for status, label in LABELS.items()}
# The contract's full name does not fit a table column.
KIND_SHORT = {AgreementKind.EARLY_SOLUTION.value: "Solución Temprana", AgreementKind.DEBT_CONTRACT.value: "Contrato"}
ACTIVE_VALUES = {status.value for status in ACTIVE}
# A reschedule being processed blocks another one (the service refuses it too).
IN_PROGRESS = {Reschedule.Status.PENDING_APPROVAL, Reschedule.Status.AWAITING_SIGNATURE}
TERMINAL_VALUES = {status.value for status in TERMINAL}


def _agreement_or_404(number: str) -> Agreement:
    agreement = selectors.agreement_get(number=number)
    if agreement is None:
        raise Http404("Convenio no encontrado")
    return agreement


# ---------------------------------------------------------------------------------------------
# List and export
# ---------------------------------------------------------------------------------------------


def _filtered(form: AgreementFilterForm):
    rows = selectors.agreements_list(**form.selector_kwargs())
    if form.sort() == "fecha":
        rows = rows.order_by("created_at", "id")
    return rows


@role_required(*AGREEMENT_READERS)
def agreement_list(request):
    form = AgreementFilterForm(request.GET or None)
    page = Paginator(_filtered(form), PAGE_SIZE).get_page(request.GET.get("page"))
    balances = selectors.agreement_balances(agreement.pk for agreement in page)
    for agreement in page:
        agreement.balance = balances.get(agreement.pk, ZERO)
    context = {
        "form": form,
        "page": page,
        "sort": form.sort(),
        "badges": STATUS_BADGES,
        "kinds": KIND_SHORT,
        "today": timezone.localdate(),
    }
    template = "agreements/_list_table.html" if request.headers.get("HX-Request") else "agreements/list.html"
    return render(request, template, context)


EXPORT_HEADERS = [
    "Número",
    "Tipo",
    "Estado",
    "Cuenta",
    "Titular",
    "CI",
    "Zona",
    "Oficial",
    "Creado",
    "Deuda reconocida (Bs)",
    "Cuota inicial (Bs)",
    "Cuotas",
    "Interés mensual (%)",
    "Incumplimientos",
    "Saldo (Bs)",
]


def _export_rows(rows, chunk: int = 1000):
    """Rows of the spreadsheet, with the balances read one chunk of agreements at a time."""
    batch: list[Agreement] = []

    def flush():
        balances = selectors.agreement_balances(agreement.pk for agreement in batch)
        for a in batch:
            yield [
                a.number,
                a.get_kind_display(),
                a.get_status_display(),
                a.account.number,
                a.account.customer.name,
                a.account.customer.id_display,
                a.account.zone.name,
                a.officer.get_full_name() or a.officer.get_username(),
                a.created_at,
                a.debt,
                a.down_payment,
                a.installments_count,
                a.monthly_rate * 100,
                a.breaches,
                balances.get(a.pk, ZERO),
            ]

    for agreement in rows.iterator(chunk_size=chunk):
        batch.append(agreement)
        if len(batch) >= chunk:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


@role_required(*AGREEMENT_READERS)
def agreement_list_export(request):
    """Exactly the filtered list on screen, all pages, in the same order."""
    form = AgreementFilterForm(request.GET or None)
    today = timezone.localdate()
    return xlsx_response(
        filename=f"convenios-{today:%Y%m%d}.xlsx",
        sheet="Convenios",
        title=f"Convenios al {today:%d/%m/%Y}",
        headers=EXPORT_HEADERS,
        rows=_export_rows(_filtered(form)),
    )


# ---------------------------------------------------------------------------------------------
# Approvals queue
# ---------------------------------------------------------------------------------------------


@role_required(*AGREEMENT_APPROVERS)
def approvals(request):
    return render(
        request,
        "agreements/approvals.html",
        {
            "agreements": selectors.agreements_pending_approval(),
            "reschedules": selectors.reschedules_pending_approval(),
            "kinds": KIND_SHORT,
        },
    )


# ---------------------------------------------------------------------------------------------
# Detail
# ---------------------------------------------------------------------------------------------


def _rate_pct(rate: Decimal) -> str:
    """0.00500 per month -> "0,5" (percent, Bolivian comma, no trailing zeros)."""
    text = f"{(rate * 100).normalize():f}"
    return text.replace(".", ",")


def _row_state(row: Installment, today) -> str:
    if row.balance == 0:
        return "pagada"
    return "vencida" if row.due_date < today else "por vencer"


@role_required(*AGREEMENT_READERS)
def agreement_detail(request, number: str):
    agreement = _agreement_or_404(number)
    today = timezone.localdate()
    user = request.user
    status = agreement.status
    may_write = has_role(user, *AGREEMENT_WRITERS)
    may_approve = has_role(user, *AGREEMENT_APPROVERS)

    schedule = list(selectors.agreement_schedule(agreement=agreement))
    for row in schedule:
        row.state = _row_state(row, today)
    regular = [row for row in schedule if row.number > 0]
    versions = selectors.agreement_schedule_versions(agreement=agreement)
    earlier_versions = [(version, rows) for version, rows in versions.items() if version != agreement.schedule_version]
    reschedules = list(agreement.reschedules.select_related("requested_by", "decided_by").order_by("requested_at"))
    for reschedule in reschedules:
        reschedule.badge = RESCHEDULE_BADGES.get(reschedule.status, "text-bg-secondary")
        pending = reschedule.status == Reschedule.Status.PENDING_APPROVAL
        reschedule.show_decide = may_approve and pending
        reschedule.show_sign = may_write and reschedule.status == Reschedule.Status.AWAITING_SIGNATURE

    payments = selectors.agreement_payments(agreement=agreement)
    events = selectors.agreement_events(agreement=agreement)
    context = {
        "agreement": agreement,
        "account": agreement.account,
        "today": today,
        "status_label": STATUS_LABELS.get(status, status),
        "monthly_rate_pct": _rate_pct(agreement.monthly_rate),
        "badge": STATUS_BADGES.get(status, "text-bg-secondary"),
        "status_labels": STATUS_LABELS,
        "schedule": schedule,
        "balance": sum((row.balance for row in schedule), ZERO),
        "total_paid": sum((row.paid for row in schedule), ZERO),
        "usual_share": usual_bill_share(regular[0].amount, agreement.usual_bill) if regular else None,
        "earlier_versions": earlier_versions,
        "reschedules": reschedules,
        "payments": payments,
        "events": events,
        "show_approve": may_approve and status == S.PENDING_APPROVAL,
        "show_sign": may_write and status == S.AWAITING_SIGNATURE,
        "show_cancel": may_write and status not in TERMINAL_VALUES,
        "show_reschedule": may_write
        and status in ACTIVE_VALUES
        and not any(r.status in IN_PROGRESS for r in reschedules),
        "reason_form": ReasonForm(),
        "sign_form": SignForm(agreement=agreement),
        "decision_form": RescheduleDecisionForm(),
        "reschedule_sign_form": RescheduleSignForm(),
    }
    return render(request, "agreements/detail.html", context)


@role_required(*AGREEMENT_READERS)
def signature_scan(request, number: str):
    agreement = _agreement_or_404(number)
    if not agreement.signature_scan:
        raise Http404("Este convenio no tiene documento firmado escaneado.")
    try:
        handle = agreement.signature_scan.open("rb")
    except FileNotFoundError as exc:
        raise Http404("El archivo escaneado no se encuentra.") from exc
    name = agreement.signature_scan.name.rsplit("/", 1)[-1]
    return FileResponse(handle, filename=f"{agreement.number}-{name}")


# ---------------------------------------------------------------------------------------------
# Actions (POST)
# ---------------------------------------------------------------------------------------------


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _perform(request, form, action: Callable[[dict], object], success: Callable[[object], str]) -> bool:
    """Validate the form, run the service, and leave the outcome as a message in Spanish."""
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return False
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:  # AgreementError included: its messages are for the user
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success(result))
    return True


def _back(agreement: Agreement):
    return redirect("agreements:detail", number=agreement.number)


@role_required(*AGREEMENT_APPROVERS)
@require_POST
def approve(request, number: str):
    agreement = _agreement_or_404(number)
    _perform(
        request,
        ReasonForm(request.POST),
        lambda data: services.agreement_approve(actor=request.user, agreement_id=agreement.pk, reason=data["reason"]),
        lambda _: f"Convenio {agreement.number} aprobado: queda por firmar.",
    )
    return _back(agreement)


@role_required(*AGREEMENT_APPROVERS)
@require_POST
def reject(request, number: str):
    agreement = _agreement_or_404(number)
    _perform(
        request,
        ReasonForm(request.POST),
        lambda data: services.agreement_reject(actor=request.user, agreement_id=agreement.pk, reason=data["reason"]),
        lambda _: f"Convenio {agreement.number} rechazado.",
    )
    return _back(agreement)


@role_required(*AGREEMENT_WRITERS)
@require_POST
def sign(request, number: str):
    agreement = _agreement_or_404(number)

    def action(data):
        return services.agreement_sign(
            actor=request.user,
            agreement_id=agreement.pk,
            signed_on=data["signed_on"],
            signer_name=data["signer_name"],
            signer_id_number=data["signer_id_number"],
            signer_id_department=data["signer_id_department"],
            signer_capacity=data["signer_capacity"],
            signature_scan=data["signature_scan"] or None,
            receipt_source=data["receipt_source"],
            receipt_number=data["receipt_number"],
        )

    _perform(
        request,
        SignForm(request.POST, request.FILES, agreement=agreement),
        action,
        lambda signed: (
            f"Convenio {signed.number} firmado el {signed.signed_on:%d/%m/%Y}: en vigencia "
            f"(estado: {STATUS_LABELS.get(signed.status, signed.status)})."
        ),
    )
    return _back(agreement)


@role_required(*AGREEMENT_WRITERS)
@require_POST
def cancel(request, number: str):
    agreement = _agreement_or_404(number)
    _perform(
        request,
        ReasonForm(request.POST),
        lambda data: services.agreement_cancel(actor=request.user, agreement_id=agreement.pk, reason=data["reason"]),
        lambda _: f"Convenio {agreement.number} anulado: su saldo vuelve a las facturas como deuda en mora.",
    )
    return _back(agreement)


@role_required(*AGREEMENT_WRITERS)
def reschedule(request, number: str):
    agreement = _agreement_or_404(number)
    if agreement.status not in ACTIVE_VALUES:
        messages.error(request, "Solo se reprograma un convenio vigente.")
        return _back(agreement)
    form = RescheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.reschedule_request(
                actor=request.user,
                agreement_id=agreement.pk,
                new_count=form.cleaned_data["new_count"],
                first_due=form.cleaned_data["first_due"],
                reason=form.reason(),
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if created.status == Reschedule.Status.PENDING_APPROVAL:
                next_step = "fuera de política, queda pendiente de aprobación del jefe"
            else:
                next_step = "queda lista para firmar la adenda"
            messages.success(request, f"Reprogramación {created.number} solicitada: {next_step}.")
            return _back(agreement)
    schedule = list(selectors.agreement_schedule(agreement=agreement))
    terms = selectors.policy_terms(agreement.policy)
    context = {
        "agreement": agreement,
        "form": form,
        "balance": sum((row.balance for row in schedule), ZERO),
        "open_rows": [row for row in schedule if row.balance > 0],
        "allowed_installments": terms.social_max_installments if agreement.has_social_flag else terms.max_installments,
        "max_reschedules": terms.max_reschedules,
    }
    return render(request, "agreements/reschedule.html", context)


def _reschedule_or_404(number: str, pk: int) -> Reschedule:
    return get_object_or_404(Reschedule.objects.select_related("agreement"), pk=pk, agreement__number=number)


@role_required(*AGREEMENT_APPROVERS)
@require_POST
def reschedule_decide(request, number: str, pk: int):
    item = _reschedule_or_404(number, pk)
    form = RescheduleDecisionForm(request.POST)

    def action(data):
        return services.reschedule_decide(
            actor=request.user, reschedule_id=item.pk, approve=data["decision"] == "aprobar", reason=data["reason"]
        )

    def success(decided):
        if decided.status == Reschedule.Status.AWAITING_SIGNATURE:
            return f"Reprogramación {decided.number} aprobada: queda lista para firmar la adenda."
        return f"Reprogramación {decided.number} rechazada."

    _perform(request, form, action, success)
    return _back(item.agreement)


@role_required(*AGREEMENT_WRITERS)
@require_POST
def reschedule_sign(request, number: str, pk: int):
    item = _reschedule_or_404(number, pk)

    def action(data):
        return services.reschedule_sign(
            actor=request.user,
            reschedule_id=item.pk,
            signed_on=data["signed_on"],
            signature_scan=data["signature_scan"] or None,
        )

    _perform(
        request,
        RescheduleSignForm(request.POST, request.FILES),
        action,
        lambda signed: f"Adenda {signed.number} firmada: el nuevo plan de pagos está en vigencia.",
    )
    return _back(item.agreement)

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mora.billing import selectors as billing_selectors
from mora.core.access import role_required
from mora.core.roles import ACCOUNT_READERS, HOLD_WRITERS

from . import selectors, services
from .forms import ComplaintForm, HoldForm, ReasonForm
from .models import Account, Complaint, Hold


@role_required(*ACCOUNT_READERS)
def search(request):
    text = request.GET.get("q", "").strip()
    accounts = selectors.account_search(text=text)
    if text and accounts[:2].count() == 1:
        return redirect("customers:account_detail", number=accounts[0].number)
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    return render(request, "customers/search.html", {"q": text, "page": page})


@role_required(*ACCOUNT_READERS)
def account_detail(request, number: str):
    account = selectors.account_get(number=number)
    if account is None:
        raise Http404("Cuenta no encontrada")
    today = timezone.localdate()
    aging = billing_selectors.account_aging(account=account, today=today)
    context = {
        "account": account,
        "today": today,
        "aging": aging,
        "overdue_total": sum((row["debt"] for row in aging), Decimal("0.00")),
        "invoices": billing_selectors.account_invoices(account=account)[:36],
        "payments": billing_selectors.account_payments(account=account)[:36],
        "holds": selectors.account_holds(account=account),
        "active_holds": selectors.account_active_holds(account=account, today=today),
        "complaints": selectors.account_complaints(account=account),
        "has_pending_complaint": selectors.account_has_pending_complaint(account=account),
        "timeline": selectors.account_timeline(account=account),
        "hold_form": HoldForm(),
        "reason_form": ReasonForm(),
        "complaint_form": ComplaintForm(),
    }
    return render(request, "customers/account_detail.html", context)


def _report(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@role_required(*HOLD_WRITERS)
@require_POST
def hold_create(request, number: str):
    account = get_object_or_404(Account, number=number)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Revise los datos de la retención: " + " ".join(e for errs in form.errors.values() for e in errs)
        )
    else:
        try:
            services.hold_create(actor=request.user, account=account, **form.cleaned_data)
            messages.success(request, "Retención registrada: no se cortará el suministro mientras esté vigente.")
        except ValidationError as exc:
            _report(request, exc)
    return redirect("customers:account_detail", number=number)


@role_required(*HOLD_WRITERS)
@require_POST
def hold_release(request, number: str, hold_id: int):
    get_object_or_404(Hold, pk=hold_id, account__number=number)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indique el motivo para levantar la retención.")
    else:
        try:
            services.hold_release(actor=request.user, hold_id=hold_id, reason=form.cleaned_data["reason"])
            messages.success(request, "Retención levantada.")
        except ValidationError as exc:
            _report(request, exc)
    return redirect("customers:account_detail", number=number)


@role_required(*HOLD_WRITERS)
@require_POST
def complaint_register(request, number: str):
    account = get_object_or_404(Account, number=number)
    form = ComplaintForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Describa el reclamo.")
    else:
        complaint = services.complaint_register(actor=request.user, account=account, **form.cleaned_data)
        messages.success(
            request, f"Reclamo {complaint.number} registrado: el suministro no se cortará mientras esté pendiente."
        )
    return redirect("customers:account_detail", number=number)


@role_required(*HOLD_WRITERS)
@require_POST
def complaint_resolve(request, number: str, complaint_id: int):
    get_object_or_404(Complaint, pk=complaint_id, account__number=number)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indique cómo se resolvió el reclamo.")
    else:
        try:
            services.complaint_resolve(
                actor=request.user, complaint_id=complaint_id, resolution=form.cleaned_data["reason"]
            )
            messages.success(request, "Reclamo resuelto.")
        except ValidationError as exc:
            _report(request, exc)
    return redirect("customers:account_detail", number=number)

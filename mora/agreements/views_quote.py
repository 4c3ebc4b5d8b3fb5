"""The simulator (cotizador): the officer builds an agreement with the customer in front of him.

The page shows the account, whether each kind of agreement is possible, and a form whose
schedule is recomputed by HTMX on every change (the partial `_quote_result.html`); the button
"crear" posts the same form and the service creates the agreement from the same quote."""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from mora.core.access import role_required
from mora.core.money import format_bs
from mora.core.roles import AGREEMENT_WRITERS
from mora.customers import selectors as customer_selectors

from . import selectors, services
from .domain.policy import AgreementKind
from .domain.states import AgreementStatus
from .forms_quote import KIND_SHORT_LABELS, QuoteForm


def _default_request(kind: AgreementKind, today) -> selectors.QuoteRequest:
    return selectors.QuoteRequest(
        kind=kind, invoice_ids=None, down_payment=None, installments=None, first_due=None, signing_date=today
    )


def _request_from(form: QuoteForm, today, *, reset_terms: bool) -> selectors.QuoteRequest:
    data = form.cleaned_data
    return selectors.QuoteRequest(
        kind=AgreementKind(data["kind"]),
        invoice_ids=form.invoice_ids(),
        # None lets the quote use the policy's defaults (minimum down payment, most installments).
        down_payment=None if reset_terms else data["down_payment"],
        installments=None if reset_terms else data["installments"],
        first_due=data["first_due"],
        # Signed today: the date is the server's, never what the browser sends.
        signing_date=today,
    )


def _terms_initial(quote: selectors.Quote) -> dict:
    return {
        "down_payment": format_bs(quote.down_payment, symbol=False) if quote.debt else "",
        "installments": quote.installments if quote.debt else "",
        "first_due": quote.first_due,
    }


def _result_context(quote: selectors.Quote, account, form: QuoteForm | None = None) -> dict:
    rows = [(item, quote.share_of_bill(item)) for item in quote.schedule]
    blocking = [*quote.not_eligible, *quote.hard_limits, *quote.errors]
    return {
        "quote": quote,
        "account": account,
        "rows": rows,
        "total_principal": sum((item.principal for item in quote.schedule), selectors.ZERO),
        "blocking": blocking,
        "form_errors": [error for errors in form.errors.values() for error in errors] if form is not None else [],
    }


@role_required(*AGREEMENT_WRITERS)
def quote(request, account_number: str):
    account = customer_selectors.account_get(number=account_number)
    if account is None:
        raise Http404("Cuenta no encontrada")
    today = timezone.localdate()
    is_htmx = request.headers.get("HX-Request") == "true"
    data = request.POST if request.method == "POST" else request.GET
    bound = request.method == "POST" or "kind" in data

    if is_htmx:
        return _partial(request, account, QuoteForm(data), today)

    defaults = {
        kind: selectors.agreement_quote(account=account, request=_default_request(kind, today), today=today)
        for kind in AgreementKind
    }
    create_errors: list[str] = []
    if bound:
        form = QuoteForm(data)
        if form.is_valid():
            quote_request = _request_from(form, today, reset_terms=False)
            if request.method == "POST" and "crear" in request.POST:
                try:
                    agreement = services.agreement_create(
                        actor=request.user,
                        account=account,
                        request=quote_request,
                        justification=form.cleaned_data["justification"],
                        guarantor_name=form.cleaned_data["guarantor_name"],
                        guarantor_id_number=form.cleaned_data["guarantor_id_number"],
                        notice_address=form.cleaned_data["notice_address"],
                    )
                except services.AgreementError as exc:
                    create_errors = exc.messages
                else:
                    if agreement.status == AgreementStatus.PENDING_APPROVAL:
                        text = f"Convenio {agreement.number} creado y enviado al jefe para aprobación."
                    else:
                        text = f"Convenio {agreement.number} creado: imprímalo y hágalo firmar."
                    messages.success(request, text)
                    return redirect("agreements:detail", number=agreement.number)
            current = selectors.agreement_quote(account=account, request=quote_request, today=today)
        else:
            current = defaults[_kind_or_default(form.data.get("kind"))]
            current.schedule = []  # terms that could not be read have no schedule
            create_errors = [error for errors in form.errors.values() for error in errors]
    else:
        kind = _first_eligible(defaults, request.GET.get("tipo"))
        current = defaults[kind]
        form = QuoteForm(
            initial={
                "kind": kind.value,
                "prev_kind": kind.value,
                "invoices_sent": True,
                "notice_address": account.customer.address or account.address,
                **_terms_initial(current),
            }
        )

    invoices = defaults[AgreementKind.EARLY_SOLUTION].invoices  # every overdue invoice of the account
    if form.is_bound and form.is_valid() and form.invoice_ids() is not None:
        checked = set(form.invoice_ids())
    else:
        checked = {invoice.pk for invoice in invoices}
    facts = defaults[AgreementKind.EARLY_SOLUTION].facts
    context = {
        "account": account,
        "today": today,
        "facts": facts,
        "usual_bill": current.usual_bill,
        "boxes": [(kind, KIND_SHORT_LABELS[kind], defaults[kind].not_eligible) for kind in AgreementKind],
        "form": form,
        "invoices": invoices,
        "checked": checked,
        "create_errors": create_errors,
        **_result_context(current, account),
    }
    response = render(request, "agreements/quote.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _kind_or_default(value) -> AgreementKind:
    try:
        return AgreementKind(value)
    except ValueError:
        return AgreementKind.EARLY_SOLUTION


def _first_eligible(defaults: dict, wanted: str | None) -> AgreementKind:
    if wanted in {kind.value for kind in AgreementKind}:
        return AgreementKind(wanted)
    for kind in AgreementKind:
        if not defaults[kind].not_eligible:
            return kind
    return AgreementKind.EARLY_SOLUTION


def _partial(request, account, form: QuoteForm, today):
    """Only the schedule and its warnings, for HTMX. When the officer switches kind, the down
    payment and the number of installments are refilled with the new kind's policy (sent as an
    `HX-Trigger` event, so the inputs keep their listeners and the caret)."""
    if not form.is_valid():
        kind = _kind_or_default(form.data.get("kind"))
        quote = selectors.agreement_quote(account=account, request=_default_request(kind, today), today=today)
        quote.schedule = []  # nothing to show for terms that could not be read
        response = render(request, "agreements/_quote_result.html", _result_context(quote, account, form))
        patch_vary_headers(response, ["HX-Request"])
        return response
    reset = form.kind_switched()
    quote = selectors.agreement_quote(
        account=account, request=_request_from(form, today, reset_terms=reset), today=today
    )
    response = render(request, "agreements/_quote_result.html", _result_context(quote, account))
    patch_vary_headers(response, ["HX-Request"])
    refill = {"prev_kind": quote.kind.value}
    if reset:
        refill.update({key: str(value or "") for key, value in _terms_initial(quote).items() if key != "first_due"})
    response["HX-Trigger"] = json.dumps({"quoteDefaults": refill})
    return response

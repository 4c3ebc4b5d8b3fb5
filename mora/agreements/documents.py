"""The printed documents of an agreement: the Solución Temprana form, the Contrato Privado de
Reconocimiento de Deuda y Compromiso de Pago and the adenda de reprogramación.

HTML from Django templates, PDF with WeasyPrint. Everything the templates show is prepared
here (the templates only lay it out), and nothing here writes: printing a document is a read.

The contract always prints the schedule as signed (version 1): the document must read the same
every time it is printed. A reschedule changes the schedule through its own adenda, which the
contract only mentions in a note."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.urls import URLFetcher

from mora.customers.models import IdDepartment

from . import selectors
from .domain.policy import AgreementKind
from .domain.schedule import Installment as PlannedInstallment
from .domain.schedule import ScheduleError, usual_bill_share
from .domain.schedule import reschedule as plan_reschedule
from .domain.states import AgreementStatus
from .domain.words import amount_in_words, date_in_words
from .models import Agreement, Installment, Reschedule
from .utility import utility_profile

ZERO = Decimal("0.00")
S = AgreementStatus
# Relative URLs in the templates (none today; a logo tomorrow) resolve inside the app, never
# on the network: utility networks are often closed, and a fetch would stall the rendering.
_BASE_URL = str(Path(__file__).resolve().parent)

TEMPLATES = {
    AgreementKind.EARLY_SOLUTION: "agreements/pdf/early_solution.html",
    AgreementKind.DEBT_CONTRACT: "agreements/pdf/contract.html",
}
# For the footer, where the contract's full name does not fit.
SHORT_NAMES = {
    AgreementKind.EARLY_SOLUTION: "Solución Temprana",
    AgreementKind.DEBT_CONTRACT: "Contrato Privado",
}


@dataclass(frozen=True)
class ScheduleLine:
    """One row of a printed schedule. The amount is principal plus interest as agreed: a later
    waiver of the interest (paid on time) does not change what the document says."""

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    share: Decimal | None = None  # % of the usual bill
    paid: Decimal = ZERO
    rescheduled: Decimal = ZERO  # principal left unpaid, carried to the new schedule

    @property
    def label(self) -> str:
        return "Cuota inicial" if self.number == 0 else str(self.number)

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    id_department: str  # full name of the department ("Tarija"), or ""
    capacity: str = ""
    domicile: str = ""

    @property
    def id_text(self) -> str:
        """`4123456 expedido en Tarija`, as the CI is cited in Bolivian documents."""
        if not self.id_number:
            return ""
        return f"{self.id_number} expedido en {self.id_department}" if self.id_department else self.id_number


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def agreement_html(agreement: Agreement) -> str:
    return render_to_string(TEMPLATES[AgreementKind(agreement.kind)], agreement_context(agreement))


def agreement_pdf(agreement: Agreement) -> bytes:
    return html_to_pdf(agreement_html(agreement))


def addendum_html(reschedule: Reschedule) -> str:
    return render_to_string("agreements/pdf/addendum.html", addendum_context(reschedule))


def addendum_pdf(reschedule: Reschedule) -> bytes:
    return html_to_pdf(addendum_html(reschedule))


def addendum_get(*, number: str) -> Reschedule | None:
    """The reschedule printed as adenda `number`, with what its document reads."""
    return (
        Reschedule.objects.select_related(
            "agreement__account__customer", "agreement__officer", "agreement__policy", "requested_by", "decided_by"
        )
        .filter(number=number)
        .first()
    )


def html_to_pdf(html: str) -> bytes:
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    return weasyprint.HTML(string=html, base_url=_BASE_URL, url_fetcher=fetcher).write_pdf()


# ---------------------------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------------------------


def agreement_context(agreement: Agreement) -> dict:
    kind = AgreementKind(agreement.kind)
    status = S(agreement.status)
    terms = selectors.policy_terms(agreement.policy)
    schedule = _lines(agreement.installments.filter(version=1).order_by("number"), usual_bill=agreement.usual_bill)
    regular = [line for line in schedule if line.number > 0]
    signed_addenda = list(agreement.reschedules.filter(status=Reschedule.Status.SIGNED).order_by("signed_on", "number"))
    document_date = agreement.signed_on or agreement.signing_date
    context = {
        **_common(agreement),
        "kind_label": kind.label,
        "title": f"{kind.label} N° {agreement.number}",
        "footer_ref": f"{SHORT_NAMES[kind]} N° {agreement.number} · Cuenta N° {agreement.account.number}",
        "terms": terms,
        "invoices": list(
            agreement.covered_invoices.select_related("invoice").order_by("invoice__due_date", "invoice__number")
        ),
        "schedule": schedule,
        "regular": regular,
        "down_line": next((line for line in schedule if line.number == 0), None),
        "totals": _totals(schedule),
        "has_interest": any(line.interest > 0 for line in schedule),
        "show_share": agreement.usual_bill is not None and agreement.usual_bill > 0,
        "debt_words": amount_in_words(agreement.debt),
        "financed": agreement.debt - agreement.down_payment,
        "financed_words": amount_in_words(agreement.debt - agreement.down_payment),
        "rate_text": _percent_text(agreement.monthly_rate),
        "place_date": f"{_profile_city()}, {date_in_words(document_date)}",
        "document_date": document_date,
        "approval_note": _approval_note(agreement),
        "signed_addenda": signed_addenda,
        "watermark": {S.CANCELLED: "ANULADO", S.REJECTED: "RECHAZADO"}.get(status, ""),
        "footer_note": _footer_note(agreement),
    }
    return context


def addendum_context(reschedule: Reschedule) -> dict:
    agreement = reschedule.agreement
    kind = AgreementKind(agreement.kind)
    status = Reschedule.Status(reschedule.status)
    previous, new, preview_error = _addendum_schedules(reschedule)
    new_total = _totals(new)
    carried = sum((line.rescheduled for line in previous), ZERO)
    document_date = reschedule.signed_on or timezone.localdate()
    watermark = {
        Reschedule.Status.CANCELLED: "ANULADA",
        Reschedule.Status.REJECTED: "RECHAZADA",
    }.get(status, "")
    if not watermark and agreement.status == S.CANCELLED:
        watermark = "ANULADA"
    if status == Reschedule.Status.PENDING_APPROVAL:
        footer = "Pendiente de aprobación del Jefe de la Unidad: no firmar todavía"
    elif status == Reschedule.Status.AWAITING_SIGNATURE:
        footer = "Documento para firma"
    elif status == Reschedule.Status.SIGNED and reschedule.signed_on:
        footer = f"Copia: adenda firmada el {reschedule.signed_on:%d/%m/%Y}"
    else:
        footer = ""
    decided_by = reschedule.decided_by
    approval_note = ""
    if decided_by is not None and status != Reschedule.Status.REJECTED and reschedule.outside_policy:
        approval_note = f"Aprobada fuera de política por {_user_name(decided_by)}: {reschedule.decision_reason}"
    return {
        **_common(agreement),
        "reschedule": reschedule,
        "kind_label": kind.label,
        "title": f"Adenda de reprogramación N° {reschedule.number}",
        "footer_ref": f"Adenda N° {reschedule.number} al {SHORT_NAMES[kind]} N° {agreement.number}",
        "agreement_date": agreement.signed_on or agreement.signing_date,
        "debt_words": amount_in_words(agreement.debt),
        "previous": previous,
        "previous_totals": _totals(previous),
        "carried": carried,
        "carried_words": amount_in_words(carried),
        "new": new,
        "new_totals": new_total,
        "preview_error": preview_error,
        "is_preview": status != Reschedule.Status.SIGNED,
        "has_interest": any(line.interest > 0 for line in new),
        "rate_text": _percent_text(agreement.monthly_rate),
        "place_date": f"{_profile_city()}, {date_in_words(document_date)}",
        "approval_note": approval_note,
        # The officer who takes the adenda to signature, not necessarily who made the agreement.
        "officer_name": _user_name(reschedule.requested_by),
        "watermark": watermark,
        "footer_note": footer,
    }


def _common(agreement: Agreement) -> dict:
    account = agreement.account
    customer = account.customer
    utility = utility_profile()
    return {
        "agreement": agreement,
        "account": account,
        "customer": customer,
        "holder": _holder(agreement),
        "debtor": _debtor(agreement),
        "is_contract": agreement.kind == AgreementKind.DEBT_CONTRACT,
        "utility": utility,
        "officer_name": _user_name(agreement.officer),
        "guarantor": (
            Person(name=agreement.guarantor_name, id_number=agreement.guarantor_id_number, id_department="")
            if agreement.guarantor_name
            else None
        ),
        "notice_address": agreement.notice_address or customer.address or account.address,
        "social_flags": [
            label
            for label, flag in (("Tarifa Dignidad", account.tarifa_dignidad), ("Ley 1886", account.ley_1886))
            if flag
        ],
    }


def _holder(agreement: Agreement) -> Person:
    customer = agreement.account.customer
    return Person(
        name=customer.name,
        id_number=customer.id_number,
        id_department=_department(customer.id_department),
        capacity="Titular",
        domicile=customer.address or agreement.account.address,
    )


def _debtor(agreement: Agreement) -> Person:
    """Who signs: once signed, the person recorded at signature (the titular or someone
    authorized); before that, the account holder, whom the officer expects at the desk."""
    holder = _holder(agreement)
    if not agreement.signer_name:
        return holder
    return Person(
        name=agreement.signer_name,
        id_number=agreement.signer_id_number,
        id_department=_department(agreement.signer_id_department),
        capacity=agreement.signer_capacity or "Titular",
        domicile=holder.domicile,
    )


def _lines(rows, *, usual_bill: Decimal | None) -> list[ScheduleLine]:
    return [
        ScheduleLine(
            number=row.number,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
            share=usual_bill_share(row.principal + row.interest, usual_bill),
        )
        for row in rows
    ]


def _addendum_schedules(reschedule: Reschedule) -> tuple[list[ScheduleLine], list[ScheduleLine], str]:
    """(previous, new, error). Once signed, the rows the adenda superseded and the rows it
    created. Before that those rows do not exist: the new schedule is recomputed from the unpaid
    principal in force exactly as `services.reschedule_sign` will compute it (same domain
    function, same numbering), so the customer signs what will be recorded."""
    agreement = reschedule.agreement
    if reschedule.status == Reschedule.Status.SIGNED:
        old_rows = agreement.installments.filter(version=reschedule.from_version, superseded=True).order_by("number")
        new_rows = agreement.installments.filter(version=reschedule.to_version).order_by("number")
        return [_previous_line(row) for row in old_rows], _lines(new_rows, usual_bill=agreement.usual_bill), ""
    in_force = list(selectors.agreement_schedule(agreement=agreement))
    remaining = [row for row in in_force if row.balance > 0]
    previous = [_previous_line(row) for row in remaining]
    if not remaining:
        return previous, [], "No queda saldo por reprogramar."
    planned = [PlannedInstallment(row.number, row.due_date, row.principal_unpaid, ZERO) for row in remaining]
    try:
        plan = plan_reschedule(
            remaining=planned,
            new_count=reschedule.new_count,
            first_due=reschedule.first_due,
            monthly_rate=agreement.monthly_rate,
            is_business_day=selectors.business_day_checker(),
            start_number=max(row.number for row in in_force) + 1,
        )
    except ScheduleError as exc:
        return previous, [], str(exc)
    return previous, _lines(plan, usual_bill=agreement.usual_bill), ""


def _previous_line(row: Installment) -> ScheduleLine:
    return ScheduleLine(
        number=row.number,
        due_date=row.due_date,
        principal=row.principal,
        interest=row.interest,
        paid=row.paid,
        rescheduled=row.principal_unpaid,
    )


def _totals(lines: list[ScheduleLine]) -> dict[str, Decimal]:
    return {
        "principal": sum((line.principal for line in lines), ZERO),
        "interest": sum((line.interest for line in lines), ZERO),
        "amount": sum((line.amount for line in lines), ZERO),
        "paid": sum((line.paid for line in lines), ZERO),
        "rescheduled": sum((line.rescheduled for line in lines), ZERO),
    }


def _approval_note(agreement: Agreement) -> str:
    if agreement.decided_by is None or agreement.decided_at is None:
        return ""
    when = timezone.localtime(agreement.decided_at).strftime("%d/%m/%Y")
    verb = "Rechazado" if agreement.status == S.REJECTED else "Aprobado fuera de política"
    return f"{verb} por {_user_name(agreement.decided_by)} el {when}: {agreement.decision_reason}"


def _footer_note(agreement: Agreement) -> str:
    """What the footer says about the copy. A diagonal "draft" mark would be wrong on a
    document printed precisely to be signed; the footer says so instead."""
    status = S(agreement.status)
    if status == S.PENDING_APPROVAL:
        return "Pendiente de aprobación del Jefe de la Unidad: no firmar todavía"
    if status == S.AWAITING_SIGNATURE:
        return "Documento para firma"
    if agreement.signed_on:
        return f"Copia: documento firmado el {agreement.signed_on:%d/%m/%Y}"
    return ""


def _percent_text(rate: Decimal) -> str:
    """Monthly rate as a fraction -> `0,5 %` (as many decimals as it has, no trailing zeros)."""
    if not rate:
        return ""
    text = format((Decimal(rate) * 100).normalize(), "f")
    return f"{text.replace('.', ',')} %"


def _department(code: str) -> str:
    if not code:
        return ""
    try:
        return IdDepartment(code).label
    except ValueError:
        return code


def _user_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _profile_city() -> str:
    return utility_profile()["city"]

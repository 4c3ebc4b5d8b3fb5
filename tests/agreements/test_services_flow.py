"""The life of an agreement through its services, checking the money invariant at each step:
the covered invoices' balances equal the unpaid principal of the installments in force."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mora.agreements import selectors, services
from mora.agreements.domain.policy import AgreementKind
from mora.agreements.domain.states import AgreementStatus as S
from mora.agreements.models import AgreementEvent
from mora.billing.models import Invoice
from mora.billing.selectors import ArrearsFilters, arrears_rows
from mora.core.roles import Role
from tests.agreements.helpers import create_and_sign, pay, quote_request, sign, unpaid_principal
from tests.factories import make_invoice

pytestmark = pytest.mark.django_db


def test_early_solution_from_quote_to_completion(debtor, users):
    officer = users[Role.OFFICER]
    today = timezone.localdate()
    quote = selectors.agreement_quote(account=debtor, request=quote_request(), today=today)
    assert quote.not_eligible == [] and quote.can_create and not quote.needs_approval
    assert quote.debt == Decimal("900.00")
    assert quote.down_payment == Decimal("180.00")  # 20 %
    assert sum(item.principal for item in quote.schedule) == Decimal("900.00")

    agreement = services.agreement_create(actor=officer, account=debtor, request=quote_request())
    assert agreement.number == f"ST-{today.year}-000001"
    assert agreement.status == S.AWAITING_SIGNATURE

    with pytest.raises(services.AgreementError):
        sign(agreement, officer)  # the down payment is not paid yet
    pay(debtor, "180.00", "R-1")
    sign(agreement, officer)
    agreement.refresh_from_db()
    assert agreement.status == S.CURRENT
    # The account is no longer "in arrears": its debt is in the agreement.
    assert not arrears_rows(today=today, filters=ArrearsFilters(text=debtor.number)).exists()
    assert services.covered_balance(agreement) == unpaid_principal(agreement) == Decimal("720.00")

    # A payment reaches the installments first, partially.
    pay(debtor, "100.00", "R-2")
    agreement.refresh_from_db()
    assert services.covered_balance(agreement) == unpaid_principal(agreement) == Decimal("620.00")
    pay(debtor, "620.00", "R-3")
    agreement.refresh_from_db()
    assert agreement.status == S.COMPLETED
    assert Invoice.objects.filter(account=debtor, balance__gt=0).count() == 0
    statuses = list(
        AgreementEvent.objects.filter(agreement=agreement).exclude(to_status="").values_list("to_status", flat=True)
    )
    assert statuses == [S.AWAITING_SIGNATURE, S.CURRENT, S.COMPLETED]


def test_breach_and_regularization_by_payment(debtor, users):
    officer = users[Role.OFFICER]
    agreement = create_and_sign(debtor, officer, quote_request())
    first = selectors.agreement_schedule(agreement=agreement).filter(number=1).get()
    later = first.due_date + timedelta(days=agreement.grace_days + 1)
    services.agreements_evaluate(today=first.due_date + timedelta(days=1))
    agreement.refresh_from_db()
    assert agreement.status == S.LATE
    services.agreements_evaluate(today=later)
    agreement.refresh_from_db()
    assert agreement.status == S.BREACHED and agreement.breaches == 1
    # Running the evaluation again changes nothing.
    assert services.agreements_evaluate(today=later) == {}

    regularized = []
    services.register_regularization_hook(lambda agreement, actor: regularized.append(agreement.pk))
    paid_at = timezone.make_aware(datetime.combine(later, time(10)))
    pay(debtor, str(first.amount), "R-2", when=paid_at)
    agreement.refresh_from_db()
    assert agreement.status == S.CURRENT
    assert regularized == [agreement.pk]
    assert services.covered_balance(agreement) == unpaid_principal(agreement)


def test_outside_policy_needs_approval_and_justification(debtor, users):
    officer, boss = users[Role.OFFICER], users[Role.SUPERVISOR]
    request = quote_request(AgreementKind.DEBT_CONTRACT, installments=18)
    # A contract for a 900 Bs debt with 3 invoices is not eligible by size; use a larger debt.
    make_invoice(account=debtor, due_date=timezone.localdate() - timedelta(days=150), amount="3000.00")
    quote = selectors.agreement_quote(account=debtor, request=request, today=timezone.localdate())
    assert quote.not_eligible == [], quote.not_eligible
    assert quote.needs_approval
    with pytest.raises(services.AgreementError):
        services.agreement_create(actor=officer, account=debtor, request=request)
    agreement = services.agreement_create(
        actor=officer, account=debtor, request=request, justification="Ingreso irregular"
    )
    assert agreement.status == S.PENDING_APPROVAL
    assert agreement.number.startswith("CPRD-")
    services.agreement_approve(actor=boss, agreement_id=agreement.pk, reason="Familia con ingresos bajos")
    agreement.refresh_from_db()
    assert agreement.status == S.AWAITING_SIGNATURE
    with pytest.raises(services.AgreementError):
        services.agreement_approve(actor=boss, agreement_id=agreement.pk, reason="otra vez")


def test_reschedule_replaces_unpaid_installments_and_keeps_the_total(debtor, users):
    officer = users[Role.OFFICER]
    today = timezone.localdate()
    agreement = create_and_sign(debtor, officer, quote_request(installments=2))
    before = unpaid_principal(agreement)
    reschedule = services.reschedule_request(
        actor=officer, agreement_id=agreement.pk, new_count=3, first_due=today + timedelta(days=40), reason="Enfermedad"
    )
    services.reschedule_sign(actor=officer, reschedule_id=reschedule.pk, signed_on=today)
    agreement.refresh_from_db()
    assert agreement.schedule_version == 2 and agreement.reschedule_count == 1
    assert unpaid_principal(agreement) == before == services.covered_balance(agreement)
    assert selectors.agreement_schedule(agreement=agreement).filter(version=2).count() == 3
    # Solución Temprana allows one reschedule only.
    with pytest.raises(services.AgreementError):
        services.reschedule_request(
            actor=officer, agreement_id=agreement.pk, new_count=2, first_due=today + timedelta(days=70), reason="otra"
        )


def test_cancel_returns_the_debt_to_arrears(debtor, users):
    officer = users[Role.OFFICER]
    today = timezone.localdate()
    agreement = create_and_sign(debtor, officer, quote_request())
    services.agreement_cancel(actor=officer, agreement_id=agreement.pk, reason="Error de digitación")
    row = arrears_rows(today=today, filters=ArrearsFilters(text=debtor.number)).get()
    assert row["debt"] == Decimal("720.00")
    with pytest.raises(services.AgreementError):
        services.agreement_cancel(actor=officer, agreement_id=agreement.pk, reason="otra vez")


def test_reschedule_outside_policy_keeps_the_officers_justification_after_the_decision(debtor, users):
    officer, boss = users[Role.OFFICER], users[Role.SUPERVISOR]
    today = timezone.localdate()
    make_invoice(account=debtor, due_date=today - timedelta(days=150), amount="3000.00")
    agreement = create_and_sign(debtor, officer, quote_request(AgreementKind.DEBT_CONTRACT, installments=12))
    reschedule = services.reschedule_request(
        actor=officer,
        agreement_id=agreement.pk,
        new_count=20,
        first_due=today + timedelta(days=40),
        reason="Desempleo",
        justification="Perdió el empleo en noviembre",
    )
    assert reschedule.status == reschedule.Status.PENDING_APPROVAL
    services.reschedule_decide(actor=boss, reschedule_id=reschedule.pk, approve=True, reason="Caso documentado")
    reschedule.refresh_from_db()
    assert reschedule.justification == "Perdió el empleo en noviembre"
    assert reschedule.decision_reason == "Caso documentado"


def test_interest_waived_after_a_partial_payment_still_reaches_the_invoices(debtor, users):
    """With interest and the on-time incentive: a partial payment first counts as interest; when
    the rest arrives on time the interest is waived, and the invoices must go down by all of it."""
    from mora.agreements.domain.policy import DEFAULT_POLICIES
    from mora.agreements.models import AgreementPolicy

    terms = DEFAULT_POLICIES[AgreementKind.EARLY_SOLUTION]
    services.policy_update(
        actor=users[Role.SUPERVISOR],
        kind=AgreementKind.EARLY_SOLUTION,
        terms=terms.__class__(**{**terms.__dict__, "monthly_interest_rate": Decimal("0.02")}),
        reason="Prueba con interés",
    )
    assert AgreementPolicy.objects.filter(kind="ST").count() == 2
    agreement = create_and_sign(debtor, users[Role.OFFICER], quote_request(installments=3))
    first = selectors.agreement_schedule(agreement=agreement).get(number=1)
    assert first.interest > 0
    pay(debtor, "10.00", "R-2")
    pay(debtor, str(first.principal - Decimal("10.00")), "R-3")
    first.refresh_from_db()
    assert first.interest_waived and first.balance == 0
    assert services.covered_balance(agreement) == unpaid_principal(agreement)


def test_reschedule_rules(debtor, users):
    officer = users[Role.OFFICER]
    today = timezone.localdate()
    agreement = create_and_sign(debtor, officer, quote_request(installments=2))
    with pytest.raises(services.AgreementError, match="posterior a hoy"):
        services.reschedule_request(
            actor=officer, agreement_id=agreement.pk, new_count=2, first_due=today, reason="Enfermedad"
        )
    with pytest.raises(services.AgreementError, match="mínimo"):
        services.reschedule_request(
            actor=officer,
            agreement_id=agreement.pk,
            new_count=60,
            first_due=today + timedelta(days=30),
            reason="Enfermedad",
        )
    reschedule = services.reschedule_request(
        actor=officer, agreement_id=agreement.pk, new_count=3, first_due=today + timedelta(days=30), reason="Enfermedad"
    )
    services.agreement_cancel(actor=officer, agreement_id=agreement.pk, reason="Error")
    reschedule.refresh_from_db()
    assert reschedule.status == reschedule.Status.CANCELLED
    with pytest.raises(services.AgreementError):
        services.reschedule_sign(actor=officer, reschedule_id=reschedule.pk, signed_on=today)


def test_whoever_created_an_agreement_cannot_approve_it(debtor, users):
    boss = users[Role.SUPERVISOR]
    make_invoice(account=debtor, due_date=timezone.localdate() - timedelta(days=150), amount="3000.00")
    request = quote_request(AgreementKind.DEBT_CONTRACT, installments=18)
    agreement = services.agreement_create(actor=boss, account=debtor, request=request, justification="Caso especial")
    with pytest.raises(services.AgreementError, match="otro jefe"):
        services.agreement_approve(actor=boss, agreement_id=agreement.pk, reason="Yo mismo")
    agreement.refresh_from_db()
    assert agreement.status == "PENDING_APPROVAL"


def test_paying_more_than_the_down_payment_before_signing_keeps_the_invariant_with_interest(debtor, users):
    from mora.agreements.domain.policy import DEFAULT_POLICIES

    terms = DEFAULT_POLICIES[AgreementKind.EARLY_SOLUTION]
    services.policy_update(
        actor=users[Role.SUPERVISOR],
        kind=AgreementKind.EARLY_SOLUTION,
        terms=terms.__class__(**{**terms.__dict__, "monthly_interest_rate": Decimal("0.02")}),
        reason="Prueba con interés",
    )
    officer = users[Role.OFFICER]
    agreement = services.agreement_create(actor=officer, account=debtor, request=quote_request(installments=3))
    pay(debtor, str(agreement.down_payment + Decimal("100.00")), "R-1")
    sign(agreement, officer)
    agreement.refresh_from_db()
    assert services.covered_balance(agreement) == unpaid_principal(agreement) == Decimal("620.00")
    schedule = list(selectors.agreement_schedule(agreement=agreement))
    assert sum(row.principal for row in schedule) == Decimal("900.00")  # still the whole debt

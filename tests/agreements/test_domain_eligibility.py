from dataclasses import replace
from decimal import Decimal

import pytest

from mora.agreements.domain.eligibility import (
    AccountFacts,
    allowed_installments,
    eligibility,
    hard_limits,
    max_installments_with_approval,
    minimum_down_payment,
    required_down_payment_pct,
    reschedule_violations,
    smallest_installment,
    term_violations,
)
from mora.agreements.domain.policy import DEFAULT_POLICIES, AgreementKind

D = Decimal
ST = AgreementKind.EARLY_SOLUTION
CPRD = AgreementKind.DEBT_CONTRACT
ST_POLICY = DEFAULT_POLICIES[ST]
CPRD_POLICY = DEFAULT_POLICIES[CPRD]

SMALL = AccountFacts(overdue_invoice_count=2, overdue_debt=D("450.00"), oldest_overdue_days=45)
LARGE = AccountFacts(overdue_invoice_count=6, overdue_debt=D("4200.00"), oldest_overdue_days=170)

SIZE_RULE = (
    "El contrato privado es para deudas mayores a Bs 3.000,00, de más de 3 facturas vencidas, de más de 90 días "
    "o tras una Solución Temprana incumplida; corresponde ofrecer una Solución Temprana."
)


def test_a_small_recent_debt_may_sign_an_early_solution_but_not_a_contract():
    assert eligibility(ST, ST_POLICY, SMALL) == []
    assert eligibility(CPRD, CPRD_POLICY, SMALL) == [SIZE_RULE]


def test_a_large_old_debt_may_sign_a_contract_but_not_an_early_solution():
    assert eligibility(CPRD, CPRD_POLICY, LARGE) == []
    assert eligibility(ST, ST_POLICY, LARGE) == [
        "Tiene 6 facturas vencidas; la Solución Temprana admite de 1 a 3.",
        "La deuda vencida (Bs 4.200,00) supera el máximo de Bs 3.000,00.",
    ]


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (replace(SMALL, overdue_invoice_count=4), "Tiene 4 facturas vencidas; la Solución Temprana admite de 1 a 3."),
        (replace(SMALL, overdue_debt=D("3500")), "La deuda vencida (Bs 3.500,00) supera el máximo de Bs 3.000,00."),
        (replace(SMALL, agreements_of_kind_in_window=1), "Ya tuvo una Solución Temprana en los últimos 12 meses."),
        (replace(SMALL, has_active_agreement=True), "Ya tiene un convenio vigente."),
        (
            replace(SMALL, has_pending_complaint=True),
            "Tiene un reclamo pendiente; debe resolverse antes de firmar un convenio.",
        ),
    ],
)
def test_each_early_solution_rule_gives_its_own_reason(facts, message):
    assert eligibility(ST, ST_POLICY, facts) == [message]


@pytest.mark.parametrize(
    "facts",
    [
        replace(SMALL, overdue_invoice_count=3),
        replace(SMALL, overdue_invoice_count=1),
        replace(SMALL, overdue_debt=D("3000.00")),
        replace(SMALL, has_social_flag=True, breaches_last_12_months=3),
        replace(SMALL, has_breached_early_solution=True),
    ],
)
def test_early_solution_limits_are_inclusive(facts):
    assert eligibility(ST, ST_POLICY, facts) == []


@pytest.mark.parametrize(
    "facts",
    [
        AccountFacts(overdue_invoice_count=0, overdue_debt=D("0"), oldest_overdue_days=0),
        AccountFacts(overdue_invoice_count=2, overdue_debt=D("0.00"), oldest_overdue_days=40),
        AccountFacts(overdue_invoice_count=0, overdue_debt=D("100"), oldest_overdue_days=40, has_active_agreement=True),
    ],
)
def test_no_overdue_debt_is_the_only_reason_given(facts):
    assert eligibility(ST, ST_POLICY, facts) == ["No tiene deuda vencida."]
    assert eligibility(CPRD, CPRD_POLICY, facts) == ["No tiene deuda vencida."]


@pytest.mark.parametrize(
    "facts",
    [
        replace(SMALL, overdue_debt=D("3000.01")),
        replace(SMALL, overdue_invoice_count=4),
        replace(SMALL, oldest_overdue_days=91),
        replace(SMALL, has_breached_early_solution=True),
    ],
)
def test_any_one_size_condition_opens_the_contract(facts):
    assert eligibility(CPRD, CPRD_POLICY, facts) == []


@pytest.mark.parametrize(
    "facts",
    [
        replace(SMALL, overdue_debt=D("3000.00")),
        replace(SMALL, overdue_invoice_count=3),
        replace(SMALL, oldest_overdue_days=90),
    ],
)
def test_size_thresholds_are_strict(facts):
    assert eligibility(CPRD, CPRD_POLICY, facts) == [SIZE_RULE]


def test_contracts_have_no_window_or_debt_maximum_but_block_an_active_agreement():
    facts = replace(LARGE, overdue_debt=D("250000"), agreements_of_kind_in_window=5, has_active_agreement=True)
    assert eligibility(CPRD, CPRD_POLICY, facts) == ["Ya tiene un convenio vigente."]


def test_other_configured_limits():
    policy = replace(
        ST_POLICY,
        min_overdue_invoices=2,
        min_debt=D("50"),
        min_overdue_days=30,
        max_per_window=2,
        blocks_on_pending_complaint=False,
    )
    facts = AccountFacts(
        overdue_invoice_count=1,
        overdue_debt=D("40"),
        oldest_overdue_days=1,
        agreements_of_kind_in_window=2,
        has_pending_complaint=True,
    )
    assert eligibility(ST, policy, facts) == [
        "Tiene 1 factura vencida; la Solución Temprana admite de 2 a 3.",
        "La deuda vencida (Bs 40,00) es menor al mínimo de Bs 50,00.",
        "La deuda más antigua tiene 1 día de vencida; la Solución Temprana requiere al menos 30 días.",
        "Ya tuvo 2 convenios de este tipo en los últimos 12 meses; el máximo es 2.",
    ]
    assert (
        eligibility(
            ST,
            policy,
            replace(
                facts,
                overdue_invoice_count=2,
                overdue_debt=D("50"),
                oldest_overdue_days=30,
                agreements_of_kind_in_window=1,
            ),
        )
        == []
    )
    no_max = replace(CPRD_POLICY, min_overdue_invoices=2, requires_prior_breached_st_or_size=False)
    assert eligibility(CPRD, no_max, replace(SMALL, overdue_invoice_count=1)) == [
        "Tiene 1 factura vencida; el contrato privado requiere al menos 2."
    ]


# Terms ------------------------------------------------------------------------------------------


def terms(kind=CPRD, **overrides):
    values = {
        "debt": D("1000.00"),
        "down_payment": D("300.00"),
        "installments": 12,
        "has_social_flag": False,
    }
    values.update(overrides)
    policy = DEFAULT_POLICIES[kind]
    return term_violations(kind, policy, **values), hard_limits(kind, policy, **values)


def test_contract_within_policy_has_no_violation():
    assert terms() == ([], [])
    assert terms(down_payment=D("100.00"), installments=24, has_social_flag=True) == ([], [])


def test_down_payment_below_the_minimum_needs_approval():
    soft, hard = terms(down_payment=D("299.99"))
    assert soft == ["La cuota inicial (Bs 299,99) es menor al mínimo del 30 % de la deuda (Bs 300,00)."]
    assert hard == []


def test_social_flag_lowers_the_down_payment_to_ten_percent():
    assert terms(down_payment=D("100.00"), has_social_flag=True) == ([], [])
    soft, _ = terms(down_payment=D("99.99"), has_social_flag=True)
    assert soft == ["La cuota inicial (Bs 99,99) es menor al mínimo del 10 % de la deuda (Bs 100,00)."]


def test_minimum_down_payment_rounds_up_to_the_cent():
    assert minimum_down_payment(D("333.33"), D("30")) == D("100.00")
    assert minimum_down_payment(D("333.34"), D("30")) == D("100.01")
    soft, _ = terms(debt=D("333.34"), down_payment=D("100.00"), installments=3)
    assert soft == ["La cuota inicial (Bs 100,00) es menor al mínimo del 30 % de la deuda (Bs 100,01)."]
    assert terms(debt=D("333.34"), down_payment=D("100.01"), installments=3) == ([], [])


def test_contract_installments_up_to_24_need_approval_beyond_that_are_refused():
    soft, hard = terms(installments=13)
    assert soft == ["Son 13 cuotas; el contrato privado admite hasta 12 para este cliente."]
    assert hard == []
    soft, hard = terms(installments=24, down_payment=D("520.00"))
    assert soft == ["Son 24 cuotas; el contrato privado admite hasta 12 para este cliente."]
    assert hard == []
    soft, hard = terms(installments=25, down_payment=D("500.00"))
    assert hard == ["Son 25 cuotas; ni con aprobación del Jefe de la Unidad se admiten más de 24."]


def test_no_agreement_goes_beyond_sixty_installments():
    policy = replace(CPRD_POLICY, approval_max_installments=120)
    values = {"debt": D("100000"), "down_payment": D("30000"), "has_social_flag": False}
    assert hard_limits(CPRD, policy, installments=60, **values) == []
    assert hard_limits(CPRD, policy, installments=61, **values) == ["Son 61 cuotas; ningún convenio admite más de 60."]
    assert max_installments_with_approval(policy, has_social_flag=False) == 60


def test_installment_below_the_minimum_amount():
    # Bs 70 over 4 installments is Bs 17,50 each.
    soft, _ = terms(debt=D("100.00"), down_payment=D("30.00"), installments=4)
    assert soft == ["La cuota más baja (Bs 17,50) es menor al mínimo de Bs 20,00."]
    assert terms(debt=D("100.00"), down_payment=D("30.00"), installments=3) == ([], [])
    # The actual schedule's lowest installment, when given, is what counts.
    soft, _ = terms(debt=D("100.00"), down_payment=D("30.00"), installments=3, min_installment_amount_actual=D("19.99"))
    assert soft == ["La cuota más baja (Bs 19,99) es menor al mínimo de Bs 20,00."]
    assert smallest_installment(D("100"), D("0"), 3) == D("33.33")
    assert smallest_installment(D("100"), D("100"), 3) is None


def test_impossible_terms_are_hard_limits():
    assert terms(down_payment=D("1000.01"))[1] == ["La cuota inicial (Bs 1.000,01) supera la deuda (Bs 1.000,00)."]
    assert terms(down_payment=D("-1"))[1] == ["La cuota inicial no puede ser negativa."]
    assert terms(installments=-1)[1] == ["El número de cuotas no puede ser negativo."]
    assert terms(installments=0)[1] == ["Sin cuotas, la cuota inicial debe cubrir toda la deuda."]
    assert terms(down_payment=D("1000"), installments=2)[1] == [
        "La cuota inicial ya cubre toda la deuda; no corresponden cuotas."
    ]
    assert terms(debt=D("0"), down_payment=D("0"))[1][0] == "No hay deuda que convenir."
    assert terms(down_payment=D("1000"), installments=0) == ([], [])


def test_early_solution_allows_no_approval():
    assert terms(ST, debt=D("900"), down_payment=D("180"), installments=3) == ([], [])
    soft, hard = terms(ST, debt=D("900"), down_payment=D("179.99"), installments=3)
    assert soft == ["La cuota inicial (Bs 179,99) es menor al mínimo del 20 % de la deuda (Bs 180,00)."]
    assert hard == soft
    soft, hard = terms(ST, debt=D("900"), down_payment=D("180"), installments=4)
    assert soft == hard == ["Son 4 cuotas; la Solución Temprana admite hasta 3 para este cliente."]


def test_early_solution_social_flag_allows_six_installments():
    assert terms(ST, debt=D("900"), down_payment=D("180"), installments=6, has_social_flag=True) == ([], [])
    soft, _ = terms(ST, debt=D("900"), down_payment=D("180"), installments=7, has_social_flag=True)
    assert soft == ["Son 7 cuotas; la Solución Temprana admite hasta 6 para este cliente."]


def test_repeated_breaches_make_terms_stricter():
    assert required_down_payment_pct(CPRD_POLICY, has_social_flag=True, breaches_last_12_months=1) == D("10")
    assert required_down_payment_pct(CPRD_POLICY, has_social_flag=True, breaches_last_12_months=2) == D("50")
    assert required_down_payment_pct(CPRD_POLICY, has_social_flag=False, breaches_last_12_months=2) == D("50")
    assert allowed_installments(CPRD_POLICY, has_social_flag=True, breaches_last_12_months=1) == 24
    assert allowed_installments(CPRD_POLICY, has_social_flag=True, breaches_last_12_months=2) == 12
    soft, _ = terms(down_payment=D("300"), breaches_last_12_months=2)
    assert soft == [
        "La cuota inicial (Bs 300,00) es menor al mínimo del 50 % de la deuda (Bs 500,00) "
        "por sus incumplimientos recientes."
    ]
    no_stricter = replace(CPRD_POLICY, stricter_after_breaches=None)
    assert required_down_payment_pct(no_stricter, has_social_flag=True, breaches_last_12_months=9) == D("10")


def test_fractional_percentages_are_shown_with_a_comma():
    policy = replace(CPRD_POLICY, min_down_payment_pct=D("12.5"))
    assert term_violations(
        CPRD, policy, debt=D("1000"), down_payment=D("100"), installments=12, has_social_flag=False
    ) == ["La cuota inicial (Bs 100,00) es menor al mínimo del 12,5 % de la deuda (Bs 125,00)."]


def test_reschedule_limits():
    assert reschedule_violations(ST, ST_POLICY, reschedules_done=0) == []
    assert reschedule_violations(ST, ST_POLICY, reschedules_done=1) == [
        "Ya se reprogramó 1 vez; la Solución Temprana admite como máximo 1 vez."
    ]
    assert reschedule_violations(CPRD, CPRD_POLICY, reschedules_done=1) == []
    assert reschedule_violations(CPRD, CPRD_POLICY, reschedules_done=2) == [
        "Ya se reprogramó 2 veces; el contrato privado admite como máximo 2 veces."
    ]
    assert reschedule_violations(ST, replace(ST_POLICY, max_reschedules=0), reschedules_done=0) == [
        "La Solución Temprana no admite reprogramaciones."
    ]

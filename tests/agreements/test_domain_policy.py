import json
from dataclasses import replace
from decimal import Decimal

import pytest

from mora.agreements.domain.policy import DEFAULT_POLICIES, AgreementKind, PolicyTerms

ST = DEFAULT_POLICIES[AgreementKind.EARLY_SOLUTION]
CPRD = DEFAULT_POLICIES[AgreementKind.DEBT_CONTRACT]


def test_kind_codes_and_labels():
    assert AgreementKind("ST") is AgreementKind.EARLY_SOLUTION
    assert AgreementKind.DEBT_CONTRACT == "CPRD"
    assert AgreementKind.EARLY_SOLUTION.label == "Solución Temprana"
    assert AgreementKind.DEBT_CONTRACT.label.startswith("Contrato Privado de Reconocimiento de Deuda")
    assert set(DEFAULT_POLICIES) == set(AgreementKind)


def test_early_solution_defaults_follow_the_design():
    assert (ST.min_overdue_invoices, ST.max_overdue_invoices, ST.max_debt) == (1, 3, Decimal("3000.00"))
    assert ST.min_down_payment_pct == Decimal("20")
    assert (ST.max_installments, ST.social_max_installments) == (3, 6)
    assert ST.monthly_interest_rate == 0
    assert (ST.max_per_window, ST.window_months) == (1, 12)
    assert (ST.max_reschedules, ST.grace_days, ST.min_installment_amount) == (1, 10, Decimal("20.00"))
    assert not ST.approval_allowed


def test_contract_defaults_follow_the_design():
    assert (CPRD.min_down_payment_pct, CPRD.social_min_down_payment_pct) == (Decimal("30"), Decimal("10"))
    assert (CPRD.max_installments, CPRD.social_max_installments, CPRD.approval_max_installments) == (12, 24, 24)
    assert CPRD.monthly_interest_rate == 0
    assert (CPRD.max_reschedules, CPRD.grace_days, CPRD.min_installment_amount) == (2, 10, Decimal("20.00"))
    assert CPRD.acceleration_on_breach and CPRD.approval_allowed and CPRD.requires_prior_breached_st_or_size
    assert CPRD.max_debt is None and CPRD.max_overdue_invoices is None and CPRD.max_per_window is None


@pytest.mark.parametrize("policy", [ST, CPRD, replace(CPRD, monthly_interest_rate=Decimal("0.005"))])
def test_round_trip_through_json_keeps_decimals_exact(policy):
    stored = json.dumps(policy.to_dict())
    loaded = PolicyTerms.from_dict(json.loads(stored))
    assert loaded == policy
    assert isinstance(loaded.max_debt, Decimal | type(None))
    assert isinstance(loaded.monthly_interest_rate, Decimal)


def test_decimals_are_stored_as_strings():
    data = replace(CPRD, monthly_interest_rate=Decimal("0.005")).to_dict()
    assert data["monthly_interest_rate"] == "0.005"
    assert data["min_down_payment_pct"] == "30"
    assert data["max_debt"] is None
    assert data["max_installments"] == 12


def test_unknown_keys_and_floats_are_refused_missing_keys_take_defaults():
    data = ST.to_dict()
    with pytest.raises(ValueError, match="desconocidos: typo"):
        PolicyTerms.from_dict({**data, "typo": 1})
    with pytest.raises(TypeError):
        PolicyTerms.from_dict({**data, "max_debt": 3000.0})
    old_version = {key: value for key, value in data.items() if key != "blocks_on_pending_complaint"}
    assert PolicyTerms.from_dict(old_version).blocks_on_pending_complaint is True


def test_policies_are_immutable():
    with pytest.raises(AttributeError):
        ST.max_installments = 9


def test_defaults_are_coherent_and_incoherent_numbers_are_reported():
    assert ST.validation_errors() == []
    assert CPRD.validation_errors() == []
    broken = replace(
        ST,
        max_overdue_invoices=0,
        max_debt=Decimal("0"),
        min_down_payment_pct=Decimal("120"),
        approval_max_installments=61,
        monthly_interest_rate=Decimal("5"),
    )
    assert broken.validation_errors() == [
        "El máximo de facturas vencidas es menor que el mínimo.",
        "La deuda máxima es menor que la mínima.",
        "Los porcentajes de cuota inicial deben estar entre 0 y 100.",
        "Los máximos de cuotas deben estar entre 0 y 60.",
        "La tasa de interés mensual es una fracción entre 0 y 1 (0,005 = 0,5 % al mes).",
    ]

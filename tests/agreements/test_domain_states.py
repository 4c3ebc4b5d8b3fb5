import itertools

import pytest

from mora.agreements.domain.compliance import Compliance
from mora.agreements.domain.states import (
    ACTIVE,
    LABELS,
    TERMINAL,
    TRANSITIONS,
    AgreementStatus,
    TransitionError,
    can_transition,
    check_transition,
    status_from_compliance,
)

S = AgreementStatus
EXPECTED = {
    (S.PENDING_APPROVAL, S.AWAITING_SIGNATURE),
    (S.PENDING_APPROVAL, S.REJECTED),
    (S.PENDING_APPROVAL, S.CANCELLED),
    (S.AWAITING_SIGNATURE, S.CURRENT),
    (S.AWAITING_SIGNATURE, S.CANCELLED),
    (S.CURRENT, S.LATE),
    (S.CURRENT, S.BREACHED),
    (S.CURRENT, S.COMPLETED),
    (S.CURRENT, S.CANCELLED),
    (S.LATE, S.CURRENT),
    (S.LATE, S.BREACHED),
    (S.LATE, S.COMPLETED),
    (S.LATE, S.CANCELLED),
    (S.BREACHED, S.CURRENT),
    (S.BREACHED, S.LATE),
    (S.BREACHED, S.COMPLETED),
    (S.BREACHED, S.CANCELLED),
}
ALL_PAIRS = list(itertools.product(AgreementStatus, repeat=2))


def test_table_is_exactly_the_agreed_one():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == EXPECTED
    assert set(TRANSITIONS) == set(AgreementStatus)
    assert {S.REJECTED, S.COMPLETED, S.CANCELLED} == TERMINAL
    assert {S.CURRENT, S.LATE, S.BREACHED} == ACTIVE


@pytest.mark.parametrize(("from_", "to"), sorted(EXPECTED))
def test_allowed_transitions_pass(from_, to):
    check_transition(from_, to)
    assert can_transition(from_, to)


@pytest.mark.parametrize(("from_", "to"), [pair for pair in ALL_PAIRS if pair not in EXPECTED])
def test_every_other_pair_raises(from_, to):
    assert not can_transition(from_, to)
    with pytest.raises(TransitionError) as error:
        check_transition(from_, to)
    assert str(error.value) == f"Un convenio «{LABELS[from_]}» no puede pasar a «{LABELS[to]}»."
    assert (error.value.from_, error.value.to) == (from_, to)


def test_labels_are_spanish():
    assert S.PENDING_APPROVAL.label == "Pendiente de aprobación"
    assert LABELS[S.AWAITING_SIGNATURE] == "Por firmar"
    assert LABELS[S.CANCELLED] == "Anulado"
    assert set(LABELS) == set(AgreementStatus)


def test_accepts_plain_strings_as_stored_in_the_database():
    check_transition("CURRENT", "LATE")
    with pytest.raises(TransitionError):
        check_transition("COMPLETED", "CURRENT")


@pytest.mark.parametrize(
    ("compliance", "status"),
    [
        (Compliance.CURRENT, S.CURRENT),
        (Compliance.LATE, S.LATE),
        (Compliance.BREACHED, S.BREACHED),
        (Compliance.COMPLETED, S.COMPLETED),
    ],
)
def test_status_from_compliance(compliance, status):
    assert status_from_compliance(compliance) == status


@pytest.mark.parametrize("from_", sorted(ACTIVE))
@pytest.mark.parametrize("compliance", list(Compliance))
def test_any_compliance_change_of_an_active_agreement_is_allowed(from_, compliance):
    to = status_from_compliance(compliance)
    if to != from_:
        check_transition(from_, to)

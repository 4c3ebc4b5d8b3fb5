"""Status of an agreement: an explicit table of allowed transitions; anything else is an error."""

import enum

from .compliance import Compliance


class AgreementStatus(enum.StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    REJECTED = "REJECTED"
    AWAITING_SIGNATURE = "AWAITING_SIGNATURE"
    CURRENT = "CURRENT"
    LATE = "LATE"
    BREACHED = "BREACHED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[AgreementStatus, str] = {
    AgreementStatus.PENDING_APPROVAL: "Pendiente de aprobación",
    AgreementStatus.REJECTED: "Rechazado",
    AgreementStatus.AWAITING_SIGNATURE: "Por firmar",
    AgreementStatus.CURRENT: "Al día",
    AgreementStatus.LATE: "En atraso",
    AgreementStatus.BREACHED: "Incumplido",
    AgreementStatus.COMPLETED: "Cumplido",
    AgreementStatus.CANCELLED: "Anulado",
}

_S = AgreementStatus
TRANSITIONS: dict[AgreementStatus, frozenset[AgreementStatus]] = {
    _S.PENDING_APPROVAL: frozenset({_S.AWAITING_SIGNATURE, _S.REJECTED, _S.CANCELLED}),
    _S.AWAITING_SIGNATURE: frozenset({_S.CURRENT, _S.CANCELLED}),
    _S.CURRENT: frozenset({_S.LATE, _S.BREACHED, _S.COMPLETED, _S.CANCELLED}),
    _S.LATE: frozenset({_S.CURRENT, _S.BREACHED, _S.COMPLETED, _S.CANCELLED}),
    # A breached agreement is regularized when the customer pays what is past grace; if a later
    # installment is then still within grace, the agreement is late rather than current.
    _S.BREACHED: frozenset({_S.CURRENT, _S.LATE, _S.COMPLETED, _S.CANCELLED}),
    _S.REJECTED: frozenset(),
    _S.COMPLETED: frozenset(),
    _S.CANCELLED: frozenset(),
}

TERMINAL: frozenset[AgreementStatus] = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
# Statuses in which the agreement binds the customer ("convenio vigente").
ACTIVE: frozenset[AgreementStatus] = frozenset({_S.CURRENT, _S.LATE, _S.BREACHED})


class TransitionError(Exception):
    def __init__(self, from_: AgreementStatus, to: AgreementStatus):
        self.from_ = from_
        self.to = to
        super().__init__(f"Un convenio «{LABELS[from_]}» no puede pasar a «{LABELS[to]}».")


def can_transition(from_: AgreementStatus, to: AgreementStatus) -> bool:
    return AgreementStatus(to) in TRANSITIONS[AgreementStatus(from_)]


def check_transition(from_: AgreementStatus, to: AgreementStatus) -> None:
    """Raise TransitionError unless the table allows it. Staying in the same status is not a
    transition (the daily cycle must skip it rather than write an event)."""
    if not can_transition(from_, to):
        raise TransitionError(AgreementStatus(from_), AgreementStatus(to))


_FROM_COMPLIANCE = {
    Compliance.CURRENT: _S.CURRENT,
    Compliance.LATE: _S.LATE,
    Compliance.BREACHED: _S.BREACHED,
    Compliance.COMPLETED: _S.COMPLETED,
}


def status_from_compliance(compliance: Compliance) -> AgreementStatus:
    return _FROM_COMPLIANCE[Compliance(compliance)]

"""Steps other apps add to the posting of a payment, run in order inside its transaction.

Billing cannot import the apps built on top of it (agreements, field orders), yet a payment
must reach agreement installments before plain invoices, and may regularize an agreement or
trigger a reconnection. Each app registers its step once, in its AppConfig.ready(); the
payment service calls them explicitly (no signals), so the order is visible here.

A step is `step(*, payment, account, amount, actor) -> Decimal`: it takes what is left of the
payment, applies what it must, and returns what is still left for the next step. After the
payment is fully allocated, the after-payment hooks run: `hook(*, payment, account, actor)`
(field orders: cancel a pending cut, order the reconnection).
"""

from collections.abc import Callable
from decimal import Decimal

PaymentStep = Callable[..., Decimal]
_steps: dict[str, PaymentStep] = {}


def register_payment_step(name: str, step: PaymentStep) -> None:
    _steps[name] = step


def payment_steps() -> list[PaymentStep]:
    return list(_steps.values())


_after_payment: dict[str, Callable[..., None]] = {}


def register_after_payment_hook(name: str, hook: Callable[..., None]) -> None:
    _after_payment[name] = hook


def after_payment_hooks() -> list[Callable[..., None]]:
    return list(_after_payment.values())

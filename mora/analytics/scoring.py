"""Risk at the desk: the predicted probability of keeping an agreement, the three factors that
weigh most for this customer, and the terms the data associates with compliance.

The probability comes from the latest stored gradient-boosting model. The factors are read
from that same model: each feature of this agreement is replaced, one at a time, by its value
in a typical agreement (median / most frequent, stored with the model); the change in the
predicted probability says how much, and in which direction, that feature moves this
customer's risk. It is what the model associates with compliance, not a cause nor a guarantee.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_UP, Decimal

import joblib
import numpy as np
import pandas as pd

from mora.core.money import format_bs

from . import features as F
from . import selectors
from .modeling import num, single_thread
from .models import RiskModel

AFFORDABLE_SHARE = Decimal("0.50")  # an installment above half the usual bill is not offered
DOWN_STEPS = (0, 10, 20, 30)  # percentage points above the policy's minimum down payment
MAX_DOWN_PCT = Decimal("80")
_cache: dict[int, dict] = {}


def load_bundle(model: RiskModel) -> dict:
    """The unpickled estimator, once per process and version (versions never change)."""
    if model.pk not in _cache:
        _cache.clear()  # only the newest version is scored: keep one in memory
        _cache[model.pk] = joblib.load(io.BytesIO(bytes(model.estimator)))
    return _cache[model.pk]


def breach_probabilities(bundle: dict, frame: pd.DataFrame) -> np.ndarray:
    with single_thread():
        return bundle["gbm"].predict_proba(F.gbm_matrix(frame, bundle["codes"]))[:, 1]


@dataclass(frozen=True)
class FactorEffect:
    feature: str
    label: str
    value: str
    points: float  # change in the probability of KEEPING the agreement, in percentage points

    @property
    def direction(self) -> str:
        return "a favor del cumplimiento" if self.points > 0 else "en contra del cumplimiento"

    @property
    def text(self) -> str:
        verb = "sube" if self.points > 0 else "baja"
        return f"{self.label}: {self.value} — {verb} la probabilidad de cumplir en {num(abs(self.points), 0)} puntos"


def value_text(feature: str, value) -> str:
    if feature in ("tarifa_dignidad", "ley_1886"):
        return "sí" if value else "no"
    if feature in ("down_share", "installment_share"):
        return "—" if pd.isna(value) else f"{num(float(value) * 100, 0)} %"
    if feature == "debt":
        return format_bs(Decimal(str(round(float(value), 2))))
    if feature == "signing_month":
        return F.MONTHS[int(value) - 1]
    if feature == "kind":
        return F.KIND_LABELS.get(value, value)
    if feature == "category":
        return F.CATEGORY_LABELS.get(value, value)
    if feature == "meter_digit":
        return "sin medidor" if int(value) < 0 else str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=F.GBM_FEATURES)


def predict_compliance(*, features: dict, model: RiskModel | None = None) -> tuple[float, list[FactorEffect]] | None:
    """(probability of keeping the agreement, the 3 factors that move it most), or None when no
    model has been trained yet. `features` holds every name of features.GBM_FEATURES."""
    model = model or selectors.risk_model_latest()
    if model is None:
        return None
    bundle = load_bundle(model)
    reference = bundle["reference"]
    row = {name: features[name] for name in F.GBM_FEATURES}
    variants = [row] + [{**row, name: reference[name]} for name in F.GBM_FEATURES]
    p = breach_probabilities(bundle, _frame(variants))
    keep = 1.0 - float(p[0])
    effects = [
        FactorEffect(name, F.FEATURE_LABELS[name], value_text(name, row[name]), 100.0 * (p[i + 1] - p[0]))
        for i, name in enumerate(F.GBM_FEATURES)
    ]
    effects.sort(key=lambda e: -abs(e.points))
    return keep, effects[:3]


def quote_features(quote, account_features: dict) -> dict:
    """The model's features for the terms of a Quote (agreements.selectors.Quote)."""
    debt = float(quote.debt)
    count = max(int(quote.installments or 1), 1)
    share = _installment_share(quote.debt - quote.down_payment, count, quote.usual_bill)
    return {
        **account_features,
        "kind": str(quote.kind.value if hasattr(quote.kind, "value") else quote.kind),
        "debt": debt,
        "down_share": float(quote.down_payment) / debt if debt > 0 else 0.0,
        "installments": count,
        "installment_share": np.nan if share is None else float(share),
    }


def _installment_share(financed: Decimal, count: int, usual_bill: Decimal | None) -> Decimal | None:
    if not usual_bill or usual_bill <= 0:
        return None
    return financed / count / usual_bill


@dataclass(frozen=True)
class TermOption:
    down_payment: Decimal
    down_pct: Decimal
    installments: int
    installment: Decimal
    share: Decimal | None  # installment / usual bill
    first_due: date | None
    probability: float  # of keeping the agreement


def recommend_from_quote(quote, *, account_features: dict, model: RiskModel | None = None, top: int = 3) -> list:
    """The policy's terms (down payment from the minimum up in steps, 1..allowed installments)
    whose installment the family can afford (at most AFFORDABLE_SHARE of its usual bill, and
    the policy's minimum installment), best predicted compliance first. The first due date is
    the quote's: the model has no feature for it, so it cannot tell two dates apart."""
    model = model or selectors.risk_model_latest()
    if model is None or quote.terms is None or quote.debt <= 0 or quote.not_eligible or quote.allowed_installments < 1:
        return []
    debt = quote.debt
    minimum_pct = quote.min_down_payment * 100 / debt
    candidates = []
    for step in DOWN_STEPS:
        pct = min(minimum_pct + step, MAX_DOWN_PCT)
        down = max((debt * pct / 100).quantize(Decimal("0.01"), rounding=ROUND_UP), quote.min_down_payment)
        if down >= debt or any(c[0] == down for c in candidates):
            continue
        for count in range(1, quote.allowed_installments + 1):
            installment = ((debt - down) / count).quantize(Decimal("0.01"), rounding=ROUND_UP)
            if installment < quote.terms.min_installment_amount:
                continue
            share = _installment_share(debt - down, count, quote.usual_bill)
            if share is not None and share > AFFORDABLE_SHARE:
                continue
            candidates.append((down, count, installment, share))
    if not candidates:
        return []
    rows = []
    for down, count, _installment, share in candidates:
        rows.append(
            {
                **account_features,
                "kind": str(quote.kind.value if hasattr(quote.kind, "value") else quote.kind),
                "debt": float(debt),
                "down_share": float(down / debt),
                "installments": count,
                "installment_share": np.nan if share is None else float(share),
            }
        )
    keep = 1.0 - breach_probabilities(load_bundle(model), _frame(rows))
    options = [
        TermOption(
            down_payment=down,
            down_pct=(down * 100 / debt).quantize(Decimal("0.1")),
            installments=count,
            installment=installment,
            share=None if share is None else (share * 100).quantize(Decimal("0.1")),
            first_due=quote.first_due,
            probability=float(p),
        )
        for (down, count, installment, share), p in zip(candidates, keep, strict=True)
    ]
    # Best compliance first; among equals, the smaller down payment (the family pays it today).
    options.sort(key=lambda o: (-round(o.probability, 3), o.down_payment, o.installments))
    return options[:top]


def recommend_terms(*, account, kind, today: date) -> list[TermOption]:
    """Top 3 terms for `account` and agreement `kind`, as of `today`."""
    from mora.agreements import selectors as agreement_selectors

    from .dataset import account_features

    request = agreement_selectors.QuoteRequest(
        kind=kind, invoice_ids=None, down_payment=None, installments=None, first_due=None, signing_date=today
    )
    quote = agreement_selectors.agreement_quote(account=account, request=request, today=today)
    return recommend_from_quote(quote, account_features=account_features(account=account, today=today))

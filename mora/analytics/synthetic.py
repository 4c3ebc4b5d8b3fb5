"""A deterministic synthetic history of agreements to learn from when the database has too few.

The demo database holds a few dozen agreements with an outcome: enough to see the direction of
the planted factors, not to estimate them. This generator draws as many agreements as asked,
with the same features the database builder produces (features.COLUMNS) and a breach outcome
driven by the SAME hidden model as the demo (mora/demo/agreements.py, BREACH_MODEL; documented in
docs/datos-demo.md, "Factores de incumplimiento de convenios"):

    η = -2,0 + 0,15·(cuotas − 3) + 1,0·[cuota inicial < 25 %] + 0,8·[Tarifa Dignidad]
        + 1,2·(cuota / factura habitual) + 1,2·[incumplimiento previo]
    P(incumplido) = 1 / (1 + e^(−η))

Everything else (kind, category, Ley 1886, system, zone, prior agreements without breach, late
payments in the last 12 months, month and day of signing, the meter's last digit) is drawn but
NOT planted: a sound analysis must find those near zero. The terms follow the default policies
(Solución Temprana: 20 % down, up to 3 installments, 6 with a social benefit; Contrato: 30 %
down, 10 % social, up to 12 / 24 installments) the way the demo draws them: 60 % at the
minimum down payment, the rest 5 to 30 points above.

Vectorised with a seeded numpy Generator: the same (rows, seed) gives the same table, and
100.000 rows take well under a second.
"""

import numpy as np
import pandas as pd

from mora.demo.agreements import BREACH_MODEL

from .features import coerce

DEFAULT_SEED = 2026
PERIOD_START = np.datetime64("2023-01-01")
PERIOD_DAYS = 3 * 365  # three years of signatures
SYSTEMS = {  # code -> (weight, zones)
    "CT": (0.55, ["CT-CENTRO", "CT-SAN-ROQUE", "CT-EL-MOLINO", "CT-LAS-PANOSAS", "CT-SAN-JORGE"]),
    "YAC": (0.18, ["YAC-CENTRO", "YAC-LOMAS"]),
    "BER": (0.10, ["BER-CENTRO", "BER-ORIENTE"]),
    "VM": (0.10, ["VM-CENTRO", "VM-NORTE"]),
    "EP": (0.07, ["EP-CENTRO"]),
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def synthetic_history(*, rows: int = 5000, seed: int = DEFAULT_SEED, model: dict | None = None) -> pd.DataFrame:
    """`rows` agreements with their outcome, as a feature table (features.COLUMNS)."""
    m = model or BREACH_MODEL
    rng = np.random.default_rng(seed)
    n = rows

    signed_on = PERIOD_START + rng.integers(0, PERIOD_DAYS, n).astype("timedelta64[D]")
    kind = np.where(rng.random(n) < 0.6, "ST", "CPRD")
    category = rng.choice(["DOM", "GEN", "IME"], n, p=[0.86, 0.10, 0.04])
    domestic = category == "DOM"
    tarifa_dignidad = (domestic & (rng.random(n) < 0.28)).astype(int)
    ley_1886 = (rng.random(n) < 0.09).astype(int)
    social = (tarifa_dignidad == 1) | (ley_1886 == 1)

    codes = list(SYSTEMS)
    system = rng.choice(codes, n, p=[SYSTEMS[c][0] for c in codes])
    zone = np.empty(n, dtype=object)
    for code in codes:
        mask = system == code
        zone[mask] = rng.choice(SYSTEMS[code][1], mask.sum())

    # Usual bill (Bs): Tarifa Dignidad is for small consumption; businesses pay more.
    median_bill = np.select([category == "GEN", category == "IME", tarifa_dignidad == 1], [380.0, 1400.0, 55.0], 130.0)
    usual_bill = median_bill * rng.lognormal(0.0, 0.35, n)
    # Debt in usual bills: 1-3 unpaid invoices for a Solución Temprana, 3-12 for a contract.
    bills_owed = np.where(kind == "ST", rng.uniform(1.0, 3.0, n), rng.uniform(3.0, 12.0, n))
    debt = np.round(usual_bill * bills_owed, 2)

    min_down = np.select([kind == "ST", social], [0.20, 0.10], 0.30)
    at_minimum = rng.random(n) < 0.6
    down_share = np.where(at_minimum, min_down, min_down + rng.integers(5, 31, n) / 100.0)
    max_count = np.select([(kind == "ST") & social, kind == "ST", social], [6, 3, 24], 12)
    low = np.minimum(2, max_count)
    installments = rng.integers(low, max_count + 1)
    # The policy's minimum installment (Bs 20): small debts get fewer installments.
    financed = debt * (1 - down_share)
    installments = np.maximum(1, np.minimum(installments, np.floor(financed / 20.0))).astype(int)
    installment_share = financed / installments / usual_bill

    prior_agreements = rng.choice([0, 1, 2, 3], n, p=[0.68, 0.22, 0.07, 0.03])
    prior_breaches = rng.binomial(prior_agreements, 0.45)
    late_invoices_12m = rng.choice(np.arange(0, 9), n, p=[0.30, 0.2, 0.15, 0.1, 0.08, 0.07, 0.05, 0.03, 0.02])
    meter_digit = rng.integers(0, 10, n)

    eta = (
        m["intercepto"]
        + m["por_cuota_sobre_3"] * (installments - 3)
        + m["cuota_inicial_baja"] * (down_share < 0.25)
        + m["tarifa_dignidad"] * tarifa_dignidad
        + m["cuota_sobre_factura"] * installment_share
        + m["incumplimiento_previo"] * (prior_breaches > 0)
    )
    breached = (rng.random(n) < _sigmoid(eta)).astype(int)

    dates = pd.DatetimeIndex(signed_on)
    frame = pd.DataFrame(
        {
            "agreement_id": pd.array([pd.NA] * n, dtype="Int64"),
            "signed_on": dates,
            "kind": kind,
            "category": category,
            "tarifa_dignidad": tarifa_dignidad,
            "ley_1886": ley_1886,
            "system": system,
            "zone": zone,
            "debt": debt,
            "down_share": down_share,
            "installments": installments,
            "installment_share": installment_share,
            "prior_agreements": prior_agreements,
            "prior_breaches": prior_breaches,
            "late_invoices_12m": late_invoices_12m,
            "signing_month": dates.month,
            "signing_day": dates.day,
            "meter_digit": meter_digit,
            "breached": breached,
        }
    )
    return coerce(frame.sort_values("signed_on", kind="stable"))

"""The feature table shared by the synthetic history, the database builder and the models.

One row per agreement, with ONLY what was known the day it was signed (see dataset.py for the
no-leakage rule), plus the label `breached`. Both sources produce exactly these columns, so the
models never know where the rows came from.

Everything here is plain pandas/numpy: no database.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Column -> dtype of the feature table. `installment_share` is the first installment over the
# usual bill (NaN when the account has no invoices to average); `meter_digit` is -1 without meter.
COLUMNS: dict[str, str] = {
    "agreement_id": "Int64",
    "signed_on": "datetime64[ns]",
    "kind": "object",
    "category": "object",
    "tarifa_dignidad": "int64",
    "ley_1886": "int64",
    "system": "object",
    "zone": "object",
    "debt": "float64",
    "down_share": "float64",
    "installments": "int64",
    "installment_share": "float64",
    "prior_agreements": "int64",
    "prior_breaches": "int64",
    "late_invoices_12m": "int64",
    "signing_month": "int64",
    "signing_day": "int64",
    "meter_digit": "int64",
    "breached": "int64",
}

# The matrix of the gradient-boosting model: numbers as they are, categories as integer codes.
GBM_NUMERIC = [
    "tarifa_dignidad",
    "ley_1886",
    "debt",
    "down_share",
    "installments",
    "installment_share",
    "prior_agreements",
    "prior_breaches",
    "late_invoices_12m",
    "signing_month",
    "signing_day",
    "meter_digit",
]
GBM_CATEGORICAL = ["kind", "category", "system", "zone"]
GBM_FEATURES = GBM_NUMERIC + GBM_CATEGORICAL

# Plain Spanish names of the raw features (importances, the desk's three factors).
FEATURE_LABELS = {
    "kind": "Tipo de convenio",
    "category": "Categoría",
    "tarifa_dignidad": "Tarifa Dignidad",
    "ley_1886": "Ley 1886 (60+)",
    "system": "Sistema",
    "zone": "Zona",
    "debt": "Monto de la deuda",
    "down_share": "Cuota inicial (% de la deuda)",
    "installments": "Número de cuotas",
    "installment_share": "Cuota / factura habitual",
    "prior_agreements": "Convenios anteriores",
    "prior_breaches": "Incumplimientos anteriores",
    "late_invoices_12m": "Facturas pagadas con atraso (12 meses)",
    "signing_month": "Mes de firma",
    "signing_day": "Día del mes de la firma",
    "meter_digit": "Último dígito del medidor",
}

MONTHS = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]
CATEGORY_LABELS = {
    "DOM": "Domiciliaria",
    "GEN": "General",
    "IME": "Industrial Menor",
    "IMA": "Industrial Mayor",
    "AP": "Alumbrado Público",
}
KIND_LABELS = {"ST": "Solución Temprana", "CPRD": "Contrato Privado"}


def empty_frame() -> pd.DataFrame:
    return coerce(pd.DataFrame({name: [] for name in COLUMNS}))


def coerce(frame: pd.DataFrame) -> pd.DataFrame:
    """The exact columns and dtypes, in order (both builders end here)."""
    frame = frame.copy()
    for name, dtype in COLUMNS.items():
        if name not in frame:
            frame[name] = pd.NA if dtype == "Int64" else np.nan
        if dtype == "datetime64[ns]":
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        elif dtype == "object":
            frame[name] = frame[name].astype(str)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame[list(COLUMNS)].reset_index(drop=True)


# -- bands: the same cut points for the logistic regression, the segments and the report ---------
def installments_band(n: pd.Series) -> pd.Series:
    return pd.cut(n, [0, 3, 6, 11, 17, 10_000], labels=["1 a 3", "4 a 6", "7 a 11", "12 a 17", "18 o más"]).astype(str)


def down_share_band(share: pd.Series) -> pd.Series:
    return pd.cut(
        share, [-1, 0.15, 0.25, 0.40, 10], right=False, labels=["menos de 15 %", "15 a 25 %", "25 a 40 %", "40 % o más"]
    ).astype(str)


def installment_share_band(share: pd.Series) -> pd.Series:
    banded = pd.cut(
        share,
        [-1, 0.5, 1.0, 1.5, 2.0, 1e9],
        right=True,
        labels=["hasta 50 %", "50 a 100 %", "100 a 150 %", "150 a 200 %", "más de 200 %"],
    ).astype(str)
    return banded.where(share.notna(), "sin factura habitual")


def late_band(count: pd.Series) -> pd.Series:
    return pd.cut(count, [-1, 0, 3, 10_000], labels=["ninguna", "1 a 3", "4 o más"]).astype(str)


def prior_breaches_band(count: pd.Series) -> pd.Series:
    return pd.cut(count, [-1, 0, 1, 10_000], labels=["ninguno", "1", "2 o más"]).astype(str)


def social_label(frame: pd.DataFrame) -> pd.Series:
    label = pd.Series("sin beneficio", index=frame.index)
    label = label.mask(frame["ley_1886"] == 1, "Ley 1886")
    label = label.mask(frame["tarifa_dignidad"] == 1, "Tarifa Dignidad")
    return label.mask((frame["tarifa_dignidad"] == 1) & (frame["ley_1886"] == 1), "ambos")


# -- the logistic regression's design ---------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One dummy column of the logistic regression and how to read it in Spanish."""

    column: str
    factor: str  # the group it belongs to (a factor may have several dummies)
    subject: str  # "Con 12 cuotas o más"
    reference: str  # "la de 1 a 3 cuotas"


@dataclass(frozen=True)
class Factor:
    key: str
    label: str


FACTORS = [
    Factor("cuotas", "Número de cuotas"),
    Factor("cuota_inicial", "Cuota inicial baja"),
    Factor("tarifa_dignidad", "Tarifa Dignidad"),
    Factor("cuota_factura", "Cuota / factura habitual"),
    Factor("incumplimiento_previo", "Incumplimiento previo"),
    Factor("convenio_previo", "Convenio previo"),
    Factor("atrasos_12m", "Pagos atrasados en 12 meses"),
    Factor("ley_1886", "Ley 1886"),
    Factor("tipo", "Tipo de convenio"),
    Factor("categoria", "Categoría"),
    Factor("sistema", "Sistema"),
    Factor("trimestre", "Trimestre de la firma"),
    Factor("medidor", "Dígito del medidor"),
    Factor("dia_firma", "Día de la firma"),
]
FACTOR_LABELS = {factor.key: factor.label for factor in FACTORS}
# Categories with fewer rows than this are left in the reference (a dummy on a handful of rows
# only adds noise and can make the fit singular).
MIN_DUMMY_ROWS = 15


def logit_design(frame: pd.DataFrame, *, systems: list[str] | None = None) -> tuple[pd.DataFrame, list[Term]]:
    """Dummies (0/1 floats) for the logistic regression and the reading of each one.

    Every factor is binned so that an odds ratio reads as a comparison of two groups of
    customers, which is what the unit can act on ("12 cuotas o más" against "1 a 3")."""
    columns: dict[str, pd.Series] = {}
    terms: list[Term] = []

    def add(column: str, factor: str, values, subject: str, reference: str) -> None:
        series = pd.Series(np.asarray(values, dtype=float), index=frame.index)
        ones = series.sum()
        if MIN_DUMMY_ROWS <= ones <= len(series) - MIN_DUMMY_ROWS:
            columns[column] = series
            terms.append(Term(column, factor, subject, reference))

    band = installments_band(frame["installments"])
    for value, name in (("4 a 6", "4_6"), ("7 a 11", "7_11"), ("12 a 17", "12_17"), ("18 o más", "18_mas")):
        add(f"cuotas_{name}", "cuotas", band == value, f"Con {value} cuotas", "la de 1 a 3 cuotas")
    add(
        "cuota_inicial_baja",
        "cuota_inicial",
        frame["down_share"] < 0.25,
        "Con una cuota inicial menor al 25 % de la deuda",
        "la de una cuota inicial del 25 % o más",
    )
    add(
        "tarifa_dignidad",
        "tarifa_dignidad",
        frame["tarifa_dignidad"] == 1,
        "Con Tarifa Dignidad",
        "la de quien no la tiene",
    )
    share = installment_share_band(frame["installment_share"])
    for value, name in (
        ("50 a 100 %", "50_100"),
        ("100 a 150 %", "100_150"),
        ("150 a 200 %", "150_200"),
        ("más de 200 %", "200_mas"),
    ):
        add(
            f"cuota_factura_{name}",
            "cuota_factura",
            share == value,
            f"Con una cuota de {value} de la factura habitual",
            "la de una cuota de hasta el 50 %",
        )
    add(
        "incumplimiento_previo",
        "incumplimiento_previo",
        frame["prior_breaches"] > 0,
        "Con un incumplimiento anterior",
        "la de quien nunca incumplió un convenio",
    )
    add(
        "convenio_previo",
        "convenio_previo",
        frame["prior_agreements"] > 0,
        "Con un convenio anterior (cumplido o no)",
        "la de quien firma su primer convenio",
    )
    late = late_band(frame["late_invoices_12m"])
    for value, name in (("1 a 3", "1_3"), ("4 o más", "4_mas")):
        add(
            f"atrasos_{name}",
            "atrasos_12m",
            late == value,
            f"Con {value} facturas pagadas con atraso en los 12 meses previos",
            "la de quien pagó todo a tiempo",
        )
    add("ley_1886", "ley_1886", frame["ley_1886"] == 1, "Con el beneficio de la Ley 1886", "la de quien no lo tiene")
    add("tipo_cprd", "tipo", frame["kind"] == "CPRD", "En un Contrato Privado", "la de una Solución Temprana")
    for code in ("GEN", "IME", "IMA", "AP"):
        add(
            f"categoria_{code}",
            "categoria",
            frame["category"] == code,
            f"En categoría {CATEGORY_LABELS[code]}",
            "la de categoría Domiciliaria",
        )
    systems = systems if systems is not None else sorted(frame["system"].value_counts().index.tolist())
    if systems:
        base = frame["system"].value_counts().idxmax() if len(frame) else systems[0]
        for code in systems:
            if code != base:
                add(
                    f"sistema_{code}",
                    "sistema",
                    frame["system"] == code,
                    f"En el sistema {code}",
                    f"la del sistema {base}",
                )
    quarter = (frame["signing_month"] - 1) // 3 + 1
    for q in (2, 3, 4):
        add(f"trimestre_{q}", "trimestre", quarter == q, f"Firmado en el trimestre {q}", "la del primer trimestre")
    add(
        "medidor_par",
        "medidor",
        (frame["meter_digit"] >= 0) & (frame["meter_digit"] % 2 == 0),
        "Con medidor terminado en dígito par",
        "la de medidor terminado en dígito impar",
    )
    add(
        "segunda_quincena",
        "dia_firma",
        frame["signing_day"] > 15,
        "Firmado en la segunda quincena del mes",
        "la de la primera quincena",
    )
    design = pd.DataFrame(columns, index=frame.index)
    design.insert(0, "const", 1.0)
    return design, terms


# -- segments -----------------------------------------------------------------------------------------
SEGMENTS = [
    ("categoria", "Categoría", lambda f: f["category"].map(lambda c: CATEGORY_LABELS.get(c, c))),
    ("beneficio", "Beneficio social", social_label),
    ("sistema", "Sistema", lambda f: f["system"]),
    ("zona", "Zona", lambda f: f["zone"]),
    ("cuota_inicial", "Cuota inicial (% de la deuda)", lambda f: down_share_band(f["down_share"])),
    ("cuotas", "Número de cuotas", lambda f: installments_band(f["installments"])),
    ("cuota_factura", "Cuota / factura habitual", lambda f: installment_share_band(f["installment_share"])),
    ("incumplimientos_previos", "Incumplimientos anteriores", lambda f: prior_breaches_band(f["prior_breaches"])),
    ("atrasos_12m", "Facturas pagadas con atraso (12 meses previos)", lambda f: late_band(f["late_invoices_12m"])),
    ("mes", "Mes de la firma", lambda f: f["signing_month"].map(lambda m: MONTHS[int(m) - 1])),
]
# Natural order of the banded segments (the others are sorted by size).
SEGMENT_ORDER = {
    "cuota_inicial": ["menos de 15 %", "15 a 25 %", "25 a 40 %", "40 % o más"],
    "cuotas": ["1 a 3", "4 a 6", "7 a 11", "12 a 17", "18 o más"],
    "cuota_factura": ["hasta 50 %", "50 a 100 %", "100 a 150 %", "150 a 200 %", "más de 200 %", "sin factura habitual"],
    "incumplimientos_previos": ["ninguno", "1", "2 o más"],
    "atrasos_12m": ["ninguna", "1 a 3", "4 o más"],
    "mes": MONTHS,
}


def gbm_matrix(frame: pd.DataFrame, codes: dict[str, list[str]]) -> np.ndarray:
    """Numbers plus category codes (unknown categories -> NaN, which the model routes as missing)."""
    parts = [frame[GBM_NUMERIC].to_numpy(dtype=float)]
    for name in GBM_CATEGORICAL:
        index = {value: i for i, value in enumerate(codes[name])}
        parts.append(frame[name].map(index).to_numpy(dtype=float).reshape(-1, 1))
    return np.hstack(parts)

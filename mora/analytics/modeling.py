"""The models behind the factors report: pure functions on a feature table (features.COLUMNS).

- a logistic regression (statsmodels) on binned factors: odds ratios with 95 % CIs, p-values,
  one plain Spanish sentence per dummy and one joint Wald test per factor (the ranking);
- breach rates by segment;
- a gradient-boosting classifier (scikit-learn) for ranking, evaluated on a split by time
  (older agreements to learn, newer ones to test): AUC, KS, Brier, calibration curve and
  permutation importances;
- the population stability index (PSI) of the score distribution.

No database and no Django here: the service (services.py) feeds the table and stores the result.
"""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from threadpoolctl import threadpool_limits

from . import features as F

TEST_SHARE = 0.25  # the newest quarter of the agreements is the test set
PSI_WARNING = 0.25
PSI_MIN_ROWS = 30  # fewer scores than this in a month give no meaningful PSI
PERMUTATION_ROWS = 4000  # permutation importance on at most this many test rows (it is O(rows·features))


# -- formatting (Bolivian: decimal comma) -----------------------------------------------------------
def num(value: float, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def p_text(p: float) -> str:
    return "p < 0,001" if p < 0.001 else f"p = {num(p, 3)}"


# -- logistic regression ------------------------------------------------------------------------------
def fit_logit(frame: pd.DataFrame) -> dict:
    """Odds ratios per dummy and a joint Wald test per factor, strongest factor first."""
    design, terms = F.logit_design(frame)
    y = frame["breached"].to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = sm.Logit(y, design).fit(disp=0, maxiter=200)
        except np.linalg.LinAlgError:
            result = sm.Logit(y, design).fit(disp=0, maxiter=500, method="bfgs")
    params, cov = result.params, result.cov_params()
    ci = result.conf_int(0.05)
    rows = []
    for term in terms:
        coef = float(params[term.column])
        low, high = (float(v) for v in ci.loc[term.column])
        p = float(result.pvalues[term.column])
        odds, lo, hi = math.exp(coef), math.exp(low), math.exp(high)
        rows.append(
            {
                "column": term.column,
                "factor": term.factor,
                "factor_label": F.FACTOR_LABELS[term.factor],
                "subject": term.subject,
                "reference": term.reference,
                "coef": coef,
                "odds_ratio": odds,
                "ci_low": lo,
                "ci_high": hi,
                "p_value": p,
                "significant": p < 0.05,
                "n": int(design[term.column].sum()),
                "sentence": odds_sentence(term.subject, term.reference, odds, lo, hi, p),
            }
        )
    factors = []
    for key in dict.fromkeys(term.factor for term in terms):
        columns = [term.column for term in terms if term.factor == key]
        b = params[columns].to_numpy()
        v = cov.loc[columns, columns].to_numpy()
        chi2 = float(b @ np.linalg.pinv(v) @ b)
        p = float(stats.chi2.sf(chi2, len(columns)))
        worst = max((r for r in rows if r["factor"] == key), key=lambda r: abs(r["coef"]))
        factors.append(
            {
                "factor": key,
                "label": F.FACTOR_LABELS[key],
                "chi2": chi2,
                "df": len(columns),
                "p_value": p,
                "significant": p < 0.05,
                "direction": "sube" if worst["coef"] > 0 else "baja",
                "strongest": worst["sentence"],
            }
        )
    factors.sort(key=lambda f: (f["p_value"], -f["chi2"]))
    for rank, factor in enumerate(factors, 1):
        factor["rank"] = rank
    return {
        "terms": rows,
        "factors": factors,
        "n": int(len(frame)),
        "pseudo_r2": float(result.prsquared),
        "intercept": float(params["const"]),
        "columns": list(design.columns),
        "params": [float(params[c]) for c in design.columns],
    }


def odds_sentence(subject: str, reference: str, odds: float, low: float, high: float, p: float) -> str:
    ci = f"(IC 95 %: {num(low, 1)}–{num(high, 1)})"
    sentence = (
        f"{subject}, la chance de incumplir es {num(odds, 1)} veces {ci} la de {reference.removeprefix('la de ')}"
    )
    if p >= 0.05:
        return f"{sentence}: la diferencia no es significativa ({p_text(p)})."
    if odds >= 1:
        return f"{sentence}: más riesgo ({p_text(p)})."
    return f"{sentence}: menos riesgo ({p_text(p)})."


# -- segments -------------------------------------------------------------------------------------------
def segment_rates(frame: pd.DataFrame) -> list[dict]:
    out = []
    for key, label, labeler in F.SEGMENTS:
        groups = pd.DataFrame({"segment": labeler(frame).astype(str), "breached": frame["breached"]})
        table = groups.groupby("segment")["breached"].agg(["count", "sum"]).reset_index()
        order = F.SEGMENT_ORDER.get(key)
        if order:
            table["order"] = table["segment"].map({v: i for i, v in enumerate(order)}).fillna(len(order))
            table = table.sort_values("order")
        else:
            table = table.sort_values("count", ascending=False)
        rows = [
            {"label": r.segment, "n": int(r.count), "breached": int(r.sum), "rate": float(r.sum / r.count)}
            for r in table.itertuples()
        ]
        out.append({"key": key, "label": label, "rows": rows})
    return out


# -- gradient boosting ----------------------------------------------------------------------------------
def category_codes(frame: pd.DataFrame) -> dict[str, list[str]]:
    return {name: sorted(frame[name].astype(str).unique().tolist()) for name in F.GBM_CATEGORICAL}


def new_gbm(seed: int = 0) -> HistGradientBoostingClassifier:
    categorical = [len(F.GBM_NUMERIC) + i for i in range(len(F.GBM_CATEGORICAL))]
    return HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=categorical,
        early_stopping=False,
        random_state=seed,
    )


def ks_statistic(y: np.ndarray, p: np.ndarray) -> float:
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


def time_split(frame: pd.DataFrame, test_share: float = TEST_SHARE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Older agreements to learn, newer to test; a signing day is never split between the two."""
    ordered = frame.sort_values("signed_on", kind="stable")
    cut = ordered["signed_on"].iloc[int(len(ordered) * (1 - test_share))]
    return ordered[ordered["signed_on"] < cut], ordered[ordered["signed_on"] >= cut]


def _period(frame: pd.DataFrame) -> list[str]:
    return [frame["signed_on"].min().date().isoformat(), frame["signed_on"].max().date().isoformat()]


@dataclass
class GbmResult:
    estimator: HistGradientBoostingClassifier
    codes: dict[str, list[str]]
    metrics: dict
    importances: list[dict]
    calibration: dict
    test_scores: np.ndarray = field(repr=False)


def single_thread():
    """OpenMP with several threads on a busy server (the web workers, the daily cycle) spins
    rather than works: a 4.000-row fit took 20 s with 2 threads and 0,2 s with one."""
    return threadpool_limits(limits=1, user_api="openmp")


def evaluate_gbm(frame: pd.DataFrame, *, seed: int = 0) -> GbmResult:
    """Fit on the older agreements, measure on the newer ones; then refit on everything."""
    with single_thread():
        return _evaluate_gbm(frame, seed=seed)


def _evaluate_gbm(frame: pd.DataFrame, *, seed: int) -> GbmResult:
    train, test = time_split(frame)
    codes = category_codes(frame)
    model = new_gbm(seed).fit(F.gbm_matrix(train, codes), train["breached"].to_numpy())
    x_test, y_test = F.gbm_matrix(test, codes), test["breached"].to_numpy()
    p_test = model.predict_proba(x_test)[:, 1]
    two_classes = len(np.unique(y_test)) == 2
    metrics = {
        "auc": float(roc_auc_score(y_test, p_test)) if two_classes else None,
        "ks": ks_statistic(y_test, p_test) if two_classes else None,
        "brier": float(brier_score_loss(y_test, p_test)),
        # What a model that knows nothing but the average would score: the Brier to beat.
        "brier_baseline": float(np.mean((y_test - train["breached"].mean()) ** 2)),
        "n_train": int(len(train)),
        "n_test": int(len(test)),
        "breach_rate_train": float(train["breached"].mean()),
        "breach_rate_test": float(test["breached"].mean()),
        "period_train": _period(train),
        "period_test": _period(test),
    }
    # Permutation importance: how much test AUC is lost when one column is shuffled.
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(test), min(len(test), PERMUTATION_ROWS), replace=False)
    importances = []
    if two_classes:
        perm = permutation_importance(
            model, x_test[sample], y_test[sample], scoring="roc_auc", n_repeats=5, random_state=seed
        )
        for name, mean, std in zip(F.GBM_FEATURES, perm.importances_mean, perm.importances_std, strict=True):
            importances.append(
                {"feature": name, "label": F.FEATURE_LABELS[name], "mean": float(mean), "std": float(std)}
            )
        importances.sort(key=lambda r: -r["mean"])
    observed, predicted = calibration_curve(y_test, p_test, n_bins=10, strategy="quantile")
    calibration = {
        "predicted": [float(v) for v in predicted],
        "observed": [float(v) for v in observed],
        "max_gap": float(np.max(np.abs(observed - predicted))) if len(observed) else None,
    }
    final = new_gbm(seed).fit(F.gbm_matrix(frame, codes), frame["breached"].to_numpy())
    return GbmResult(final, codes, metrics, importances, calibration, p_test)


# -- drift ----------------------------------------------------------------------------------------------
def score_reference(scores: np.ndarray, bins: int = 10) -> dict:
    """Decile edges of a score distribution and the share in each: what a later PSI compares to."""
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, bins + 1)[1:-1]))
    counts = np.bincount(np.searchsorted(edges, scores, side="right"), minlength=len(edges) + 1)
    return {"edges": [float(e) for e in edges], "shares": [float(c) for c in counts / max(len(scores), 1)]}


def psi_against(reference: dict, actual: np.ndarray) -> float:
    edges = np.asarray(reference["edges"])
    expected = np.asarray(reference["shares"])
    counts = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=len(edges) + 1)
    observed = counts / max(len(actual), 1)
    # A floor, so that an empty bin counts as very different rather than infinitely different.
    expected, observed = np.clip(expected, 1e-4, None), np.clip(observed, 1e-4, None)
    return float(np.sum((observed - expected) * np.log(observed / expected)))


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    """Population stability index of `actual` against `expected` (deciles of `expected`)."""
    return psi_against(score_reference(np.asarray(expected), bins), np.asarray(actual))


def psi_last_month(frame: pd.DataFrame, scores: np.ndarray) -> dict | None:
    """PSI of the scores of the last month with agreements against the month before it."""
    months = frame["signed_on"].dt.to_period("M")
    counts = months.value_counts().sort_index()
    counts = counts[counts >= PSI_MIN_ROWS]
    if len(counts) < 2:
        return None
    last, previous = counts.index[-1], counts.index[-2]
    # Deciles need a few hundred scores a month: with fewer, sampling noise alone would push the
    # PSI past the warning (its expected value is about (bins - 1)·(1/n1 + 1/n2)). So a month of
    # ~100 agreements is compared in quartiles, and a large one in deciles.
    bins = int(max(2, min(10, min(counts[last], counts[previous]) // 25)))
    value = psi(scores[(months == previous).to_numpy()], scores[(months == last).to_numpy()], bins)
    return {
        "value": value,
        "month": str(last),
        "previous": str(previous),
        "bins": bins,
        "n": int(counts[last]),
        "n_previous": int(counts[previous]),
        "warning": value > PSI_WARNING,
    }


# -- German credit and other tables: the same logistic pipeline, cross-validated -----------------------
def logit_cv_auc(design: pd.DataFrame, y: np.ndarray, *, folds: int = 5, seed: int = 0) -> list[float]:
    """AUC of a statsmodels Logit on dummies, by stratified k-fold cross-validation."""
    from sklearn.model_selection import StratifiedKFold

    aucs = []
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(design, y):
        keep = design.iloc[train_idx].std() > 0
        keep["const"] = True
        x_train, x_test = design.iloc[train_idx].loc[:, keep], design.iloc[test_idx].loc[:, keep]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sm.Logit(y[train_idx], x_train).fit(disp=0, maxiter=200)
        aucs.append(float(roc_auc_score(y[test_idx], result.predict(x_test))))
    return aucs


# -- one full training -----------------------------------------------------------------------------
@dataclass
class Trained:
    """Everything a training produces; the service stores it as a RiskModel."""

    logit: dict
    segments: list[dict]
    gbm: GbmResult
    scores: np.ndarray = field(repr=False)  # the final model's P(breach) on every row
    reference: dict = field(default_factory=dict)  # the "typical agreement" for explanations
    psi_month: dict | None = None


def typical_row(frame: pd.DataFrame) -> dict:
    """Median of each number and most frequent category: what an agreement's own value is
    compared with when the desk explains its score."""
    row = {name: float(frame[name].median()) for name in F.GBM_NUMERIC}
    row.update({name: str(frame[name].mode().iloc[0]) for name in F.GBM_CATEGORICAL})
    return row


def train_all(frame: pd.DataFrame, *, seed: int = 0) -> Trained:
    if len(frame) < 50 or frame["breached"].nunique() < 2:
        raise ValueError("Se necesitan al menos 50 convenios con resultado, cumplidos e incumplidos.")
    logit = fit_logit(frame)
    segments = segment_rates(frame)
    gbm = evaluate_gbm(frame, seed=seed)
    with single_thread():
        scores = gbm.estimator.predict_proba(F.gbm_matrix(frame, gbm.codes))[:, 1]
    return Trained(logit, segments, gbm, scores, typical_row(frame), psi_last_month(frame, scores))

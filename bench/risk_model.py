"""Train the risk model on 100.000 synthetic agreements and score 1.000.000 accounts in chunks.

Run by hand (not part of `make test`); no database is needed:

    .venv/bin/python bench/risk_model.py [--train 100000] [--score 1000000] [--chunk 100000]

Prints the time of each step and the peak resident memory (getrusage). Scoring goes in chunks
of --chunk rows, keeping only a histogram of the scores, so memory stays bounded whatever the
number of accounts.
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

import joblib
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from mora.analytics import features as F  # noqa: E402
from mora.analytics import modeling  # noqa: E402
from mora.analytics.synthetic import synthetic_history  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=100_000)
    parser.add_argument("--score", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    t = time.perf_counter()
    frame = synthetic_history(rows=args.train, seed=args.seed)
    print(f"historia sintética: {len(frame):,} convenios en {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    logit = modeling.fit_logit(frame)
    print(f"regresión logística (statsmodels): {time.perf_counter() - t:.1f} s; pseudo-R² {logit['pseudo_r2']:.3f}")
    t = time.perf_counter()
    segments = modeling.segment_rates(frame)
    print(f"segmentos ({len(segments)}): {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    gbm = modeling.evaluate_gbm(frame, seed=0)
    m = gbm.metrics
    print(
        f"gradient boosting (ajuste en 75 %, prueba en el 25 % más nuevo, permutación, reajuste en todo): "
        f"{time.perf_counter() - t:.1f} s; AUC {m['auc']:.3f}, KS {m['ks']:.3f}, Brier {m['brier']:.3f} "
        f"(ref. {m['brier_baseline']:.3f}), calibración: brecha máx. {gbm.calibration['max_gap']:.3f}"
    )
    buffer = io.BytesIO()
    joblib.dump({"gbm": gbm.estimator, "codes": gbm.codes}, buffer, compress=3)
    print(f"modelo serializado: {len(buffer.getvalue()) / 1024:.0f} KB; memoria pico hasta aquí {peak_mb():.0f} MB")
    del frame

    t = time.perf_counter()
    histogram = np.zeros(20, dtype=np.int64)
    scored = 0
    with modeling.single_thread():
        for i, start in enumerate(range(0, args.score, args.chunk)):
            rows = min(args.chunk, args.score - start)
            chunk = synthetic_history(rows=rows, seed=10_000 + i)
            p = gbm.estimator.predict_proba(F.gbm_matrix(chunk, gbm.codes))[:, 1]
            histogram += np.bincount(np.minimum((p * 20).astype(int), 19), minlength=20)
            scored += rows
    elapsed = time.perf_counter() - t
    print(
        f"puntaje de {scored:,} cuentas en lotes de {args.chunk:,} (incluye generarlas): {elapsed:.1f} s "
        f"({scored / elapsed:,.0f} por segundo)"
    )
    print(f"memoria pico del proceso: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()

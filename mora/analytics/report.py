"""What the factors report shows, prepared for the templates (page and PDF). Reads only."""

from pathlib import Path

import weasyprint
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher

from .modeling import PSI_WARNING, num
from .models import RiskModel

_BASE_URL = str(Path(__file__).resolve().parent)
LEAKAGE_NOTE = (
    "Solo se usa lo que se sabía el día de la firma de cada convenio: sus condiciones, la categoría, "
    "los beneficios sociales, el sistema y la zona, los convenios e incumplimientos anteriores a esa fecha "
    "y las facturas vencidas en los 12 meses previos que no se pagaron a tiempo. Nada posterior a la firma."
)
DISCLAIMER = "Es lo que los datos asocian con el cumplimiento, no una garantía."


def report_context(model: RiskModel) -> dict:
    m = model.metrics
    psi_month = m.get("psi_month")
    terms = sorted(model.odds_ratios["terms"], key=lambda t: (t["p_value"], -abs(t["coef"])))
    return {
        "model": model,
        "metrics": m,
        "metric_rows": [
            ("AUC (convenios más nuevos)", num(m["auc"], 3) if m.get("auc") is not None else "—"),
            ("KS", num(m["ks"], 3) if m.get("ks") is not None else "—"),
            ("Brier", num(m["brier"], 3)),
            ("Brier de referencia (solo el promedio)", num(m["brier_baseline"], 3)),
            ("Convenios de entrenamiento", f"{m['n_train']:,}".replace(",", ".")),
            ("Convenios de prueba", f"{m['n_test']:,}".replace(",", ".")),
            ("Período de entrenamiento", _period(m["period_train"])),
            ("Período de prueba", _period(m["period_test"])),
            (
                "Incumplimiento en entrenamiento / prueba",
                f"{num(100 * m['breach_rate_train'], 1)} % / {num(100 * m['breach_rate_test'], 1)} %",
            ),
        ],
        "factors": model.odds_ratios["factors"],
        "terms": terms,
        "segments": model.segments,
        "importances": model.importances,
        "calibration_points": list(zip(model.calibration["predicted"], model.calibration["observed"], strict=True)),
        "psi_month": psi_month,
        "psi_warning": bool(psi_month and psi_month["value"] > PSI_WARNING)
        or bool(model.psi_version is not None and model.psi_version > PSI_WARNING),
        "psi_threshold": num(PSI_WARNING, 2),
        "leakage_note": LEAKAGE_NOTE,
        "disclaimer": DISCLAIMER,
    }


def _period(pair) -> str:
    start, end = pair
    return f"{start[8:10]}/{start[5:7]}/{start[:4]} – {end[8:10]}/{end[5:7]}/{end[:4]}"


def report_pdf(model: RiskModel, *, printed_at) -> bytes:
    html = render_to_string("analytics/pdf/report.html", {**report_context(model), "printed_at": printed_at})
    # Nothing is fetched from the network: utility networks are often closed.
    fetcher = URLFetcher(allowed_protocols=("file",))
    return weasyprint.HTML(string=html, base_url=_BASE_URL, url_fetcher=fetcher).write_pdf()

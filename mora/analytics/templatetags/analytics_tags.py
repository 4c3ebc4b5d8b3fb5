from django import template
from django.utils import timezone

from mora.analytics import scoring
from mora.analytics.dataset import account_features
from mora.analytics.modeling import num
from mora.analytics.report import DISCLAIMER

register = template.Library()


@register.filter
def dec(value, decimals=2):
    """0.1234|dec:3 -> 0,123 (a float with the Bolivian decimal comma)."""
    if value in (None, ""):
        return "—"
    return num(float(value), int(decimals))


@register.filter
def share_pct(value, decimals=1):
    """0.1234 -> 12,3 (a fraction as a percentage)."""
    if value in (None, ""):
        return "—"
    return num(100 * float(value), int(decimals))


@register.inclusion_tag("analytics/_quote_risk.html", takes_context=True)
def quote_risk(context, quote):
    """{% quote_risk quote %}: probability of keeping these terms, the three factors that weigh
    most for this customer and the recommended terms, for the quote page (a few queries)."""
    result = {"quote": quote, "disclaimer": DISCLAIMER, "available": False}
    account = context.get("account") or (quote.invoices[0].account if quote.invoices else None)
    if account is None or quote.debt <= 0 or not quote.installments:
        result["reason"] = "Elija las facturas y las condiciones para ver el riesgo."
        return result
    model = scoring.selectors.risk_model_latest()
    if model is None:
        result["reason"] = "Todavía no hay un modelo de riesgo entrenado (Analítica → Entrenar nuevo modelo)."
        return result
    today = quote.signing_date or timezone.localdate()
    base = account_features(account=account, today=today)
    keep, factors = scoring.predict_compliance(features=scoring.quote_features(quote, base), model=model)
    regular = [item for item in quote.schedule if item.number > 0]
    result.update(
        {
            "chosen_installment": regular[0].amount if regular else None,
            "chosen_share": quote.share_of_bill(regular[0]) if regular else None,
            "available": True,
            "model": model,
            "probability": keep,
            "factors": factors,
            "options": scoring.recommend_from_quote(quote, account_features=base, model=model),
            "affordable_pct": int(scoring.AFFORDABLE_SHARE * 100),
        }
    )
    return result

"""The feature table (features.COLUMNS) built from the real database, set-based.

No-leakage rule: every feature of an agreement is what was known ON THE DAY IT WAS SIGNED
(`signed_on`); nothing dated on or after that day enters:
- the terms (kind, debt, down payment, installments, usual bill) are the agreement's own, fixed
  when it was made;
- prior agreements are those of the same account signed before this one; prior breaches are
  those whose BREACHED event happened before the signing day (a prior agreement breached later
  does not count);
- late invoices are those with a due date in the 12 months before signing that were not paid in
  full by their due date, counting only payments made on or before that due date (so on or
  before the signing day);
- month and day of signing, category, zone, meter.
Known limit: category, Tarifa Dignidad and Ley 1886 are the account's values today (the
database keeps no history of them); they rarely change.

The label is what happened afterwards: breached = breaches > 0 or status BREACHED. Only
agreements that reached an outcome are used: COMPLETED, BREACHED, or with at least one breach.

Five queries in all, whatever the number of agreements; the joins are done in pandas.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.db.models import Q

from mora.agreements.domain.states import AgreementStatus
from mora.agreements.models import Agreement, AgreementEvent
from mora.billing.models import Invoice, PaymentAllocation

from .features import coerce, empty_frame

LA_PAZ = ZoneInfo("America/La_Paz")
LOOKBACK_DAYS = 365


def outcome_agreements():
    done = [AgreementStatus.COMPLETED, AgreementStatus.BREACHED]
    return Agreement.objects.filter(signed_on__isnull=False).filter(Q(status__in=done) | Q(breaches__gt=0))


def outcomes_count() -> int:
    return outcome_agreements().count()


def build_dataset() -> pd.DataFrame:
    rows = list(
        outcome_agreements().values(
            "id",
            "account_id",
            "kind",
            "status",
            "breaches",
            "debt",
            "down_payment",
            "installments_count",
            "usual_bill",
            "signed_on",
            "account__category",
            "account__tarifa_dignidad",
            "account__ley_1886",
            "account__zone__code",
            "account__zone__system__code",
            "account__meter_number",
        )
    )
    if not rows:
        return empty_frame()
    agreements = pd.DataFrame(rows)
    signed = pd.to_datetime(agreements["signed_on"])
    debt = agreements["debt"].astype(float)
    down = agreements["down_payment"].astype(float)
    count = agreements["installments_count"].astype(int).clip(lower=1)
    usual = pd.to_numeric(agreements["usual_bill"].astype(object), errors="coerce").astype(float)
    history = history_features(
        pd.DataFrame({"account_id": agreements["account_id"], "as_of": signed, "exclude_id": agreements["id"]})
    )
    frame = pd.DataFrame(
        {
            "agreement_id": agreements["id"],
            "signed_on": signed,
            "kind": agreements["kind"],
            "category": agreements["account__category"],
            "tarifa_dignidad": agreements["account__tarifa_dignidad"].astype(int),
            "ley_1886": agreements["account__ley_1886"].astype(int),
            "system": agreements["account__zone__system__code"],
            "zone": agreements["account__zone__code"],
            "debt": debt,
            "down_share": np.where(debt > 0, down / debt.where(debt > 0, 1), 0.0),
            "installments": count,
            "installment_share": ((debt - down) / count / usual.where(usual > 0)).astype(float),
            "prior_agreements": history["prior_agreements"],
            "prior_breaches": history["prior_breaches"],
            "late_invoices_12m": history["late_invoices_12m"],
            "signing_month": signed.dt.month,
            "signing_day": signed.dt.day,
            "meter_digit": agreements["account__meter_number"].map(meter_digit),
            "breached": ((agreements["breaches"] > 0) | (agreements["status"] == AgreementStatus.BREACHED)).astype(int),
        }
    )
    return coerce(frame.sort_values(["signed_on", "agreement_id"], kind="stable"))


def meter_digit(number: str | None) -> int:
    number = (number or "").strip()
    return int(number[-1]) if number and number[-1].isdigit() else -1


def history_features(keys: pd.DataFrame) -> pd.DataFrame:
    """For each (account_id, as_of, exclude_id) row: agreements signed and breached before
    `as_of`, and invoices due in the 12 months before it that were not paid by their due date.
    Used for training (as_of = signing day) and at the desk (as_of = today)."""
    keys = keys.reset_index(drop=True).copy()
    keys["as_of"] = pd.to_datetime(keys["as_of"])
    keys["row"] = np.arange(len(keys))
    out = pd.DataFrame({"prior_agreements": 0, "prior_breaches": 0, "late_invoices_12m": 0}, index=keys.index)
    if keys.empty:
        return out
    accounts = sorted(set(keys["account_id"].tolist()))
    first, last = keys["as_of"].min().date(), keys["as_of"].max().date()

    signed = pd.DataFrame(
        list(
            Agreement.objects.filter(account_id__in=accounts, signed_on__isnull=False, signed_on__lt=last).values(
                "id", "account_id", "signed_on"
            )
        ),
        columns=["id", "account_id", "signed_on"],
    )
    if not signed.empty:
        pairs = keys.merge(signed, on="account_id")
        pairs = pairs[(pd.to_datetime(pairs["signed_on"]) < pairs["as_of"]) & (pairs["id"] != pairs["exclude_id"])]
        out["prior_agreements"] = pairs.groupby("row").size().reindex(keys["row"], fill_value=0).to_numpy()

    breaches = pd.DataFrame(
        list(
            AgreementEvent.objects.filter(
                agreement__account_id__in=accounts, to_status=AgreementStatus.BREACHED, occurred_at__date__lt=last
            ).values("agreement_id", "agreement__account_id", "occurred_at")
        ),
        columns=["agreement_id", "agreement__account_id", "occurred_at"],
    )
    if not breaches.empty:
        breaches["day"] = pd.to_datetime(breaches["occurred_at"], utc=True).dt.tz_convert(LA_PAZ).dt.tz_localize(None)
        breaches["day"] = breaches["day"].dt.normalize()
        pairs = keys.merge(breaches, left_on="account_id", right_on="agreement__account_id")
        pairs = pairs[(pairs["day"] < pairs["as_of"]) & (pairs["agreement_id"] != pairs["exclude_id"])]
        counted = pairs.groupby("row")["agreement_id"].nunique()
        out["prior_breaches"] = counted.reindex(keys["row"], fill_value=0).to_numpy()

    window = {"account_id__in": accounts, "due_date__gte": first - timedelta(days=LOOKBACK_DAYS), "due_date__lt": last}
    invoices = pd.DataFrame(
        list(Invoice.objects.filter(**window).values("id", "account_id", "due_date", "amount")),
        columns=["id", "account_id", "due_date", "amount"],
    )
    if not invoices.empty:
        allocations = pd.DataFrame(
            list(
                PaymentAllocation.objects.filter(**{f"invoice__{k}": v for k, v in window.items()}).values(
                    "invoice_id", "amount", "payment__paid_at"
                )
            ),
            columns=["invoice_id", "amount", "payment__paid_at"],
        )
        invoices["due"] = pd.to_datetime(invoices["due_date"])
        invoices["amount"] = invoices["amount"].astype(float)
        paid_on_time = pd.Series(0.0, index=invoices["id"])
        if not allocations.empty:
            allocations["day"] = (
                pd.to_datetime(allocations["payment__paid_at"], utc=True).dt.tz_convert(LA_PAZ).dt.tz_localize(None)
            ).dt.normalize()
            allocations = allocations.merge(invoices[["id", "due"]], left_on="invoice_id", right_on="id")
            on_time = allocations[allocations["day"] <= allocations["due"]]
            paid_on_time = on_time.groupby("invoice_id")["amount"].apply(lambda s: float(sum(s)))
            paid_on_time = paid_on_time.reindex(invoices["id"], fill_value=0.0)
        invoices["late"] = (paid_on_time.to_numpy() + 0.005 < invoices["amount"].to_numpy()) & (invoices["amount"] > 0)
        late = invoices[invoices["late"]]
        pairs = keys.merge(late[["account_id", "due"]], on="account_id")
        lookback = pd.Timedelta(days=LOOKBACK_DAYS)
        pairs = pairs[(pairs["due"] < pairs["as_of"]) & (pairs["due"] >= pairs["as_of"] - lookback)]
        out["late_invoices_12m"] = pairs.groupby("row").size().reindex(keys["row"], fill_value=0).to_numpy()
    return out


def account_features(*, account, today: date) -> dict:
    """What the model needs about an account at the desk, as of `today` (no terms)."""
    history = history_features(
        pd.DataFrame({"account_id": [account.pk], "as_of": [pd.Timestamp(today)], "exclude_id": [0]})
    )
    zone = account.zone
    return {
        "category": account.category,
        "tarifa_dignidad": int(account.tarifa_dignidad),
        "ley_1886": int(account.ley_1886),
        "system": zone.system.code,
        "zone": zone.code,
        "prior_agreements": int(history["prior_agreements"].iloc[0]),
        "prior_breaches": int(history["prior_breaches"].iloc[0]),
        "late_invoices_12m": int(history["late_invoices_12m"].iloc[0]),
        "meter_digit": meter_digit(account.meter_number),
        "signing_month": today.month,
        "signing_day": today.day,
    }

"""Aging buckets of the arrears portfolio, by days past due of an account's oldest unpaid,
overdue invoice. Plain data; the SQL that applies them lives in selectors."""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Bucket:
    code: str
    label: str
    min_days: int
    max_days: int | None  # None: open-ended

    def due_date_range(self, today: date) -> tuple[date | None, date]:
        """The oldest-due-date interval [earliest, latest] of accounts in this bucket."""
        latest = today - timedelta(days=max(self.min_days, 1))
        earliest = None if self.max_days is None else today - timedelta(days=self.max_days)
        return earliest, latest


BUCKETS: tuple[Bucket, ...] = (
    Bucket("0-30", "0 a 30 días", 0, 30),
    Bucket("31-60", "31 a 60 días", 31, 60),
    Bucket("61-90", "61 a 90 días", 61, 90),
    Bucket("91-180", "91 a 180 días", 91, 180),
    Bucket("180+", "Más de 180 días", 181, None),
)
BUCKET_BY_CODE = {b.code: b for b in BUCKETS}


def bucket_for(days_past_due: int) -> Bucket:
    for bucket in BUCKETS:
        if bucket.max_days is None or days_past_due <= bucket.max_days:
            return bucket
    raise AssertionError("unreachable: the last bucket is open-ended")

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mora.billing.aging import BUCKETS, bucket_for


def test_bucket_edges():
    assert bucket_for(1).code == "0-30"
    assert bucket_for(30).code == "0-30"
    assert bucket_for(31).code == "31-60"
    assert bucket_for(90).code == "61-90"
    assert bucket_for(91).code == "91-180"
    assert bucket_for(180).code == "91-180"
    assert bucket_for(181).code == "180+"
    assert bucket_for(5000).code == "180+"


@given(st.integers(min_value=1, max_value=4000))
def test_due_date_range_agrees_with_bucket_for(days):
    today = date(2026, 12, 4)
    oldest_due = today - timedelta(days=days)
    matching = []
    for bucket in BUCKETS:
        earliest, latest = bucket.due_date_range(today)
        if (earliest is None or oldest_due >= earliest) and oldest_due <= latest:
            matching.append(bucket.code)
    assert matching == [bucket_for(days).code]

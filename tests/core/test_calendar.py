from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mora.core.calendar import add_business_days, is_business_day, next_business_day


def test_tarija_day_and_national_holidays_are_not_business_days():
    assert not is_business_day(date(2026, 4, 15))  # Tarija's departmental day (a Wednesday)
    assert not is_business_day(date(2026, 8, 6))  # Independence day
    assert not is_business_day(date(2026, 1, 22))  # Estado Plurinacional
    assert is_business_day(date(2026, 4, 14))


def test_weekends_are_not_business_days():
    assert not is_business_day(date(2026, 12, 5))  # Saturday
    assert not is_business_day(date(2026, 12, 6))  # Sunday
    assert is_business_day(date(2026, 12, 4))  # Friday (cuts on Fridays are a field-orders policy)


def test_utility_days_override_the_official_calendar():
    assert not is_business_day(date(2026, 12, 3), extra_holidays={date(2026, 12, 3)})
    assert is_business_day(date(2026, 4, 15), extra_working={date(2026, 4, 15)})


def test_add_business_days_skips_weekend_and_holiday():
    # Tuesday 14/04/2026 + 1 business day: 15/04 is Tarija's day -> Thursday 16/04.
    assert add_business_days(date(2026, 4, 14), 1) == date(2026, 4, 16)
    assert add_business_days(date(2026, 12, 4), 1) == date(2026, 12, 7)
    assert add_business_days(date(2026, 12, 7), -1) == date(2026, 12, 4)


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=0, max_value=40))
def test_add_business_days_lands_on_a_business_day_after_exactly_n(start, n):
    end = add_business_days(start, n)
    assert end >= start
    if n:
        assert is_business_day(end)
    between = sum(1 for k in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=k)))
    assert between == n


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_next_business_day_is_a_business_day_within_a_week(day):
    found = next_business_day(day)
    assert is_business_day(found)
    assert timedelta(0) <= found - day <= timedelta(days=7)

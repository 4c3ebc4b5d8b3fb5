from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from mora.core.calendar import is_business_day
from mora.field_orders.domain.calendar import is_cut_day, next_cut_day, reconnection_due
from mora.field_orders.domain.policy import FieldPolicy

LA_PAZ = ZoneInfo("America/La_Paz")
POLICY = FieldPolicy()


def test_no_cuts_on_weekends_fridays_holidays_and_their_eves():
    assert is_cut_day(date(2026, 12, 3), policy=POLICY, is_business_day=is_business_day)  # Thursday
    assert not is_cut_day(date(2026, 12, 4), policy=POLICY, is_business_day=is_business_day)  # Friday
    assert not is_cut_day(date(2026, 12, 5), policy=POLICY, is_business_day=is_business_day)  # Saturday
    assert not is_cut_day(date(2026, 4, 15), policy=POLICY, is_business_day=is_business_day)  # Tarija's day
    assert not is_cut_day(date(2026, 4, 14), policy=POLICY, is_business_day=is_business_day)  # its eve
    relaxed = FieldPolicy(no_cuts_on_fridays=False, no_cuts_before_holidays=False)
    assert is_cut_day(date(2026, 12, 4), policy=relaxed, is_business_day=is_business_day)
    assert is_cut_day(date(2026, 4, 14), policy=relaxed, is_business_day=is_business_day)


def test_next_cut_day_after_a_thursday_is_monday():
    assert next_cut_day(date(2026, 12, 3), policy=POLICY, is_business_day=is_business_day) == date(2026, 12, 7)


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)))
def test_next_cut_day_is_always_an_allowed_day(day):
    found = next_cut_day(day, policy=POLICY, is_business_day=is_business_day)
    assert found > day
    assert is_cut_day(found, policy=POLICY, is_business_day=is_business_day)
    assert found.weekday() not in (4, 5, 6)


def test_reconnection_same_day_before_cutoff():
    paid = datetime(2026, 12, 3, 10, 30, tzinfo=LA_PAZ)
    assert reconnection_due(paid, policy=POLICY, is_business_day=is_business_day).date() == paid.date()


def test_reconnection_after_cutoff_is_next_business_day_noon():
    paid = datetime(2026, 12, 2, 17, 0, tzinfo=LA_PAZ)  # Wednesday after 16:00
    assert reconnection_due(paid, policy=POLICY, is_business_day=is_business_day) == datetime(
        2026, 12, 3, 12, 0, tzinfo=LA_PAZ
    )


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)))
def test_reconnection_never_later_than_24_hours(naive):
    paid = naive.replace(tzinfo=LA_PAZ)
    due = reconnection_due(paid, policy=POLICY, is_business_day=is_business_day)
    assert paid < due <= paid + timedelta(hours=24)


def test_policy_round_trip_keeps_decimals():
    assert FieldPolicy.from_dict(POLICY.to_dict()) == POLICY
    assert FieldPolicy(min_debt=-1).validation_errors()

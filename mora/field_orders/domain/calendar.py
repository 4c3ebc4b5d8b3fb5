"""Which days the field crews may cut, and when a reconnection is due. Plain functions."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from .policy import FieldPolicy


def is_cut_day(day: date, *, policy: FieldPolicy, is_business_day: Callable[[date], bool]) -> bool:
    """A business day (no weekends, no BO/Tarija holidays, no utility days off) that is not a
    Friday nor the day before a holiday when the policy forbids them: a family cut then would
    wait days for the reconnection."""
    if not is_business_day(day):
        return False
    if policy.no_cuts_on_fridays and day.weekday() == 4:
        return False
    if policy.no_cuts_before_holidays:
        tomorrow = day + timedelta(days=1)
        if tomorrow.weekday() < 5 and not is_business_day(tomorrow):
            return False
    return True


def next_cut_day(after: date, *, policy: FieldPolicy, is_business_day: Callable[[date], bool]) -> date:
    """The first day strictly after `after` on which cuts are allowed."""
    day = after + timedelta(days=1)
    for _ in range(60):
        if is_cut_day(day, policy=policy, is_business_day=is_business_day):
            return day
        day += timedelta(days=1)
    raise ValueError("No hay un día hábil de corte en los próximos 60 días: revise el calendario.")


def reconnection_due(paid_at: datetime, *, policy: FieldPolicy, is_business_day: Callable[[date], bool]) -> datetime:
    """Same day (end of that business day) when paid on a business day before the cut-off hour;
    otherwise the next business day by noon. Never more than the policy's maximum hours after
    the payment (the peer standard is 24 h): the earlier of the two."""
    tz = paid_at.tzinfo
    day = paid_at.date()
    if is_business_day(day) and paid_at.time() < policy.cutoff:
        due = datetime.combine(day, time(23, 59), tzinfo=tz)
    else:
        next_day = day + timedelta(days=1)
        while not is_business_day(next_day):
            next_day += timedelta(days=1)
        due = datetime.combine(next_day, time(policy.next_day_deadline_hour), tzinfo=tz)
    return min(due, paid_at + timedelta(hours=policy.max_reconnection_hours))

"""The calendar as the utility configured it: official holidays plus its own CalendarDay rows."""

from datetime import date

from . import calendar
from .models import CalendarDay


def calendar_overrides() -> dict:
    rows = CalendarDay.objects.values_list("day", "is_working")
    return {
        "extra_holidays": frozenset(d for d, working in rows if not working),
        "extra_working": frozenset(d for d, working in rows if working),
    }


def is_business_day(day: date) -> bool:
    return calendar.is_business_day(day, **calendar_overrides())

"""Business calendar of the utility: Bolivian national and Tarija holidays (the `holidays`
package, country BO, subdivision T) plus the days the utility adds or removes itself."""

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _official_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("BO", subdiv="T", years=year, language="es"))


def official_holidays(year: int) -> dict[date, str]:
    return dict(_official_holidays(year))


def is_business_day(day: date, *, extra_holidays: Iterable[date] = (), extra_working: Iterable[date] = ()) -> bool:
    """Monday to Friday, not an official holiday, not a day the utility closed; a day the
    utility declared working (extra_working) overrides an official holiday."""
    if day in set(extra_working):
        return True
    if day.weekday() >= 5:
        return False
    if day in _official_holidays(day.year):
        return False
    return day not in set(extra_holidays)


def add_business_days(start: date, count: int, **calendar) -> date:
    """The `count`-th business day after `start` (negative counts go back)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_business_day(day, **calendar):
            remaining -= 1
    return day


def next_business_day(day: date, **calendar) -> date:
    """`day` itself if it is a business day, else the next one."""
    while not is_business_day(day, **calendar):
        day += timedelta(days=1)
    return day

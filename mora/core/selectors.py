from datetime import date

from django.core.paginator import Paginator
from django.db.models import Q

from . import calendar
from .models import AuditEvent, CalendarDay


def audit_events(*, text: str = "", action: str = "", account_id: int | None = None):
    events = AuditEvent.objects.select_related("actor")
    if text:
        events = events.filter(Q(summary__icontains=text) | Q(reason__icontains=text) | Q(entity_id=text))
    if action:
        events = events.filter(action=action)
    if account_id is not None:
        events = events.filter(account_id=account_id)
    return events


def audit_page(*, page: int, **filters):
    return Paginator(audit_events(**filters), 50).get_page(page)


def calendar_year(year: int) -> list[dict]:
    """Every non-ordinary day of the year: official holidays and the utility's own days."""
    rows = {
        d: {"day": d, "name": name, "source": "Feriado oficial", "is_working": False}
        for d, name in calendar.official_holidays(year).items()
    }
    for extra in CalendarDay.objects.filter(day__year=year):
        rows[extra.day] = {
            "day": extra.day,
            "name": extra.name,
            "source": "Definido por la distribuidora",
            "is_working": extra.is_working,
            "id": extra.pk,
        }
    return [rows[d] for d in sorted(rows)]


def today_is_business_day(today: date) -> bool:
    from .business_calendar import is_business_day

    return is_business_day(today)

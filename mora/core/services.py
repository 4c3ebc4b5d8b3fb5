from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import audit_record
from .models import CalendarDay


@transaction.atomic
def calendar_day_set(*, actor, day, name: str, is_working: bool) -> CalendarDay:
    """Add (or change) a day of the utility's own calendar."""
    entry = CalendarDay.objects.filter(day=day).first()
    before = {"name": entry.name, "is_working": entry.is_working} if entry else None
    entry = entry or CalendarDay(day=day)
    entry.name = name.strip()
    entry.is_working = is_working
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        action="calendar.day_set",
        entity=entry,
        summary=f"Día {day:%d/%m/%Y}: {entry.name} ({'hábil' if is_working else 'no hábil'})",
        before=before,
        after={"name": entry.name, "is_working": is_working},
    )
    return entry


@transaction.atomic
def calendar_day_remove(*, actor, day_id: int, reason: str) -> None:
    """The utility's calendar days are configuration, not documents: removing one is allowed
    and leaves an audit event with what it was."""
    entry = CalendarDay.objects.select_for_update().filter(pk=day_id).first()
    if entry is None:
        raise ValidationError("El día ya no existe.")
    audit_record(
        actor=actor,
        action="calendar.day_removed",
        entity=entry,
        summary=f"Día {entry.day:%d/%m/%Y} quitado del calendario",
        before={"name": entry.name, "is_working": entry.is_working},
        reason=reason,
    )
    entry.delete()

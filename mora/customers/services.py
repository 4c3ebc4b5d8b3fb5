"""Writes on accounts: holds and complaints. Each one leaves an audit event on the account's
timeline."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mora.core.audit import audit_record

from .models import Account, Complaint, ComplaintStatus, Hold

MAX_HOLD_DAYS = 90


@transaction.atomic
def hold_create(*, actor, account: Account, reason: str, starts_on: date, expires_on: date) -> Hold:
    """A manual hold stops cuts on the account until it expires; it must say why and end."""
    if expires_on < starts_on:
        raise ValidationError("La fecha de fin debe ser igual o posterior a la de inicio.")
    if (expires_on - starts_on).days > MAX_HOLD_DAYS:
        raise ValidationError(f"Una retención no puede durar más de {MAX_HOLD_DAYS} días.")
    if expires_on < timezone.localdate():
        raise ValidationError("La retención ya habría vencido: revise las fechas.")
    hold = Hold(account=account, reason=reason.strip(), starts_on=starts_on, expires_on=expires_on, created_by=actor)
    hold.full_clean()
    hold.save()
    audit_record(
        actor=actor,
        action="hold.created",
        entity=hold,
        account_id=account.pk,
        summary=f"Retención del {starts_on:%d/%m/%Y} al {expires_on:%d/%m/%Y}",
        after={"starts_on": starts_on.isoformat(), "expires_on": expires_on.isoformat()},
        reason=hold.reason,
    )
    return hold


@transaction.atomic
def hold_release(*, actor, hold_id: int, reason: str) -> Hold:
    hold = Hold.objects.select_for_update().get(pk=hold_id)
    if hold.released_on is not None:
        raise ValidationError("La retención ya fue levantada.")
    if not reason.strip():
        raise ValidationError("Indique el motivo para levantar la retención.")
    hold.released_on = timezone.localdate()
    hold.released_by = actor
    hold.release_reason = reason.strip()
    hold.save(update_fields=["released_on", "released_by", "release_reason"])
    audit_record(
        actor=actor,
        action="hold.released",
        entity=hold,
        account_id=hold.account_id,
        summary=f"Retención levantada (era hasta el {hold.expires_on:%d/%m/%Y})",
        reason=hold.release_reason,
    )
    return hold


def _next_complaint_number(today: date) -> str:
    prefix = f"REC-{today.year}-"
    last = (
        Complaint.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


@transaction.atomic
def complaint_register(*, actor, account: Account, description: str) -> Complaint:
    """A pending complaint protects the supply from cuts until it is resolved."""
    today = timezone.localdate()
    # Serialise numbering: the account row lock is not enough across accounts, so lock the
    # year's last complaint (or nothing, for the first one of the year; the unique
    # constraint on number then turns a race into an error instead of a duplicate).
    Complaint.objects.select_for_update().filter(number__startswith=f"REC-{today.year}-").order_by("-number").first()
    complaint = Complaint(
        account=account, number=_next_complaint_number(today), opened_on=today, description=description.strip()
    )
    complaint.full_clean(exclude=["number"])
    try:
        with transaction.atomic():
            complaint.save()
    except IntegrityError:
        # The year's first complaint has no row to lock: a concurrent officer may have taken
        # the same number. Take the next one.
        complaint.number = _next_complaint_number(today)
        complaint.save()
    audit_record(
        actor=actor,
        action="complaint.registered",
        entity=complaint,
        account_id=account.pk,
        summary=f"Reclamo {complaint.number} registrado",
        reason=complaint.description,
    )
    return complaint


@transaction.atomic
def complaint_resolve(*, actor, complaint_id: int, resolution: str) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    if complaint.status != ComplaintStatus.PENDING:
        raise ValidationError("El reclamo ya está resuelto.")
    if not resolution.strip():
        raise ValidationError("Indique cómo se resolvió el reclamo.")
    complaint.status = ComplaintStatus.RESOLVED
    complaint.resolved_on = timezone.localdate()
    complaint.save(update_fields=["status", "resolved_on"])
    audit_record(
        actor=actor,
        action="complaint.resolved",
        entity=complaint,
        account_id=complaint.account_id,
        summary=f"Reclamo {complaint.number} resuelto",
        before={"status": ComplaintStatus.PENDING},
        after={"status": ComplaintStatus.RESOLVED},
        reason=resolution.strip(),
    )
    return complaint

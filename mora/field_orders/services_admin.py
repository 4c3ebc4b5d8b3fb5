"""Writes of the contractors administration: a microempresa with its zones, crews and
coordinators, saved together (one transaction, each change audited)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from mora.core.audit import audit_record
from mora.core.roles import Role, has_role

from . import services
from .models import Contractor, Coordinator, Crew
from .services import FieldOrderError


@transaction.atomic
def contractor_admin_save(
    *, actor, contractor: Contractor, zone_ids: list[int], crews: list[dict], coordinator_ids: list[int]
) -> Contractor:
    contractor = services.contractor_save(actor=actor, contractor=contractor, zone_ids=zone_ids)
    crews_save(actor=actor, contractor=contractor, crews=crews)
    coordinators_set(actor=actor, contractor=contractor, user_ids=coordinator_ids)
    return contractor


@transaction.atomic
def crews_save(*, actor, contractor: Contractor, crews: list[dict]) -> list[Crew]:
    """Create or update crews ({"id", "name", "daily_capacity", "is_active"}). A crew is never
    deleted (its past orders point to it): it is deactivated, and the next cut lists stop
    counting its capacity."""
    names = [row["name"].strip().casefold() for row in crews]
    if len(names) != len(set(names)):
        raise FieldOrderError("Dos cuadrillas tienen el mismo nombre.")
    saved = []
    for row in crews:
        name = row["name"].strip()
        if not name:
            raise FieldOrderError("Cada cuadrilla necesita un nombre.")
        if not 1 <= int(row["daily_capacity"]) <= 200:
            raise FieldOrderError(f"La capacidad de «{name}» debe estar entre 1 y 200 cortes por día.")
        if row.get("id"):
            crew = Crew.objects.select_for_update().get(pk=row["id"], contractor=contractor)
            before = {"name": crew.name, "daily_capacity": crew.daily_capacity, "is_active": crew.is_active}
        else:
            crew, before = Crew(contractor=contractor), None
        crew.name, crew.daily_capacity, crew.is_active = name, int(row["daily_capacity"]), bool(row["is_active"])
        after = {"name": crew.name, "daily_capacity": crew.daily_capacity, "is_active": crew.is_active}
        saved.append(crew)
        if before == after:
            continue
        crew.save()
        audit_record(
            actor=actor,
            action="crew.created" if before is None else "crew.updated",
            entity=crew,
            summary=f"Cuadrilla {crew.name} de {contractor.name}: {crew.daily_capacity} cortes por día"
            + ("" if crew.is_active else " (inactiva)"),
            before=before,
            after=after,
        )
    return saved


@transaction.atomic
def coordinators_set(*, actor, contractor: Contractor, user_ids: list[int]) -> list[Coordinator]:
    """Make exactly these users the contractor's coordinators. A user can coordinate one
    contractor only: choosing him here moves him from his previous one."""
    users = list(get_user_model().objects.filter(pk__in=user_ids).order_by("pk"))
    if len(users) != len(set(user_ids)):
        raise FieldOrderError("Algún usuario elegido ya no existe.")
    for user in users:
        if not has_role(user, Role.COORDINATOR):
            raise FieldOrderError(f"El usuario {user.username} no tiene el rol de coordinador.")
    chosen = {user.pk for user in users}
    for coordinator in Coordinator.objects.select_for_update().filter(contractor=contractor).select_related("user"):
        if coordinator.user_id not in chosen:
            audit_record(
                actor=actor,
                action="coordinator.removed",
                entity=contractor,
                summary=f"{coordinator.user.username} deja de coordinar {contractor.name}",
            )
            coordinator.delete()
    result = []
    for user in users:
        current = Coordinator.objects.select_for_update().filter(user=user).select_related("contractor").first()
        if current is not None and current.contractor_id == contractor.pk:
            result.append(current)
            continue
        previous = current.contractor.name if current else None
        if current is None:
            current = Coordinator.objects.create(user=user, contractor=contractor)
        else:
            current.contractor = contractor
            current.save(update_fields=["contractor"])
        audit_record(
            actor=actor,
            action="coordinator.assigned",
            entity=current,
            summary=f"{user.username} coordina {contractor.name}" + (f" (antes {previous})" if previous else ""),
        )
        result.append(current)
    return result

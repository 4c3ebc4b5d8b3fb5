"""The one function every service calls to leave an audit event."""

from django.contrib.auth.models import AnonymousUser

from .models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    entity,
    summary: str = "",
    account_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    actor_label: str = "",
) -> AuditEvent:
    user = actor if actor is not None and not isinstance(actor, AnonymousUser) and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label or ("" if user else "sistema"),
        action=action,
        entity_type=entity._meta.label_lower,
        entity_id=str(entity.pk),
        account_id=account_id,
        summary=summary[:300],
        before=before,
        after=after,
        reason=reason,
    )

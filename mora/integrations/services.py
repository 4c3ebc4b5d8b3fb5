"""Integration clients (tokens with scopes) and the idempotent payment post of the API."""

import hashlib
import json
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mora.core.audit import audit_record

from .models import ApiCall, ApiClient, IdempotencyRecord, Scope

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return "mora_" + secrets.token_urlsafe(TOKEN_BYTES)


def _check_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError(f"Permisos desconocidos: {', '.join(unknown)}. Válidos: {', '.join(Scope.values)}.")
    if not scopes:
        raise ValidationError("Indique al menos un permiso.")
    return sorted(set(scopes))


@transaction.atomic
def api_client_create(*, actor, name: str, scopes: list[str], contractor=None) -> tuple[ApiClient, str]:
    """Create a client and return its token: shown once, never stored in clear."""
    token = _new_token()
    client = ApiClient(
        name=name.strip(),
        scopes=_check_scopes(scopes),
        contractor=contractor,
        token_prefix=token[:12],
        token_hash=token_hash(token),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    client.full_clean()
    client.save()
    audit_record(
        actor=actor,
        action="api_client.created",
        entity=client,
        summary=f"Cliente de API {client.name}: {', '.join(client.scopes)}",
        actor_label="" if actor else "consola",
    )
    return client, token


@transaction.atomic
def api_client_rotate(*, actor, client_id: int) -> tuple[ApiClient, str]:
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    if not client.is_active:
        raise ValidationError("El cliente está revocado: cree uno nuevo.")
    token = _new_token()
    client.token_prefix, client.token_hash, client.rotated_at = token[:12], token_hash(token), timezone.now()
    client.save(update_fields=["token_prefix", "token_hash", "rotated_at"])
    audit_record(actor=actor, action="api_client.rotated", entity=client, summary=f"Token de {client.name} renovado")
    return client, token


@transaction.atomic
def api_client_revoke(*, actor, client_id: int, reason: str) -> ApiClient:
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    client.is_active, client.revoked_at = False, timezone.now()
    client.save(update_fields=["is_active", "revoked_at"])
    audit_record(
        actor=actor,
        action="api_client.revoked",
        entity=client,
        summary=f"Cliente {client.name} revocado",
        reason=reason,
    )
    return client


def api_client_authenticate(token: str) -> ApiClient | None:
    client = ApiClient.objects.select_related("contractor").filter(token_hash=token_hash(token), is_active=True).first()
    if client is not None:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def api_call_log(*, client: ApiClient | None, method: str, path: str, status: int, duration_ms: int, key: str = ""):
    ApiCall.objects.create(
        client=client, method=method, path=path[:300], status=status, duration_ms=duration_ms, idempotency_key=key[:100]
    )


def request_fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class IdempotencyConflict(Exception):
    """The key was already used for another request."""


def idempotent(*, client: ApiClient, key: str, payload: dict, run) -> tuple[int, dict, bool]:
    """Run `run()` -> (status, body) once per (client, key). A repeat with the same payload gets
    the stored answer (replayed=True); with another payload, IdempotencyConflict. Concurrent
    repeats wait on the unique index until the first one commits, then get its answer."""
    fingerprint = request_fingerprint(payload)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(client=client, key=key, request_hash=fingerprint)
            status, body = run()
            record.status, record.response = status, body
            record.save(update_fields=["status", "response"])
            return status, body, False
    except IntegrityError:
        record = IdempotencyRecord.objects.filter(client=client, key=key).first()
        if record is None:  # pragma: no cover - the conflicting row must exist once we got here
            raise
    if record.request_hash != fingerprint:
        raise IdempotencyConflict()
    return record.status, record.response, True

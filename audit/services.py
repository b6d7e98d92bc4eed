"""The one audit helper every service calls."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import AuditEntry

if TYPE_CHECKING:
    from core.access import ActionDenied
    from core.actor import Actor
    from core.tenancy import RoleRules

MASK = "••••••"
SECRET_HINTS = ("password", "secret", "token", "key_hash", "api_key")


def _is_secret(field_name: str) -> bool:
    return any(hint in field_name for hint in SECRET_HINTS)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The current values of ``fields`` (default: all concrete editable fields)."""
    names = fields or [f.name for f in obj._meta.concrete_fields if f.editable and not f.primary_key]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every changed field, secrets masked."""
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changes[name] = [MASK, MASK] if _is_secret(name) else [old, new]
    return changes


def entry(
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    *,
    account=None,
    changes: dict | None = None,
    object_repr: str | None = None,
    parent: models.Model | None = None,
) -> AuditEntry:
    """One audit entry, not yet saved: time, real user, account acted in, action, object, changes, IP.

    ``parent`` is the object ``obj`` belongs to (an end customer for its to-dos),
    so the parent's history includes it.
    ``account`` defaults to the actor's current account.
    """
    user = actor.user if actor is not None and actor.is_authenticated else None
    if account is None and actor is not None:
        account = actor.account
    return AuditEntry(
        account=account,
        user=user,
        user_repr=user.username if user else "",
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj) if obj is not None else "")[:200],
        parent_type=ContentType.objects.get_for_model(parent) if parent is not None else None,
        parent_id=str(parent.pk) if parent is not None else "",
        changes={name: [_plain(v) for v in pair] for name, pair in (changes or {}).items()},
        ip_address=actor.ip if actor is not None else None,
        service_access=actor.grant if actor is not None else None,
    )


def record(actor: Actor | None, action: str, obj: models.Model | None = None, **details) -> AuditEntry:
    """Write one audit entry; ``details`` are ``entry``'s keyword arguments. Call it inside the
    service's transaction so the entry and the change commit together."""
    new = entry(actor, action, obj, **details)
    new.save()
    return new


def record_refusal(actor: Actor | None, model: type[RoleRules], action: str, *, account=None) -> AuditEntry:
    """A "denied" entry for ``action`` on ``model``, kept as codes: each reader reads it in their own language.

    ``account`` as for ``entry``."""
    refusal = entry(actor, AuditEntry.Action.DENIED, account=account)
    if issubclass(model, models.Model):  # RoleRules is a mixin; what has role rules is a model
        refusal.object_type = ContentType.objects.get_for_model(model)
    refusal.refused_action = action
    refusal.save()
    return refusal


def record_denial(denial: ActionDenied) -> AuditEntry:
    """The "denied" entry for a refused action (``core.access``); written outside the refused transaction."""
    return record_refusal(denial.actor, denial.model, denial.action)


def record_all(*entries: AuditEntry) -> None:
    """Write several entries of one change in one statement (``entry`` builds them)."""
    AuditEntry.objects.bulk_create(entries)


def history_of(queryset, obj: models.Model):
    """Entries about ``obj`` or any object recorded with it as parent, from ``queryset`` (already restricted)."""
    content_type = ContentType.objects.get_for_model(obj)
    key = str(obj.pk)
    return queryset.filter(
        models.Q(object_type=content_type, object_id=key) | models.Q(parent_type=content_type, parent_id=key)
    )

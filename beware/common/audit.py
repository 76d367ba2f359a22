"""The audit trail: who did what, on behalf of which member, and when.

Services call `record(...)` inside their transaction, so the event commits or
rolls back with the write it describes."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS_HASH = "0" * 64
# Serialises appends to the chain on PostgreSQL; SQLite serialises writers itself.
_CHAIN_LOCK_KEY = 7_260_001


@dataclass(frozen=True)
class Actor:
    """The user doing something, and the member organisation they act for."""

    user: Any = None
    member: Any = None
    is_system: bool = False  # management commands and tasks; never a web request

    @classmethod
    def system(cls) -> "Actor":
        return cls(is_system=True)

    @property
    def label(self) -> str:
        return self.user.email if self.user is not None else "systeem"


def _digest(prev_hash: str, event: AuditEvent) -> str:
    content = {
        "timestamp": event.timestamp.isoformat(),
        "actor": event.actor_label,
        "member": event.member_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
    }
    payload = prev_hash + json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def record(action: str, *, actor: Actor, obj=None, data: dict | None = None) -> AuditEvent:
    # Inside a service's transaction no savepoint is needed: the event and the
    # write it describes commit or roll back together.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            timestamp=timezone.now(),
            actor=actor.user,
            actor_label=actor.label,
            member=actor.member,
            member_label=str(actor.member) if actor.member is not None else "",
            action=action,
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            data=json.loads(json.dumps(data or {}, default=str)),
            prev_hash=last or GENESIS_HASH,
        )
        event.hash = _digest(event.prev_hash, event)
        event.save()
        return event


def verify_chain() -> int | None:
    """Return the id of the first event whose hash does not match, or None."""
    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator():
        if event.prev_hash != prev or _digest(prev, event) != event.hash:
            return event.id
        prev = event.hash
    return None
